"""Hand-built records for the rule tests: one plausible household that no rule flags, and
helpers to change one thing and see which rules fire."""

from __future__ import annotations

import copy

from dixian.engine import identity
from dixian.engine import quality as q

AS_OF = "2025-12-31"
VILLAGE = "522326101201"
HH = VILLAGE + "0001"


def member_id(n: int, hh: str = HH) -> str:
    return f"{hh}-{n:02d}"


def household(hh: str = HH, **overrides) -> dict:
    village = hh[:12]
    rec = {
        "household_code": hh, "county_code": village[:6], "township_code": village[:9],
        "village_code": village, "natural_village": "乐元1组", "household_type": "ordinary",
        "relocated": False, "year_lifted": None, "head_member_id": member_id(1, hh),
        "phone": "13800000001", "monitoring_contact": None, "monitoring_contact_phone": None,
        "housing_grade": "A", "dangerous_house": False, "housing_area_m2": 90.0,
        "water_quantity_ok": True, "water_quality_ok": True, "water_convenience_ok": True,
        "water_supply_ok": True, "safe_drinking_water": True, "piped_water": True,
        "road_hardened": True, "main_road_distance_km": 0.5, "electricity": True,
        "sanitary_toilet": True, "toilet_usable": True, "cultivated_mu": 3.0,
        "forest_mu": 2.0, "returned_forest_mu": 0.0, "orchard_mu": 0.0, "pasture_mu": 0.0,
        "water_surface_mu": 0.0, "dropout_flag": False, "uninsured_member_flag": False,
        "monitoring_category": None, "identified_month": None, "risk_types": None,
        "risk_other_note": None, "risk_eliminated": None, "elimination_mode": None,
        "eliminated_month": None,
    }
    rec.update(overrides)
    return rec


def monitored(hh: str = HH, **overrides) -> dict:
    """A poverty-alleviated household identified as UNSTABLE in 2024-03, not yet eliminated."""
    base = dict(household_type="poverty_alleviated", year_lifted=2018,
                monitoring_category="UNSTABLE", identified_month="2024-03",
                risk_types=["ILLNESS"], risk_eliminated=False, monitoring_contact="罗明",
                monitoring_contact_phone="13900000009")
    base.update(overrides)
    return household(hh, **base)


def person(n: int, birth: str, sex: str, relation: str, hh: str = HH, seq: int = 1,
           **overrides) -> dict:
    rec = {
        "member_id": member_id(n, hh), "household_code": hh, "id_type": "resident_id",
        "resident_id": identity.make_id(hh[:6], birth, seq, sex), "name": f"成员{n}",
        "sex": sex, "birth_date": birth, "ethnicity": "09", "relation_to_head": relation,
        "education": "junior_secondary", "schooling_status": "not_in_school",
        "health": "healthy", "disability_type": None, "disability_grade": None,
        "disability_cert": None, "labour_skill": "ordinary", "work_status": "farming",
        "work_place_code": None, "work_start_month": None, "migrant_monthly_income": None,
        "med_ins_resident": True, "med_ins_employee": False, "critical_illness_ins": True,
        "medical_assistance": False, "pension_resident": True, "pension_employee": False,
        "dibao": "none", "tekun": "none", "welfare_post": None,
        "welfare_post_start_month": None, "phone": f"1370000{n:04d}",
        "member_status": "active", "status_month": None,
    }
    rec.update(overrides)
    return rec


def members(hh: str = HH) -> list[dict]:
    """Head (50), spouse (48, works in the county), son (13, grade 7)."""
    return [
        person(1, "1975-03-10", "M", "head", hh),
        person(2, "1977-06-01", "F", "spouse", hh, education="primary",
               work_status="local_employed", work_place_code=hh[:6],
               work_start_month="2015-03", migrant_monthly_income=2500),
        person(3, "2012-09-01", "M", "son", hh, labour_skill="none",
               schooling_status="grade_7", work_status="not_working", phone=None,
               critical_illness_ins=True, pension_resident=False),
    ]


def incomes(hh: str = HH, months=range(1, 13), year: int = 2025, **overrides) -> list[dict]:
    out = []
    for mth in months:
        rec = {"household_code": hh, "period": f"{year}-{mth:02d}", "wage": 2500,
               "business": 800, "property": 0, "transfer": 100, "business_cost": 200,
               "insurance_payout": 0, "compliant_oop_medical": 0}
        rec.update(overrides)
        out.append(rec)
    return out


class Case:
    """A clean household, its members and incomes, to be changed by a test."""

    def __init__(self, hh: str = HH, *, monitored_: bool = False):
        self.households = [monitored(hh) if monitored_ else household(hh)]
        self.members = members(hh)
        self.incomes = incomes(hh)

    @property
    def household(self) -> dict:
        return self.households[0]

    def member(self, n: int) -> dict:
        return next(m for m in self.members if m["member_id"].endswith(f"-{n:02d}"))

    def set(self, **overrides) -> Case:
        self.household.update(overrides)
        return self

    def set_member(self, n: int, **overrides) -> Case:
        self.member(n).update(overrides)
        return self

    def copy(self) -> Case:
        return copy.deepcopy(self)

    def findings(self, rules=None, **kw):
        return q.check_records(households=self.households, members=self.members,
                               incomes=self.incomes, rules=rules, as_of=kw.pop("as_of", AS_OF),
                               **kw)

    def fired(self, rule_id: str, **kw) -> list[dict]:
        """The findings of one rule (as dicts)."""
        return self.findings(rules=[rule_id], **kw).to_pylist()
