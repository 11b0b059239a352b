"""The bridge between the ledger and the assistance engine: a household's plan as the
engine's records, its R4 assessment, suggestions from the platform's own history, coverage."""

from __future__ import annotations

from datetime import date

from dixian.assistance.bridge import assistance as engine
from dixian.assistance.models import Measure
from dixian.registry.models import Household

LAND_FIELDS = ("cultivated_mu", "forest_mu", "returned_forest_mu", "orchard_mu", "pasture_mu",
               "water_surface_mu")


def _spell(household: Household):
    from dixian.cases.models import MonitoringSpell

    return (MonitoringSpell.objects.filter(household=household)
            .order_by("-started_on").first())


def plan_household(household: Household) -> engine.PlanHousehold:
    spell = _spell(household)
    land = sum(getattr(household, f) or 0 for f in LAND_FIELDS)
    return engine.PlanHousehold(
        identified_on=spell.started_on if spell else None,
        risk_types=tuple(spell.risk_types if spell else household.risk_types or ()),
        household_ref=household.code, province=household.village_id[:2],
        eliminated_on=spell.ended_on if spell else None,
        dropout_flag=household.dropout_flag,
        uninsured_member_flag=household.uninsured_member_flag,
        housing_grade=household.housing_grade or None,
        safe_drinking_water=household.safe_drinking_water,
        main_road_distance_km=household.main_road_distance_km, land_mu=land)


def plan_members(household: Household) -> list[engine.PlanMember]:
    out = []
    for m in household.members.all():
        insured = None
        if m.med_ins_resident is not None or m.med_ins_employee is not None:
            insured = bool(m.med_ins_resident or m.med_ins_employee)
        out.append(engine.PlanMember(
            member_ref=m.member_id, birth_date=m.birth_date, labour_skill=m.labour_skill or None,
            schooling_status=m.schooling_status or None, health=m.health or None,
            disability_type=m.disability_type or None, disability_grade=m.disability_grade,
            insured=insured, work_status=m.work_status or None, dibao=m.dibao or None,
            tekun=m.tekun or None, active=m.member_status == "active"))
    return out


def plan_measure(m: Measure) -> engine.PlanMeasure:
    p = m.parameters or {}
    return engine.PlanMeasure(
        category=m.category, instrument=m.instrument or None, status=m.status,
        measure_ref=str(m.pk) if m.pk else None, member_ref=m.member_id or None,
        planned_on=m.planned_on, started_on=m.started_on, implemented_on=m.implemented_on,
        ended_on=m.ended_on, planned_end_on=m.ends_on, amount=m.amount,
        term_months=p.get("term_months"), interest_subsidy_share=p.get(
            "interest_subsidy_share"))


def continuing_after_elimination(household: Household, on: date) -> list[dict]:
    """The household's measures that run on after its risk is eliminated (loans, posts, the
    Yulu plan: domain.md §4), as the elimination decision keeps them."""
    measures = [plan_measure(m) for m in Measure.objects.filter(household=household)]
    return [{"measure": int(pm.measure_ref), "instrument": pm.instrument, "until": until}
            for pm, until in engine.continuing_after_elimination(measures, on)]


def assess(household: Household, today: date) -> engine.PlanAssessment:
    measures = [plan_measure(m) for m in Measure.objects.filter(household=household)]
    return engine.assess_plan(plan_household(household), plan_members(household), measures,
                              today=today)


def history() -> list[engine.HistoryCase]:
    """The platform's own outcomes: for each ended or 12-month-old spell, the instruments it
    received and whether its risk was eliminated (the suggestion ranker's evidence)."""
    from dixian.cases.models import MonitoringSpell

    spells = MonitoringSpell.objects.filter(identification_case__imported=False)
    by_household: dict[int, list[str]] = {}
    for household_id, instrument in Measure.objects.filter(
            household_id__in=spells.values("household_id")).values_list("household_id",
                                                                        "instrument"):
        by_household.setdefault(household_id, []).append(instrument)
    cases = []
    for spell in spells:
        for instrument in set(by_household.get(spell.household_id, [])):
            cases.append(engine.HistoryCase(tuple(spell.risk_types), instrument,
                                            spell.ended_on is not None))
    return cases


def suggestions(household: Household, today: date,
                past: list[engine.HistoryCase] | None = None) -> list[engine.Suggestion]:
    """``past``: :func:`history`, when the caller already has it (it reads every spell and
    measure of the platform, so a batch computes it once)."""
    measures = [plan_measure(m) for m in Measure.objects.filter(household=household)]
    return engine.suggest(plan_household(household), plan_members(household),
                          history() if past is None else past, measures=measures, today=today)


def implemented_against(household: Household, risks: list[str]) -> int:
    """Implemented (or implemented and since ended) measures against one of ``risks``: by the
    risk the plan recorded, or by category as R4 matches them (the national system's way).
    What R6's measures condition counts (cases ask through a signal)."""
    done = list(Measure.objects.filter(household=household,
                                       status__in=["implemented", "ended"]))
    plan = engine.PlanHousehold(identified_on=None, risk_types=tuple(risks),
                                province=household.village_id[:2])
    coverage = engine.eligible_for_elimination_measures(plan, [plan_measure(m) for m in done])
    covered = {m.category for measures in coverage.covered.values() for m in measures}
    return sum(1 for m in done if m.risk_type in risks or covered & {m.category})
