"""Importing households, members and incomes: all or nothing, idempotent, original kept.

``import_file`` reads and validates a file (see :mod:`dixian.registry.reading`), checks it
against the database (villages in the importer's scope, households known, an ID number in
two households), and then either applies it in one transaction or applies nothing. The
original file and the report are kept in an :class:`ImportBatch` whatever the outcome.

Options, both off by default:
- ``valid_rows_only``: apply the rows without problems; rejected rows go to an error file.
- ``accept_quality_issues``: rows whose only problems are data-quality findings (a bad ID
  check digit, an ID in two households, a missing required field) are imported and the
  findings reported; this is how a county migrates its records from the national system,
  errors and all, to fix them here. Structural problems (unreadable values, unknown or
  out-of-scope villages, unknown households) always block.

Re-sending a file already applied changes nothing: it is recognised by its SHA-256; and a
different file with the same values changes nothing either (each value is compared before
it is written).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from collections import defaultdict
from dataclasses import dataclass

import polars as pl
import pyarrow as pa
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from dixian.core import audit, pii
from dixian.core.access import scope_of, scope_q
from dixian.core.jobs import no_progress
from dixian.core.models import Region
from dixian.registry import layout, reading
from dixian.registry.bridge import RegionScope, schema
from dixian.registry.models import (
    FieldChange,
    Household,
    ImportBatch,
    Income,
    IncomeBlock,
    Member,
    Source,
    VillageReport,
)
from dixian.registry.reading import Problem

PROTECTED = {  # snapshot field → (model column prefix, normaliser, masker)
    "phone": "phone",
    "monitoring_contact_phone": "monitoring_contact_phone",
    "resident_id": "resident_id",
}
CHUNK = 5000
STEPS = 4  # reading, matching, validating, writing
INCOME_COLUMNS = ("wage", "business", "property", "transfer", "business_cost",
                  "insurance_payout", "compliant_oop_medical")


@dataclass
class Outcome:
    batch: ImportBatch
    problems: list[Problem]

    @property
    def applied(self) -> bool:
        return self.batch.status in (ImportBatch.Status.APPLIED, ImportBatch.Status.PARTIAL)


def import_file(data: bytes, file_name: str, *, actor=None, scope: RegionScope | None = None,
                valid_rows_only: bool = False, accept_quality_issues: bool = False,
                source: str = Source.IMPORT, progress=no_progress) -> Outcome:
    """Import one file within ``scope`` (the actor's scope when an actor is given).

    ``progress(stage, done, total)`` hears of each step (reading, validating, matching,
    writing) as it starts: a background job's page shows it."""
    if actor is not None:
        scope = scope_of(actor)
    if scope is None or scope.is_empty:
        raise PermissionError("an import needs a region scope")
    checksum = hashlib.sha256(data).hexdigest()
    previous = ImportBatch.objects.filter(
        checksum=checksum, status__in=[ImportBatch.Status.APPLIED, ImportBatch.Status.PARTIAL]
    ).first()
    scope_code = scope.stored_code()
    if previous is not None:
        return _record(file_name, checksum, scope_code, previous.layout, data, actor,
                       ImportBatch.Status.DUPLICATE, {"same_as_batch": previous.pk}, [])

    from dixian.registry.national import areas

    progress("reading", 0, STEPS)
    result = reading.read(data, file_name, areas.village_resolver(scope))
    problems = list(result.problems)
    tables = result.tables
    if result.layout == "national" and "members" in tables \
            and "household_code" in tables["members"].columns:
        tables["members"] = _keep_member_numbers(tables["members"])
    progress("matching", 1, STEPS)
    problems += _check_against_database(tables, scope, file_name)
    progress("validating", 2, STEPS)
    problems += quality_problems(tables, file_name, result.layout)

    blocking = [p for p in problems if p.severity == "error" and
                (p.kind == "structure" or not accept_quality_issues)]
    if blocking and not valid_rows_only:
        return _record(file_name, checksum, scope_code, result.layout, data, actor,
                       ImportBatch.Status.REJECTED, _row_counts(tables), problems)

    rejected_rows = _rejected_rows(blocking)
    kept, error_rows = _drop_rejected(tables, rejected_rows)
    stamp = f"batch:{checksum[:12]}"
    progress("writing", 3, STEPS)  # before the transaction: the page sees it
    with transaction.atomic():
        counts = apply_tables(kept, actor=actor, source=source, source_ref=stamp)
        counts["rejected_rows"] = sum(len(rows) for rows in rejected_rows.values())
        if result.layout == "national" and "households" in kept:
            # the national system's monitoring history becomes spells
            from dixian.cases import ledger

            counts.update(ledger.do_backfill_from_registry(scope, actor=actor))
        status = ImportBatch.Status.PARTIAL if blocking else ImportBatch.Status.APPLIED
        outcome = _record(file_name, checksum, scope_code, result.layout, data, actor, status,
                          counts, problems, error_rows=error_rows, blocking=blocking)
    return outcome


# ---------------------------------------------------------------- data-quality rules at entry
def quality_problems(tables: dict[str, pl.DataFrame], file: str, file_layout: str
                     ) -> list[Problem]:
    """The registry's data-quality rules (the same compiled rules as the bulk run) over the
    file's own records; each finding becomes a problem on the row it concerns."""
    from dixian.registry.bridge import quality

    records = {}
    for name in ("households", "members", "incomes", "villages"):
        frame = tables.get(name)
        if frame is None or frame.is_empty():
            continue
        if name == "households":
            frame = frame.unique(subset=["household_code"], keep="first", maintain_order=True)
        if "_update" in frame.columns:
            frame = _merged_with_registry(frame)
        records[name] = schema.conform(
            frame.drop("_sheet", "_row", "_update", strict=False).to_arrow(), name)
    if not records:
        return []
    findings = quality.check_records(**records)
    where = _row_index(tables)
    headers = {c.name: (c.zh if file_layout == "national" else c.name)
               for name in layout.TABLES for c in layout.columns(name)}
    problems = []
    for f in findings.to_pylist():
        key = {"households": f["household_code"], "members": f["member_id"],
               "incomes": (f["household_code"], f["period"]),
               "villages": f["village_code"]}.get(f["table"])
        sheet, row = where.get((f["table"], key), ("", 0))
        message = f["message_en"] if file_layout == "dixian" else f["message_zh"]
        problems.append(Problem(file, sheet, row, headers.get(f["field"], f["field"] or ""),
                                f["value"] or "", f["rule_id"], message,
                                "error" if f["severity"] == "error" else "warning", "quality"))
    return problems


def _merged_with_registry(updates: pl.DataFrame) -> pl.DataFrame:
    """Registered members with the update sheet's values laid over them: the rules judge the
    member as it will stand, not the few columns the sheet carries."""
    from dixian.registry import snapshot

    ids = updates["member_id"].drop_nulls().to_list()
    fields = [c.name for c in layout.columns("members") if c.name not in
              ("household_code", "resident_id", "phone")]
    columns = {}
    for queryset in _in_chunks(Member, "member_id", ids):
        part = snapshot.fetch_columns(queryset.order_by("member_id"),
                                       ["household__code", "resident_id_enc", *fields])
        for name, values in part.items():
            columns.setdefault(name, []).extend(values)
    if not columns:
        return updates.head(0)  # nobody registered: already reported, nothing to judge
    columns["household_code"] = columns.pop("household__code")
    columns["resident_id"] = snapshot._decrypt_all(columns.pop("resident_id_enc"),
                                                   "resident_id")
    registered = pl.from_arrow(pa.Table.from_arrays(
        [snapshot._array(columns[f.name], f) for f in schema.MEMBERS if f.name in columns],
        names=[f.name for f in schema.MEMBERS if f.name in columns]))
    given = [c for c in updates.columns if c in registered.columns and c != "member_id"]
    merged = registered.join(updates.select("member_id", *given), on="member_id",
                             how="inner", suffix="_new")
    return merged.with_columns([pl.coalesce(pl.col(f"{c}_new"), pl.col(c)).alias(c)
                                for c in given if c != "household_code"]) \
        .drop([f"{c}_new" for c in given])


def _row_index(tables) -> dict:
    where = {}
    for name, key in (("households", "household_code"), ("members", "member_id"),
                      ("villages", "village_code")):
        frame = tables.get(name)
        if frame is not None and key in frame.columns:
            for sheet, row, value in frame.select("_sheet", "_row", key).iter_rows():
                where.setdefault((name, value), (sheet, row))
    frame = tables.get("incomes")
    if frame is not None and {"household_code", "period"} <= set(frame.columns):
        for sheet, row, code, period in frame.select("_sheet", "_row", "household_code",
                                                     "period").iter_rows():
            where.setdefault(("incomes", (code, period)), (sheet, row))
    return where


# ---------------------------------------------------------------- checks against the database
def _check_against_database(tables: dict[str, pl.DataFrame], scope: RegionScope,
                            file: str) -> list[Problem]:
    problems: list[Problem] = []
    for name, frame in tables.items():
        problems += _masked_values(frame, file)
        problems += _too_long(name, frame, file)
    households = tables.get("households")
    known_codes: set[str] = set()
    if households is not None:
        missing = _required(households, file, ("household_code", "village_code"))
        problems += missing
    if households is not None and not _lacks_key(missing):
        villages = set(households["village_code"].drop_nulls().unique().to_list())
        existing = set(Region.objects.filter(code__in=villages, level=5)
                       .values_list("code", flat=True))
        for sheet, row, village in households.select("_sheet", "_row", "village_code").iter_rows():
            if village is None:
                continue
            if village not in existing or not scope.contains(village):
                # Out of scope and unknown read the same: the file names a village we cannot use.
                problems.append(Problem(file, sheet, row, "village_code", village,
                                        "region.unknown_or_out_of_scope",
                                        "village code unknown or outside your region"))
        problems += _conflicting_duplicates(households, "household_code", file)
        known_codes = set(households["household_code"].drop_nulls().to_list())

    villages = tables.get("villages")
    if villages is not None:
        missing = _required(villages, file, ("village_code",))
        problems += missing
    if villages is not None and not _lacks_key(missing):
        known = set(Region.objects.filter(
            code__in=villages["village_code"].drop_nulls().to_list(), level=5)
            .values_list("code", flat=True))
        for sheet, row, village in villages.select("_sheet", "_row", "village_code").iter_rows():
            if village is not None and (village not in known or not scope.contains(village)):
                problems.append(Problem(file, sheet, row, "village_code", village,
                                        "region.unknown_or_out_of_scope",
                                        "village code unknown or outside your region"))
    members = tables.get("members")
    if members is not None and "household_code" not in members.columns:
        # A table that updates registered members (已外出务工信息, 计划外出务工信息).
        members, update_problems = _resolve_registered_members(members, scope, file)
        tables["members"] = members
        problems += update_problems
    if members is not None and "_update" not in members.columns:
        missing = _required(members, file, ("member_id", "household_code"))
        problems += missing
    if members is not None and "_update" not in members.columns and not _lacks_key(missing):
        problems += _unknown_households(members, known_codes, scope, file)
        problems += _conflicting_duplicates(members, "member_id", file)
        problems += _ids_in_two_households(members, file)
    incomes = tables.get("incomes")
    if incomes is not None:
        missing = _required(incomes, file, ("household_code", "period"))
        problems += missing
    if incomes is not None and not _lacks_key(missing):
        problems += _unknown_households(incomes, known_codes, scope, file)
        problems += _conflicting_duplicates(incomes, ["household_code", "period"], file)
    return problems


def _lacks_key(problems: list[Problem]) -> bool:
    """A table without its key columns is already refused; nothing more can be checked."""
    return any(p.rule == "file.missing_column" for p in problems)


def _resolve_registered_members(members: pl.DataFrame, scope: RegionScope, file: str):
    """Rows that update members already registered: find each by member number or ID number
    (by token) within scope; a row naming no registered member is a problem."""
    known: dict[str, tuple[str, str]] = {}  # member_id or token -> (member_id, household code)
    queryset = Member.objects.filter(scope_q(scope, "household__village__code"))
    if "member_id" in members.columns:
        for mid, code in queryset.filter(member_id__in=members["member_id"].drop_nulls()
                                         .to_list()).values_list("member_id", "household__code"):
            known[mid] = (mid, code)
    tokens = {}
    if "resident_id" in members.columns:
        tokens = {v: _token(v) for v in members["resident_id"].drop_nulls().to_list()}
        for mid, code, token in queryset.filter(resident_id_token__in=list(tokens.values())) \
                .values_list("member_id", "household__code", "resident_id_token"):
            known[token] = (mid, code)
    resolved, problems = [], []
    for row in members.iter_rows(named=True):
        hit = known.get(row.get("member_id")) or known.get(tokens.get(row.get("resident_id")))
        if hit is None:
            problems.append(Problem(file, row["_sheet"], row["_row"], "resident_id",
                                    pii.mask_id(row.get("resident_id") or ""),
                                    "registry.unknown_member",
                                    "no registered member in your region has this ID number"))
            resolved.append((None, None))
        else:
            resolved.append(hit)
    members = members.with_columns(
        pl.Series("member_id", [m for m, _c in resolved], dtype=pl.String),
        pl.Series("household_code", [c for _m, c in resolved], dtype=pl.String),
        pl.lit(True).alias("_update"),
    )
    # The update sheet does not carry the ID or the name into the registry: the member has them.
    return members.drop("resident_id", "name", strict=False), problems


MODEL_OF_TABLE = {"households": Household, "members": Member, "incomes": Income,
                  "villages": VillageReport}


def _too_long(table: str, frame: pl.DataFrame, file: str) -> list[Problem]:
    """Text longer than the registry's column can hold (PostgreSQL would refuse the write)."""
    model = MODEL_OF_TABLE.get(table)
    problems = []
    for name, dtype in frame.schema.items():
        if model is None or dtype != pl.String:
            continue
        field = (f"{PROTECTED[name]}_masked" if name in PROTECTED
                 else "code" if (table, name) == ("households", "household_code") else name)
        try:
            limit = model._meta.get_field(field).max_length
        except Exception:  # noqa: BLE001 - a column the model names otherwise
            continue
        if not limit:
            continue
        rows = frame.filter(pl.col(name).str.len_chars() > limit)
        for sheet, row, value in rows.select("_sheet", "_row", name).iter_rows():
            problems.append(Problem(file, sheet, row, name, value[:limit] + "…", "value.too_long",
                                    f"longer than {limit} characters"))
    return problems


def _masked_values(frame: pl.DataFrame, file: str) -> list[Problem]:
    """A masked export (5201**********1234) must never be imported as if it were the ID."""
    problems = []
    for name in PROTECTED:
        if name not in frame.columns:
            continue
        rows = frame.filter(pl.col(name).str.contains("*", literal=True))
        for sheet, row, value in rows.select("_sheet", "_row", name).iter_rows():
            problems.append(Problem(file, sheet, row, name, value, "value.masked",
                                    "a masked value cannot be imported; export with --reveal"))
    return problems


def _required(frame: pl.DataFrame, file: str, keys) -> list[Problem]:
    problems = []
    for key in keys:
        if key not in frame.columns:
            problems.append(Problem(file, frame["_sheet"][0] if len(frame) else "", 1, key, "",
                                    "file.missing_column", f"the key column {key} is missing"))
            continue
        for sheet, row in frame.filter(pl.col(key).is_null()).select("_sheet", "_row").iter_rows():
            problems.append(Problem(file, sheet, row, key, "", "value.required",
                                    f"{key} is required"))
    return problems


def _unknown_households(frame, known_codes, scope, file) -> list[Problem]:
    codes = set(frame["household_code"].drop_nulls().unique().to_list()) - known_codes
    found = set()
    for start in range(0, len(codes), CHUNK):
        chunk = list(codes)[start:start + CHUNK]
        for code, village in Household.objects.filter(code__in=chunk).values_list(
                "code", "village_id"):
            if scope.contains(village):
                found.add(code)
    problems = []
    missing = codes - found
    if missing:
        rows = frame.filter(pl.col("household_code").is_in(list(missing)))
        for sheet, row, code in rows.select("_sheet", "_row", "household_code").iter_rows():
            problems.append(Problem(file, sheet, row, "household_code", code,
                                    "registry.unknown_household",
                                    "household not in this file nor in the registry of your "
                                    "region"))
    return problems


def _conflicting_duplicates(frame: pl.DataFrame, key, file: str) -> list[Problem]:
    """The same key twice with different values (identical repeats are fine: the national
    person-level table repeats each household's columns on every member row)."""
    keys = [key] if isinstance(key, str) else list(key)
    if any(k not in frame.columns for k in keys):
        return []
    values = [c for c in frame.columns if not c.startswith("_")]
    distinct = frame.select(values).unique()
    dup_keys = distinct.filter(pl.struct(keys).is_duplicated()).select(keys).unique()
    if dup_keys.is_empty():
        return []
    rows = frame.join(dup_keys, on=keys, how="semi")
    label = "+".join(keys)
    return [Problem(file, r["_sheet"], r["_row"], label, "/".join(str(r[k]) for k in keys),
                    "registry.conflicting_duplicate",
                    f"{label} appears more than once with different values")
            for r in rows.iter_rows(named=True)]


def _ids_in_two_households(members: pl.DataFrame, file: str) -> list[Problem]:
    """An ID number in two households is reported, never merged: within the file, and
    against members of other households already in the registry (matched by token)."""
    if "resident_id" not in members.columns:
        return []
    ids = members.select("_sheet", "_row", "member_id", "household_code", "resident_id") \
        .filter(pl.col("resident_id").is_not_null()
                & ~pl.col("resident_id").str.starts_with("999999"))
    ids = ids.with_columns(pl.Series("token", [_token(v) for v in ids["resident_id"].to_list()],
                                     dtype=pl.String))
    problems = []
    in_file = ids.filter(pl.col("household_code").n_unique().over("token") > 1)
    for r in in_file.iter_rows(named=True):
        problems.append(Problem(file, r["_sheet"], r["_row"], "resident_id",
                                pii.mask_id(r["resident_id"]), "identity.in_two_households",
                                "this ID number appears in two households in the file",
                                "error", "quality"))
    tokens = ids["token"].unique().to_list()
    elsewhere: dict[str, set[str]] = defaultdict(set)
    for queryset in _in_chunks(Member, "resident_id_token", tokens):
        for token, code, member_id in queryset.values_list(
                "resident_id_token", "household__code", "member_id"):
            elsewhere[token].add((code, member_id))
    for r in ids.iter_rows(named=True):
        others = {code for code, mid in elsewhere.get(r["token"], ()) if mid != r["member_id"]
                  and code != r["household_code"]}
        if others:
            problems.append(Problem(file, r["_sheet"], r["_row"], "resident_id",
                                    pii.mask_id(r["resident_id"]), "identity.in_two_households",
                                    f"this ID number is already registered in household "
                                    f"{sorted(others)[0]}", "error", "quality"))
    return problems


@functools.lru_cache(maxsize=1 << 21)
def _token(resident_id: str) -> str:
    """Tokens are needed twice per import (duplicate check, then storage): compute once."""
    return pii.token(pii.normalise_id(resident_id))


def _row_counts(tables) -> dict:
    return {f"{name}_rows": len(frame) for name, frame in tables.items()}


def _rejected_rows(blocking: list[Problem]) -> dict[str, set[int]]:
    rows: dict[str, set[int]] = defaultdict(set)
    for problem in blocking:
        rows[problem.sheet].add(problem.row)
    return rows


def _drop_rejected(tables, rejected: dict[str, set[int]]):
    """Drop rejected rows, and the members and incomes of rejected households."""
    if not rejected:
        return tables, []
    kept, error_rows = {}, []
    bad_households: set[str] = set()
    for name in ("households", "members", "incomes", "villages", "income_blocks",
                 "national_measures"):
        frame = tables.get(name)
        if frame is None:
            continue
        mask = pl.Series([row in rejected.get(sheet, ()) for sheet, row in
                          frame.select("_sheet", "_row").iter_rows()], dtype=pl.Boolean)
        if name in ("members", "incomes", "income_blocks", "national_measures") \
                and bad_households:
            mask = mask | frame["household_code"].is_in(list(bad_households))
        if name == "households":
            bad_households = set(frame.filter(mask)["household_code"].drop_nulls().to_list())
        for row in frame.filter(mask).iter_rows(named=True):
            error_rows.append({"table": name, **{k: _text(v) for k, v in row.items()}})
        kept[name] = frame.filter(~mask)
    return kept, error_rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


# ---------------------------------------------------------------- applying
def apply_tables(tables: dict[str, pl.DataFrame], *, actor=None, source: str = Source.IMPORT,
                 source_ref: str = "") -> dict:
    """Upsert validated tables; returns counts. Runs inside the caller's transaction."""
    counts = {}
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    writer = _Writer(actor_id, source, source_ref)
    if "households" in tables:
        households = tables["households"].unique(subset=["household_code"], keep="first",
                                                  maintain_order=True)
        counts.update(writer.households(households))
    if "members" in tables:
        counts.update(writer.members(tables["members"]))
    if "incomes" in tables:
        counts.update(writer.incomes(tables["incomes"]))
    if "villages" in tables:
        counts.update(writer.villages(tables["villages"]))
    if "income_blocks" in tables:
        counts.update(writer.income_blocks(tables["income_blocks"]))
    if "national_measures" in tables:
        counts.update(writer.national_measures(tables["national_measures"]))
    writer.flush_changes()
    return counts


class _Writer:
    def __init__(self, actor_id, source, source_ref):
        self.actor_id = actor_id
        self.source = source
        self.source_ref = source_ref
        self.now = timezone.now()
        self.changes: list[tuple] = []

    # -- households
    def households(self, frame: pl.DataFrame) -> dict:
        present = [c.name for c in layout.columns("households")
                   if c.name in frame.columns and c.name not in layout.DERIVED["households"]
                   and c.name != "household_code"]
        values = _model_frame(frame, present, Household).with_columns(
            frame["household_code"].alias("code"))
        new, n_changed = self._upsert(Household, "code", values, "household",
                                      lambda row, current: current["id"])
        return {"households_new": new, "households_changed": n_changed}

    # -- members
    def members(self, frame: pl.DataFrame) -> dict:
        present = [c.name for c in layout.columns("members")
                   if c.name in frame.columns and c.name not in ("member_id", "household_code")]
        household_ids = _ids(Household, "code", frame["household_code"].unique().to_list())
        values = _model_frame(frame, present, Member).with_columns(
            frame["member_id"],
            frame["household_code"].replace_strict(household_ids, return_dtype=pl.Int64)
            .alias("household_id"))
        new, n_changed = self._upsert(Member, "member_id", values, "member",
                                      lambda row, current: row["household_id"])
        return {"members_new": new, "members_changed": n_changed}

    # -- incomes
    def incomes(self, frame: pl.DataFrame) -> dict:
        present = [c for c in frame.columns if c in INCOME_COLUMNS]
        household_ids = _ids(Household, "code", frame["household_code"].unique().to_list())
        values = frame.select(
            pl.col("household_code").replace_strict(household_ids, return_dtype=pl.Int64)
            .alias("household_id"),
            pl.col("period"),
            *[pl.col(name).fill_null(0) for name in present],
        ).with_columns((pl.col("household_id").cast(pl.String) + ":" + pl.col("period"))
                       .alias("_key"))
        existing = {}
        ids = list(household_ids.values())
        for start in range(0, len(ids), CHUNK):
            for row in Income.objects.filter(household_id__in=ids[start:start + CHUNK]).values():
                existing[f"{row['household_id']}:{row['period']}"] = row
        is_new = ~values["_key"].is_in(list(existing))
        _insert(Income, values.filter(is_new).drop("_key"), self._stamp())
        n_changed = 0
        for row in values.filter(~is_new).iter_rows(named=True):
            current = existing[row.pop("_key")]
            changes = {k: v for k, v in row.items() if k not in ("household_id", "period")}
            n_changed += self._update(Income, current, changes, "income",
                                      f"{row['household_id']}:{row['period']}",
                                      row["household_id"])
        return {"incomes_new": int(is_new.sum()), "incomes_changed": n_changed}

    def villages(self, frame: pl.DataFrame) -> dict:
        present = [c.name for c in layout.columns("villages")
                   if c.name in frame.columns and c.name != "village_code"]
        values = frame.select(pl.col("village_code").alias("village_id"),
                              *[pl.col(name) for name in present])
        new, n_changed = self._upsert(VillageReport, "village_id", values, "village",
                                      lambda row, current: None)
        return {"villages_new": new, "villages_changed": n_changed}

    def income_blocks(self, frame: pl.DataFrame) -> dict:
        """The national export's annual income blocks, one per household and basis."""
        from dixian.registry.income import months_before

        household_ids = _ids(Household, "code", frame["household_code"].unique().to_list())
        fields = [f.name for f in IncomeBlock._meta.concrete_fields
                  if f.name not in ("id", "household", "basis", "source", "source_ref",
                                    "created_by", "created_at", "updated_at")]
        existing = {(row["household_id"], row["basis"]): row for row in
                    IncomeBlock.objects.filter(household_id__in=list(household_ids.values()))
                    .values()}
        new, n_changed = [], 0
        for row in frame.unique(["household_code", "basis"], keep="first").iter_rows(named=True):
            household_id = household_ids[row["household_code"]]
            month = row.get("reference_month")
            window = months_before(month) if month else None
            values = {name: row.get(name) for name in fields if name in row}
            values.update(reference_month=month or "",
                          first_month=window[0] if window else "",
                          last_month=window[-1] if window else "")
            current = existing.get((household_id, row["basis"]))
            if current is None:
                new.append(IncomeBlock(household_id=household_id, basis=row["basis"],
                                       source=self.source, source_ref=self.source_ref,
                                       created_by_id=self.actor_id, **values))
            else:
                n_changed += self._update(IncomeBlock, current, values, "income_block",
                                          f"{row['basis']}", household_id)
        IncomeBlock.objects.bulk_create(new, batch_size=2000)
        return {"income_blocks_new": len(new), "income_blocks_changed": n_changed}

    def national_measures(self, frame: pl.DataFrame) -> dict:
        """The national export's measure columns: a plan measure per item, marked as from
        the national system; an item already recorded is not recorded again."""
        import datetime as dt

        from dixian.assistance.models import Measure, Origin, Status
        from dixian.registry.bridge import CATEGORIES, INSTRUMENTS

        departments = {c.code: c.departments[0] for c in CATEGORIES}
        instrument_of = {(i.category, i.zh): i.code for i in INSTRUMENTS}
        households = {h.code: h for h in _in_chunks_objects(
            Household, "code", frame["household_code"].unique().to_list())}
        existing = set(Measure.objects.filter(
            household__in=list(households.values()), origin=Origin.NATIONAL)
            .values_list("household__code", "category", "national_text"))
        new = []
        for row in frame.iter_rows(named=True):
            key = (row["household_code"], row["category"], row["text"])
            household = households[row["household_code"]]
            if key in existing:
                continue  # recorded already (by this file, or an earlier export)
            existing.add(key)
            month = household.identified_month or (
                f"{household.year_lifted}-12" if household.year_lifted else "")
            on = (dt.date(int(month[:4]), int(month[5:7]), 1) if month
                  else self.now.date())
            new.append(Measure(
                household=household, village_code=household.village_id,
                category=row["category"], department=departments.get(row["category"], ""),
                instrument=instrument_of.get((row["category"], row["text"]), ""),
                status=Status.IMPLEMENTED, planned_on=on, due_on=on, implemented_on=on,
                origin=Origin.NATIONAL, national_text=row["text"],
                created_by_id=self.actor_id))
        Measure.objects.bulk_create(new, batch_size=2000)
        return {"measures_new": len(new)}

    def _upsert(self, model, key: str, values: pl.DataFrame, object_type: str,
                household_of) -> tuple[int, int]:
        """Insert the rows whose key is new; compare the others field by field."""
        existing = _existing(model, key, values[key].to_list())
        is_new = ~values[key].is_in(list(existing))
        _insert(model, values.filter(is_new), self._stamp())
        n_changed = 0
        for row in values.filter(~is_new).iter_rows(named=True):
            current = existing[row[key]]
            changes = {k: v for k, v in row.items() if k != key}
            n_changed += self._update(model, current, changes, object_type, row[key],
                                      household_of(row, current))
        return int(is_new.sum()), n_changed

    def _stamp(self) -> dict:
        return {"source": self.source, "source_ref": self.source_ref,
                "created_by_id": self.actor_id, "created_at": self.now, "updated_at": self.now}

    def _update(self, model, current: dict, values: dict, object_type: str, key: str,
                household_id: int) -> int:
        """Write only what differs; record each changed field's old and new value."""
        changed = {}
        for column, value in values.items():
            if column.endswith(("_enc", "_masked")):
                continue  # compared through the token
            if column.endswith("_token"):
                prefix = column.removesuffix("_token")
                if current[column] != value:
                    for suffix in ("_enc", "_token", "_masked"):
                        changed[prefix + suffix] = values[prefix + suffix]
                    self.changes.append((household_id, object_type, key, prefix,
                                         current[f"{prefix}_masked"], values[f"{prefix}_masked"]))
                continue
            old = current[column]
            if _differs(old, value):
                changed[column] = value
                self.changes.append((household_id, object_type, key, column,
                                     _jsonable(old), _jsonable(value)))
        if changed:
            changed["updated_at"] = self.now
            model.objects.filter(pk=current["id"]).update(**changed)
        return 1 if changed else 0

    def flush_changes(self) -> None:
        # Village reports have no household: their changes are in the batch's audit row.
        rows = [{"household_id": h, "object_type": t, "object_key": k, "field": f,
                 "old_value": o, "new_value": n, "source": self.source,
                 "source_ref": self.source_ref, "actor_id": self.actor_id, "time": self.now}
                for h, t, k, f, o, n in self.changes if h is not None]
        FieldChange.objects.bulk_create([FieldChange(**row) for row in rows], batch_size=2000)
        self.changes.clear()


def _model_frame(frame: pl.DataFrame, present: list[str], model) -> pl.DataFrame:
    """The file's columns as the model's columns, computed column by column: protected
    values become ciphertext, token and mask; nulls in NOT NULL fields take the default."""
    columns = {}
    for name in present:
        series = frame[name]
        if name in PROTECTED:
            prefix = PROTECTED[name]
            protect = (lambda v: pii.protect_id(v, _token)) if name == "resident_id" else (
                lambda v, p=prefix: pii.protect_phone(v, p))
            protected = [protect(v) for v in series.to_list()]
            columns[f"{prefix}_enc"] = [p.enc if p else "" for p in protected]
            columns[f"{prefix}_token"] = [p.token if p else "" for p in protected]
            columns[f"{prefix}_masked"] = [p.masked if p else "" for p in protected]
        elif name == "village_code":
            columns["village_id"] = series
        elif name == "risk_types":
            columns[name] = pl.Series(name, [[v for v in (x or []) if v] for x in
                                             series.to_list()], dtype=pl.List(pl.String))
        else:
            field = model._meta.get_field(name)
            if not field.null and series.null_count():
                series = series.fill_null(field.get_default())
            columns[name] = series
    return pl.DataFrame(columns) if columns else pl.DataFrame()


def _differs(old, new) -> bool:
    if old is None or new is None:
        return (old is None) != (new is None) and not (old in ("", None) and new in ("", None))
    if isinstance(old, float) or isinstance(new, float):
        return abs(float(old) - float(new)) > 1e-6
    return old != new


def _jsonable(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _in_chunks(model, key: str, keys: list):
    """Querysets over ``keys`` in chunks (PostgreSQL: one array parameter per chunk)."""
    size = 100_000 if connection.vendor == "postgresql" else CHUNK
    for start in range(0, len(keys), size):
        chunk = keys[start:start + size]
        if connection.vendor == "postgresql":
            yield model.objects.extra(where=[f"{model._meta.get_field(key).column} = ANY(%s)"],
                                      params=[chunk])
        else:
            yield model.objects.filter(**{f"{key}__in": chunk})


def _in_chunks_objects(model, key: str, keys: list):
    for queryset in _in_chunks(model, key, keys):
        yield from queryset


def _keep_member_numbers(members: pl.DataFrame) -> pl.DataFrame:
    """The national export has no member number: a person already registered in the same
    household (same ID number, or same name and birth date) keeps theirs; a new person takes
    the next free number of the household."""
    codes = members["household_code"].drop_nulls().unique().to_list()
    registered: dict[str, list[tuple]] = defaultdict(list)
    for start in range(0, len(codes), CHUNK):
        queryset = Member.objects.filter(household__code__in=codes[start:start + CHUNK])
        for row in queryset.values_list("household__code", "member_id", "resident_id_token",
                                        "name", "birth_date"):
            registered[row[0]].append(row[1:])
    if not registered:
        return members
    numbers = []
    taken: dict[str, set[str]] = defaultdict(set)
    rows = members.select("household_code", "member_id", "resident_id", "name",
                          "birth_date" if "birth_date" in members.columns else pl.lit(None)
                          .alias("birth_date")).rows()
    for code, _mid, resident_id, name, birth in rows:
        token = _token(resident_id) if resident_id else None
        hit = None
        for mid, their_token, their_name, their_birth in registered.get(code, ()):
            if mid in taken[code]:
                continue
            if (token and their_token == token) or (
                    name == their_name and birth is not None and birth == their_birth):
                hit = mid
                break
        numbers.append(hit)
        if hit:
            taken[code].add(hit)
    result = []
    for (code, mid, *_rest), hit in zip(rows, numbers, strict=True):
        if hit is None and code in registered:
            used = {m for m, *_r in registered[code]} | taken[code]
            n = 1
            while f"{code}-{n:02d}" in used:
                n += 1
            hit = f"{code}-{n:02d}"
            taken[code].add(hit)
        result.append(hit or mid)
    return members.with_columns(pl.Series("member_id", result, dtype=pl.String))


def _existing(model, key: str, keys: list[str]) -> dict[str, dict]:
    found = {}
    for queryset in _in_chunks(model, key, keys):
        for row in queryset.values():
            found[row[key]] = row
    return found


def _ids(model, key: str, keys: list[str]) -> dict[str, int]:
    found = {}
    for queryset in _in_chunks(model, key, keys):
        found.update(queryset.values_list(key, "id"))
    return found


def _insert(model, frame: pl.DataFrame, stamp: dict) -> None:
    """Insert many rows fast: COPY on PostgreSQL, executemany elsewhere. Columns the frame
    lacks take the model field's default."""
    if frame.is_empty():
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    values = {**{f.attname: f.get_default() for f in fields}, **stamp}
    columns = []
    for f in fields:
        if f.attname in frame.columns:
            series = frame[f.attname]
            if f.get_internal_type() == "JSONField":
                series = pl.Series([_db_json(v) for v in series.to_list()], dtype=pl.String)
            columns.append(series.alias(f.attname))
        elif f.get_internal_type() == "JSONField":
            columns.append(pl.repeat(_db_json(values[f.attname]), frame.height, eager=True,
                                     dtype=pl.String).alias(f.attname))
        else:
            columns.append(pl.repeat(values[f.attname], frame.height, eager=True,
                                     dtype=_polars_type(values[f.attname])).alias(f.attname))
    table_frame = pl.DataFrame(columns)
    names = ", ".join(f.column for f in fields)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One CSV stream written by Polars: an order of magnitude faster than row by row.
            data = table_frame.write_csv(null_value=r"\N", include_header=False,
                                         datetime_format="%Y-%m-%dT%H:%M:%S%.f%z")
            sql = f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            with cursor.cursor.copy(sql) as copy:
                copy.write(data.encode("utf-8"))
        else:
            rows = table_frame.iter_rows()
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
            while batch := list(itertools.islice(rows, CHUNK)):
                cursor.executemany(sql, batch)


def _polars_type(value):
    if isinstance(value, bool):
        return pl.Boolean
    if isinstance(value, int):
        return pl.Int64
    if isinstance(value, float):
        return pl.Float64
    if hasattr(value, "tzinfo"):
        return pl.Datetime("us", "UTC")
    if value is None:
        return pl.Null
    if isinstance(value, list | dict):
        return pl.String
    return pl.String


def _db_json(value):
    return json.dumps(value if value is not None else [], ensure_ascii=False)


# ---------------------------------------------------------------- the batch record
def _record(file_name, checksum, scope_code, file_layout, data, actor, status, counts, problems,
            error_rows=None, blocking=None) -> Outcome:
    batch = ImportBatch(file_name=file_name[:255], checksum=checksum, layout=file_layout,
                        scope_code=scope_code, status=status, counts=counts,
                        problems=[p.as_dict() for p in problems[:5000]],
                        actor=actor if getattr(actor, "is_authenticated", False) else None)
    batch.original.save(f"{checksum[:16]}-{file_name[-80:]}", ContentFile(data), save=False)
    if error_rows:
        by_row = defaultdict(list)
        for p in blocking or []:
            by_row[(p.sheet, p.row)].append(f"{p.column}: {p.rule} {p.message}")
        for row in error_rows:
            row["problems"] = "; ".join(by_row.get((row.get("_sheet"), int(row.get("_row") or 0)),
                                                   []))
        batch.error_file.save(f"{checksum[:16]}-rejected.csv",
                              ContentFile(reading.write_rows_csv(error_rows)), save=False)
    batch.counts = {**counts, "problems": len(problems)}
    with transaction.atomic():
        batch.save()
        region = RegionScope.from_stored(scope_code).audit_region()
        audit.record("registry.import", actor=actor, obj=batch, region_code=region,
                     after={"file": file_name, "status": status, **batch.counts})
    return Outcome(batch, problems)
