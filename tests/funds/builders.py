"""A small registry and a project carried through the library, for the funds tests."""

from __future__ import annotations

from datetime import date

import polars as pl

from dixian.funds import actions
from dixian.funds.models import ProjectStep
from dixian.registry import importing
from tests.conftest import VILLAGE
from tests.registry.builders import households_and_members

K = ProjectStep.Kind


def load_households(n: int = 4, village: str = VILLAGE) -> None:
    tables = households_and_members(n, village)
    importing.apply_tables({name: pl.from_arrow(t) for name, t in tables.items()})


def pdf_bytes(text: str = "Dixian") -> bytes:
    """A real one-page PDF (reportlab), its text in the page."""
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, invariant=1)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return out.getvalue()


def docx_bytes() -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def democracy(on: date) -> list[actions.DemocracyStep]:
    return [actions.DemocracyStep(kind, on, (f"{kind}.pdf",)) for kind in actions.DEMOCRACY]


def approved_project(users, *, on=date(2025, 1, 10), category="industry", amount="1000000"):
    from dixian.core.roles import Role

    project = actions.do_apply_project(
        region_code=VILLAGE, title="食用菌大棚", year=2025, category=category, amount=amount,
        planned_completion=date(2025, 10, 31), democracy=democracy(on),
        beneficiaries=[(f"{VILLAGE}0001", "dividends")], actor=users[Role.VILLAGE_CADRE], on=on)
    for role in (Role.TOWNSHIP_REVIEWER, Role.PROJECT_OFFICER, Role.COUNTY_APPROVER):
        actions.do_review_project(project, approve=True, documents=["review.pdf"],
                                  actor=users[role], on=on)
    return project


def matrix_targets(inside_household: str, outside_household: str) -> tuple[dict, dict]:
    """A project, asset and notice in each household's village (written directly: the matrix
    tests access, not the library's steps)."""
    from decimal import Decimal

    from dixian.core.models import User
    from dixian.funds.models import (
        Allocation,
        Appropriation,
        Asset,
        AssetIncome,
        Disposal,
        Notice,
        Project,
    )

    out = []
    for code in (inside_household, outside_household):
        village = code[:12]
        project = Project.objects.create(
            county_code=village[:6], region_code=village, title="菌棚", year=2025,
            category="industry", amount=Decimal(1000), applied_on=date(2025, 1, 1))
        asset = Asset.objects.create(
            project=project, county_code=village[:6], region_code=village, name="菌棚",
            category="income", owner_level="village", owner_code=village,
            book_value=Decimal(1000), formed_on=date(2025, 6, 1))
        notice = Notice.objects.create(
            region_code=village, kind="approval", project=project, title="t", body="b",
            decided_on=date(2025, 1, 2), due_by=date(2025, 1, 7), min_days=5)
        allocation = Allocation.objects.create(
            county_code=village[:6], year=2025, source="central", amount=Decimal(500),
            document=f"财预〔2025〕{village}", received_on=date(2025, 1, 10))
        appropriation = Appropriation.objects.create(
            allocation=allocation, project=project, amount=Decimal(100), on=date(2025, 1, 11),
            document="拨付")
        income = AssetIncome.objects.create(asset=asset, month="2025-07", amount=Decimal(10))
        disposal = Disposal.objects.create(asset=asset, how="报废", reason="水毁",
                                           requested_on=date(2025, 8, 1), requested_by=User
                                           .objects.filter(is_active=True).first())
        document = _document(project, village)
        out.append({"project": project.pk, "asset": asset.pk, "notice": notice.pk,
                    "allocation": allocation.pk, "appropriation": appropriation.pk,
                    "income": income.pk, "disposal": disposal.pk, "document": document.pk})
    return out[0], out[1]


def _document(project, village: str):
    """A document on the project's application step, its bytes in the media store."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from dixian.core.models import User
    from dixian.funds.models import Document, ProjectStep

    step = ProjectStep.objects.create(project=project, kind="application",
                                      on=date(2025, 1, 1), documents=["申报书"])
    data = pdf_bytes(village)
    sha = hashlib.sha256(data).hexdigest()
    document = Document(project=project, step=step, target=f"step:{step.pk}",
                        region_code=village, name="申报书.pdf", size=len(data),
                        content_type="application/pdf", sha256=sha,
                        uploaded_by=User.objects.filter(is_active=True).first(),
                        uploaded_at=timezone.now())
    document.file.save(sha, ContentFile(data), save=False)
    document.save()
    return document
