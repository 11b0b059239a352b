"""Roles, departments and what each role may do.

One table (``ROLE_SPECS``) says, for every role, at which region levels a user
may be bound, whether the role belongs to a department, and which capabilities
it has. Pages and API endpoints ask for a capability; region scope is checked
separately by the access functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    PREFECTURE = 2, _("Prefecture")
    COUNTY = 3, _("County")
    TOWNSHIP = 4, _("Township")
    VILLAGE = 5, _("Village")


CODE_LENGTH_BY_LEVEL = {Level.PROVINCE: 2, Level.PREFECTURE: 4, Level.COUNTY: 6,
                        Level.TOWNSHIP: 9, Level.VILLAGE: 12}
LEVEL_BY_CODE_LENGTH = {length: level for level, length in CODE_LENGTH_BY_LEVEL.items()}


class Role(models.TextChoices):
    VILLAGE_CADRE = "village_cadre", _("Village cadre")
    TOWNSHIP_REVIEWER = "township_reviewer", _("Township reviewer")
    COUNTY_APPROVER = "county_approver", _("County approver")
    COUNTY_ADMIN = "county_admin", _("County administrator")
    DEPARTMENT_OFFICER = "department_officer", _("Department data officer")
    ANALYST = "analyst", _("Analyst or supervisor")
    AUDITOR = "auditor", _("Auditor")
    SYSADMIN = "sysadmin", _("System administrator")
    POLICY_ADMIN = "policy_admin", _("Province policy administrator")
    PROJECT_OFFICER = "project_officer", _("Project officer (project library)")
    FUND_OFFICER = "fund_officer", _("Fund officer (finance bureau)")
    ASSET_OFFICER = "asset_officer", _("Asset officer (project assets)")
    WORK_RELIEF_OFFICER = "work_relief_officer", _("Development and reform (work relief)")
    SITE_MANAGER = "site_manager", _("Resettlement site manager")
    PROVINCE_ADMIN = "province_admin", _("Province administrator")
    EAST_PARTNER = "east_partner", _("East–West partner (eastern side)")
    CENTRAL_UNIT = "central_unit", _("Central unit (fixed-point assistance)")
    SERVICE_ACCOUNT = "service_account", _("Department system (service account)")


class Department(models.TextChoices):
    MEDICAL_INSURANCE = "medical_insurance", _("Medical insurance")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    EDUCATION = "education", _("Education")
    HOUSING = "housing", _("Housing and urban-rural development")
    WATER = "water", _("Water resources")
    EMERGENCY = "emergency", _("Emergency management")
    HUMAN_RESOURCES = "human_resources", _("Human resources and social security")
    PUBLIC_SECURITY = "public_security", _("Public security")
    DISABLED_FEDERATION = "disabled_federation", _("Disabled persons' federation")
    ASSETS = "assets", _("Natural resources and assets")
    # Measures are delivered by these too (the rural revitalisation office runs monitoring,
    # the Yulu plan, micro-credit and industry; health runs family-doctor contracts).
    AGRICULTURE_RURAL = ("agriculture_rural",
                         _("Agriculture and rural affairs (rural revitalisation)"))
    HEALTH = "health", _("Health commission")


class Capability(StrEnum):
    """Things a role may do; checked on every page and endpoint."""

    VIEW_REGIONS = "view_regions"
    VIEW_USERS = "view_users"
    VIEW_AUDIT = "view_audit"
    VIEW_REGISTRY = "view_registry"  # households and members, personal data masked
    EDIT_REGISTRY = "edit_registry"
    IMPORT_REGISTRY = "import_registry"
    REVEAL_PERSONAL_DATA = "reveal_personal_data"  # each reveal is audited
    UPLOAD_FEEDS = "upload_feeds"
    RUN_SCREENING = "run_screening"
    RAISE_CLUES = "raise_clues"  # a cadre's clue for a household (visit, call, walk-in)
    VISIT_HOUSEHOLDS = "visit_households"  # monthly visits and concentrated-screening visits
    PROPOSE_ELIMINATION = "propose_elimination"  # open a risk-elimination case (R6 checked)
    LAUNCH_CAMPAIGNS = "launch_campaigns"  # the county's annual concentrated screening
    PLAN_MEASURES = "plan_measures"  # assign measures to a household's plan (township, county)
    DELIVER_MEASURES = "deliver_measures"  # a department's measures: update, record delivery
    PROPOSE_POLICY = "propose_policy"  # a change to the region's policy, with its basis
    APPROVE_POLICY = "approve_policy"  # a second administrator approves or rejects it
    SEE_NAMES = "see_names"  # members' names in full (others see 王**; docs/personal-data.md)
    SEE_HEALTH = "see_health"  # members' health and disability (others see it withheld)
    VIEW_ACCESS_REPORT = "view_access_report"  # a household's data-access report (auditors)
    EVALUATE = "evaluate"  # draw an evaluation sample, record its findings (fieldwork roles)
    VIEW_FUNDS = "view_funds"  # projects, funds, assets and notices
    APPLY_PROJECTS = "apply_projects"  # the village applies (四议两公开 recorded)
    REVIEW_PROJECTS = "review_projects"  # the township reviews
    APPROVE_PROJECTS = "approve_projects"  # the county approves projects and asset disposals
    MANAGE_PROJECTS = "manage_projects"  # experts' review, tender, contract, progress, acceptance
    MANAGE_FUNDS = "manage_funds"  # allocations, appropriations, payments
    MANAGE_ASSETS = "manage_assets"  # assets, income, distribution, disposal requests
    MANAGE_WORK_RELIEF = "manage_work_relief"  # work-relief projects: workers and payroll
    VIEW_REGIONAL = "view_regional"  # regional programmes: resettlement sites and follow-up
    MANAGE_RELOCATION = "manage_relocation"  # sites, relocated households, employment follow-up
    VIEW_PAIRINGS = "view_pairings"  # East–West and paired-assistance pairings, their agreements
    MANAGE_PAIRINGS = "manage_pairings"  # pairings, annual agreements, village work teams
    MANAGE_USERS = "manage_users"  # create, disable, re-scope users below one's own role
    MANAGE_DEPARTMENTS = "manage_departments"  # service accounts, tokens, department settings,
    #                                            screening schedules
    REVIEW_FACTS = "review_facts"  # decide a department's value against a cadre's
    READ_ALERTS = "read_alerts"  # a department's own alerts and their outcomes (machine access)
    SEARCH_REGISTRY = "search_registry"  # DCI search and subscriptions: masked results only


@dataclass(frozen=True)
class RoleSpec:
    levels: frozenset[Level]
    may_be_national: bool
    has_department: bool
    capabilities: frozenset[Capability]


_ALL_LEVELS = frozenset(Level)
C = Capability
_BASE = frozenset({C.VIEW_REGIONS})
_READ = _BASE | {C.VIEW_REGISTRY}
_CASEWORK = _READ | {C.REVEAL_PERSONAL_DATA, C.EVALUATE, C.SEE_NAMES, C.SEE_HEALTH,
                     C.VIEW_FUNDS, C.VIEW_REGIONAL, C.VIEW_PAIRINGS}
_FUNDS = _BASE | {C.VIEW_FUNDS, C.VIEW_REGIONAL, C.VIEW_PAIRINGS}

ROLE_SPECS: dict[Role, RoleSpec] = {
    Role.VILLAGE_CADRE: RoleSpec(
        frozenset({Level.VILLAGE}), False, False,
        _CASEWORK | {C.EDIT_REGISTRY, C.RAISE_CLUES, C.VISIT_HOUSEHOLDS,
                     C.PROPOSE_ELIMINATION, C.APPLY_PROJECTS}),
    Role.TOWNSHIP_REVIEWER: RoleSpec(
        frozenset({Level.TOWNSHIP}), False, False,
        _CASEWORK | {C.RAISE_CLUES, C.PROPOSE_ELIMINATION, C.PLAN_MEASURES,
                     C.REVIEW_PROJECTS}),
    Role.COUNTY_APPROVER: RoleSpec(frozenset({Level.COUNTY}), False, False,
                                   _CASEWORK | {C.PLAN_MEASURES, C.APPROVE_PROJECTS}),
    Role.COUNTY_ADMIN: RoleSpec(
        frozenset({Level.COUNTY}), False, False,
        _CASEWORK | {C.VIEW_USERS, C.EDIT_REGISTRY, C.IMPORT_REGISTRY, C.RUN_SCREENING,
                     C.LAUNCH_CAMPAIGNS, C.PLAN_MEASURES, C.MANAGE_USERS,
                     C.MANAGE_DEPARTMENTS, C.REVIEW_FACTS, C.MANAGE_PAIRINGS},
    ),
    Role.DEPARTMENT_OFFICER: RoleSpec(
        frozenset({Level.COUNTY, Level.PREFECTURE, Level.PROVINCE}), False, True,
        _BASE | {C.UPLOAD_FEEDS, C.DELIVER_MEASURES, C.SEE_NAMES},
    ),
    # the evaluator of R10 is an analyst above the county (dixian.statistics.evaluation)
    Role.ANALYST: RoleSpec(_ALL_LEVELS, True, False,
                           _READ | {C.VIEW_FUNDS, C.VIEW_REGIONAL, C.VIEW_PAIRINGS, C.EVALUATE}),
    Role.AUDITOR: RoleSpec(_ALL_LEVELS, True, False,
                           _READ | {C.VIEW_AUDIT, C.VIEW_ACCESS_REPORT, C.VIEW_FUNDS,
                                    C.VIEW_REGIONAL, C.VIEW_PAIRINGS}),
    Role.SYSADMIN: RoleSpec(_ALL_LEVELS, True, False, _BASE | {C.VIEW_USERS, C.VIEW_AUDIT}),
    # a province's policy: one administrator proposes, a second approves (maker-checker)
    Role.POLICY_ADMIN: RoleSpec(frozenset({Level.PROVINCE}), False, False,
                                _BASE | {C.PROPOSE_POLICY, C.APPROVE_POLICY}),
    Role.PROJECT_OFFICER: RoleSpec(frozenset({Level.COUNTY}), False, False,
                                   _FUNDS | {C.MANAGE_PROJECTS}),
    Role.FUND_OFFICER: RoleSpec(frozenset({Level.COUNTY, Level.PREFECTURE, Level.PROVINCE}),
                                False, False, _FUNDS | {C.MANAGE_FUNDS}),
    # sees households (masked) to distribute asset income to them
    Role.ASSET_OFFICER: RoleSpec(frozenset({Level.COUNTY, Level.TOWNSHIP}), False, False,
                                 _FUNDS | {C.VIEW_REGISTRY, C.MANAGE_ASSETS}),
    # the development-and-reform commission: recruits local workers (monitored and
    # poverty-alleviated residents first, so it sees households masked) and keeps the payroll;
    # it also leads the relocation follow-up (registers sites and their relocated households)
    Role.WORK_RELIEF_OFFICER: RoleSpec(frozenset({Level.COUNTY}), False, False,
                                       _FUNDS | {C.VIEW_REGISTRY, C.MANAGE_WORK_RELIEF,
                                                 C.MANAGE_RELOCATION}),
    # the manager of a resettlement site (a community, or the township of several): follows
    # up the employment of its relocated members by name, sees nothing else of the registry
    Role.SITE_MANAGER: RoleSpec(frozenset({Level.TOWNSHIP, Level.VILLAGE}), False, False,
                                _BASE | {C.VIEW_REGIONAL, C.MANAGE_RELOCATION, C.SEE_NAMES}),
    # Administers the counties of a province (or prefecture): people, departments, schedules;
    # sees no personal data.
    Role.PROVINCE_ADMIN: RoleSpec(
        frozenset({Level.PROVINCE, Level.PREFECTURE}), False, False,
        _BASE | {C.VIEW_USERS, C.VIEW_AUDIT, C.MANAGE_USERS, C.MANAGE_DEPARTMENTS,
                 C.VIEW_PAIRINGS, C.MANAGE_PAIRINGS}),
    # The eastern partner (a province, city or county government assisting the west) and the
    # central unit of fixed-point assistance (定点帮扶): bound at the western region they
    # assist, linked to their organisation (dixian.regional.pairing), and reading only their own
    # organisation's pairings and commitments (and the region's public figures: no personal
    # data, no programme's page).
    Role.EAST_PARTNER: RoleSpec(frozenset({Level.PROVINCE, Level.PREFECTURE, Level.COUNTY}),
                                False, False, _BASE | {C.VIEW_PAIRINGS}),
    Role.CENTRAL_UNIT: RoleSpec(frozenset({Level.COUNTY}), False, False,
                                _BASE | {C.VIEW_PAIRINGS}),
    # A department's system calling the API with a token; what it may do is further narrowed
    # by the token's scopes (dixian.connect.scopes).
    Role.SERVICE_ACCOUNT: RoleSpec(
        frozenset({Level.COUNTY, Level.PREFECTURE, Level.PROVINCE}), False, True,
        _BASE | {C.UPLOAD_FEEDS, C.READ_ALERTS, C.SEARCH_REGISTRY}),
}

# Who may grant which roles (creating, re-scoping or editing a user): only roles below one's
# own, within one's own region. Service accounts are made on the departments' page.
GRANTABLE: dict[Role, frozenset[Role]] = {
    Role.COUNTY_ADMIN: frozenset({Role.VILLAGE_CADRE, Role.TOWNSHIP_REVIEWER,
                                  Role.COUNTY_APPROVER, Role.DEPARTMENT_OFFICER, Role.ANALYST,
                                  Role.AUDITOR, Role.EAST_PARTNER, Role.CENTRAL_UNIT}),
    Role.PROVINCE_ADMIN: frozenset({Role.VILLAGE_CADRE, Role.TOWNSHIP_REVIEWER,
                                    Role.COUNTY_APPROVER, Role.COUNTY_ADMIN,
                                    Role.DEPARTMENT_OFFICER, Role.ANALYST, Role.AUDITOR,
                                    Role.EAST_PARTNER, Role.CENTRAL_UNIT}),
}

# Roles that sign in with a second factor (TOTP): those that can reveal personal data, and
# those that hand out access to it.
TWO_FACTOR_ROLES = frozenset(
    role for role, spec in ROLE_SPECS.items()
    if C.REVEAL_PERSONAL_DATA in spec.capabilities or C.MANAGE_USERS in spec.capabilities)


def grantable(role: str) -> frozenset[Role]:
    try:
        return GRANTABLE.get(Role(role), frozenset())
    except ValueError:
        return frozenset()


def role_has(role: str, capability: Capability) -> bool:
    try:
        spec = ROLE_SPECS[Role(role)]
    except ValueError:
        return False
    return capability in spec.capabilities


#: Roles that read as an organisation, not as a region: only their own organisation's pairings
PARTNER_ROLES = frozenset({Role.EAST_PARTNER, Role.CENTRAL_UNIT})
