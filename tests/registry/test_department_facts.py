"""Departments update the facts they own, with provenance; a value a person entered is
listed for review, never overwritten silently."""

import polars as pl
import pytest

from dixian.core import pii
from dixian.core.roles import Role
from dixian.exchange import actions as exchange
from dixian.exchange.models import DepartmentSetting
from dixian.registry import actions, facts, importing
from dixian.registry.models import FactConflict, FieldChange, Household, Member
from tests.conftest import COUNTY, VILLAGE
from tests.registry.builders import households_and_members


@pytest.fixture
def registry(county_regions, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    tables = households_and_members(2, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    return {h.code: h for h in Household.objects.all()}


def _id(member_id):
    return pii.decrypt(Member.objects.get(member_id=member_id).resident_id_enc, "resident_id")


def _officer(department):
    from dixian.core.actions import do_create_user

    return do_create_user(username=f"{department}-officer", role=Role.DEPARTMENT_OFFICER,
                          region_code=COUNTY, password="x" * 12, department=department)


CIVIL = "记录编号,身份证号码,姓名,救助类别,变动类型,生效日期,金额\n"


@pytest.mark.django_db
def test_civil_affairs_sets_dibao_with_department_batch_and_row(registry):
    member_id = f"{VILLAGE}0001-01"
    data = (CIVIL + f"R1,{_id(member_id)},王一,最低生活保障,新增,2025-05-03,600\n").encode()
    batch = exchange.do_upload_feed(data, "civil_2025-05.csv", department="civil_affairs",
                                    actor=_officer("civil_affairs"))
    assert batch.status == "accepted", batch.problems
    member = Member.objects.get(member_id=member_id)
    assert member.dibao == "rural"
    change = FieldChange.objects.get(object_key=member_id, field="dibao")
    assert (change.source, change.source_ref) == ("feed", f"civil_affairs:{batch.pk}:2")
    # the same file again changes nothing
    again = exchange.do_upload_feed(data, "civil_2025-05b.csv", department="civil_affairs",
                                    actor=batch.officer)
    assert again.status == "duplicate"
    assert FieldChange.objects.filter(object_key=member_id, field="dibao").count() == 1


@pytest.mark.django_db
def test_a_value_a_cadre_entered_is_listed_for_review_not_overwritten(registry, users):
    member = Member.objects.get(member_id=f"{VILLAGE}0001-02")
    actions.do_update_member(member, {"dibao": "urban"}, actor=users[Role.VILLAGE_CADRE])
    data = (CIVIL + f"R9,{_id(member.member_id)},王一,最低生活保障,停保,2025-05-03,0\n").encode()
    batch = exchange.do_upload_feed(data, "civil_2025-05.csv", department="civil_affairs",
                                    actor=_officer("civil_affairs"))
    member.refresh_from_db()
    assert member.dibao == "urban"  # kept
    conflict = FactConflict.objects.get()
    assert (conflict.entered_value, conflict.department_value, conflict.source_ref) == (
        "urban", "none", f"civil_affairs:{batch.pk}:2")
    facts.do_decide_conflict(conflict, True, actor=users[Role.COUNTY_ADMIN], reason="checked")
    member.refresh_from_db()
    assert member.dibao == "none"
    assert FieldChange.objects.filter(object_key=member.member_id, field="dibao",
                                      source="feed").exists()


@pytest.mark.django_db
def test_public_security_records_a_death_and_lists_a_move(registry):
    dead, mover = f"{VILLAGE}0002-01", f"{VILLAGE}0002-02"
    data = ("记录编号,身份证号码,姓名,事项,日期\n"
            f"P1,{_id(dead)},王二,死亡注销,2025-05-10\n"
            f"P2,{_id(mover)},王二,户口迁出,2025-05-11\n").encode()
    exchange.do_upload_feed(data, "ps_2025-05.csv", department="public_security",
                            actor=_officer("public_security"))
    member = Member.objects.get(member_id=dead)
    assert (member.member_status, member.status_month) == ("deceased", "2025-05")
    assert FactConflict.objects.get().field == "household_registration"


@pytest.mark.django_db
def test_disability_grade_from_the_federation_and_the_setting_that_turns_it_off(registry):
    member_id = f"{VILLAGE}0001-03"
    data = ("残疾人证号,身份证号码,姓名,残疾类别,残疾等级,变动类型,发证日期\n"
            f"{_id(member_id)}14,{_id(member_id)},王三,肢体残疾,4,新办,2025-05-02\n").encode()
    DepartmentSetting.objects.create(scope_code=COUNTY, department="disabled_federation",
                                     updates_facts=False)
    officer = _officer("disabled_federation")
    exchange.do_upload_feed(data, "dis_2025-05.csv", department="disabled_federation",
                            actor=officer)
    assert Member.objects.get(member_id=member_id).disability_grade is None
    DepartmentSetting.objects.update(updates_facts=True)
    exchange.do_upload_feed(data.replace(b"2025-05-02", b"2025-05-03"), "dis_2025-05.csv",
                            department="disabled_federation", actor=officer)
    member = Member.objects.get(member_id=member_id)
    assert (member.disability_grade, member.disability_type, member.disability_cert) == (
        4, "physical", True)
