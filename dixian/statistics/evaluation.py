"""The effectiveness evaluation (R10): draw a county's field sample, record the check visits'
findings, compute the rates (``dixian.engine.evaluation``).

Samples are drawn per county: drawing needs the whole county within the reader's region
(village and township users see the samples of no county). Every write is an audited action.

Independence: the evaluated county cannot draw, redraw or fill in its own sample. Only a
user working above the county (prefecture, province or nation) whose region contains it
draws the sample and records the check visits' findings; anyone working in the county
itself (county, township or village) is refused. A drawn sample is immutable once fieldwork
starts (its first finding): it cannot be redrawn, and its households and design columns
cannot change (the models refuse it too).
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass

import pyarrow as pa
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dixian.core import audit
from dixian.core.access import require, scope_of
from dixian.core.models import Region
from dixian.core.roles import Capability, Level
from dixian.registry.models import Household
from dixian.statistics import bridge
from dixian.statistics.bridge import DEFAULTS, RegionScope, monitoring_line, per_capita_income
from dixian.statistics.bridge import evaluation as engine
from dixian.statistics.models import EvaluationSample, SampledHousehold

FINDING_FIELDS = ("eligible", "elimination_conditions_held", "satisfied")
#: column headers of the sample file: key -> (Chinese, English)
FILE_COLUMNS = {
    "county_code": ("县代码", "county code"),
    "village_code": ("行政村代码", "village code"),
    "village": ("行政村", "village"),
    "household_code": ("户编号", "household code"),
    "head": ("户主", "head of household"),
    "household_stratum": ("抽样层", "stratum"),
    "monitored": ("监测对象（未消除）", "monitored"),
    "eliminated": ("已消除风险", "eliminated"),
    "weight": ("权重", "weight"),
    "eligible": ("符合监测条件", "eligible"),
    "elimination_conditions_held": ("消除条件成立", "elimination conditions held"),
    "satisfied": ("认可", "satisfied"),
    "note": ("备注", "note"),
}
_TRUE = {"是", "yes", "y", "true", "1", "对", "√"}
_FALSE = {"否", "no", "n", "false", "0", "不", "×"}


class EvaluationError(ValueError):
    """A request the evaluation cannot carry out (shown to the user)."""


def require_independent(actor, county_code: str) -> None:
    """The actor evaluates ``county_code`` only from above it: their scope contains the
    county, and they do not work in it."""
    if not getattr(actor, "is_authenticated", False):
        raise EvaluationError(_("Sign in to evaluate a county."))
    if not scope_of(actor).contains(county_code):
        raise EvaluationError(_("The county is outside your region."))
    own = "" if actor.is_national else (actor.region_id or "")
    if not actor.is_national and (not own or own.startswith(county_code)):
        raise EvaluationError(_(
            "A county is evaluated from above: its own staff can neither draw nor fill in "
            "its sample. The prefecture or province evaluator does it."))


def fieldwork_started(sample: EvaluationSample) -> bool:
    return sample.households.filter(recorded_at__isnull=False).exists()


def counties_in(user, code: str) -> list[Region]:
    """The counties within ``code`` (a region or '' for the nation) and the reader's scope."""
    scope = scope_of(user)
    counties = Region.objects.filter(level=Level.COUNTY)
    if code:
        if len(code) > 6:
            return []
        counties = counties.filter(code__startswith=code)
    return [c for c in counties.order_by("code") if scope.contains(c.code)]


def current_samples(user, code: str) -> list[EvaluationSample]:
    """The latest sample of every county within ``code`` and the reader's scope."""
    latest: dict[str, EvaluationSample] = {}
    samples = EvaluationSample.objects.select_related("county", "drawn_by").order_by(
        "county_id", "-drawn_at", "-pk")
    if code:
        if len(code) > 6:
            return []
        samples = samples.filter(county__code__startswith=code)
    scope = scope_of(user)
    for sample in samples:
        if scope.contains(sample.county_id):
            latest.setdefault(sample.county_id, sample)
    return [latest[k] for k in sorted(latest)]


def _household_frame(county: str) -> tuple[pa.Table, str | None]:
    scope = RegionScope.of(county)
    tables = bridge.ledger_tables(scope, incomes=True)
    households = tables["households"]
    households = households.append_column(
        "county_code", pa.array([v[:6] for v in households["village_code"].to_pylist()],
                                pa.string()))
    months = [m for m in tables["incomes"]["period"].to_pylist() if m]
    income_month = max(months) if months else None
    pcni = {}
    if income_month:
        pcni = dict(zip(*per_capita_income(tables, scope, period=income_month)
                        .to_pydict().values(), strict=True))
    households = households.append_column(
        "pcni", pa.array([pcni.get(c) for c in households["household_code"].to_pylist()],
                         pa.float64()))
    return households, income_month


def do_draw_sample(county: Region, *, actor, villages: int = 10, households: int = 300,
                   seed: int | None = None) -> EvaluationSample:
    """Draw the county's stratified two-stage sample and keep it; audited."""
    require(actor, Capability.EVALUATE)
    if county.level != Level.COUNTY:
        raise EvaluationError("samples are drawn per county")
    require_independent(actor, county.code)
    current = EvaluationSample.objects.filter(county=county).order_by("-drawn_at", "-pk").first()
    if current is not None and fieldwork_started(current):
        raise EvaluationError(_(
            "Fieldwork on this county's sample has started (findings are recorded): the "
            "sample can no longer be redrawn."))
    frame, income_month = _household_frame(county.code)
    if frame.num_rows == 0:
        raise EvaluationError("the county has no household in the registry")
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    line = monitoring_line(DEFAULTS, income_month) if income_month else None
    drawn = engine.draw_sample(frame, villages_per_county=villages,
                               households_per_county=households, seed=seed,
                               line=line if income_month else None)
    ids = dict(Household.objects.filter(code__in=drawn.households["household_code"]
                                        .to_pylist()).values_list("code", "pk"))
    selected = [v for v in drawn.villages.to_pylist() if v["selected"]]
    with transaction.atomic():
        sample = EvaluationSample.objects.create(
            county=county, as_of=drawn.as_of or income_month or "", seed=seed,
            parameters={**{k: v for k, v in drawn.parameters.items()
                           if isinstance(v, (int, float, str, bool, type(None)))},
                        "strata": dict(drawn.parameters["strata"]),
                        "villages_per_county": villages, "households_per_county": households,
                        "income_month": income_month, "line": line},
            villages=[{"village_code": v["village_code"], "stratum": v["village_stratum"],
                       "reasons": v["priority_reasons"], "households": v["households"],
                       "probability": v["village_probability"]} for v in selected],
            strata=drawn.strata.to_pylist(), notes=list(drawn.notes),
            drawn_by=actor if getattr(actor, "is_authenticated", False) else None,
            drawn_at=timezone.now())
        SampledHousehold.objects.bulk_create([
            SampledHousehold(
                sample=sample, household_id=ids[r["household_code"]],
                village_code=r["village_code"], household_stratum=r["household_stratum"],
                village_stratum=r["village_stratum"], monitored=bool(r["monitored"]),
                eliminated=bool(r["eliminated"]),
                inclusion_probability=r["inclusion_probability"],
                base_weight=r["base_weight"], weight=r["weight"])
            for r in drawn.households.to_pylist()])
        audit.record("evaluation.draw_sample", actor=actor, obj=sample,
                     region_code=county.code,
                     after={"seed": seed, "villages": len(selected),
                            "households": drawn.households.num_rows, "as_of": sample.as_of})
    return sample


def _finding_values(item: SampledHousehold) -> dict:
    return {f: getattr(item, f) for f in (*FINDING_FIELDS, "note")}


def do_record_finding(item: SampledHousehold, *, actor, eligible: bool | None,
                      elimination_conditions_held: bool | None, satisfied: bool | None,
                      note: str = "") -> SampledHousehold:
    """Record (or correct) the check visit's findings for one sampled household; audited."""
    require(actor, Capability.EVALUATE)
    require_independent(actor, item.village_code[:6])
    with transaction.atomic():
        item = SampledHousehold.objects.select_for_update().get(pk=item.pk)
        before = _finding_values(item)
        item.eligible = eligible
        item.elimination_conditions_held = elimination_conditions_held
        item.satisfied = satisfied
        item.note = (note or "").strip()
        item.recorded_by = actor
        item.recorded_at = timezone.now()
        item.save(update_fields=[*FINDING_FIELDS, "note", "recorded_by", "recorded_at"])
        audit.record("evaluation.record_finding", actor=actor, obj=item,
                     region_code=item.village_code, before=before,
                     after=_finding_values(item))
    return item


def parse_flag(value) -> bool | None:
    """是/否, yes/no, 1/0 (blank: unknown); anything else is a ValueError."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("", "—", "-", "未知", "unknown"):
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(text)


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    reason: str


def _header_key(text) -> str | None:
    text = str(text or "").strip()
    for key, (zh, en) in FILE_COLUMNS.items():
        if text in (key, zh, en):
            return key
    return None


def read_findings_file(content: bytes, filename: str) -> list[tuple[int, dict]]:
    """(row number, {column key: value}) of every row of an uploaded XLSX or CSV."""
    if filename.lower().endswith(".csv"):
        import csv

        text = content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
    else:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    if not rows:
        return []
    keys = [_header_key(h) for h in rows[0]]
    out = []
    for number, values in enumerate(rows[1:], start=2):
        record = {k: v for k, v in zip(keys, values, strict=False) if k}
        if any(v not in (None, "") for v in record.values()):
            out.append((number, record))
    return out


def do_record_findings_file(samples: list[EvaluationSample], content: bytes, filename: str,
                            *, actor) -> tuple[int, list[Problem]]:
    """Record the findings of an uploaded sample file; all or nothing. Returns (households
    changed, problems); with problems nothing is recorded."""
    require(actor, Capability.EVALUATE)
    for sample in samples:
        try:
            require_independent(actor, sample.county_id)
        except EvaluationError as exc:
            return 0, [Problem(0, "", sample.county_id, str(exc))]
    try:
        rows = read_findings_file(content, filename)
    except Exception as exc:  # an unreadable file is the user's problem, named as such
        return 0, [Problem(0, "", filename, f"unreadable file: {exc}")]
    items = {i.household.code: i for i in SampledHousehold.objects.filter(
        sample__in=samples).select_related("household")}
    problems: list[Problem] = []
    changes = []
    seen = set()
    for number, record in rows:
        code = str(record.get("household_code") or "").strip()
        item = items.get(code)
        if item is None:
            problems.append(Problem(number, "household_code", code,
                                    "not in the current samples of this region"))
            continue
        if code in seen:
            problems.append(Problem(number, "household_code", code, "listed twice"))
            continue
        seen.add(code)
        values = {}
        for field in FINDING_FIELDS:
            try:
                values[field] = parse_flag(record.get(field))
            except ValueError as exc:
                problems.append(Problem(number, field, str(exc),
                                        "use 是/否 (yes/no), or leave blank"))
        if len(values) == len(FINDING_FIELDS):
            note = str(record.get("note") or "").strip()
            if values != {f: getattr(item, f) for f in FINDING_FIELDS} or note != item.note:
                changes.append((item, values, note))
    if not rows:
        problems.append(Problem(0, "", filename, "no data rows"))
    if problems:
        return 0, problems
    with transaction.atomic():
        for item, values, note in changes:
            do_record_finding(item, actor=actor, note=note, **values)
    return len(changes), []


def findings_table(sample: EvaluationSample) -> pa.Table:
    """The sample with its findings, in the input shape of ``engine.evaluate``."""
    rows = [{"household_code": i.household.code, "county_code": sample.county_id,
             "village_code": i.village_code, "village_stratum": i.village_stratum,
             "household_stratum": i.household_stratum, "weight": i.weight,
             "monitored": i.monitored, "eliminated": i.eliminated, "eligible": i.eligible,
             "elimination_conditions_held": i.elimination_conditions_held,
             "satisfied": i.satisfied}
            for i in sample.households.select_related("household")]
    schema = pa.schema([("household_code", pa.string()), ("county_code", pa.string()),
                        ("village_code", pa.string()), ("village_stratum", pa.string()),
                        ("household_stratum", pa.string()), ("weight", pa.float64()),
                        ("monitored", pa.bool_()), ("eliminated", pa.bool_()),
                        ("eligible", pa.bool_()), ("elimination_conditions_held", pa.bool_()),
                        ("satisfied", pa.bool_())])
    return pa.Table.from_pylist(rows, schema=schema)


def evaluate_sample(sample: EvaluationSample) -> engine.CountyEvaluation | None:
    """The five rates of a sample's county from the findings recorded so far (None before
    any household was checked)."""
    table = findings_table(sample)
    checked = [r for r in table.to_pylist()
               if r["eligible"] is not None or r["satisfied"] is not None]
    if not checked:
        return None
    result = engine.evaluate(table)
    return result.county(sample.county_id)
