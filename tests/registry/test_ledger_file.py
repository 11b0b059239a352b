"""A county's full export (the registry's workbook plus its ledger file) re-imports into an
empty installation with nothing lost; re-sending is harmless; a bad file applies nothing."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from dixian.assistance.models import Measure
from dixian.cases import actions
from dixian.cases.models import Case, CaseEvent, Clue, MonitoringSpell, MonitoringVisit
from dixian.core.models import User
from dixian.core.roles import Role
from dixian.engine.scope import RegionScope
from dixian.registry import importing, ledger_file, snapshot
from dixian.registry.models import Household, Income, IncomeBlock
from tests.cases.builders import make_ready_for_elimination, months_back, set_monthly_income
from tests.conftest import COUNTY, VILLAGE, make_user
from tests.registry.builders import households_and_members

LEDGER = (Income, IncomeBlock, CaseEvent, Clue, MonitoringVisit, Measure)


@pytest.fixture
def county(county_regions):
    tables = households_and_members(4, VILLAGE)
    importing.apply_tables({n: pl.from_arrow(t) for n, t in tables.items()})
    now = timezone.now()
    first, second, third, _fourth = Household.objects.order_by("code")
    cadre = make_user(Role.VILLAGE_CADRE, VILLAGE, username="cadre_wang")
    make_ready_for_elimination(first, now)
    set_monthly_income(second, months_back(now, 3), wage=700)
    clue = actions.do_receive_clue(second, channel="cadre_visit", risk_type="ILLNESS",
                                   actor=cadre, description="住院",
                                   received_at=now - timedelta(days=3))
    township = make_user(Role.TOWNSHIP_REVIEWER, VILLAGE[:9], username="reviewer_li")
    actions.do_transition(clue.case_id, "accept", actor=township, expected_state="clue")
    IncomeBlock.objects.create(household=third, basis="identification",
                               reference_month="2025-06", household_net=24000,
                               per_capita_net=8000.0)
    MonitoringVisit.objects.create(household=first, village_code=first.village_id,
                                   month=now.strftime("%Y-%m"), visited_on=now.date(),
                                   visitor=cadre, findings={"income": {"wage": 6000}})
    return now


def _content() -> dict[str, list[dict]]:
    """The ledger as the file writes it, without the installation's own numbers."""
    archive = zipfile.ZipFile(io.BytesIO(ledger_file.export_ledger(COUNTY)))
    out = {}
    for table in ledger_file.TABLES:
        rows = [json.loads(line) for line in
                archive.read(f"{table.name}.jsonl").decode().splitlines()]
        for row in rows:
            row.pop("ref")
            for ref in ("case", "identification_case", "elimination_case"):
                if ref in row:
                    row[ref] = row[ref] is not None
        out[table.name] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True))
    return out


def _wipe() -> None:
    """An empty installation: no ledger, no registry (the regions stay)."""
    from dixian.exchange.models import Alert
    from dixian.registry.models import FieldChange, Member

    Alert.objects.all().delete()
    for model in (CaseEvent, Clue, MonitoringVisit, Measure, Income, IncomeBlock):
        model.objects.all().delete()
    MonitoringSpell.objects.all().delete()
    Case.objects.all().delete()
    FieldChange.objects.all().delete()
    Member.objects.all().delete()
    Household.objects.all().delete()
    User.objects.filter(username__in=["cadre_wang", "reviewer_li"]).delete()


@pytest.mark.django_db
def test_a_county_moves_whole_and_re_sending_is_harmless(county, tmp_path):
    before = _content()
    assert all(before[t] for t in ("incomes", "income_blocks", "cases", "case_events", "clues",
                                   "spells", "visits", "measures")), \
        {k: len(v) for k, v in before.items()}
    registry = snapshot.export(snapshot.snapshot(RegionScope.of(COUNTY), reveal=True),
                               fmt="xlsx")
    (tmp_path / "ledger.zip").write_bytes(ledger_file.export_ledger(COUNTY))
    _wipe()
    outcome = importing.import_file(registry, "registry.xlsx", scope=RegionScope.of(COUNTY),
                                    accept_quality_issues=True)
    assert outcome.applied, outcome.problems[:3]
    Income.objects.all().delete()  # the workbook's incomes come back with the ledger's rows
    call_command("ledger", "import", str(tmp_path / "ledger.zip"))
    assert _content() == before
    assert not User.objects.get(username="cadre_wang").is_active  # the actor kept, inactive
    counts = {m: m.objects.count() for m in (*LEDGER, Case, MonitoringSpell)}
    call_command("ledger", "import", str(tmp_path / "ledger.zip"))
    assert {m: m.objects.count() for m in counts} == counts


@pytest.mark.django_db
def test_a_bad_row_names_where_and_applies_nothing(county, tmp_path):
    data = ledger_file.export_ledger(COUNTY)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as out:
        for name in names:
            text = archive.read(name).decode()
            if name == "measures.jsonl":
                rows = [json.loads(line) for line in text.splitlines()]
                rows[-1]["household"] = "999999999999999999"
                text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
            out.writestr(name, text)
    (tmp_path / "bad.zip").write_bytes(broken.getvalue())
    _wipe_ledger_only()
    with pytest.raises(CommandError, match=r"measures.jsonl row \d+, column household, value "
                                           r"'999999999999999999'.*nothing was applied"):
        call_command("ledger", "import", str(tmp_path / "bad.zip"))
    assert not Case.objects.exists() and not Income.objects.exists()
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="not a Dixian ledger file"):
        call_command("ledger", "import", str(tmp_path / "junk.zip"))


def _wipe_ledger_only() -> None:
    from dixian.exchange.models import Alert

    Alert.objects.all().delete()
    for model in (CaseEvent, Clue, MonitoringVisit, Measure, Income, IncomeBlock):
        model.objects.all().delete()
    MonitoringSpell.objects.all().delete()
    Case.objects.all().delete()
