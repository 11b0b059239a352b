"""Issue 12 item 1: a county migrated from the national system has the national export's
annual income blocks and no monthly income rows; screening's R1 rules and the statistics
work on them at once, reading the same R1 as R2 and R6 (dixian.engine.income).

The expected alerts and figures are computed here from the imported blocks, the members and
the line of the policy, by the definition (domain.md §1.2: a block covers the 12 months
before its reference month; it speaks for the window ending with the period when its last
month is in that window; the latest speaks, the one after elimination on a tie; the
monitoring rule is strict: below the line fires, at it does not), never from the engine's
tables.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dixian.engine.months import month_add, months_ending
from dixian.engine.policy import resolve
from dixian.engine.scope import RegionScope
from dixian.exchange import actions as exchange
from dixian.exchange.models import Alert
from dixian.registry import importing, synthetic
from dixian.registry.models import Household, Income, IncomeBlock
from dixian.registry.national import writer
from dixian.statistics import bridge as statistics
from tests.registry.test_national_export import _empty_registry

SCOPE = RegionScope.of("522326")
PERIOD = "2025-12"
RUN_AT = dt.datetime(2025, 12, 31, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
WINDOW = months_ending(PERIOD, 12)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _line() -> int:
    return int(resolve("522326", RUN_AT.date())["income.monitoring_line"])


@pytest.fixture
def migrated(county_regions, tmp_path):
    """A generated county, written in the national export's shape with its income blocks
    (four of them planted at the line and around it) and imported into an empty registry."""
    synthetic.generate_and_load("522326", households=80, seed=5, out_dir=tmp_path / "s",
                                months=36, end_month=PERIOD)
    line = _line()
    # six households (three of each type) identified in 2024-06 and eliminated in 2025-11,
    # as the national system has them: their after-elimination block speaks for the window
    eliminated = []
    for htype, category in (("poverty_alleviated", "UNSTABLE"), ("ordinary", "MARGINAL")):
        chosen = list(Household.objects.filter(household_type=htype, monitoring_category="")
                      .order_by("code")[:3])
        assert len(chosen) == 3, htype
        Household.objects.filter(pk__in=[h.pk for h in chosen]).update(
            monitoring_category=category, risk_types=["ILLNESS"], identified_month="2024-06",
            risk_eliminated=True, eliminated_month="2025-11", elimination_mode="ASSISTED")
        eliminated += chosen
    planted = {}
    for household, per_capita in zip(eliminated, (line, line - 1, line - 0.01, line + 1,
                                                  line - 2000, line + 2000), strict=False):
        household.refresh_from_db()
        members = household.members.filter(member_status="active").count()
        IncomeBlock.objects.update_or_create(
            household=household, basis="elimination",
            defaults={"reference_month": household.eliminated_month,
                      "per_capita_net": per_capita, "household_net": round(per_capita * members),
                      "compliant_oop_medical": 0})
        planted[household.code] = per_capita
    data = writer.export(SCOPE, reveal=True)
    _empty_registry()
    outcome = importing.import_file(data, "county.zip", scope=SCOPE, accept_quality_issues=True)
    assert outcome.applied
    assert not Income.objects.exists() and IncomeBlock.objects.exists()
    return planted


def _speaking_block(household):
    """The block that speaks for the window ending with PERIOD (the definition, restated)."""
    speaking = [b for b in household.income_blocks.all()
                if b.reference_month and month_add(b.reference_month, -1) in WINDOW
                and (b.per_capita_net is not None or b.household_net is not None)]
    if not speaking:
        return None
    return max(speaking, key=lambda b: (b.reference_month, b.basis == "elimination"))


def _per_capita(household, persons):
    block = _speaking_block(household)
    if block is None or not persons:
        return None, None
    if block.per_capita_net is not None:
        return float(block.per_capita_net), block
    return block.household_net / persons, block


def _expected():
    """household code -> (rule, per-capita income, block month) of each R1 alert due."""
    line = _line()
    out = {}
    for household in Household.objects.order_by("code"):
        active = household.members.filter(member_status="active").count()
        per_capita, block = _per_capita(household, active)
        if per_capita is None or per_capita >= line:
            continue
        if household.monitoring_category and not household.risk_eliminated:
            continue  # monitored already: no R2 clue
        rule = {"poverty_alleviated": "R2-INC-01",
                "ordinary": "R2-INC-02"}[household.household_type]
        out[household.code] = (rule, per_capita, block.reference_month)
    return out


@pytest.mark.django_db
def test_screening_raises_the_alerts_the_blocks_imply(migrated):
    line = _line()
    expected = _expected()
    below = [code for code, value in migrated.items() if value < line]
    assert len(below) == 3 and set(below) <= set(expected)  # a yuan, a fen, 2,000 below
    assert not {code for code, value in migrated.items() if value >= line} & set(expected)
    exchange.do_run_screening(SCOPE, PERIOD, now=RUN_AT)
    alerts = Alert.objects.filter(rule_id__in=("R2-INC-01", "R2-INC-02")) \
        .select_related("household")
    found = {a.household.code: (a.rule_id, a.value, a.evidence) for a in alerts}
    assert set(found) == set(expected)
    for code, (rule, per_capita, month) in expected.items():
        assert found[code][0] == rule
        assert abs(found[code][1] - per_capita) < 0.005
        assert f'"detail": "annual:{month}"' in found[code][2]
    assert all(a.threshold == line for a in alerts)
    # the household page and the letters read the same R1
    from dixian.registry.income import net_income

    for code, (_rule, per_capita, month) in expected.items():
        income = net_income(Household.objects.get(code=code), month_add(PERIOD, 1))
        assert income.block_month == month and abs(income.per_capita - per_capita) < 0.005


@pytest.mark.django_db
def test_the_statistics_income_figures_are_the_blocks(migrated):
    line = _line()
    pa_n = pa_persons = fgt_persons = poor_persons = mon_n = 0
    pa_total = 0.0
    for household in Household.objects.order_by("code"):
        persons = household.members.exclude(member_status="deceased").count()
        per_capita, _block = _per_capita(household, persons)
        if per_capita is None:
            continue
        fgt_persons += persons
        poor_persons += persons if per_capita < line else 0
        if household.household_type == "poverty_alleviated":
            pa_n, pa_persons = pa_n + 1, pa_persons + persons
            pa_total += per_capita * persons
        if household.monitoring_category and not household.risk_eliminated \
                and household.identified_month <= PERIOD:
            mon_n += 1
    assert fgt_persons > 0 and pa_n > 0
    statistics.do_recompute("522326", as_of=PERIOD, months=1)
    snap = statistics.snapshot_of("522326")
    assert snap.income_as_of == PERIOD
    figures = {name: values[0] for name, values in snap.series.items()}
    assert figures["fgt_persons"] == fgt_persons
    assert figures["poor_persons"] == poor_persons
    assert figures["pa_income_n"] == pa_n and figures["pa_income_persons"] == pa_persons
    assert abs(figures["pa_income_mean"] - pa_total / pa_persons) < 0.01
    assert figures["mon_income_n"] == mon_n
    assert figures["poverty_line"] == line
