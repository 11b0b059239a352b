"""Work relief through its actions: local workers hired (monitored and poverty-alleviated
first, linked to the registry), a payroll paid, a shortfall and a low share flagged, a
worker's pay in the household's income."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dixian.core.roles import Role
from dixian.funds import checks, work_relief
from dixian.registry.models import Household, Income
from tests.conftest import VILLAGE
from tests.funds.builders import approved_project, load_households

pytestmark = pytest.mark.django_db


def test_a_payroll_with_a_shortfall_is_flagged_and_pay_reaches_the_household(users):
    load_households()
    Household.objects.filter(code=f"{VILLAGE}0002").update(monitoring_category="unstable")
    project = approved_project(users, category="infrastructure")
    officer = users[Role.WORK_RELIEF_OFFICER]
    with pytest.raises(PermissionDenied):
        work_relief.do_start_work_relief(project, central_investment="100000",
                                         actor=users[Role.PROJECT_OFFICER])
    item = work_relief.do_start_work_relief(project, central_investment="100000",
                                            actor=officer)
    a = work_relief.do_hire_worker(item, member_id=f"{VILLAGE}0001-01", actor=officer)
    b = work_relief.do_hire_worker(item, member_id=f"{VILLAGE}0002-01", actor=officer)
    outside = work_relief.do_hire_worker(item, actor=officer)
    assert (a.group, b.group, outside.group) == ("alleviated", "monitored", "outside")
    assert work_relief.do_hire_worker(item, member_id=f"{VILLAGE}0001-01", actor=officer) == a
    work_relief.do_record_payroll(item, "2025-05", [
        work_relief.Pay(a.pk, "3000", "3000", date(2025, 6, 10)),
        work_relief.Pay(b.pk, "3000", "2000", date(2025, 6, 10)),
        work_relief.Pay(outside.pk, "3000", "3000", date(2025, 6, 10))], actor=officer)
    with pytest.raises(ValidationError, match="already has a payroll"):
        work_relief.do_record_payroll(item, "2025-05", [
            work_relief.Pay(a.pk, "1", "1", date(2025, 6, 10))], actor=officer)
    with pytest.raises(ValidationError, match="more than due"):
        work_relief.do_record_payroll(item, "2025-06", [
            work_relief.Pay(a.pk, "1", "2", date(2025, 7, 1))], actor=officer)
    assert Income.objects.get(household__code=f"{VILLAGE}0001", period="2025-05").wage == 3000
    figures = work_relief.figures(item, date(2025, 12, 31))
    assert figures.remuneration == 8000 and figures.share == 0.08
    rules = sorted(f.rule for f in figures.findings)
    assert rules == ["WORK_RELIEF_LABOUR_SHARE_LOW", "WORK_RELIEF_PAYROLL_SHORT"]
    found = {f.rule for f in checks.findings("522326", date(2025, 12, 31))}
    assert {"WORK_RELIEF_LABOUR_SHARE_LOW", "WORK_RELIEF_PAYROLL_SHORT"} <= found


def test_the_work_relief_page(client, users):
    load_households()
    project = approved_project(users, category="infrastructure")
    client.force_login(users[Role.WORK_RELIEF_OFFICER])
    url = f"/funds/projects/{project.pk}/work-relief/"
    assert client.get(url).status_code == 200
    client.post(url + "act/", {"action": "start", "central": "50000"})
    client.post(url + "act/", {"action": "hire", "members": f"{VILLAGE}0001-01"})
    worker = project.work_relief.workers.get()
    client.post(url + "act/", {"action": "payroll", "month": "2025-05", "paid_on": "2025-06-05",
                               f"due_{worker.pk}": "2000", f"paid_{worker.pk}": "1500"})
    page = client.get(url).content.decode()
    assert 'data-figure="share"' in page and "3.0%" in page
    assert client.get(f"/api/funds/projects/{project.pk}/work-relief").json()["share"] == 0.03
