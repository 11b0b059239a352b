"""Each rule, family by family: a change that should make it fire and one that should not.

Every case starts from the clean household of ``_records`` (no rule fires on it, see
``test_the_clean_household_has_no_findings``), changes one thing and checks one rule. The
expected findings are written from the rule's definition, never from a previous run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from dixian.engine import identity
from dixian.engine import quality as q

from ._records import HH, Case, household, incomes, member_id, members, person

HH2 = "5223261012010002"


@dataclass
class C:
    rule: str
    fire: bool
    build: Callable[[Case], object]
    expect: set | None = None      # {(member n or None, field)} of the findings, if given
    monitored: bool = False
    why: str = ""

    @property
    def id(self):
        return f"{self.rule}-{'fires' if self.fire else 'quiet'}-{self.why}"


def add(c: Case, *people) -> None:
    c.members.extend(people)


def other_household(c: Case, **hh) -> Case:
    """A second clean household in the same village (members 1-3, ids with seq 5..)."""
    c.households.append(household(HH2, phone="13800000002", **hh))
    for p in members(HH2):
        p["resident_id"] = identity.make_id("522326", p["birth_date"], 5, p["sex"])
        p["phone"] = p["phone"] and "1360000" + p["phone"][-4:]
        c.members.append(p)
    return c


def set_incomes(c: Case, rows) -> None:
    c.incomes = rows


def two_years(hh: str = HH, **kw) -> list[dict]:
    return incomes(hh, year=2024, **kw) + incomes(hh, year=2025, **kw)


ID1 = identity.make_id("522326", "1975-03-10", 1, "M")
BAD_CHECK = ID1[:17] + identity.CHECK_CHARS[(identity.CHECK_CHARS.index(ID1[17]) + 1) % 11]
FEB30 = "52232619750230001"
FEB30 += identity.check_char(FEB30)

CASES = [
    # ------------------------------------------------------------------ completeness
    C("DQ-CMP-01", True, lambda c: c.set(housing_area_m2=None), {(None, "housing_area_m2")}),
    C("DQ-CMP-01", False, lambda c: c.set(housing_area_m2=0.0), why="zero-is-not-empty"),
    C("DQ-CMP-02", True, lambda c: c.set(orchard_mu=None), {(None, "orchard_mu")}),
    C("DQ-CMP-03", True, lambda c: c.set(phone="  "), {(None, "phone")}),
    C("DQ-CMP-04", True, lambda c: c.set(household_type=None), {(None, "household_type")}),
    C("DQ-CMP-05", True, lambda c: c.set(toilet_usable=None)),
    C("DQ-CMP-05", False, lambda c: c.set(sanitary_toilet=False, toilet_usable=None),
      why="no-toilet"),
    C("DQ-CMP-06", True, lambda c: c.set(water_supply_ok=None), {(None, "water_supply_ok")}),
    C("DQ-CMP-07", True, lambda c: c.set_member(2, name=None), {(2, "name")}),
    C("DQ-CMP-08", True, lambda c: c.set_member(1, labour_skill=None), {(1, "labour_skill")}),
    C("DQ-CMP-08", False, lambda c: c.set_member(1, labour_skill=None, member_status="deceased",
                                                 status_month="2025-05"), why="deceased"),
    C("DQ-CMP-09", True, lambda c: c.set_member(2, relation_to_head=None),
      {(2, "relation_to_head")}),
    C("DQ-CMP-10", True, lambda c: c.set_member(3, schooling_status=None),
      {(3, "schooling_status")}),
    C("DQ-CMP-11", True, lambda c: c.set_member(1, education=None), {(1, "education")}),
    C("DQ-CMP-11", False, lambda c: add(c, person(4, "2021-05-01", "F", "daughter",
                                                  labour_skill="none", education=None,
                                                  schooling_status="preschool",
                                                  work_status="not_working", phone=None)),
      why="preschool-child"),
    C("DQ-CMP-12", True, lambda c: c.set_member(1, health=None), {(1, "health")}),
    C("DQ-CMP-13", True, lambda c: c.set_member(1, med_ins_resident=None,
                                                med_ins_employee=None)),
    C("DQ-CMP-13", False, lambda c: c.set_member(1, med_ins_resident=None), why="one-flag-set"),
    C("DQ-CMP-14", True, lambda c: c.set_member(1, health="disabled", disability_type="visual",
                                                disability_grade=None, disability_cert=True),
      {(1, "disability_grade")}),
    C("DQ-CMP-14", False, lambda c: c.set_member(1, health="disabled", disability_type="visual",
                                                 disability_grade=3, disability_cert=True),
      why="complete"),
    C("DQ-CMP-15", True, lambda c: c.set_member(2, work_place_code=None),
      {(2, "work_place_code")}),
    C("DQ-CMP-16", True, lambda c: c.set_member(1, welfare_post="sanitation")),
    C("DQ-CMP-16", False, lambda c: c.set_member(1, welfare_post="sanitation",
                                                 welfare_post_start_month="2024-01"),
      why="with-start"),
    C("DQ-CMP-17", True, lambda c: c.set(monitoring_contact=None), {(None, "monitoring_contact")},
      monitored=True),
    C("DQ-CMP-17", False, lambda c: c.set(monitoring_contact=None), why="not-monitored"),
    C("DQ-CMP-18", True, lambda c: c.set_member(1, member_status="deceased")),
    C("DQ-CMP-18", False, lambda c: c.set_member(1, member_status="deceased",
                                                 status_month="2025-05"), why="with-month"),
    C("DQ-CMP-19", True, lambda c: c.incomes[0].update(wage=None), {(None, "wage")}),
    C("DQ-CMP-20", True, lambda c: c.set(household_type="poverty_alleviated")),
    C("DQ-CMP-20", False, lambda c: c.set(household_type="poverty_alleviated", year_lifted=2018),
      why="with-year"),
    # ------------------------------------------------------------------ identity
    C("DQ-IDN-01", True, lambda c: c.set_member(1, resident_id=ID1[:17]), {(1, "resident_id")}),
    C("DQ-IDN-01", False, lambda c: c.set_member(1, resident_id="999999" + ID1[6:]),
      why="no-id-is-not-a-length-error"),
    C("DQ-IDN-02", True, lambda c: c.set_member(1, resident_id=BAD_CHECK), {(1, "resident_id")}),
    C("DQ-IDN-02", False, lambda c: c.set_member(1, resident_id="11010519491231002X",
                                                 birth_date="1949-12-31", sex="F"),
      why="known-valid-X"),
    C("DQ-IDN-03", True, lambda c: c.set_member(1, resident_id="A" + ID1[1:])),
    C("DQ-IDN-03", False, lambda c: c.set_member(1, resident_id=ID1[:17] + "x"
                                                 if ID1[17] == "X" else ID1), why="valid"),
    C("DQ-IDN-04", True, lambda c: c.set_member(1, resident_id=FEB30), {(1, "resident_id")}),
    C("DQ-IDN-05", True, lambda c: c.set_member(1, resident_id="999999" + ID1[6:])),
    C("DQ-IDN-05", False, lambda c: c.set_member(1, resident_id="999999" + ID1[6:],
                                                 member_status="deceased",
                                                 status_month="2025-01"), why="deceased"),
    C("DQ-IDN-06", True, lambda c: c.set_member(2, resident_id=ID1),
      {(1, "resident_id"), (2, "resident_id")}),
    C("DQ-IDN-07", False, lambda c: c.set_member(2, resident_id=ID1), why="same-household"),
    C("DQ-IDN-07", True, lambda c: (other_household(c),
                                    c.member(1).update(resident_id=c.members[-1]["resident_id"]))),
    C("DQ-IDN-08", True, lambda c: c.set_member(1, birth_date="1975-03-11"),
      {(1, "birth_date")}),
    C("DQ-IDN-09", True, lambda c: c.set_member(1, sex="F"), {(1, "sex")}),
    C("DQ-IDN-10", True, lambda c: c.set_member(1, id_type="disability_cert")),
    C("DQ-IDN-10", False, lambda c: c.set_member(1, id_type="disability_cert",
                                                 resident_id=ID1 + "11"), why="20-chars"),
    C("DQ-IDN-11", True, lambda c: c.set_member(1, phone="1370000001"), {(1, "phone")}),
    C("DQ-IDN-11", False, lambda c: c.set_member(1, phone=None), why="empty-phone"),
    C("DQ-IDN-12", True, lambda c: c.set(phone="12800000001"), {(None, "phone")}),
    C("DQ-IDN-13", True, lambda c: c.set(monitoring_contact_phone="1390000000"),
      monitored=True),
    C("DQ-IDN-14", True, lambda c: c.set_member(1, work_status="local_employed",
                                                work_place_code="522326",
                                                work_start_month="2020-01",
                                                migrant_monthly_income=2000,
                                                phone=c.member(2)["phone"]).set_member(
        2, work_place_code="330604", work_status="migrant_out_of_province"),
      {(1, "phone"), (2, "phone")}),
    C("DQ-IDN-14", False, lambda c: c.set_member(1, work_status="local_employed",
                                                 work_place_code="522326",
                                                 work_start_month="2020-01",
                                                 migrant_monthly_income=2000,
                                                 phone=c.member(2)["phone"]),
      why="same-county"),
    C("DQ-IDN-15", True, lambda c: c.set(village_code="522326101202",
                                         township_code="522326101")),
    C("DQ-IDN-16", True, lambda c: c.set(township_code="522326102")),
    C("DQ-IDN-17", True, lambda c: c.set_member(3, member_id="X-03")),
    C("DQ-IDN-18", True, lambda c: c.set_member(3, member_id=member_id(2)),
      {(2, "member_id")}),
    C("DQ-IDN-19", True, lambda c: c.set_member(3, household_code=HH2, member_id=HH2 + "-03")),
    C("DQ-IDN-20", True, lambda c: c.set(housing_grade="E"), {(None, "housing_grade")}),
    C("DQ-IDN-20", True, lambda c: c.set(risk_types=["FLOOD"]), {(None, "risk_types")},
      monitored=True, why="list-element"),
    C("DQ-IDN-20", False, lambda c: None, monitored=True, why="valid-risk-list"),
    C("DQ-IDN-21", True, lambda c: c.set_member(1, ethnicity="99"), {(1, "ethnicity")}),
    C("DQ-IDN-22", True, lambda c: c.set_member(2, work_start_month="2015/03"),
      {(2, "work_start_month")}),
    C("DQ-IDN-23", True, lambda c: c.set(identified_month="202403"), monitored=True),
    C("DQ-IDN-24", True, lambda c: c.incomes[0].update(period="2025-13")),
    C("DQ-IDN-25", True, lambda c: c.incomes.append(dict(c.incomes[0]))),
    C("DQ-IDN-26", True, lambda c: c.incomes.append(dict(c.incomes[0], household_code=HH2))),
    # ------------------------------------------------------------------ logic
    C("DQ-LOG-01", True, lambda c: c.set_member(3, labour_skill="weak"), {(3, "labour_skill")}),
    C("DQ-LOG-01", False, lambda c: add(c, person(4, "2009-12-31", "F", "daughter")),
      why="turns-16-on-as-of"),
    C("DQ-LOG-01", True, lambda c: add(c, person(4, "2010-01-01", "F", "daughter")),
      why="16-tomorrow"),
    C("DQ-LOG-02", True, lambda c: c.set_member(1, labour_skill="weak")),
    C("DQ-LOG-02", False, lambda c: c.set_member(1, labour_skill="weak", health="chronic"),
      why="chronic"),
    C("DQ-LOG-03", True, lambda c: c.set_member(3, work_status="migrant_out_of_province"),
      {(3, "work_status")}),
    C("DQ-LOG-04", True, lambda c: c.set_member(1, schooling_status="grade_8")),
    C("DQ-LOG-05", True, lambda c: c.set_member(3, schooling_status="senior_1",
                                                education="senior_secondary")),
    C("DQ-LOG-05", False, lambda c: add(c, person(4, "2009-05-01", "F", "daughter",
                                                  schooling_status="senior_1",
                                                  education="senior_secondary",
                                                  labour_skill="none",
                                                  work_status="not_working")), why="age-16"),
    C("DQ-LOG-06", True, lambda c: c.set_member(1, schooling_status="grade_3",
                                                education="primary")),
    C("DQ-LOG-07", True, lambda c: c.set_member(1, schooling_status="preschool")),
    C("DQ-LOG-08", True, lambda c: c.set_member(3, schooling_status="undergraduate",
                                                education="bachelor_plus")),
    C("DQ-LOG-09", True, lambda c: c.set_member(3, education="master_plus",
                                                schooling_status="not_in_school")),
    C("DQ-LOG-09", False, lambda c: c.set_member(1, education="master_plus"), why="aged-50"),
    C("DQ-LOG-10", True, lambda c: add(c, person(4, "2005-05-01", "F", "daughter",
                                                 education="primary"))),
    C("DQ-LOG-10", False, lambda c: add(c, person(4, "2002-05-01", "F", "daughter",
                                                  education="primary")), why="aged-23"),
    C("DQ-LOG-11", True, lambda c: c.set_member(3, education="primary"), {(3, "education")}),
    C("DQ-LOG-12", True, lambda c: c.set_member(1, labour_skill="skilled",
                                                work_status="not_working")),
    C("DQ-LOG-12", False, lambda c: c.set_member(1, labour_skill="skilled"), why="farming"),
    C("DQ-LOG-13", True, lambda c: c.set_member(1, health="disabled", disability_type="physical",
                                                disability_grade=2, disability_cert=True),
      {(1, "labour_skill")}),
    C("DQ-LOG-13", False, lambda c: c.set_member(1, health="disabled",
                                                 disability_type="physical",
                                                 disability_grade=3, disability_cert=True),
      why="grade-3"),
    C("DQ-LOG-14", True, lambda c: c.set_member(3, schooling_status="not_in_school")),
    C("DQ-LOG-15", True, lambda c: c.set_member(3, work_status="local_employed")),
    C("DQ-LOG-16", True, lambda c: c.set_member(1, disability_type="visual"),
      {(1, "disability_type")}),
    C("DQ-LOG-17", True, lambda c: c.set_member(1, health="disabled", disability_type="visual",
                                                disability_grade=5)),
    C("DQ-LOG-18", True, lambda c: c.set_member(2, labour_skill="lost")),
    C("DQ-LOG-19", True, lambda c: c.set_member(1, migrant_monthly_income=3000)),
    C("DQ-LOG-19", False, lambda c: c.set_member(1, migrant_monthly_income=0), why="zero"),
    # ------------------------------------------------------------------ relation
    C("DQ-REL-01", True, lambda c: c.set_member(3, relation_to_head="daughter"),
      {(3, "relation_to_head")}),
    C("DQ-REL-02", True, lambda c: c.set_member(2, sex="M"), {(2, "sex")}),
    C("DQ-REL-02", True, lambda c: c.set_member(2, sex="M").set_member(
        1, member_status="deceased", status_month="2025-01"), why="head-deceased"),
    C("DQ-REL-03", True, lambda c: add(c, person(4, "1980-01-01", "M", "father"))),
    C("DQ-REL-03", False, lambda c: add(c, person(4, "1950-01-01", "M", "father",
                                                  labour_skill="weak")), why="older"),
    C("DQ-REL-04", True, lambda c: c.set_member(3, birth_date="1970-01-01",
                                                resident_id=identity.make_id(
                                                    "522326", "1970-01-01", 1, "M"),
                                                schooling_status="not_in_school",
                                                labour_skill="ordinary",
                                                work_status="farming")),
    C("DQ-REL-05", True, lambda c: add(c, person(4, "1995-01-01", "M", "grandson"))),
    C("DQ-REL-05", False, lambda c: add(c, person(4, "2015-01-01", "M", "grandson",
                                                  labour_skill="none", schooling_status="grade_5",
                                                  education="primary",
                                                  work_status="not_working")), why="young"),
    C("DQ-REL-06", True, lambda c: c.set_member(1, relation_to_head="other"),
      {(None, "relation_to_head")}),
    C("DQ-REL-07", True, lambda c: add(c, person(4, "1978-01-01", "F", "spouse"))),
    C("DQ-REL-08", True, lambda c: c.set(head_member_id=member_id(2))),
    C("DQ-REL-09", True, lambda c: c.set_member(3, relation_to_head="spouse")),
    C("DQ-REL-10", True, lambda c: add(c, person(4, "1950-01-01", "M", "husband_father",
                                                 labour_skill="weak"))),
    C("DQ-REL-10", False, lambda c: add(c, person(4, "1950-01-01", "M", "wife_father",
                                                  labour_skill="weak")), why="wife-father"),
    # ------------------------------------------------------------------ plausibility
    C("DQ-RNG-01", True, lambda c: c.set(cultivated_mu=150.0), {(None, "cultivated_mu")}),
    C("DQ-RNG-01", False, lambda c: c.set(cultivated_mu=100.0), why="boundary"),
    C("DQ-RNG-02", True, lambda c: c.set(forest_mu=250.0)),
    C("DQ-RNG-02", False, lambda c: c.set(forest_mu=200.0), why="boundary"),
    C("DQ-RNG-03", True, lambda c: c.set(housing_area_m2=5.0)),
    C("DQ-RNG-03", False, lambda c: c.set(housing_area_m2=10.0), why="boundary"),
    C("DQ-RNG-04", True, lambda c: c.set(main_road_distance_km=6.0)),
    C("DQ-RNG-04", False, lambda c: c.set(main_road_distance_km=5.0), why="boundary"),
    C("DQ-RNG-05", True, lambda c: c.set_member(2, migrant_monthly_income=300)),
    C("DQ-RNG-05", False, lambda c: c.set_member(2, migrant_monthly_income=400),
      why="boundary"),
    C("DQ-RNG-06", True, lambda c: c.set_member(2, migrant_monthly_income=60000)),
    C("DQ-RNG-07", True, lambda c: c.incomes[4].update(wage=50), {(None, "wage")}),
    C("DQ-RNG-07", False, lambda c: c.incomes[4].update(wage=100), why="boundary"),
    C("DQ-RNG-08", True, lambda c: c.incomes[0].update(business_cost=-5),
      {(None, "business_cost")}),
    C("DQ-RNG-09", True, lambda c: c.incomes[5].update(business=20000), {(None, "business")}),
    C("DQ-RNG-09", False, lambda c: c.incomes[5].update(business=7000), why="ratio-under-10"),
    C("DQ-RNG-10", True, lambda c: (c.set(identified_month="2025-06"),
                                    set_incomes(c, two_years(wage=6000))), monitored=True),
    C("DQ-RNG-10", False, lambda c: (c.set(identified_month="2025-06",
                                           monitoring_category="SUDDEN"),
                                     set_incomes(c, two_years(wage=6000))), monitored=True,
      why="sudden"),
    C("DQ-RNG-11", True, lambda c: c.set_member(1, birth_date="1890-01-01")),
    C("DQ-RNG-12", True, lambda c: c.set(household_type="poverty_alleviated", year_lifted=2022)),
    C("DQ-RNG-12", False, lambda c: c.set(household_type="poverty_alleviated",
                                          year_lifted=2020), why="boundary"),
    # ------------------------------------------------------------------ policy
    C("DQ-POL-01", True, lambda c: c.set_member(1, tekun="dispersed"), {(1, "tekun")}),
    C("DQ-POL-01", False, lambda c: c.set_member(1, tekun="dispersed", health="chronic"),
      why="chronic"),
    C("DQ-POL-02", True, lambda c: c.set_member(2, tekun="dispersed")),
    C("DQ-POL-03", True, lambda c: add(c, person(4, "1950-01-01", "F", "mother",
                                                 labour_skill="weak",
                                                 welfare_post="sanitation",
                                                 welfare_post_start_month="2024-01"))),
    C("DQ-POL-03", False, lambda c: c.set_member(1, welfare_post="sanitation",
                                                 welfare_post_start_month="2024-01"),
      why="aged-50"),
    C("DQ-POL-04", True, lambda c: (c.set_member(1, dibao="rural"),
                                    [r.update(transfer=0) for r in c.incomes]),
      {(None, "transfer")}),
    C("DQ-POL-04", False, lambda c: c.set_member(1, dibao="rural"), why="with-transfer"),
    C("DQ-POL-05", True, lambda c: c.set_member(1, med_ins_employee=True)),
    C("DQ-POL-06", True, lambda c: c.set_member(1, pension_employee=True)),
    C("DQ-POL-07", True, lambda c: c.set_member(1, dibao="rural", tekun="dispersed")),
    C("DQ-POL-08", True, lambda c: c.set_member(3, med_ins_resident=False)),
    C("DQ-POL-08", False, lambda c: c.set_member(3, med_ins_resident=False).set(
        uninsured_member_flag=True), why="flag-set"),
    C("DQ-POL-09", True, lambda c: c.set(uninsured_member_flag=True)),
    C("DQ-POL-10", True, lambda c: c.set(dangerous_house=True), why="A-but-dangerous"),
    C("DQ-POL-10", True, lambda c: c.set(housing_grade="C"), why="C-not-flagged"),
    C("DQ-POL-10", False, lambda c: c.set(housing_grade="C", dangerous_house=True),
      why="consistent"),
    C("DQ-POL-11", True, lambda c: c.set(water_quality_ok=False)),
    C("DQ-POL-12", True, lambda c: c.set(safe_drinking_water=False)),
    C("DQ-POL-12", False, lambda c: c.set(safe_drinking_water=False, water_supply_ok=False),
      why="indicator-fails"),
    C("DQ-POL-13", True, lambda c: c.set_member(3, schooling_status="dropout")),
    C("DQ-POL-14", True, lambda c: c.set(dropout_flag=True)),
    C("DQ-POL-14", False, lambda c: c.set(dropout_flag=True).set_member(
        3, schooling_status="dropout"), why="dropout-member"),
    C("DQ-POL-15", True, lambda c: (c.set(household_type="poverty_alleviated",
                                          year_lifted=2018),
                                    [r.update(wage=0, business=300) for r in c.incomes])),
    C("DQ-POL-15", False, lambda c: c.set(household_type="poverty_alleviated",
                                          year_lifted=2018), why="above-line"),
    C("DQ-POL-16", True, lambda c: [c.set_member(n, labour_skill="lost", health="chronic")
                                    for n in (1, 2)], monitored=True),
    C("DQ-POL-16", False, lambda c: [c.set_member(n, labour_skill="lost", health="chronic",
                                                  dibao="rural") for n in (1, 2)],
      monitored=True, why="dibao"),
    C("DQ-POL-17", True, lambda c: c.set_member(3, med_ins_resident=False)),
    C("DQ-POL-18", True, lambda c: c.set_member(1, member_status="deceased",
                                                status_month="2025-01", dibao="rural")),
    C("DQ-POL-19", True, lambda c: c.set_member(1, disability_cert=True)),
    C("DQ-POL-20", True, lambda c: c.set(year_lifted=2018)),
    # ------------------------------------------------------------------ monitoring
    C("DQ-MON-01", True, lambda c: c.set(identified_month=None), monitored=True),
    C("DQ-MON-02", True, lambda c: c.set(risk_types=[]), monitored=True, why="empty-list"),
    C("DQ-MON-02", True, lambda c: c.set(risk_types=None), monitored=True, why="no-list"),
    C("DQ-MON-03", True, lambda c: c.set(risk_eliminated=True),
      {(None, "elimination_mode"), (None, "eliminated_month")}, monitored=True),
    C("DQ-MON-03", False, lambda c: c.set(risk_eliminated=True, elimination_mode="ASSISTED",
                                          eliminated_month="2025-01"), monitored=True,
      why="complete"),
    C("DQ-MON-04", True, lambda c: c.set(risk_types=["OTHER"]), monitored=True),
    C("DQ-MON-04", False, lambda c: c.set(risk_types=["OTHER"], risk_other_note="房屋漏雨"),
      monitored=True, why="with-note"),
    C("DQ-MON-05", True, lambda c: c.set(elimination_mode="NATURAL"), monitored=True),
    C("DQ-MON-06", True, lambda c: c.set(identified_month="2024-01")),
    C("DQ-MON-07", True, lambda c: c.set(risk_types=["ILLNESS"])),
    C("DQ-MON-08", True, lambda c: c.set(risk_eliminated=None), monitored=True),
    C("DQ-MON-09", True, lambda c: c.set(monitoring_category="MARGINAL"), monitored=True),
    C("DQ-MON-09", False, lambda c: c.set(monitoring_category="SUDDEN"), monitored=True,
      why="sudden-any-type"),
    C("DQ-MON-10", True, lambda c: c.set(risk_types=["ILLNESS", "ILLNESS"]), monitored=True),
    C("DQ-MON-10", True, lambda c: c.set(risk_types=["ILLNESS", "DISABILITY", "EDUCATION",
                                                     "DISASTER", "ACCIDENT", "OTHER"],
                                         risk_other_note="x"), monitored=True, why="six"),
    C("DQ-MON-11", True, lambda c: c.set(risk_types=["LACK_OF_LABOUR"]), monitored=True),
    C("DQ-MON-11", False, lambda c: c.set(risk_types=["LACK_OF_LABOUR"]).set_member(
        1, labour_skill="weak", health="chronic").set_member(
        2, labour_skill="weak", health="chronic"), monitored=True, why="none-able"),
    C("DQ-MON-11", False, lambda c: (c.set(risk_types=["LACK_OF_LABOUR"]).set_member(
        2, labour_skill="weak", health="chronic"), add(c, person(4, "1950-01-01", "F", "mother",
                                                                 labour_skill="weak"))),
      monitored=True, why="a-quarter-able"),
    C("DQ-MON-12", True, lambda c: c.set(risk_eliminated=True, elimination_mode="ASSISTED",
                                         eliminated_month="2025-01", housing_grade="C",
                                         dangerous_house=True), monitored=True),
    # ------------------------------------------------------------------ timeliness
    C("DQ-TIM-01", True, lambda c: c.set(risk_eliminated=True, elimination_mode="ASSISTED",
                                         eliminated_month="2024-01"), monitored=True),
    C("DQ-TIM-02", True, lambda c: c.set(risk_eliminated=True, elimination_mode="ASSISTED",
                                         eliminated_month="2024-06"), monitored=True),
    C("DQ-TIM-02", False, lambda c: c.set(risk_eliminated=True, elimination_mode="ASSISTED",
                                          eliminated_month="2024-09"), monitored=True,
      why="six-months"),
    C("DQ-TIM-03", True, lambda c: c.set(risk_eliminated=True, elimination_mode="NATURAL",
                                         eliminated_month="2024-04"), monitored=True),
    C("DQ-TIM-02", False, lambda c: c.set(risk_eliminated=True, elimination_mode="NATURAL",
                                          eliminated_month="2024-04"), monitored=True,
      why="next-month-is-TIM-03"),
    C("DQ-TIM-04", True, lambda c: c.set(identified_month="2026-02"), monitored=True),
    C("DQ-TIM-04", False, lambda c: c.set(identified_month="2025-12"), monitored=True,
      why="as-of-month"),
    C("DQ-TIM-05", True, lambda c: c.set_member(1, status_month="2026-01")),
    C("DQ-TIM-06", True, lambda c: c.set_member(2, work_start_month="1985-01")),
    C("DQ-TIM-07", True, lambda c: c.incomes.append(dict(c.incomes[-1], period="2026-01"))),
    C("DQ-TIM-08", True, lambda c: set_incomes(c, incomes(year=2024, months=range(1, 7))),
      monitored=True),
    C("DQ-TIM-08", False, lambda c: set_incomes(c, incomes(year=2024, months=range(1, 7))),
      why="not-monitored"),
    C("DQ-TIM-09", True, lambda c: c.set_member(1, welfare_post="sanitation",
                                                welfare_post_start_month="1990-01")),
    # ------------------------------------------------------------------ village
    C("DQ-VIL-01", True, lambda c: [c.households.append(household(f"52232610120100{k:02d}",
                                                                  head_member_id=None))
                                    for k in (2, 3, 4)], why="four-households"),
    C("DQ-VIL-01", False, lambda c: [c.households.append(household(f"52232610120100{k:02d}",
                                                                   head_member_id=None))
                                     for k in (2, 3)], why="three-households"),
    C("DQ-VIL-02", True, lambda c: c.set_member(1, labour_skill=None),
      {(None, "n_missing_required")}),
]

VILLAGE_TOTALS = {"village_code": HH[:12], "households_total": 1, "population_total": 3,
                  "dibao_households": 0, "unsafe_water_households": 0,
                  "dangerous_households": 0, "cultivated_mu": 10.0}


def _who(finding) -> tuple:
    mid = finding["member_id"]
    return (int(mid[-2:]) if mid else None, finding["field"])


def test_the_clean_household_has_no_findings():
    assert Case().findings().num_rows == 0
    assert Case(monitored_=True).findings().num_rows == 0
    assert Case().findings(villages=[VILLAGE_TOTALS]).num_rows == 0


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule(case: C):
    c = Case(monitored_=case.monitored)
    case.build(c)
    found = c.fired(case.rule)
    assert bool(found) == case.fire, found
    if case.expect is not None:
        assert {_who(f) for f in found} == case.expect
    for f in found:  # every finding carries the rule's identity and a message in both languages
        assert f["rule_id"] == case.rule and f["message_zh"] and f["message_en"]
        assert "{" not in f["message_zh"] and "{" not in f["message_en"]


@pytest.mark.parametrize("rule,change,expect", [
    ("DQ-VIL-03", {"households_total": 0}, "households_total"),
    ("DQ-VIL-04", {"unsafe_water_households": 2}, "unsafe_water_households"),
    ("DQ-VIL-05", {"dangerous_households": 1}, "dangerous_households"),
    ("DQ-VIL-06", {"dibao_households": 1}, "dibao_households"),
    ("DQ-VIL-07", {"population_total": 2}, "population_total"),
    ("DQ-VIL-09", {"village_code": "522326101299"}, "village_code"),
])
def test_village_totals(rule, change, expect):
    c = Case()
    quiet = c.findings(rules=[rule], villages=[VILLAGE_TOTALS])
    assert quiet.num_rows == 0
    found = c.findings(rules=[rule], villages=[dict(VILLAGE_TOTALS, **change)]).to_pylist()
    assert [f["field"] for f in found] == [expect]
    assert found[0]["village_code"] == HH[:12] and found[0]["household_code"] is None


def test_village_land_less_than_its_poverty_alleviated_households():
    c = Case().set(household_type="poverty_alleviated", year_lifted=2018, cultivated_mu=12.0)
    found = c.findings(rules=["DQ-VIL-08"], villages=[VILLAGE_TOTALS]).to_pylist()
    assert [(f["field"], f["value"]) for f in found] == [("cultivated_mu", "10.0")]
    c.set(cultivated_mu=10.0)
    assert c.findings(rules=["DQ-VIL-08"], villages=[VILLAGE_TOTALS]).num_rows == 0


def test_village_rules_are_skipped_without_a_village_table():
    c = Case()
    assert c.findings(rules=["DQ-VIL-03"]).num_rows == 0


def test_every_rule_has_a_firing_case():
    tested = {c.rule for c in CASES if c.fire} | {
        "DQ-VIL-03", "DQ-VIL-04", "DQ-VIL-05", "DQ-VIL-06", "DQ-VIL-07", "DQ-VIL-08",
        "DQ-VIL-09"}
    assert sorted({r.id for r in q.RULES} - tested) == []


def test_messages_fill_evidence_and_labels():
    c = Case().set_member(3, labour_skill="weak")
    (f,) = c.fired("DQ-LOG-01")
    assert f["value"] == "weak"
    assert f["message_zh"] == ("13岁（未满16岁）成员的劳动技能应为“无劳动力”，"
                               "现为“弱劳动力或半劳动力”。")
    assert f["message_en"] == "A member aged 13 (under 16) must have labour 'none', not weak."
    assert (f["severity"], f["level"], f["table"], f["village_code"]) == (
        "error", "village", "members", HH[:12])


def test_ids_and_phones_are_masked_in_findings():
    c = Case().set_member(1, resident_id=BAD_CHECK, phone="1370000001")
    for f in c.findings(rules=["DQ-IDN-02", "DQ-IDN-11"]).to_pylist():
        assert BAD_CHECK not in f["value"] + f["message_zh"] + f["message_en"]
        assert "1370000001" not in f["value"] + f["message_zh"] + f["message_en"]
    (f,) = c.fired("DQ-IDN-02")
    assert f["value"] == BAD_CHECK[:6] + "********" + BAD_CHECK[-4:]
    assert f"应为{ID1[17]}" in f["message_zh"]


def test_a_province_switches_a_rule_off():
    """Issue 11 item 7: a rule in ``quality.rules_off`` makes no finding."""
    case = next(c for c in CASES if c.fire)
    c = Case(monitored_=case.monitored)
    case.build(c)
    assert c.fired(case.rule)
    assert c.fired(case.rule, params={"rules_off": (case.rule,)}) == []
