"""`dixian demo --no-serve` builds the demo county end to end (small, for speed)."""

import pytest
from django.core.management import call_command

from dixian.core.models import User
from dixian.quality.models import QualityIssue
from dixian.registry.models import Household


@pytest.mark.django_db
def test_the_demo_builds_a_populated_county_with_users_and_issues(monkeypatch, settings,
                                                                  tmp_path, capsys):
    monkeypatch.setenv("DIXIAN_DEMO_HOUSEHOLDS", "600")
    settings.VAR_DIR = tmp_path
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert User.objects.filter(username__in=["cadre", "approver", "countyadmin"]).count() == 3
    assert "countyadmin" in out and "Demo users" in out
    assert Household.objects.filter(village__code__startswith="522326").count() >= 550
    assert QualityIssue.objects.exists()
    from dixian.exchange.models import Alert, FeedBatch

    assert FeedBatch.objects.filter(status="accepted").count() > 10
    assert Alert.objects.exists()
    for line in out.splitlines():
        if line.strip().startswith("cadre "):
            assert len(line.split()[1]) >= 12  # a generated password is printed
    # The procedures ran over simulated time: the registry's spells carried in, clues from
    # the screening runs, cases decided, plans made (issue 5 item 9, issue 6 item 8).
    from dixian.assistance.models import Measure
    from dixian.cases.models import Case, Clue, MonitoringSpell

    assert MonitoringSpell.objects.exists()
    assert Clue.objects.filter(channel="department_alert").exists()
    assert Case.objects.filter(imported=False).exclude(state="clue").exists()
    assert Measure.objects.exists()
    assert "simulated 101 days" in out
    # Three years of funds, projects and assets, with the planted irregularities found
    # (issue 15 item 6).
    from dixian.funds.models import Asset, Distribution, Project

    assert Project.objects.filter(county_code="522326").count() > 100
    assert Asset.objects.exists() and Distribution.objects.exists()
    for rule in ("FUNDS_INDUSTRY_SHARE_LOW", "FUNDS_PAID_BEFORE_ACCEPTANCE",
                 "FUNDS_INCOME_TO_INELIGIBLE"):
        assert f"1 {rule}" in out, rule
    # The relocation follow-up (issue 16 item 3): sites from the communities, the employment
    # of relocated members followed up, the planted household with nobody employed found.
    from dixian.regional.models import FollowUp, ResettlementSite

    assert ResettlementSite.objects.filter(county_code="522326").exists()
    assert FollowUp.objects.exists() and "relocation: " in out
    assert "2 households with labour and nobody employed" in out
    assert User.objects.filter(username="site", role="site_manager").exists()
    # The bottom-line alarm: the demo's flood raised one (issue 14 item 8).
    from dixian.alarms.models import Alarm

    alarm = Alarm.objects.get(area_code__startswith="522326")
    assert alarm.kind == "entry" and alarm.households.count() >= 5
    assert "bottom-line alarm raised 1 alarm(s)" in out
    # The key counties: three years of indicators, the tilt, the two planted findings.
    line = next(x for x in out.splitlines() if "key counties: " in x)
    assert "90 county years" in line and "1 KEY_COUNTY_TILT_BELOW" in line, line
    assert "1 KEY_COUNTY_INCOME_GROWTH_BELOW_PROVINCE" in line and "MISSING" not in line, line
