"""Every role against every page and API endpoint, in scope and out of scope.

Later parts add their routes to ROUTES; ``test_every_route_is_in_the_matrix``
fails when a URL exists that the matrix does not cover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from dixian.core.roles import Capability, Role, role_has
from tests.conftest import (
    COUNTY,
    OTHER_COUNTY,
    OTHER_PROVINCE_COUNTY,
    VILLAGE,
    make_user,
)

OUTSIDE_VILLAGE = "522633001201"  # a village of the neighbouring county
# Same county, outside the lower levels' scope: the village cadre works in VILLAGE
# (522326101201), the township reviewer in TOWNSHIP (522326101).
SAME_TOWNSHIP_VILLAGE = "522326101202"  # 纳管村: outside the cadre's village, in the township
OTHER_TOWNSHIP_VILLAGE = "522326102201"  # 毛坪村, 打易镇: outside the township, in the county


@dataclass(frozen=True)
class Route:
    name: str  # URL name (pages) or "api:<operation>" (API)
    path: str  # may contain {code} (a region), {household}, {member}, {batch}
    capability: Capability | None
    api: bool = False
    scoped: bool = False  # the object in the path must be within the user's region
    in_scope_status: int = 200
    method: str = "get"


ROUTES = [
    Route("home", "/", None),
    Route("regions", "/regions/", Capability.VIEW_REGIONS, in_scope_status=302),
    Route("region", "/regions/{code}/", Capability.VIEW_REGIONS, scoped=True),
    Route("region_search", "/regions/search/?q={code}", Capability.VIEW_REGIONS),
    Route("users", "/users/", Capability.VIEW_USERS),
    Route("audit", "/audit/", Capability.VIEW_AUDIT),
    Route("jobs", "/jobs/", None),
    Route("job", "/jobs/{job}/", None, scoped=True),
    Route("job_status", "/jobs/{job}/status.json", None, scoped=True),
    Route("job_rerun", "/jobs/{job}/rerun/", None, scoped=True, method="post",
          in_scope_status=302),  # a finished job: back to its page
    Route("api:me", "/api/me", None, api=True),
    Route("api:search_regions", "/api/regions?q={code}", Capability.VIEW_REGIONS, api=True),
    Route("api:get_region", "/api/regions/{code}", Capability.VIEW_REGIONS, api=True,
          scoped=True),
    Route("api:region_children", "/api/regions/{code}/children", Capability.VIEW_REGIONS,
          api=True, scoped=True),
    Route("api:audit_events", "/api/audit", Capability.VIEW_AUDIT, api=True),
    Route("households", "/households/?q=王", Capability.VIEW_REGISTRY),
    Route("household", "/households/{household}/", Capability.VIEW_REGISTRY, scoped=True),
    Route("reveal_id", "/members/{member}/reveal-id/", Capability.REVEAL_PERSONAL_DATA,
          scoped=True, method="post"),
    Route("household_access", "/households/{household}/access/",
          Capability.VIEW_ACCESS_REPORT, scoped=True),
    Route("api:household_access", "/api/registry/households/{household}/access",
          Capability.VIEW_ACCESS_REPORT, api=True, scoped=True),
    Route("imports", "/imports/", Capability.IMPORT_REGISTRY),
    Route("import_report", "/imports/{batch}/", Capability.IMPORT_REGISTRY, scoped=True),
    Route("import_rejected_rows", "/imports/{batch}/rejected.csv", Capability.IMPORT_REGISTRY,
          scoped=True),
    Route("duplicates", "/duplicates/", Capability.VIEW_REGISTRY),
    Route("duplicate_decide", "/duplicates/decide/", Capability.EDIT_REGISTRY, method="post",
          in_scope_status=302),  # no pair named: back with the error
    Route("duplicate_reverse", "/duplicates/999999/reverse/", Capability.EDIT_REGISTRY,
          method="post", in_scope_status=404),  # no such decision
    Route("api:duplicate_report", "/api/registry/duplicates", Capability.VIEW_REGISTRY,
          api=True),
    Route("api:decide_duplicate", "/api/registry/duplicates/decisions",
          Capability.EDIT_REGISTRY, api=True, method="post", in_scope_status=400),  # no body
    Route("api:reverse_duplicate_decision", "/api/registry/duplicates/decisions/999999/reverse",
          Capability.EDIT_REGISTRY, api=True, method="post", in_scope_status=404),
    Route("quality_issues", "/quality/", Capability.VIEW_REGISTRY),
    Route("alarms", "/alarms/", Capability.VIEW_REGIONS),
    Route("alarm", "/alarms/{alarm}/", Capability.VIEW_REGIONS, scoped=True),
    Route("quality_villages", "/quality/villages/", Capability.VIEW_REGISTRY),
    Route("quality_run", "/quality/run/", Capability.IMPORT_REGISTRY, method="post",
          in_scope_status=302),
    Route("quality_accept", "/quality/{issue}/accept/", Capability.EDIT_REGISTRY, scoped=True,
          method="post", in_scope_status=302),
    Route("notifications", "/inbox/notifications/", None, method="post", in_scope_status=302),
    Route("offline", "/offline/", None),
    Route("offline_bundle", "/offline/bundle/", Capability.VISIT_HOUSEHOLDS),
    Route("offline_sync", "/offline/sync/", Capability.VISIT_HOUSEHOLDS, method="post",
          in_scope_status=400),  # no JSON body
    Route("cases", "/cases/", Capability.VIEW_REGISTRY),
    Route("case", "/cases/{case}/", Capability.VIEW_REGISTRY, scoped=True),
    Route("case_act", "/cases/{case}/act/", Capability.VIEW_REGISTRY, scoped=True,
          method="post", in_scope_status=400),  # no action named: a bad request
    Route("notice", "/notices/{code}/", Capability.VIEW_REGISTRY, scoped=True),
    Route("case_letter", "/cases/{case}/letter/", Capability.VIEW_REGISTRY, scoped=True),
    Route("declarations", "/declarations/", Capability.VIEW_REGISTRY),
    Route("inbox", "/inbox/", None),
    Route("household_monitoring", "/monitoring/{household}/", Capability.VIEW_REGISTRY,
          scoped=True),
    Route("raise_clue", "/monitoring/{household}/clue/", Capability.RAISE_CLUES, scoped=True,
          method="post", in_scope_status=302),  # no description: back with the error
    Route("propose_elimination", "/monitoring/{household}/eliminate/",
          Capability.PROPOSE_ELIMINATION, scoped=True, method="post",
          in_scope_status=302),  # not monitored: refused, back with the reasons
    Route("visit_form", "/monitoring/{household}/visits/2025-05/", Capability.VIEW_REGISTRY,
          scoped=True),
    Route("eliminations", "/eliminations/", Capability.VIEW_REGISTRY),
    Route("plan", "/plans/{household}/", Capability.VIEW_REGISTRY, scoped=True),
    Route("plan_assign", "/plans/{household}/assign/", Capability.PLAN_MEASURES, scoped=True,
          method="post", in_scope_status=302),  # nothing chosen: back with the error
    Route("plan_measure_update", "/plans/{household}/measures/{measure}/",
          Capability.PLAN_MEASURES, scoped=True, method="post", in_scope_status=302),
    Route("measures", "/measures/", Capability.DELIVER_MEASURES),
    Route("measure_update", "/measures/{measure}/", Capability.DELIVER_MEASURES, scoped=True,
          method="post", in_scope_status=302),
    Route("measures_upload", "/measures/upload/", Capability.DELIVER_MEASURES, method="post",
          in_scope_status=302),
    Route("plan_issues", "/assistance/issues/", Capability.VIEW_REGISTRY),
    Route("coverage", "/assistance/coverage/", Capability.VIEW_REGISTRY),
    Route("visits", "/visits/", Capability.VIEW_REGISTRY),
    Route("campaigns", "/campaigns/", Capability.VIEW_REGISTRY),
    Route("campaign", "/campaigns/{campaign}/", Capability.VIEW_REGISTRY, scoped=True),
    Route("campaign_task", "/campaign-tasks/{task}/", Capability.VISIT_HOUSEHOLDS,
          scoped=True, method="post", in_scope_status=302),  # no outcome: back with the error
    Route("feeds", "/feeds/", Capability.UPLOAD_FEEDS),
    Route("feed_batch", "/feeds/{feed}/", Capability.UPLOAD_FEEDS, scoped=True),
    Route("feed_alerts", "/feeds/alerts/", Capability.UPLOAD_FEEDS),
    Route("feed_template", "/feeds/template.xlsx", Capability.UPLOAD_FEEDS),
    Route("alerts", "/alerts/", Capability.VIEW_REGISTRY),
    Route("alert", "/alerts/{alert}/", Capability.VIEW_REGISTRY, scoped=True),
    Route("screening_run", "/screening/run/", Capability.RUN_SCREENING, method="post",
          in_scope_status=302),
    Route("api:upload_feed", "/api/exchange/feeds", Capability.UPLOAD_FEEDS, api=True,
          method="post", in_scope_status=400),  # no file sent
    Route("api:get_feed", "/api/exchange/feeds/{feed}", Capability.UPLOAD_FEEDS, api=True,
          scoped=True),
    Route("api:run_screening", "/api/exchange/screening?period=2025-05",
          Capability.RUN_SCREENING, api=True, method="post"),
    Route("api:list_alerts", "/api/exchange/alerts", Capability.VIEW_REGISTRY, api=True),
    Route("api:list_households", "/api/registry/households?q=王", Capability.VIEW_REGISTRY,
          api=True),
    Route("api:get_household", "/api/registry/households/{household}",
          Capability.VIEW_REGISTRY, api=True, scoped=True),
    Route("api:household_members", "/api/registry/households/{household}/members",
          Capability.VIEW_REGISTRY, api=True, scoped=True),
    Route("api:reveal_member_id", "/api/registry/members/{member}/reveal-id",
          Capability.REVEAL_PERSONAL_DATA, api=True, scoped=True, method="post"),
    Route("api:get_import", "/api/registry/imports/{batch}", Capability.IMPORT_REGISTRY,
          api=True, scoped=True),
    Route("api:list_cases", "/api/procedures/cases", Capability.VIEW_REGISTRY, api=True),
    Route("api:get_case", "/api/procedures/cases/{case}", Capability.VIEW_REGISTRY, api=True,
          scoped=True),
    Route("api:take_step", "/api/procedures/cases/{case}/steps", Capability.VIEW_REGISTRY,
          api=True, scoped=True, method="post", in_scope_status=400),  # no body
    Route("api:elimination_conditions", "/api/procedures/cases/{case}/conditions",
          Capability.VIEW_REGISTRY, api=True, scoped=True),
    Route("api:raise_clue", "/api/procedures/clues", Capability.RAISE_CLUES, api=True,
          method="post", in_scope_status=400),  # no body
    Route("api:propose_elimination", "/api/procedures/households/{household}/elimination",
          Capability.PROPOSE_ELIMINATION, api=True, scoped=True, method="post",
          in_scope_status=400),  # not monitored
    Route("api:record_visit", "/api/procedures/visits", Capability.VISIT_HOUSEHOLDS, api=True,
          method="post", in_scope_status=400),  # no body
    Route("api:inbox", "/api/procedures/inbox", None, api=True),
    Route("api:get_plan", "/api/assistance/plans/{household}", Capability.VIEW_REGISTRY,
          api=True, scoped=True),
    Route("api:plan_measures", "/api/assistance/plans/{household}/measures",
          Capability.PLAN_MEASURES, api=True, scoped=True, method="post", in_scope_status=400),
    Route("api:list_measures", "/api/assistance/measures", Capability.DELIVER_MEASURES,
          api=True),
    Route("api:update_measure", "/api/assistance/measures/{measure}",
          Capability.DELIVER_MEASURES, api=True, scoped=True, method="post",
          in_scope_status=400),
    Route("api:coverage", "/api/assistance/coverage", Capability.VIEW_REGISTRY, api=True),
    Route("api:get_indicators", "/api/statistics/{code}", Capability.VIEW_REGISTRY, api=True,
          scoped=True),
    Route("api:indicator_children", "/api/statistics/{code}/children",
          Capability.VIEW_REGISTRY, api=True, scoped=True),
    Route("api:indicator_households",
          "/api/statistics/{code}/households?indicator=identified&period=2025-05",
          Capability.VIEW_REGISTRY, api=True, scoped=True),
    Route("api:upload_import", "/api/registry/imports", Capability.IMPORT_REGISTRY, api=True,
          method="post", in_scope_status=400),  # no file sent: the request is invalid
    Route("statistics", "/statistics/", Capability.VIEW_REGISTRY, in_scope_status=302),
    Route("statistics_region", "/statistics/{code}/", Capability.VIEW_REGISTRY, scoped=True),
    Route("statistics_households",
          "/statistics/{code}/households/?indicator=identified&period=2025-05",
          Capability.VIEW_REGISTRY, scoped=True),
    Route("statistics_table", "/statistics/{code}/tables/categories.csv",
          Capability.VIEW_REGISTRY, scoped=True),
    Route("statistics_report", "/statistics/{code}/report.xlsx", Capability.VIEW_REGISTRY,
          scoped=True),
    Route("statistics_recompute", "/statistics/{code}/recompute/", Capability.IMPORT_REGISTRY,
          scoped=True, method="post", in_scope_status=302),
    Route("evaluation", "/statistics/{code}/evaluation/", Capability.VIEW_REGISTRY,
          scoped=True),
    Route("evaluation_draw", "/statistics/{code}/evaluation/draw/", Capability.EVALUATE,
          scoped=True, method="post", in_scope_status=302),  # no county named: back
    Route("evaluation_findings", "/statistics/{code}/evaluation/findings/",
          Capability.EVALUATE, scoped=True, method="post",
          in_scope_status=302),  # no household named: back with the error
    Route("evaluation_upload", "/statistics/{code}/evaluation/upload/",
          Capability.EVALUATE, scoped=True, method="post",
          in_scope_status=302),  # no file: back with the error
    Route("evaluation_sample", "/statistics/{code}/evaluation/sample.xlsx",
          Capability.VIEW_REGISTRY, scoped=True),
    Route("evaluation_results", "/statistics/{code}/evaluation/results/",
          Capability.VIEW_REGISTRY, scoped=True),
    # the policy is public information; changes are proposed and approved by policy
    # administrators (scope of a change: tests/policy)
    Route("policy", "/policy/", Capability.VIEW_REGIONS),
    Route("policy_changes", "/policy/changes/", Capability.VIEW_REGIONS),
    Route("policy_propose", "/policy/changes/new/", Capability.PROPOSE_POLICY),
    Route("policy_parameter", "/policy/parameters/income.monitoring_line/",
          Capability.VIEW_REGIONS),
    Route("policy_change", "/policy/changes/999999/", Capability.VIEW_REGIONS,
          in_scope_status=404),
    Route("policy_change_preview", "/policy/changes/999999/preview/", Capability.VIEW_REGIONS,
          method="post", in_scope_status=404),
    Route("policy_change_decide", "/policy/changes/999999/decide/", Capability.VIEW_REGIONS,
          method="post", in_scope_status=404),
    Route("api:policy_in_force", "/api/policy/", Capability.VIEW_REGIONS, api=True),
    Route("api:list_changes", "/api/policy/changes", Capability.VIEW_REGIONS, api=True),
    Route("api:get_change", "/api/policy/changes/999999", Capability.VIEW_REGIONS, api=True,
          in_scope_status=404),
    Route("api:propose", "/api/policy/changes", Capability.PROPOSE_POLICY, api=True,
          method="post", in_scope_status=400),  # no body
    Route("api:approve", "/api/policy/changes/999999/approve", Capability.APPROVE_POLICY,
          api=True, method="post", in_scope_status=404),
    Route("api:reject", "/api/policy/changes/999999/reject", Capability.APPROVE_POLICY,
          api=True, method="post", in_scope_status=404),
    Route("api:run_preview", "/api/policy/changes/999999/preview", Capability.PROPOSE_POLICY,
          api=True, method="post", in_scope_status=404),
    Route("funds", "/funds/", Capability.VIEW_FUNDS, in_scope_status=302),
    Route("funds_region", "/funds/{code}/", Capability.VIEW_FUNDS, scoped=True),
    Route("funds_export", "/funds/{code}/export.xlsx", Capability.VIEW_FUNDS, scoped=True),
    Route("projects", "/funds/projects/", Capability.VIEW_FUNDS),
    Route("project_apply", "/funds/projects/apply/", Capability.APPLY_PROJECTS),
    Route("project", "/funds/projects/{project}/", Capability.VIEW_FUNDS, scoped=True),
    Route("project_act", "/funds/projects/{project}/act/", Capability.VIEW_FUNDS, scoped=True,
          method="post", in_scope_status=302),  # no action chosen: back with the error
    Route("work_relief", "/funds/projects/{project}/work-relief/", Capability.VIEW_FUNDS,
          scoped=True),
    Route("work_relief_act", "/funds/projects/{project}/work-relief/act/",
          Capability.VIEW_FUNDS, scoped=True, method="post", in_scope_status=302),
    Route("api:get_work_relief", "/api/funds/projects/{project}/work-relief",
          Capability.VIEW_FUNDS, api=True, scoped=True, in_scope_status=404),  # not one
    # regional programmes: the relocation follow-up
    Route("relocation", "/regional/relocation/", Capability.VIEW_REGIONAL, in_scope_status=302),
    Route("relocation_region", "/regional/relocation/{code}/", Capability.VIEW_REGIONAL,
          scoped=True),
    Route("relocation_export", "/regional/relocation/{code}/export.xlsx",
          Capability.VIEW_REGIONAL, scoped=True),
    Route("relocation_site_add", "/regional/relocation/sites/add/",
          Capability.MANAGE_RELOCATION, method="post",
          in_scope_status=302),  # nothing sent: back with the error
    Route("relocation_site", "/regional/relocation/sites/{site}/", Capability.VIEW_REGIONAL,
          scoped=True),
    Route("relocation_site_act", "/regional/relocation/sites/{site}/act/",
          Capability.MANAGE_RELOCATION, scoped=True, method="post", in_scope_status=302),
    Route("relocated", "/regional/relocation/households/{relocated}/",
          Capability.VIEW_REGIONAL, scoped=True),
    Route("relocated_act", "/regional/relocation/households/{relocated}/act/",
          Capability.MANAGE_RELOCATION, scoped=True, method="post", in_scope_status=302),
    Route("api:relocation_region", "/api/regional/relocation/regions/{code}",
          Capability.VIEW_REGIONAL, api=True, scoped=True),
    Route("api:relocation_site", "/api/regional/relocation/sites/{site}",
          Capability.VIEW_REGIONAL, api=True, scoped=True),
    Route("api:relocation_household", "/api/regional/relocation/households/{relocated}",
          Capability.VIEW_REGIONAL, api=True, scoped=True),
    # consumption assistance (fund matters: the budget unit's region)
    Route("consumption", "/regional/consumption/", Capability.VIEW_FUNDS),
    Route("consumption_act", "/regional/consumption/act/", Capability.MANAGE_FUNDS,
          method="post", in_scope_status=302),  # nothing sent: back with the error
    Route("consumption_template", "/regional/consumption/template.csv", Capability.VIEW_FUNDS),
    Route("consumption_batch", "/regional/consumption/files/999999/", Capability.VIEW_FUNDS,
          in_scope_status=404),  # no such file
    Route("api:consumption_units", "/api/regional/consumption", Capability.VIEW_FUNDS,
          api=True),
    # land-quota trades (fund matters: the selling county's scope)
    Route("land_quotas", "/regional/land-quotas/", Capability.VIEW_FUNDS),
    Route("land_quota_act", "/regional/land-quotas/act/", Capability.MANAGE_FUNDS,
          method="post", in_scope_status=302),  # nothing sent: back with the error
    Route("api:land_quota_trades", "/api/regional/land-quotas", Capability.VIEW_FUNDS,
          api=True),
    # East–West cooperation and paired assistance (a partner's user: its own pairings)
    Route("pairings", "/regional/pairings/", Capability.VIEW_PAIRINGS),
    Route("pairings_act", "/regional/pairings/act/", Capability.MANAGE_PAIRINGS,
          method="post", in_scope_status=302),  # nothing sent: back with the error
    Route("pairing", "/regional/pairings/{pairing}/", Capability.VIEW_PAIRINGS, scoped=True),
    Route("pairing_act", "/regional/pairings/{pairing}/act/", Capability.MANAGE_PAIRINGS,
          scoped=True, method="post", in_scope_status=302),
    Route("pairing_year", "/regional/pairings/{pairing}/{year}/", Capability.VIEW_PAIRINGS,
          scoped=True),
    Route("pairing_year_export", "/regional/pairings/{pairing}/{year}/export.xlsx",
          Capability.VIEW_PAIRINGS, scoped=True),
    Route("work_teams", "/regional/work-teams/", Capability.VIEW_PAIRINGS),
    Route("work_teams_act", "/regional/work-teams/act/", Capability.MANAGE_PAIRINGS,
          method="post", in_scope_status=302),
    Route("api:pairings_list", "/api/regional/pairings", Capability.VIEW_PAIRINGS, api=True),
    Route("api:pairing_year", "/api/regional/pairings/{pairing}/years/{year}",
          Capability.VIEW_PAIRINGS, api=True, scoped=True),
    Route("api:work_teams", "/api/regional/work-teams", Capability.VIEW_PAIRINGS, api=True),
    # key counties (§8.5): the lists are policy; the figures and the tilt by region
    Route("key_counties", "/regional/key-counties/", Capability.VIEW_FUNDS),
    Route("key_counties_region", "/regional/key-counties/{code}/", Capability.VIEW_FUNDS,
          scoped=True),
    Route("key_counties_export", "/regional/key-counties/{code}/export.xlsx",
          Capability.VIEW_FUNDS, scoped=True),
    Route("key_counties_act", "/regional/key-counties/act/", Capability.MANAGE_FUNDS,
          method="post", in_scope_status=302),  # nothing sent: back with the error
    Route("key_counties_template", "/regional/key-counties/template.csv",
          Capability.VIEW_FUNDS),
    Route("key_counties_batch", "/regional/key-counties/files/999999/", Capability.VIEW_FUNDS,
          in_scope_status=404),  # no such file
    Route("api:key_counties_nation", "/api/regional/key-counties", Capability.VIEW_FUNDS,
          api=True),
    Route("api:key_counties_region", "/api/regional/key-counties/{code}",
          Capability.VIEW_FUNDS, api=True, scoped=True),
    Route("allocations", "/funds/allocations/", Capability.VIEW_FUNDS),
    Route("allocation_add", "/funds/allocations/add/", Capability.MANAGE_FUNDS, method="post",
          in_scope_status=302),  # nothing sent: back with the error
    Route("assets", "/funds/assets/", Capability.VIEW_FUNDS),
    Route("asset", "/funds/assets/{asset}/", Capability.VIEW_FUNDS, scoped=True),
    Route("asset_act", "/funds/assets/{asset}/act/", Capability.VIEW_FUNDS, scoped=True,
          method="post", in_scope_status=302),
    Route("funds_notice", "/funds/notices/{notice}/", Capability.VIEW_FUNDS, scoped=True),
    Route("funds_document", "/funds/documents/{document}/", Capability.VIEW_FUNDS, scoped=True),
    Route("api:list_documents", "/api/funds/projects/{project}/documents", Capability.VIEW_FUNDS,
          api=True, scoped=True),
    Route("api:upload_documents", "/api/funds/projects/{project}/documents",
          Capability.VIEW_FUNDS, api=True, scoped=True, method="post",
          in_scope_status=400),  # no step named, no file: 400 after the scope check
    Route("api:download_document", "/api/funds/documents/{document}", Capability.VIEW_FUNDS,
          api=True, scoped=True),
    Route("household_funds", "/funds/households/{household}/", Capability.VIEW_REGISTRY,
          scoped=True),  # also needs VIEW_FUNDS, which every role that sees households has
    Route("api:list_projects", "/api/funds/projects", Capability.VIEW_FUNDS, api=True),
    Route("api:get_project", "/api/funds/projects/{project}", Capability.VIEW_FUNDS, api=True,
          scoped=True),
    Route("api:apply_project", "/api/funds/projects", Capability.APPLY_PROJECTS, api=True,
          method="post", in_scope_status=400),  # no body
    Route("api:project_step", "/api/funds/projects/{project}/steps", Capability.VIEW_FUNDS,
          api=True, scoped=True, method="post", in_scope_status=400),  # no body
    Route("api:funds_summary", "/api/funds/regions/{code}", Capability.VIEW_FUNDS, api=True,
          scoped=True),
    Route("api:funds_findings", "/api/funds/regions/{code}/findings", Capability.VIEW_FUNDS,
          api=True, scoped=True),
    Route("api:list_assets", "/api/funds/assets", Capability.VIEW_FUNDS, api=True),
    Route("api:get_asset", "/api/funds/assets/{asset}", Capability.VIEW_FUNDS, api=True,
          scoped=True),
    Route("api:household_income", "/api/funds/households/{household}/income",
          Capability.VIEW_REGISTRY, api=True, scoped=True),
    # writes over the API: no body, so a role that may reach the object gets 400
    Route("api:record_allocation", "/api/funds/allocations", Capability.MANAGE_FUNDS,
          api=True, method="post", in_scope_status=400),
    Route("api:appropriate", "/api/funds/allocations/{allocation}/appropriations",
          Capability.MANAGE_FUNDS, api=True, scoped=True, method="post", in_scope_status=400),
    Route("api:pay", "/api/funds/appropriations/{appropriation}/payments",
          Capability.MANAGE_FUNDS, api=True, scoped=True, method="post", in_scope_status=400),
    Route("api:register_asset", "/api/funds/projects/{project}/assets", Capability.MANAGE_ASSETS,
          api=True, scoped=True, method="post", in_scope_status=400),
    Route("api:record_asset_income", "/api/funds/assets/{asset}/income", Capability.MANAGE_ASSETS,
          api=True, scoped=True, method="post", in_scope_status=400),
    Route("api:distribute_income", "/api/funds/asset-income/{income}/distributions",
          Capability.MANAGE_ASSETS, api=True, scoped=True, method="post", in_scope_status=400),
    Route("api:request_disposal", "/api/funds/assets/{asset}/disposals", Capability.MANAGE_ASSETS,
          api=True, scoped=True, method="post", in_scope_status=400),
    Route("api:decide_disposal", "/api/funds/disposals/{disposal}/decision",
          Capability.APPROVE_PROJECTS, api=True, scoped=True, method="post", in_scope_status=400),
    # people administered in the browser; the person's own account
    Route("user_create", "/users/new/", Capability.MANAGE_USERS),
    Route("user_edit", "/users/{user}/", Capability.MANAGE_USERS, scoped=True),
    Route("user_account_action", "/users/{user}/enable/", Capability.MANAGE_USERS,
          scoped=True, method="post", in_scope_status=302),
    Route("change_password", "/account/password/", None),
    Route("two_factor_setup", "/account/two-factor/setup/", None),
    Route("two_factor", "/account/two-factor/", None,
          in_scope_status=302),  # not set up yet: to the set-up page
    # the registry's life events (pages and API)
    Route("household_add", "/households/new/", Capability.EDIT_REGISTRY),
    Route("member_add", "/households/{household}/members/new/", Capability.EDIT_REGISTRY,
          scoped=True),
    Route("household_move", "/households/{household}/move/", Capability.EDIT_REGISTRY,
          scoped=True),
    Route("household_split", "/households/{household}/split/", Capability.EDIT_REGISTRY,
          scoped=True),
    Route("household_merge", "/households/{household}/merge/", Capability.EDIT_REGISTRY,
          scoped=True),
    Route("household_head", "/households/{household}/head/", Capability.EDIT_REGISTRY,
          scoped=True),
    Route("member_edit", "/members/{member}/edit/", Capability.EDIT_REGISTRY, scoped=True),
    Route("member_death", "/members/{member}/death/", Capability.EDIT_REGISTRY, scoped=True),
    Route("member_leave", "/members/{member}/leave/", Capability.EDIT_REGISTRY, scoped=True),
    Route("api:add_household", "/api/registry/households", Capability.EDIT_REGISTRY,
          api=True, method="post", in_scope_status=400),  # no body
    Route("api:household_history", "/api/registry/households/{household}/history",
          Capability.VIEW_REGISTRY, api=True, scoped=True),
    Route("api:add_member", "/api/registry/households/{household}/members",
          Capability.EDIT_REGISTRY, api=True, scoped=True, method="post", in_scope_status=400),
    Route("api:update_member", "/api/registry/members/{member}", Capability.EDIT_REGISTRY,
          api=True, scoped=True, method="post", in_scope_status=400),
    Route("api:record_death", "/api/registry/members/{member}/death",
          Capability.EDIT_REGISTRY, api=True, scoped=True, method="post", in_scope_status=400),
    Route("api:member_leaves", "/api/registry/members/{member}/leave",
          Capability.EDIT_REGISTRY, api=True, scoped=True, method="post", in_scope_status=400),
    Route("api:move_household", "/api/registry/households/{household}/move",
          Capability.EDIT_REGISTRY, api=True, scoped=True, method="post", in_scope_status=400),
    Route("api:split_household", "/api/registry/households/{household}/split",
          Capability.EDIT_REGISTRY, api=True, scoped=True, method="post", in_scope_status=400),
    Route("api:merge_household", "/api/registry/households/{household}/merge",
          Capability.EDIT_REGISTRY, api=True, scoped=True, method="post", in_scope_status=400),
    Route("api:change_head", "/api/registry/households/{household}/head",
          Capability.EDIT_REGISTRY, api=True, scoped=True, method="post", in_scope_status=400),
    # departments' facts, settings, schedules and machine access
    Route("fact_conflicts", "/facts/conflicts/", Capability.REVIEW_FACTS),
    Route("fact_conflict_decide", "/facts/conflicts/{conflict}/", Capability.REVIEW_FACTS,
          scoped=True, method="post", in_scope_status=302),
    Route("departments", "/departments/", Capability.MANAGE_DEPARTMENTS),
    Route("service_account", "/departments/accounts/{account}/",
          Capability.MANAGE_DEPARTMENTS, scoped=True),
    Route("token_action", "/departments/tokens/{token}/revoke/",
          Capability.MANAGE_DEPARTMENTS, scoped=True, method="post", in_scope_status=302),
    Route("schedule_active", "/departments/schedules/{schedule}/active/",
          Capability.MANAGE_DEPARTMENTS, scoped=True, method="post", in_scope_status=302),
    Route("api:dci_search", "/api/dci/registry/sync/search", Capability.SEARCH_REGISTRY,
          api=True, method="post", in_scope_status=400),  # no body
    Route("api:dci_subscribe", "/api/dci/registry/subscribe", Capability.SEARCH_REGISTRY,
          api=True, method="post", in_scope_status=400),
    Route("api:dci_unsubscribe", "/api/dci/registry/unsubscribe", Capability.SEARCH_REGISTRY,
          api=True, method="post", in_scope_status=400),
    Route("api:dci_notifications", "/api/dci/registry/notifications",
          Capability.SEARCH_REGISTRY, api=True),
    Route("api:department_alerts", "/api/dci/alerts", Capability.READ_ALERTS, api=True),
]
# Routes that need no login, or that are the login machinery itself.
PUBLIC = {"login", "logout", "set_language", "declare", "declare_start", "manifest",
          "service_worker", "favicon", "api:api-root", "api:openapi-json",
          "api:openapi-view", "healthz", "readyz"}


def _all_url_names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else prefix
            yield from _all_url_names(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}"


def test_every_route_is_in_the_matrix():
    names = set(_all_url_names(get_resolver().url_patterns))
    covered = {route.name for route in ROUTES} | PUBLIC
    assert names - covered == set(), "add these routes to the access matrix"


def _expected(route: Route, role: Role) -> int:
    if route.capability is not None and not role_has(role, route.capability):
        return 403
    return route.in_scope_status


@pytest.fixture
def registry_targets(users, settings, tmp_path):
    """A household, member and import batch inside the test village, and others outside."""
    import polars as pl

    from dixian.registry import importing, snapshot
    from tests.registry.builders import households_and_members

    settings.MEDIA_ROOT = tmp_path
    inside = households_and_members(1, VILLAGE)
    outside = households_and_members(1, OUTSIDE_VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in outside.items()})
    near = {code: _households_with_own_ids(code) for code in (SAME_TOWNSHIP_VILLAGE,
                                                               OTHER_TOWNSHIP_VILLAGE)}
    for tables in near.values():
        importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    data = snapshot.export(inside, fmt="xlsx", file_layout="national")
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    book["家庭成员信息"]["G3"] = "not a date"  # one rejected row, so there is an error file
    out = io.BytesIO()
    book.save(out)
    batch = importing.import_file(out.getvalue(), "inside.xlsx",
                                  actor=users[Role.COUNTY_ADMIN], valid_rows_only=True).batch
    other_admin = make_user(Role.COUNTY_ADMIN, OTHER_COUNTY, username="other-admin")
    other_batch = importing.import_file(
        snapshot.export(households_and_members(2, OUTSIDE_VILLAGE), fmt="xlsx"), "out.xlsx",
        actor=other_admin).batch
    from dixian.engine.scope import RegionScope
    from dixian.quality import bridge
    from dixian.quality.models import QualityIssue

    bridge.run(RegionScope.of("52"))  # opens an issue in each village (no phone numbers...)
    issue = QualityIssue.objects.filter(village_id=VILLAGE).first()
    other_issue = QualityIssue.objects.filter(village_id=OUTSIDE_VILLAGE).first()
    from dixian.cases.actions import do_receive_clue
    from dixian.registry.models import Household

    case = do_receive_clue(Household.objects.get(code=f"{VILLAGE}0001"), channel="cadre_visit",
                           risk_type="ILLNESS").case
    near_cases = {code: do_receive_clue(Household.objects.get(code=f"{code}0001"),
                                        channel="cadre_visit", risk_type="ILLNESS").case
                  for code in near}
    other_case = do_receive_clue(Household.objects.get(code=f"{OUTSIDE_VILLAGE}0001"),
                                 channel="cadre_visit", risk_type="ILLNESS").case
    from dixian.exchange import actions as exchange
    from dixian.exchange.models import Alert

    claims = ("结算编号,身份证号码,就诊类型,结算日期,医疗总费用,政策范围内个人自付\n"
              "C1,{id},住院,2025-05-20,80000,30000\n")
    county_claims = claims.format(id=inside["members"]["resident_id"][0].as_py()) + "".join(
        f"C{k},{t['members']['resident_id'][0].as_py()},住院,2025-05-20,80000,30000\n"
        for k, t in enumerate(near.values(), start=2))
    feed = exchange.do_upload_feed(
        county_claims.encode(), "m_2025-05.csv",
        department="medical_insurance", actor=users[Role.DEPARTMENT_OFFICER])
    other_officer = make_user(Role.DEPARTMENT_OFFICER, OTHER_COUNTY, username="other-officer")
    other_feed = exchange.do_upload_feed(
        claims.format(id=outside["members"]["resident_id"][0].as_py()).encode(),
        "m_2025-05.csv", department="medical_insurance", actor=other_officer)
    exchange.do_run_screening(RegionScope.of("52"), "2025-05")
    alert = Alert.objects.filter(village_id=VILLAGE).first()
    other_alert = Alert.objects.filter(village_id=OUTSIDE_VILLAGE).first()
    from datetime import date

    from django.utils import timezone

    from dixian.assistance.models import Measure
    from dixian.cases import monitoring
    from tests.cases.builders import make_monitored

    def measure_for(household_code):
        household = Household.objects.get(code=household_code)
        make_monitored(household, since=timezone.now())
        return Measure.objects.create(
            household=household, village_code=household.village_id, category="HEALTH",
            instrument="MEDICAL_PREMIUM_SUBSIDY", department="medical_insurance",
            planned_on=date(2025, 5, 1), due_on=date(2025, 6, 1))

    measure = measure_for(f"{VILLAGE}0001")
    other_measure = measure_for(f"{OUTSIDE_VILLAGE}0002")
    from dixian.connect import tokens
    from dixian.exchange.models import ScreeningSchedule
    from dixian.registry.models import FactConflict, Member

    def machine_targets(admin, county, village):
        account = tokens.do_create_service_account(
            name=f"system-{county}", department="civil_affairs", region_code=county,
            actor=admin)
        token, _clear = tokens.do_create_token(account, name="t", scopes=["alerts:read"],
                                               actor=admin)
        schedule = ScreeningSchedule.objects.create(scope_code=county, every_days=30,
                                                    next_run_on=date(2026, 1, 1))
        member = Member.objects.filter(household__village_id=village).first()
        conflict = FactConflict.objects.create(
            household=member.household, village_code=village, member=member, field="dibao",
            entered_value="urban", department_value="none", department="civil_affairs",
            source_ref="civil_affairs:1:2")
        return {"account": account.pk, "token": token.pk, "schedule": schedule.pk,
                "conflict": conflict.pk}

    inside_machine = machine_targets(users[Role.COUNTY_ADMIN], COUNTY, VILLAGE)
    outside_machine = machine_targets(other_admin, OTHER_COUNTY, OUTSIDE_VILLAGE)
    neighbour_cadre = make_user(Role.VILLAGE_CADRE, OUTSIDE_VILLAGE, username="neighbour-cadre")
    near_measures = {code: measure_for(f"{code}0001") for code in near}
    campaign = monitoring.do_launch_campaign(COUNTY, actor=users[Role.COUNTY_ADMIN],
                                             name="2025", criterion="all",
                                             due_on=date(2025, 12, 31))
    other_campaign = monitoring.do_launch_campaign(OTHER_COUNTY, actor=other_admin,
                                                   name="2025", criterion="all",
                                                   due_on=date(2025, 12, 31))
    from tests.funds.builders import matrix_targets

    funds_inside, funds_outside = matrix_targets(f"{VILLAGE}0001", f"{OUTSIDE_VILLAGE}0001")
    from tests.regional.builders import matrix_targets as regional_targets

    regional_inside, regional_outside = regional_targets(VILLAGE, OUTSIDE_VILLAGE)
    funds_inside |= regional_inside
    funds_outside |= regional_outside
    from tests.regional.builders import pairing_targets

    pairing_inside, pairing_outside = pairing_targets(VILLAGE, OUTSIDE_VILLAGE)
    funds_inside |= pairing_inside
    funds_outside |= pairing_outside
    from dixian.alarms.models import Alarm
    from dixian.core.models import Job

    def job_in(code):
        return Job.objects.create(kind=Job.Kind.SCREENING, scope_code=code,
                                  status=Job.Status.DONE, actor=users[Role.COUNTY_ADMIN]).pk

    def alarm_on(code):
        return Alarm.objects.create(area_code=code, level="village", kind="entry",
                                    first_month="2025-05", month="2025-05", observed=9,
                                    expected=0.5, p_value=1e-9, threshold=1e-6).pk
    near_targets = {code: {
        "code": code, "household": f"{code}0001", "member": f"{code}0001-01",
        "issue": QualityIssue.objects.filter(village_id=code).first().pk,
        "case": near_cases[code].pk, "alert": Alert.objects.filter(village_id=code).first().pk,
        "task": campaign.tasks.get(household__code=f"{code}0001").pk, "job": job_in(code),
        "measure": near_measures[code].pk, "alarm": alarm_on(code)} for code in near}
    return {
        # same county, outside the scope of the village cadre and the township reviewer
        "near": {Role.VILLAGE_CADRE: [near_targets[SAME_TOWNSHIP_VILLAGE],
                                      near_targets[OTHER_TOWNSHIP_VILLAGE],
                                      {**near_targets[OTHER_TOWNSHIP_VILLAGE],
                                       "code": OTHER_TOWNSHIP_VILLAGE[:9]}, {"code": COUNTY}],
                 Role.TOWNSHIP_REVIEWER: [near_targets[OTHER_TOWNSHIP_VILLAGE],
                                          {**near_targets[OTHER_TOWNSHIP_VILLAGE],
                                           "code": OTHER_TOWNSHIP_VILLAGE[:9]},
                                          {"code": COUNTY}]},
        "inside": {**funds_inside, "household": f"{VILLAGE}0001",
                   "member": f"{VILLAGE}0001-01",
                   "batch": batch.pk, "issue": issue.pk, "case": case.pk, "feed": feed.pk,
                   "alert": alert.pk, "campaign": campaign.pk,
                   "task": campaign.tasks.get(household__code=f"{VILLAGE}0001").pk,
                   "measure": measure.pk, "user": users[Role.VILLAGE_CADRE].pk,
                   "alarm": alarm_on(VILLAGE), "job": job_in(VILLAGE), **inside_machine},
        "outside": [{**funds_outside, "household": f"{OUTSIDE_VILLAGE}0001",
                     "member": f"{OUTSIDE_VILLAGE}0001-01",
                     "batch": other_batch.pk, "issue": other_issue.pk, "case": other_case.pk,
                     "feed": other_feed.pk, "alert": other_alert.pk,
                     "campaign": other_campaign.pk, "task": other_campaign.tasks.first().pk,
                     "measure": other_measure.pk, "user": neighbour_cadre.pk,
                     "alarm": alarm_on(OUTSIDE_VILLAGE), "job": job_in(OUTSIDE_VILLAGE),
                     **outside_machine},
                    {"project": 999999, "asset": 999999, "notice": 999999, "site": 999999,
                     "allocation": 999999, "appropriation": 999999, "income": 999999,
                     "disposal": 999999, "document": 999999,
                     "relocated": 999999, "pairing": 999999, "year": 2025,
                     "household": "5223260000000000", "member": "nobody", "batch": 999999,
                     "issue": 999999, "case": 999999, "feed": 999999, "alert": 999999,
                     "campaign": 999999, "task": 999999, "measure": 999999, "user": 999999,
                     "account": 999999, "token": 999999, "schedule": 999999,
                     "conflict": 999999, "alarm": 999999, "job": 999999}],
    }


def _households_with_own_ids(village: str):
    """One household of ``village`` whose members' ID numbers differ from the builder's
    defaults (which repeat from village to village of a county)."""
    import pyarrow as pa

    from dixian.engine import identity, schema
    from tests.registry.builders import households_and_members

    tables = households_and_members(1, village)
    members = tables["members"].to_pylist()
    for k, m in enumerate(members):
        m["resident_id"] = identity.make_id(village[:6], m["birth_date"],
                                            int(village[-4:]) * 7 % 900 + k, m["sex"])
    tables["members"] = schema.conform(pa.Table.from_pylist(members), "members")
    return tables


def _call(client, route: Route, url: str):
    return getattr(client, route.method)(url)


@pytest.mark.django_db
def test_every_role_on_every_route_in_and_out_of_scope(client, users, registry_targets):
    failures = []
    for role, user in users.items():
        client.force_login(user)
        for route in ROUTES:
            url = route.path.format(code=user.region_id, **registry_targets["inside"])
            status = _call(client, route, url).status_code
            if status != _expected(route, role):
                failures.append(f"{role} {url}: {status}, expected {_expected(route, role)}")
            if not route.scoped:
                continue
            # a province-level user (the policy administrator) covers the neighbour county
            outside_targets = [{"code": c, **registry_targets["outside"][0]}
                               for c in (OTHER_COUNTY, OTHER_PROVINCE_COUNTY)]
            absent = {"code": "999999", **registry_targets["outside"][1]}
            outside_targets.append(absent)
            from dixian.core.access import scope_of

            scope = scope_of(user)
            for target in outside_targets:
                # a province role's region holds the neighbour county: only the other
                # province (by code) and the absent objects are outside it
                if target is not absent and scope.contains(OUTSIDE_VILLAGE) and (
                        "{code}" not in route.path or scope.contains(target["code"])):
                    continue
                url = route.path.format(**target)
                status = _call(client, route, url).status_code
                wanted = 403 if _expected(route, role) == 403 else 404
                if status != wanted:
                    failures.append(f"{role} {url} (out of scope): {status}, expected {wanted}")
            # The same county, outside a village or township user's own village or township.
            for target in registry_targets["near"].get(role, []):
                if not set(re.findall(r"{(\w+)}", route.path)) <= set(target):
                    continue  # batches, feeds and campaigns are the county's own
                url = route.path.format(**target)
                status = _call(client, route, url).status_code
                wanted = 403 if _expected(route, role) == 403 else 404
                if status != wanted:
                    failures.append(f"{role} {url} (same county, out of scope): {status}, "
                                    f"expected {wanted}")
        client.logout()
    assert failures == [], "\n".join(failures)


def _without_csrf(content: bytes) -> bytes:
    """Only the CSRF token (masked anew on every render) and the requested path may differ."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    return re.sub(rb'name="next" type="hidden" value="[^"]+"', b"", content)


@pytest.mark.django_db
def test_out_of_scope_looks_exactly_like_not_found(client, users):
    client.force_login(users[Role.COUNTY_APPROVER])
    absent = client.get("/regions/522326999999/")
    outside = client.get(f"/regions/{OTHER_COUNTY}/")
    assert absent.status_code == outside.status_code == 404
    assert _without_csrf(absent.content) == _without_csrf(outside.content)
    api_absent = client.get("/api/regions/522326999999")
    api_outside = client.get(f"/api/regions/{OTHER_COUNTY}")
    assert api_absent.status_code == api_outside.status_code == 404
    assert api_absent.json() == api_outside.json()


@pytest.mark.django_db
def test_lists_only_show_what_is_in_scope(client, users, user_in):
    user_in(Role.COUNTY_ADMIN, OTHER_COUNTY, username="neighbour-admin")
    client.force_login(users[Role.COUNTY_ADMIN])
    listing = client.get("/users/").content.decode()
    assert "neighbour-admin" not in listing and "county_admin-522326" in listing
    found = client.get("/regions/search/?q=5226").content.decode()
    assert "从江县" not in found
    assert client.get("/api/regions?q=5226").json()["count"] == 0
    assert client.get("/api/regions?q=522326").json()["count"] > 100


@pytest.mark.django_db
def test_a_user_with_no_region_sees_nothing(client, county_regions):
    from dixian.core.models import User

    orphan = User.objects.create(username="orphan", role=Role.COUNTY_APPROVER)
    client.force_login(orphan)
    assert client.get(f"/regions/{COUNTY}/").status_code == 404
    assert client.get("/api/regions?q=52").json()["count"] == 0


@pytest.mark.django_db
def test_national_users_see_every_province(client, user_in):
    auditor = user_in(Role.AUDITOR, None, national=True, username="national-auditor")
    client.force_login(auditor)
    assert client.get(f"/regions/{OTHER_PROVINCE_COUNTY}/").status_code == 200
    assert client.get("/api/regions?q=53").json()["count"] > 0


@pytest.mark.django_db
def test_anonymous_requests_go_to_login_or_get_401(client, county_regions):
    for route in ROUTES:
        path = route.path.format(code=COUNTY, household="5223261012010001",
                                 member="5223261012010001-01", batch=1, issue=1, case=1,
                                 feed=1, alert=1, campaign=1, task=1, measure=1, project=1,
                                 asset=1, notice=1, user=1, account=1, token=1, schedule=1,
                                 conflict=1, site=1, relocated=1, pairing=1, year=2025, alarm=1,
                                 allocation=1,
                                 appropriation=1, income=1, disposal=1, job=1, document=1)
        response = client.get(path) if route.method == "get" else client.post(path)
        if route.api:
            assert response.status_code == 401, route
        else:
            assert response.status_code == 302 and "/login/" in response["Location"], route


@pytest.mark.django_db
def test_audit_search_is_scoped(client, users, user_in):
    user_in(Role.COUNTY_ADMIN, OTHER_COUNTY, username="neighbour-admin")
    client.force_login(users[Role.AUDITOR])
    events = client.get("/api/audit?action=user.create&limit=100").json()["items"]
    created = {event["object_id"] for event in events}
    assert str(users[Role.COUNTY_ADMIN].pk) in created
    assert all(event["region_code"].startswith(COUNTY) for event in events)
    page = client.get("/audit/?action=user.create").content.decode()
    assert "user.create" in page


def test_the_access_control_doc_lists_every_role_with_its_capabilities():
    from pathlib import Path

    from dixian.core.roles import ROLE_SPECS, Level

    doc = (Path(__file__).resolve().parents[2] / "docs" / "access-control.md").read_text()
    for role, spec in ROLE_SPECS.items():
        levels = ", ".join(Level(x).name.lower() for x in sorted(spec.levels))
        levels += ", nation" if spec.may_be_national else ""
        caps = ", ".join(sorted(c.value for c in spec.capabilities))
        assert f"| `{role.value}` | {levels} | {caps} |" in doc, role


def test_every_role_that_sees_households_sees_funds():
    """The household's asset-income page needs both; no role has one without the other."""
    for role in Role:
        if role_has(role, Capability.VIEW_REGISTRY):
            assert role_has(role, Capability.VIEW_FUNDS), role
