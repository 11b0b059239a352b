"""Small, valid registry tables built by hand (in the snapshot contract)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from dixian.engine import identity, schema

VILLAGES = ("522326101201", "522326101202")


def households_and_members(n_households: int = 3, village: str = VILLAGES[0]):
    households, members, incomes = [], [], []
    for h in range(1, n_households + 1):
        code = f"{village}{h:04d}"
        households.append({
            "household_code": code, "county_code": village[:6], "township_code": village[:9],
            "village_code": village, "household_type": "poverty_alleviated" if h % 2 else
            "ordinary", "relocated": False, "year_lifted": 2019 if h % 2 else None,
            "head_member_id": f"{code}-01", "phone": f"1380000{h:04d}",
            "housing_grade": "B", "dangerous_house": False, "housing_area_m2": 80.5,
            "safe_drinking_water": True, "road_hardened": True, "electricity": True,
            "sanitary_toilet": True, "cultivated_mu": 3.5, "forest_mu": 1.0,
            "returned_forest_mu": 0.0, "orchard_mu": 0.0, "pasture_mu": 0.0,
            "water_surface_mu": 0.0, "risk_types": [],
        })
        people = [("head", "M", dt.date(1975, 3, h), "junior_secondary", "ordinary"),
                  ("spouse", "F", dt.date(1978, 6, h), "primary", "ordinary"),
                  ("son", "M", dt.date(2012, 9, h), "primary", "none")]
        for i, (relation, sex, birth, education, labour) in enumerate(people, start=1):
            seq = h * 10 + i
            members.append({
                "member_id": f"{code}-{i:02d}", "household_code": code,
                "id_type": "resident_id",
                "resident_id": identity.make_id(village[:6], birth, seq, sex),
                "name": f"王{'一二三四五六七八九'[h % 9]}{i}", "sex": sex, "birth_date": birth,
                "ethnicity": "09", "relation_to_head": relation, "education": education,
                "schooling_status": "grade_6" if relation == "son" else "not_in_school",
                "health": "healthy", "labour_skill": labour, "dibao": "none", "tekun": "none",
                "med_ins_resident": True, "critical_illness_ins": True,
                "member_status": "active",
            })
        for month in ("2025-01", "2025-02"):
            incomes.append({"household_code": code, "period": month, "wage": 1500 + h,
                            "business": 300, "property": 0, "transfer": 120,
                            "business_cost": 100, "insurance_payout": 0,
                            "compliant_oop_medical": 0})
    return {
        "households": schema.conform(pa.Table.from_pylist(households), "households"),
        "members": schema.conform(pa.Table.from_pylist(members), "members"),
        "incomes": schema.conform(pa.Table.from_pylist(incomes), "incomes"),
    }


def a_person(name: str, birth: str, sequence: int, sex: str, *, relation: str = "other",
             area: str = "522326") -> dict:
    """A member's values as a form gives them, complete enough for the entry-time checks,
    with a valid ID number (GB 11643 check character)."""
    import datetime as dt

    from dixian.engine import identity

    born = dt.date.fromisoformat(birth)
    age = (dt.date(2026, 1, 1) - born).days // 365
    return {
        "name": name, "sex": sex, "birth_date": born, "ethnicity": "01",
        "relation_to_head": relation,
        "resident_id": identity.make_id(area, born, sequence, sex),
        "health": "healthy", "med_ins_resident": True, "med_ins_employee": False,
        "labour_skill": "none" if age < 16 else "ordinary",
        "schooling_status": ("preschool_child" if age < 6 else
                             "not_in_school" if age >= 16 else "grade_3"),
        "education": "" if age < 6 else "junior_secondary",
    }
