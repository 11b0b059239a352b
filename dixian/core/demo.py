"""The demo county: real divisions of Guizhou, one user per role in 望谟县.

Later parts add their own steps to :data:`STEPS` (registry, cases, assistance…).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from dixian.core import actions, regions
from dixian.core.models import Region, User
from dixian.core.roles import Department, Level, Role

DEMO_PROVINCE = "52"  # 贵州省
DEMO_COUNTY = "522326"  # 望谟县, a national key county for rural revitalisation


@dataclass
class DemoUser:
    username: str
    role: str
    region_code: str
    department: str = ""
    password: str = ""


@dataclass
class DemoReport:
    users: list[DemoUser] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timings: list[tuple[str, float]] = field(default_factory=list)  # step, seconds


def demo_users() -> list[DemoUser]:
    county = Region.objects.get(code=DEMO_COUNTY)
    # A rural township (镇 or 乡, not an urban 街道) and one of its villages (村).
    township = county.children.filter(code__regex=r"^\d{6}[12]").order_by("code").first()
    village = township.children.filter(name__contains="村").order_by("code").first()
    return [
        DemoUser("cadre", Role.VILLAGE_CADRE, village.code),
        DemoUser("township", Role.TOWNSHIP_REVIEWER, township.code),
        DemoUser("approver", Role.COUNTY_APPROVER, county.code),
        DemoUser("countyadmin", Role.COUNTY_ADMIN, county.code),
        DemoUser("medical", Role.DEPARTMENT_OFFICER, county.code, Department.MEDICAL_INSURANCE),
        DemoUser("analyst", Role.ANALYST, county.code),
        DemoUser("auditor", Role.AUDITOR, county.code),
        DemoUser("sysadmin", Role.SYSADMIN, county.code),
        # the province's policy: one administrator proposes, the other approves
        DemoUser("policy", Role.POLICY_ADMIN, DEMO_PROVINCE),
        DemoUser("policy2", Role.POLICY_ADMIN, DEMO_PROVINCE),
        DemoUser("projects", Role.PROJECT_OFFICER, county.code),
        DemoUser("finance", Role.FUND_OFFICER, county.code),
        DemoUser("assets", Role.ASSET_OFFICER, county.code),
        DemoUser("provinceadmin", Role.PROVINCE_ADMIN, DEMO_PROVINCE),
    ]


def step_regions(report: DemoReport) -> None:
    """Load the divisions of Guizhou."""
    if not Region.objects.filter(code=DEMO_COUNTY).exists():
        result = regions.load(DEMO_PROVINCE)
        report.notes.append(f"loaded {result.rows_in_file:,} divisions of province 52")


def step_users(report: DemoReport) -> None:
    """Create the demo users (or give them a fresh password)."""
    for spec in demo_users():
        spec.password = actions.generate_password()
        user = User.objects.filter(username=spec.username).first()
        with transaction.atomic():
            if user is None:
                actions.do_create_user(
                    username=spec.username, role=spec.role, region_code=spec.region_code,
                    password=spec.password, department=spec.department,
                )
            else:
                actions.do_reset_password(user, spec.password)
        report.users.append(spec)


STEPS: list[Callable[[DemoReport], None]] = [step_regions, step_users]


def step_label(step: Callable) -> str:
    doc = (step.__doc__ or "").strip().splitlines()
    return doc[0].rstrip(".") if doc else step.__name__.removeprefix("step_")


def build() -> DemoReport:
    """Run the steps in order; each shows as a bar with its elapsed time when the command
    line turned progress on (``dixian demo``).

    Each step is one transaction: a build interrupted mid-step (Ctrl-C, a killed process)
    leaves nothing of that step behind, so the next ``make demo`` runs it again instead of
    taking its partial work for done (each step skips itself when its work is there)."""
    from django.db import transaction

    from dixian.core import progress

    report = DemoReport()
    clock = progress.Stopwatch()
    for number, step in enumerate(STEPS, start=1):
        label = f"[{number}/{len(STEPS)}] {step_label(step)}"
        watch = progress.Stopwatch()
        with progress.task(label, total=1) as advance, transaction.atomic():
            step(report)
            advance()
        report.timings.append((step_label(step), round(watch.seconds, 1)))
    report.timings.append(("total", round(clock.seconds, 1)))
    return report


def describe_region(code: str) -> str:
    region = Region.objects.get(code=code)
    return f"{region.name} ({Level(region.level).label})"
