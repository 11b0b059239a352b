"""A county's own ledger as a file: what Dixian holds beyond the registry, so that a full
export (the registry's workbook plus this file) re-imports into a fresh installation with
nothing lost (issue 12: going live, and moving between installations).

The file is a zip: ``manifest.json`` (format, region, counts, the users named in the ledger
with their role and region) and one JSON-lines file per table of :data:`TABLES`: monthly
incomes, the national system's annual income blocks, cases with their events and clues,
monitoring spells, visits and assistance measures. References between rows are written as
what identifies them in any installation: a household by its code, a member by its number,
a user by name, a region by its code, a ledger row by its number in the file.

Import is all or nothing, in one transaction, and re-sending is harmless: a row whose
natural key (:data:`TABLES`) is already present is matched, not duplicated. A problem names
the file, the table, the row, the column, the value and the rule, and nothing is applied.
Users named in the ledger but absent from the installation are created inactive, with the
role and region they had, so that every event keeps its actor.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction

FORMAT = "dixian-ledger/1"


@dataclass(frozen=True)
class Table:
    name: str
    model: str                 # app_label.Model
    scope: str                 # lookup of the village code, for the export's region filter
    key: tuple[str, ...]       # natural key: a row with these values is the same row


TABLES: tuple[Table, ...] = (
    Table("incomes", "registry.Income", "household__village__code", ("household", "period")),
    Table("income_blocks", "registry.IncomeBlock", "household__village__code",
          ("household", "basis", "reference_month")),
    Table("cases", "cases.Case", "village_code", ("household", "kind", "opened_at")),
    Table("case_events", "cases.CaseEvent", "case__village_code", ("case", "action", "time")),
    Table("clues", "cases.Clue", "case__village_code",
          ("case", "channel", "risk_type", "received_at")),
    Table("spells", "cases.MonitoringSpell", "village_code", ("household", "started_on")),
    Table("visits", "cases.MonitoringVisit", "village_code", ("household", "month")),
    Table("measures", "assistance.Measure", "village_code",
          ("household", "risk_type", "category", "instrument", "planned_on")),
)
#: what a reference to these models is written as
NATURAL = {"registry.Household": "code", "registry.Member": "member_id",
           "core.User": "username", "core.Region": "code"}
#: fields kept by the installation itself, not carried
SKIPPED = {"id", "created_at", "updated_at", "recorded_at"}


class LedgerFileError(ValueError):
    """A ledger file that cannot be applied; the message names where and why."""


def _label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in SKIPPED]


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def export_ledger(region: str) -> bytes:
    """The ledger of ``region`` (a division code) as a zip."""
    ledger_models = {t.model for t in TABLES}
    out = io.BytesIO()
    users: dict[str, dict] = {}
    counts: dict[str, int] = {}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            model = apps.get_model(table.model)
            fields = _fields(model)
            lines = []
            rows = (model.objects.filter(**{f"{table.scope}__startswith": region})
                    .select_related(*[f.name for f in fields if f.is_relation])
                    .order_by("pk"))
            for obj in rows.iterator(chunk_size=2000):
                row: dict[str, Any] = {"ref": obj.pk}
                for f in fields:
                    if f.is_relation:
                        target = getattr(obj, f.name)
                        related = _label(f.related_model)
                        if target is None:
                            row[f.name] = None
                        elif related in NATURAL:
                            row[f.name] = getattr(target, NATURAL[related])
                            if related == "core.User":
                                users[target.username] = {
                                    "role": target.role, "region": target.region_id or ""}
                        elif related in ledger_models:
                            row[f.name] = target.pk
                        else:
                            raise LedgerFileError(f"{table.name}.{f.name}: no way to write a "
                                                  f"reference to {related}")
                    else:
                        row[f.name] = _plain(f.value_from_object(obj))
                lines.append(json.dumps(row, ensure_ascii=False, sort_keys=True))
            counts[table.name] = len(lines)
            archive.writestr(f"{table.name}.jsonl", "\n".join(lines))
        archive.writestr("manifest.json", json.dumps(
            {"format": FORMAT, "region": region, "counts": counts, "users": users},
            ensure_ascii=False, indent=1, sort_keys=True))
    return out.getvalue()


@dataclass
class Outcome:
    created: dict[str, int] = field(default_factory=dict)
    matched: dict[str, int] = field(default_factory=dict)
    users_created: list[str] = field(default_factory=list)


def _read(data: bytes, name: str) -> tuple[dict, dict[str, list[dict]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(archive.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise LedgerFileError(f"{name}: not a Dixian ledger file ({error})") from None
    if manifest.get("format") != FORMAT:
        raise LedgerFileError(f"{name}: format {manifest.get('format')!r}, expected {FORMAT}")
    tables = {}
    for table in TABLES:
        try:
            text = archive.read(f"{table.name}.jsonl").decode("utf-8")
        except KeyError:
            raise LedgerFileError(f"{name}: {table.name}.jsonl is missing") from None
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            try:
                rows.append(json.loads(line))
            except ValueError:
                raise LedgerFileError(f"{name}: {table.name}.jsonl row {number}: not JSON") \
                    from None
        tables[table.name] = rows
    return manifest, tables


def import_ledger(data: bytes, name: str, *, actor=None) -> Outcome:
    """Apply a ledger file whole, or raise :class:`LedgerFileError` and apply nothing."""
    from dixian.core import audit
    from dixian.core.models import Region, User

    manifest, tables = _read(data, name)
    outcome = Outcome()
    new_pk: dict[str, dict[int, int]] = {}
    with transaction.atomic():
        _drop_backfilled(tables)
        for table in TABLES:
            model = apps.get_model(table.model)
            fields = {f.name: f for f in _fields(model)}
            new_pk[table.model] = mapping = {}
            for number, row in enumerate(tables[table.name], start=1):
                where = f"{name}: {table.name}.jsonl row {number}"
                values: dict[str, Any] = {}
                for column, value in row.items():
                    if column == "ref":
                        continue
                    f = fields.get(column)
                    if f is None:
                        raise LedgerFileError(f"{where}, column {column}: not a field of "
                                              f"{table.model}")
                    if f.is_relation and value is not None:
                        related = _label(f.related_model)
                        if related in NATURAL:
                            if related == "core.User":
                                values[column] = _user(value, manifest, outcome, User, Region)
                                continue
                            target = f.related_model.objects.filter(
                                **{NATURAL[related]: value}).first()
                            if target is None:
                                raise LedgerFileError(
                                    f"{where}, column {column}, value {value!r}: no such "
                                    f"{related} here (import the registry first)")
                            values[column] = target
                        else:
                            target_pk = new_pk.get(related, {}).get(value)
                            if target_pk is None:
                                raise LedgerFileError(
                                    f"{where}, column {column}, value {value!r}: refers to a "
                                    f"row the file does not hold")
                            values[f"{column}_id"] = target_pk
                    else:
                        try:
                            values[column] = f.to_python(value)
                        except Exception as error:  # noqa: BLE001 - any field error is the file's
                            raise LedgerFileError(f"{where}, column {column}, value {value!r}: "
                                                  f"{error}") from None
                key = {k if k in values else f"{k}_id": values.get(k, values.get(f"{k}_id"))
                       for k in table.key}
                existing = model.objects.filter(**key).first()
                if existing is not None:
                    obj = existing
                    outcome.matched[table.name] = outcome.matched.get(table.name, 0) + 1
                else:
                    obj = model(**values)
                    obj.save()
                    outcome.created[table.name] = outcome.created.get(table.name, 0) + 1
                mapping[row["ref"]] = obj.pk
        audit.record("registry.import_ledger", actor=actor, object_type="registry.region",
                     object_id=manifest.get("region", ""),
                     region_code=manifest.get("region", ""),
                     after={"file": name, "created": outcome.created,
                            "matched": outcome.matched, "users_created": outcome.users_created})
    return outcome


def _drop_backfilled(tables: dict[str, list[dict]]) -> None:
    """A registry import makes a spell (with an imported, closed case) for every household the
    export marks monitored, knowing only months. The ledger holds the real ones: for the
    households whose spells it carries, those stand-ins give way."""
    Case, MonitoringSpell = apps.get_model("cases.Case"), apps.get_model("cases.MonitoringSpell")
    codes = {row["household"] for row in tables["spells"]}
    if not codes:
        return
    stand_ins = MonitoringSpell.objects.filter(household__code__in=codes,
                                               identification_case__imported=True)
    cases = set(stand_ins.values_list("identification_case_id", flat=True)) | set(
        stand_ins.exclude(elimination_case=None).values_list("elimination_case_id", flat=True))
    stand_ins.delete()
    Case.objects.filter(pk__in=cases, imported=True, events__isnull=True).delete()


def _user(username: str, manifest: dict, outcome: Outcome, User, Region):
    user = User.objects.filter(username=username).first()
    if user is None:
        known = manifest.get("users", {}).get(username, {})
        region = Region.objects.filter(code=known.get("region", "")).first()
        user = User.objects.create(username=username, role=known.get("role", ""),
                                   region=region, is_active=False)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        outcome.users_created.append(username)
    return user
