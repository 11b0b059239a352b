"""Policy changes: maker-checker, validation, the command line, and one change of Guizhou's
line reaching, consistently, the alerts, the R2 decision, the quality findings and the
indicators of a county."""

import datetime as dt
import json

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from dixian.core.models import AuditEvent
from dixian.core.roles import Role
from dixian.engine import policy as engine
from dixian.engine.months import months_ending
from dixian.engine.scope import RegionScope
from dixian.policy import actions
from dixian.policy.models import PolicyChange, Status
from dixian.registry import importing
from dixian.registry.models import Household, Income
from tests.conftest import COUNTY, VILLAGE, make_user
from tests.registry.builders import households_and_members

LINE = "income.monitoring_line"


@pytest.fixture
def admins(county_regions):
    return (make_user(Role.POLICY_ADMIN, "52", username="maker"),
            make_user(Role.POLICY_ADMIN, "52", username="checker"))


def _propose(actor, value=9500, **kw):
    today = timezone.localdate()
    args = {"region": "52", "title": "2026年监测范围调整", "basis_number": "黔乡振发〔2026〕9号",
            "basis_date": today, "basis_text": "按农村居民人均可支配收入增幅调整监测范围。",
            "effective_from": today, "values": [{"parameter": LINE, "value": value}]}
    args.update(kw)
    return actions.do_propose_policy_change(actor=actor, **args)


@pytest.mark.django_db
def test_a_change_needs_a_second_person_and_both_steps_are_audited(admins):
    maker, checker = admins
    change = _propose(maker)
    assert engine.resolve(COUNTY)[LINE] == 8700  # pending: not in force
    with pytest.raises(PermissionDenied):
        actions.do_approve_policy_change(change, actor=maker)
    actions.do_approve_policy_change(change, actor=checker, reason="同意")
    assert engine.resolve(COUNTY)[LINE] == 9500
    assert engine.resolve(COUNTY, timezone.localdate() - dt.timedelta(days=1))[LINE] == 8700
    assert list(AuditEvent.objects.filter(action__startswith="policy.").values_list(
        "action", flat=True).order_by("seq")) == ["policy.propose", "policy.approve"]
    with pytest.raises(ValidationError, match="not awaiting approval"):
        actions.do_approve_policy_change(change, actor=checker)


@pytest.mark.django_db
def test_only_policy_administrators_of_the_province_propose(admins, users):
    with pytest.raises(PermissionDenied):
        _propose(users[Role.COUNTY_ADMIN])
    yunnan = make_user(Role.POLICY_ADMIN, "53", username="yunnan")
    from dixian.core.access import NotFound
    with pytest.raises(NotFound):
        _propose(yunnan)


@pytest.mark.django_db
@pytest.mark.parametrize(("values", "kw", "message"), [
    ([{"parameter": LINE, "value": "九千"}], {}, "is not a number"),
    ([{"parameter": LINE, "value": 500}], {}, "below the valid range"),
    ([{"parameter": "income.monitoring_lin", "value": 9000}], {}, "unknown parameter"),
    ([{"parameter": LINE, "value": 9000}],
     {"effective_from": dt.date(2020, 1, 1)}, "in the past"),
    ([{"parameter": LINE, "value": 9000}, {"parameter": LINE, "value": 9100}], {},
     "appears twice"),
])
def test_a_bad_proposal_names_the_parameter_and_rule_and_stores_nothing(admins, values, kw,
                                                                         message):
    with pytest.raises(ValidationError, match=message):
        _propose(admins[0], values=values, **kw)
    assert PolicyChange.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="policy.").exists()


@pytest.mark.django_db
def test_two_pending_changes_of_one_parameter_from_one_day_are_refused(admins):
    _propose(admins[0])
    with pytest.raises(ValidationError, match="already sets"):
        _propose(admins[0], value=9600)


@pytest.mark.django_db
def test_show_export_and_import_from_the_command_line(admins, tmp_path, capsys):
    call_command("policy", "show", "--region", "52", "--on", "2026-06-01", "--json")
    shown = json.loads(capsys.readouterr().out)
    assert shown[LINE] == 8700 and shown["procedure.identification_sla_days"] == 15
    path = tmp_path / "52.toml"
    call_command("policy", "export", "--region", "52", "--file", str(path))
    text = path.read_text()
    assert "7300" in text  # Guizhou's own 2023 line, with its source
    today = timezone.localdate().isoformat()
    path.write_text(text + f'''
[basis]
number = "黔乡振发〔2026〕9号"
date = {today}
effective_from = {today}
text = "调整监测范围"

[[value]]
parameter = "{LINE}"
from = {today}
value = 9500
source = "黔乡振发〔2026〕9号"
''')
    call_command("policy", "import", str(path), "--user", "maker")
    change = PolicyChange.objects.get()
    assert change.status == Status.PENDING and change.values == [
        {"parameter": LINE, "value": 9500, "until": None}]
    assert change.source_file.startswith("# Dixian policy of region 52")
    path.write_text(text.replace('value = 7300', 'value = "x"') + "\n[basis]\nnumber='1'\n")
    with pytest.raises(CommandError):
        call_command("policy", "import", str(path), "--user", "maker")
    assert PolicyChange.objects.count() == 1


#: simulated time: the change is proposed in December for 1 January; the county's incomes run
#: to January, and the four views are read in February
PROPOSED = dt.datetime(2026, 12, 20, 10, tzinfo=dt.UTC)
EFFECTIVE = dt.date(2027, 1, 1)
READ = dt.datetime(2027, 2, 5, 10, tzinfo=dt.UTC)
PERIOD = "2027-01"


@pytest.fixture
def county_near_the_line(county_regions):
    """Two households of three whose R1 is 9,000 yuan a person: above 8,700, below 9,500."""
    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    Income.objects.all().delete()
    for h in Household.objects.all():
        for month in months_ending(PERIOD, 12):
            Income.objects.create(household=h, period=month, wage=2250, business=0, property=0,
                                  transfer=0, business_cost=0, source="form")


def _guizhou_line(admins, value=9500):
    maker, checker = admins
    change = actions.do_propose_policy_change(
        region="52", title="2027年监测范围", basis_number="黔乡振发〔2026〕9号",
        basis_date=PROPOSED.date(), basis_text="按农村居民人均可支配收入增幅调整监测范围。",
        effective_from=EFFECTIVE, values=[{"parameter": LINE, "value": value}], actor=maker,
        now=PROPOSED)
    return change


def _four_views():
    """The alerts, R2 decisions, quality findings and indicators of the county in February."""
    from dixian.cases import eligibility
    from dixian.engine import indicators, quality, screening
    from dixian.registry import snapshot
    from dixian.statistics.bridge import ledger_tables

    scope = RegionScope.of(COUNTY)
    tables = snapshot.snapshot(scope)
    alerts = screening.run(tables, {}, scope, period=PERIOD, rules=["R2-INC-01", "R2-INC-02"],
                           on=READ.date())
    decisions = [eligibility.classify(h, ["ILLNESS"], READ).category
                 for h in Household.objects.order_by("code")]
    findings = quality.run(tables, scope, rules=["DQ-POL-15"], as_of=READ.date())
    stats = indicators.compute(ledger_tables(scope), scope, as_of=PERIOD, months=1)
    return (sorted(alerts["rule_id"].to_pylist()), decisions,
            findings.num_rows, stats.row(COUNTY, PERIOD)["poor_persons"])


@pytest.mark.django_db
def test_a_new_guizhou_line_reaches_alerts_decisions_quality_and_statistics(
        county_near_the_line, admins):
    assert _four_views() == ([], [None, None], 0, 0)
    change = _guizhou_line(admins)
    assert _four_views() == ([], [None, None], 0, 0)  # proposed, not approved
    actions.do_approve_policy_change(change, actor=admins[1], now=PROPOSED)
    alerts, decisions, findings, poor = _four_views()
    # 0001 is poverty-alleviated (R2-INC-01, UNSTABLE), 0002 ordinary (R2-INC-02, MARGINAL)
    assert alerts == ["R2-INC-01", "R2-INC-02"]
    assert decisions == ["UNSTABLE", "MARGINAL"]
    assert findings == 1  # DQ-POL-15: the poverty-alleviated household, not monitored
    assert poor == 6      # both households' three members


@pytest.mark.django_db
def test_the_preview_shows_what_the_change_would_do(county_near_the_line, admins):
    from dixian.policy import preview

    change = _guizhou_line(admins)
    result = preview.compute(change)
    assert [h["household_code"] for h in result["entering"]] == [
        f"{VILLAGE}0001", f"{VILLAGE}0002"]
    assert {a["rule_id"] for a in result["alerts_appearing"]} == {"R2-INC-01", "R2-INC-02"}
    assert result["by_county"] == [
        {"county": COUNTY, "category": "MARGINAL", "entering": 1, "leaving": 0,
         "alerts_appearing": 1, "alerts_disappearing": 0},
        {"county": COUNTY, "category": "UNSTABLE", "entering": 1, "leaving": 0,
         "alerts_appearing": 1, "alerts_disappearing": 0}]
    assert engine.resolve(COUNTY, EFFECTIVE)[LINE] == 8700  # a preview changes nothing


@pytest.mark.django_db
def test_a_change_outside_the_readers_region_looks_absent(admins, client, users):
    yunnan = make_user(Role.POLICY_ADMIN, "53", username="yunnan")
    other = make_user(Role.POLICY_ADMIN, "53", username="yunnan2")
    change = actions.do_propose_policy_change(
        region="53", title="云南", basis_number="云农办通〔2026〕1号",
        basis_date=timezone.localdate(), basis_text="x", effective_from=timezone.localdate(),
        values=[{"parameter": LINE, "value": 9000}], actor=yunnan)
    for reader in (admins[1], users[Role.COUNTY_APPROVER]):
        client.force_login(reader)
        assert client.get(f"/policy/changes/{change.pk}/").status_code == 404
        assert client.get(f"/api/policy/changes/{change.pk}").status_code == 404
        assert client.post(f"/api/policy/changes/{change.pk}/approve").status_code in (403, 404)
    client.force_login(other)
    assert client.get(f"/policy/changes/{change.pk}/").status_code == 200
    assert client.post(f"/api/policy/changes/{change.pk}/approve", "{}",
                       content_type="application/json").status_code == 200
    assert PolicyChange.objects.get().status == Status.APPROVED


@pytest.mark.django_db
def test_the_pages_propose_and_approve(admins, client):
    maker, checker = admins
    client.force_login(maker)
    today = timezone.localdate().isoformat()
    response = client.post("/policy/changes/new/", {
        "region": "52", "title": "调整", "basis_number": "黔〔2026〕1号", "basis_date": today,
        "basis_text": "依据", "effective_from": today, "parameter_0": LINE, "value_0": "abc"})
    assert response.status_code == 200 and "income.monitoring_line" in response.content.decode()
    assert PolicyChange.objects.count() == 0
    response = client.post("/policy/changes/new/", {
        "region": "52", "title": "调整", "basis_number": "黔〔2026〕1号", "basis_date": today,
        "basis_text": "依据", "effective_from": today, "parameter_0": LINE, "value_0": "9300",
        "parameter_1": "screening.housing_unsafe_grades", "value_1": "C，D"})
    change = PolicyChange.objects.get()
    assert response.status_code == 302 and change.values[1]["value"] == ["C", "D"]
    assert client.post(f"/policy/changes/{change.pk}/decide/",
                       {"decision": "approve"}).status_code == 302
    assert PolicyChange.objects.get().status == Status.PENDING  # not by its maker
    client.force_login(checker)
    client.post(f"/policy/changes/{change.pk}/decide/", {"decision": "approve", "reason": "同意"})
    assert PolicyChange.objects.get().status == Status.APPROVED
    page = client.get(f"/policy/?region={COUNTY}").content.decode()
    assert 'data-parameter="income.monitoring_line"' in page and ">9300<" in page


SEVERITY_SCHEME = [
    {"code": "KEY", "name_zh": "防止返贫致贫对象（重点）", "name_en": "Priority",
     "when": "per_capita < P.income.monitoring_line and whole_household_no_labour",
     "sentence_zh": "整户无劳动能力，人均纯收入{per_capita:.0f}元", "sentence_en": "priority"},
    {"code": "INCOME", "name_zh": "防止返贫致贫对象（收入型）", "name_en": "Income type",
     "when": "per_capita < P.income.monitoring_line",
     "sentence_zh": "人均纯收入{per_capita:.0f}元，低于监测范围{P.income.monitoring_line}元",
     "sentence_en": "income type"},
]


@pytest.mark.django_db
def test_a_new_category_scheme_applies_from_its_date_and_keeps_past_labels(
        county_near_the_line, admins):
    """Item 3 of the policy issue: the province replaces the three transition categories by
    its own sub-types through an approved change; decisions before keep their category and
    names, decisions after take the new ones, and the names read right on both sides."""
    from dixian.cases import eligibility
    from dixian.registry.enums import category_name

    before = [eligibility.classify(h, ["ILLNESS"], READ) for h in
              Household.objects.order_by("code")]
    assert [c.category for c in before] == [None, None]  # 9,000 yuan: above 8,700
    maker, checker = admins
    change = actions.do_propose_policy_change(
        region="52", title="2027年监测范围与对象类别", basis_number="黔乡振发〔2026〕9号",
        basis_date=PROPOSED.date(), basis_text="调整监测范围，对象按困难程度分类。",
        effective_from=EFFECTIVE, actor=maker, now=PROPOSED,
        values=[{"parameter": LINE, "value": 9500},
                {"parameter": "categories.scheme", "value": SEVERITY_SCHEME}])
    actions.do_approve_policy_change(change, actor=checker, now=PROPOSED)
    after = [eligibility.classify(h, ["ILLNESS"], READ) for h in
             Household.objects.order_by("code")]
    assert [c.category for c in after] == ["INCOME", "INCOME"]
    assert after[0].names == {"zh": "防止返贫致贫对象（收入型）", "en": "Income type"}
    assert after[0].values["rule"] == "R2-INCOME" and "9500" in after[0].reason
    # the names of both schemes: kept with a decision, or found in the policy's history
    assert category_name("INCOME") == "防止返贫致贫对象（收入型）"
    assert category_name("MARGINAL") == "边缘易致贫户"
    assert category_name("MARGINAL", {"zh": "边缘户（旧称）"}) == "边缘户（旧称）"
    # a day before the change: the transition categories still decide
    day_before = eligibility.classify(Household.objects.order_by("code").first(), ["ILLNESS"],
                                      timezone.make_aware(dt.datetime.combine(
                                          EFFECTIVE - dt.timedelta(days=1), dt.time(12))))
    assert day_before.category is None


@pytest.mark.django_db
def test_a_scheme_that_reads_an_unknown_fact_is_refused_whole(admins):
    bad = [{**SEVERITY_SCHEME[1], "when": "per_capita < P.income.monitoring_line and assets > 0"}]
    with pytest.raises(ValidationError, match="categories.scheme.*unknown name"):
        _propose(admins[0], values=[{"parameter": LINE, "value": 9500},
                                    {"parameter": "categories.scheme", "value": bad}])
    assert not PolicyChange.objects.exists()


@pytest.mark.django_db
def test_a_channel_the_province_does_not_run_is_refused(county_near_the_line, admins):
    from dixian.cases import actions as case_actions

    keep = [e for e in engine.resolve(COUNTY)["channels.scheme"]
            if e.code != "concentrated_screening"]
    change = _propose(admins[0], values=[{"parameter": "channels.scheme",
                                          "value": [e.as_dict() for e in keep]}])
    household = Household.objects.order_by("code").first()
    case_actions.do_receive_clue(household, channel="concentrated_screening",
                                 risk_type="ILLNESS")  # pending: still runs
    actions.do_approve_policy_change(change, actor=admins[1])
    with pytest.raises(ValidationError, match="concentrated_screening"):
        case_actions.do_receive_clue(household, channel="concentrated_screening",
                                     risk_type="ILLNESS")
    clue = case_actions.do_receive_clue(household, channel="cadre_visit", risk_type="ILLNESS")
    assert clue.get_channel_display() == "基层日常排查"


@pytest.mark.django_db
def test_the_preview_counts_by_the_proposed_scheme(county_near_the_line, admins):
    from dixian.policy import preview

    change = actions.do_propose_policy_change(
        region="52", title="新类别", basis_number="黔乡振发〔2026〕10号",
        basis_date=PROPOSED.date(), basis_text="对象按困难程度分类。", effective_from=EFFECTIVE,
        actor=admins[0], now=PROPOSED,
        values=[{"parameter": LINE, "value": 9500},
                {"parameter": "categories.scheme", "value": SEVERITY_SCHEME}])
    result = preview.compute(change)
    assert {row["category"] for row in result["by_county"]} == {"INCOME"}
    assert sum(row["entering"] for row in result["by_county"]) == 2
