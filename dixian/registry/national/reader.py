"""Reading the national export's tables into the registry's tables.

``read_tables(sheets, file, villages)`` takes the sheets of one upload (a workbook, CSV files or
a zip of them: sheet or file name → rows of text) and returns, in the snapshot contract,
``households``, ``members`` and ``villages``, and beside them ``income_blocks`` and
``national_measures``, each row carrying ``_sheet`` and ``_row`` (the row a person sees in
the file, title rows counted).

Persons are keyed on the household and their row, never on the ID number alone: a masked
export (5201**********1234) has colliding IDs, and each row is still one person. The member
number is the household code and the person's place in the household (``-01``, ``-02``…);
:func:`match_registered` keeps the numbers of persons already registered.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

from dixian.registry import layout, reading
from dixian.registry.national import columns as nc
from dixian.registry.reading import Problem

HEADER_KEYS = {"户编号", "总户数", "证件号码"}
EMPTY_MEASURE = {"", "无", "否", "/", "-", "—"}
MEASURE_SPLIT = r"[；;]"
BLOCK_KIND = {"per_capita_net": "float"}
# the area columns' names are names, or NBS codes (6, 9, 12 digits)
CODE = re.compile(r"^\d{6}(\d{3}(\d{3})?)?$")

VillageResolver = Callable[[str | None, str | None, str | None], str | None]


def looks_national(sheets: dict[str, list[list[str]]]) -> bool:
    """The national system's shape: title rows above the header, or a person-level table
    keyed by 户编号 and 证件号码 without Dixian's member number, or areas by name (县/乡/村)."""
    for name, rows in sheets.items():
        index = header_row(rows)
        if index is None:
            continue
        headers = {h.strip() for h in rows[index]}
        if index > 0:
            return True
        if "成员编号" in headers or "member_id" in headers:
            continue
        if {"户编号", "证件号码"} <= headers or headers & {"村", "乡", "县"}:
            return True
        if nc.table_of(name, list(headers)) in ("objects", "villages") and "总户数" in headers \
                and "村" in headers:
            return True
    return False


def header_row(rows: list[list[str]]) -> int | None:
    for index, row in enumerate(rows[:6]):
        if HEADER_KEYS & {c.strip() for c in row}:
            return index
    return None


def read_tables(sheets: dict[str, list[list[str]]], file: str, resolve: VillageResolver
                ) -> reading.ReadResult:
    result = reading.ReadResult(file, "national")
    result.headers = {}  # column key → the header as the file wrote it (for messages)
    frames: dict[str, list[pl.DataFrame]] = {t: [] for t in nc.TABLES}
    for sheet, rows in sheets.items():
        index = header_row(rows)
        if index is None:
            if any(c.strip() for r in rows for c in r):
                result.problems.append(Problem(
                    file, sheet, 1, "", "", "file.sheet",
                    "no header row with 户编号, 证件号码 or 总户数 in the first six rows"))
            continue
        headers = [h.strip() for h in rows[index]]
        table = nc.table_of(sheet, headers)
        if table is None:
            result.problems.append(Problem(file, sheet, index + 1, "", ",".join(headers[:5]),
                                           "file.sheet", "not one of the national tables"))
            continue
        frame = _frame(result, sheet, table, headers, rows[index + 1:], first_row=index + 2)
        if frame is not None:
            frames[table].append(frame)
    joined = {t: pl.concat(f, how="diagonal_relaxed") if f else None for t, f in frames.items()}
    _persons(result, joined, resolve)
    if joined["villages"] is not None:
        _villages(result, joined["villages"], resolve)
    if not result.tables and not result.problems:
        result.problems.append(Problem(file, "", 0, "", "", "file.empty",
                                       "the file holds no rows"))
    return result


# ---------------------------------------------------------------- one sheet as text columns
def _frame(result, sheet, table, headers, body, first_row) -> pl.DataFrame | None:
    index = nc.header_index(table)
    keep: dict[int, nc.Col] = {}
    seen: set[str] = set()
    for i, header in enumerate(headers):
        col = index.get(header)
        if col is None:
            continue
        key = f"{col.part}:{col.field}"
        if key in seen:
            result.problems.append(Problem(result.file, sheet, first_row - 1, header, header,
                                           "file.duplicate_column",
                                           f"column {header!r} appears twice"))
            continue
        seen.add(key)
        keep[i] = col
    width = len(headers)
    rows, numbers = [], []
    for n, row in enumerate(body):
        if any(c.strip() for c in row):
            rows.append((row + [""] * width)[:width])
            numbers.append(first_row + n)
    if not rows:
        return None
    data = {f"{col.part}:{col.field}": [r[i].strip() for r in rows] for i, col in keep.items()}
    data["_sheet"] = [sheet] * len(rows)
    data["_row"] = numbers
    data["_table"] = [table] * len(rows)
    headers_of = {f"{col.part}:{col.field}": headers[i] for i, col in keep.items()}
    frame = pl.DataFrame(data, schema={**{k: pl.String for k in data if not k.startswith("_")},
                                       "_sheet": pl.String, "_row": pl.Int64,
                                       "_table": pl.String})
    for key, header in headers_of.items():
        result.headers.setdefault(key, header)
    return frame.with_columns([pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c))
                               .alias(c) for c in frame.columns if not c.startswith("_")])


# ---------------------------------------------------------------- persons and households
def _persons(result, tables, resolve) -> None:
    person_tables = [tables[t] for t in ("objects", "households") if tables[t] is not None]
    updates = [tables[t] for t in ("migrant", "planned") if tables[t] is not None]
    if not person_tables:
        if updates:
            _member_updates(result, updates)
        return
    persons = pl.concat(person_tables, how="diagonal_relaxed")
    persons = _with_village(result, persons, resolve)
    # One person per (household, ID as written, name, occurrence): a row of 户信息 joins the
    # same person's row of 监测对象信息; two rows with one masked ID stay two persons.
    persons = persons.with_columns(
        pl.col("household:household_code").alias("_household"),
        pl.concat_str([pl.col("household:household_code").fill_null(""),
                       pl.col("member:resident_id").fill_null("") if "member:resident_id"
                       in persons.columns else pl.lit(""),
                       pl.col("member:name").fill_null("") if "member:name" in persons.columns
                       else pl.lit("")], separator="|").alias("_person"))
    persons = persons.with_columns(
        pl.int_range(pl.len()).over(["_table", "_person"]).alias("_occurrence"))
    persons = persons.with_columns(
        (pl.col("_person") + "#" + pl.col("_occurrence").cast(pl.String)).alias("_person"))
    primary = persons.filter(pl.col("_table") == "objects")
    if primary.is_empty():
        primary = persons.filter(pl.col("_table") == "households")
    secondary = persons.filter(pl.col("_table") != primary["_table"][0])
    # Member numbers: the household's persons in the order of its rows.
    primary = primary.with_columns(
        (pl.col("_household") + "-" + (pl.int_range(pl.len()).over("_household") + 1)
         .cast(pl.String).str.zfill(2)).alias("_member_id"))
    extra = secondary.join(primary.select("_person"), on="_person", how="anti")
    if not extra.is_empty():  # persons only in 户信息: numbered after the others
        offset = primary.group_by("_household").agg(pl.len().alias("_n"))
        extra = extra.join(offset, on="_household", how="left").with_columns(
            (pl.col("_household") + "-" + (pl.int_range(pl.len()).over("_household") + 1
                                           + pl.col("_n").fill_null(0))
             .cast(pl.String).str.zfill(2)).alias("_member_id")).drop("_n")
    else:
        extra = extra.with_columns(pl.lit(None, pl.String).alias("_member_id"))
    ids = pl.concat([primary.select("_person", "_member_id"),
                     extra.select("_person", "_member_id")])
    rows = pl.concat([primary, secondary.join(ids, on="_person", how="left")],
                     how="diagonal_relaxed")
    rows = _risks(result, rows)
    # household fields: the primary table's, and the other's where the primary lacks a column
    households = _typed(result, rows.filter(pl.col("_table") == primary["_table"][0]),
                        "household")
    if not secondary.is_empty():
        more = _typed(result, rows.filter(pl.col("_table") != primary["_table"][0]),
                      "household")
        missing = [c for c in more.columns if c not in households.columns]
        if missing:
            first = more.unique("household_code", keep="first", maintain_order=True)
            households = households.join(first.select("household_code", *missing),
                                         on="household_code", how="left")
        only = more.join(households.select("household_code").unique(), on="household_code",
                         how="anti")
        households = pl.concat([households, only], how="diagonal_relaxed")
    members = _typed(result, rows, "member").with_columns(
        rows["_member_id"].alias("member_id"), rows["_household"].alias("household_code"))
    members = _merge_person_rows(members)
    heads = members.filter(pl.col("relation_to_head") == "head").unique(
        "household_code", keep="first").select("household_code",
                                               pl.col("member_id").alias("head_member_id")) \
        if "relation_to_head" in members.columns else None
    if heads is not None:
        households = households.join(heads, on="household_code", how="left")
    households = households.with_columns(
        pl.col("village_code").str.slice(0, 6).alias("county_code"),
        pl.col("village_code").str.slice(0, 9).alias("township_code"))
    households = _unmask(result, households, ("phone", "monitoring_contact_phone"))
    members = _unmask(result, members, ("resident_id", "phone"))
    if updates:
        members = _apply_updates(result, members, updates)
    result.tables["households"] = households
    result.tables["members"] = members
    _blocks(result, rows.filter(pl.col("_table") == "objects"))
    _measures(result, rows.filter(pl.col("_table") == "objects"))


def _with_village(result, frame: pl.DataFrame, resolve) -> pl.DataFrame:
    """Areas by name (县, 乡, 村) → the village's NBS code, within the importer's region."""
    names = [c for c in ("area:county", "area:township", "area:village") if c in frame.columns]
    if "area:village" not in names:
        for (sheet,) in frame.select("_sheet").unique().iter_rows():
            result.problems.append(Problem(result.file, sheet, 1, "村", "", "file.missing_column",
                                           "the village column (村 or 行政村) is missing"))
        return frame.with_columns(pl.lit(None, pl.String).alias("household:village_code"))
    triples = frame.select(*[pl.col(c) for c in ("area:county", "area:township",
                                                 "area:village") if c in frame.columns]) \
        .unique().iter_rows(named=True)
    codes = {}
    for t in triples:
        key = (t.get("area:county"), t.get("area:township"), t.get("area:village"))
        codes[key] = resolve(*key)
    keys = frame.select(*[pl.col(c) if c in frame.columns else pl.lit(None, pl.String)
                          for c in ("area:county", "area:township", "area:village")]).rows()
    village = [codes.get(k) for k in keys]
    for (sheet, row, name), code in zip(frame.select("_sheet", "_row", "area:village").rows(),
                                        village, strict=True):
        if code is None:
            result.problems.append(Problem(result.file, sheet, row, "村", name or "",
                                           "region.unknown_or_out_of_scope",
                                           "village unknown or outside your region (county, "
                                           "township and village are read by name or code)"))
    return frame.with_columns(pl.Series("household:village_code", village, dtype=pl.String))


def _typed(result, rows: pl.DataFrame, part: str) -> pl.DataFrame:
    """One part's columns (household or member fields), typed as the contract types them;
    each unparseable cell is a problem naming sheet, row, the national header and the rule."""
    table = "households" if part == "household" else "members"
    contract = {c.name: c for c in layout.columns(table)}
    out = [pl.col("_sheet"), pl.col("_row")]
    prefix = f"{part}:"
    renamed = rows.rename({c: c.removeprefix(prefix) for c in rows.columns
                           if c.startswith(prefix) and c.removeprefix(prefix) in contract})
    for name, column in contract.items():
        if name not in renamed.columns or (part == "member" and name == "household_code"):
            continue
        if name == "risk_types":  # read from the five risk columns already
            out.append(pl.col(name))
            continue
        header = result.headers.get(f"{prefix}{name}", column.zh)
        expr, problems = reading._parse(renamed, column, result.file, "", header)
        result.problems.extend(problems)
        out.append(expr.alias(name))
    return renamed.select(out)


def _risks(result, rows: pl.DataFrame) -> pl.DataFrame:
    """致贫/返贫风险1…5 → the household's list of risk codes (on every row)."""
    columns = [f"risk:{i}" for i in range(1, 6) if f"risk:{i}" in rows.columns]
    if not columns:
        return rows
    by_zh = {**nc.RISK_ALIASES, **layout.enum_from_zh("risk_type")}
    codes = set(layout.ENUMS["risk_type"])
    values = []
    for row in rows.select("_sheet", "_row", *columns).iter_rows():
        risks = []
        for i, value in enumerate(row[2:], start=1):
            if value is None:
                continue
            code = value if value in codes else by_zh.get(value)
            if code is None:
                result.problems.append(Problem(result.file, row[0], row[1], f"致贫/返贫风险{i}",
                                               value, "value.enum", f"{value!r}: not a risk "
                                               "type code or label"))
            elif code not in risks:
                risks.append(code)
        values.append(risks)
    return rows.with_columns(pl.Series("household:risk_types", values, dtype=pl.List(pl.String)))


def _unmask(result, frame: pl.DataFrame, names) -> pl.DataFrame:
    """A masked value (5201**********1234) is not an ID: the person is imported without it
    and the row reported (a data-quality finding: the county exports again with IDs)."""
    for name in names:
        if name not in frame.columns:
            continue
        masked = pl.col(name).str.contains("*", literal=True).fill_null(False)
        for sheet, row, value in frame.filter(masked).select("_sheet", "_row", name).iter_rows():
            result.problems.append(Problem(
                result.file, sheet, row, name, value, "value.masked",
                "a masked value is not imported (export from the national system with the "
                "numbers in clear)", "error", "quality"))
        frame = frame.with_columns(pl.when(masked).then(None).otherwise(pl.col(name))
                                   .alias(name))
    return frame


def _merge_person_rows(members: pl.DataFrame) -> pl.DataFrame:
    """A person with a row in both person tables: one member, each field from the first row
    that gives it."""
    value_columns = [c for c in members.columns if not c.startswith("_") and c != "member_id"]
    merged = members.group_by("member_id", maintain_order=True).agg(
        pl.col("_sheet").first(), pl.col("_row").first(),
        *[pl.col(c).drop_nulls().first() if not isinstance(members.schema[c], pl.List)
          else pl.col(c).first() for c in value_columns])
    return merged


def _apply_updates(result, members: pl.DataFrame, updates: list[pl.DataFrame]) -> pl.DataFrame:
    """The migrant-work tables update persons of the same file (matched on household, ID and
    name); a row naming nobody in the file is a problem."""
    for frame in updates:
        frame = frame.with_columns(pl.concat_str(
            [pl.col("household:household_code").fill_null(""),
             pl.col("member:resident_id").fill_null("") if "member:resident_id" in frame.columns
             else pl.lit(""),
             pl.col("member:name").fill_null("") if "member:name" in frame.columns
             else pl.lit("")], separator="|").alias("_person"))
        keys = members.select(
            pl.concat_str([pl.col("household_code").fill_null(""),
                           pl.col("resident_id").fill_null("") if "resident_id" in
                           members.columns else pl.lit(""),
                           pl.col("name").fill_null("")], separator="|").alias("_person"),
            "member_id").unique("_person", keep="first")
        frame = frame.join(keys, on="_person", how="left")
        for sheet, row, pid in frame.filter(pl.col("member_id").is_null()).select(
                "_sheet", "_row", "_person").iter_rows():
            result.problems.append(Problem(result.file, sheet, row, "证件号码",
                                           pid.split("|")[1] if "|" in pid else "",
                                           "registry.unknown_member",
                                           "this person is not in the file's person tables"))
        typed = _typed(result, frame.drop([c for c in frame.columns
                                           if c in ("member:resident_id", "member:name")]),
                       "member").with_columns(frame["member_id"])
        typed = typed.filter(pl.col("member_id").is_not_null())
        given = [c for c in typed.columns if not c.startswith("_") and c != "member_id"]
        if not given:
            continue
        last = typed.unique("member_id", keep="last")
        members = members.join(last.select("member_id", *given), on="member_id", how="left",
                               suffix="_upd")
        members = members.with_columns([
            pl.coalesce(pl.col(f"{c}_upd"), pl.col(c)).alias(c) if c in members.columns
            and f"{c}_upd" in members.columns else pl.col(c) for c in given]
        ).drop([f"{c}_upd" for c in given if f"{c}_upd" in members.columns])
    return members


def _member_updates(result, updates: list[pl.DataFrame]) -> None:
    """Only the migrant-work tables: they update members already registered (by ID number),
    through the importer's update path."""
    frames = []
    for frame in updates:
        typed = _typed(result, frame, "member")
        frames.append(typed.drop("household_code", strict=False))
    result.tables["members"] = pl.concat(frames, how="diagonal_relaxed")


# ---------------------------------------------------------------- income blocks and measures
def _blocks(result, rows: pl.DataFrame) -> None:
    block_columns = [c for c in rows.columns if c.startswith("block:")]
    if rows.is_empty() or not block_columns:
        return
    first = rows.unique("_household", keep="first", maintain_order=True)
    month_kind = layout.Column("m", "m", "month", None, False)
    out = []
    for basis, month_field in (("identification", "household:identified_month"),
                               ("elimination", "household:eliminated_month")):
        items = [c for c in block_columns if c.startswith(f"block:{basis}:")]
        if not items:
            continue
        exprs = [pl.col("_sheet"), pl.col("_row"), pl.col("_household").alias("household_code"),
                 pl.lit(basis).alias("basis")]
        renamed = first.rename({c: c.split(":")[2] for c in items})
        for c in items:
            name = c.split(":")[2]
            kind = "bool" if name in dict(nc.ELIMINATION_FLAGS).values() else \
                BLOCK_KIND.get(name, "float")
            column = layout.Column(name, name, kind, None, False)
            header = result.headers.get(c, c)
            expr, problems = reading._parse(renamed, column, result.file, "", header)
            result.problems.extend(problems)
            if kind == "float" and name != "per_capita_net":
                expr = expr.round(0).cast(pl.Int64)
            exprs.append(expr.alias(name))
        if month_field in renamed.columns:
            month, _p = reading._parse(renamed.rename({month_field: "m"}), month_kind,
                                       result.file, "", "")
            frame = renamed.rename({month_field: "m"}).select(*exprs, month.alias(
                "reference_month"))
        else:
            frame = renamed.select(*exprs, pl.lit(None, pl.String).alias("reference_month"))
        values = [c for c in frame.columns if c not in ("_sheet", "_row", "household_code",
                                                        "basis", "reference_month")]
        frame = frame.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in values]))
        out.append(frame)
    if out:
        result.tables["income_blocks"] = pl.concat(out, how="diagonal_relaxed")


def _measures(result, rows: pl.DataFrame) -> None:
    columns = [c for c in rows.columns if c.startswith("measure:")]
    if rows.is_empty() or not columns:
        return
    first = rows.unique("_household", keep="first", maintain_order=True)
    out = []
    for sheet, row, household, *texts in first.select("_sheet", "_row", "_household",
                                                      *columns).iter_rows():
        for column, text in zip(columns, texts, strict=True):
            if text is None or text.strip() in EMPTY_MEASURE:
                continue
            for part in re.split(MEASURE_SPLIT, text):
                part = part.strip()
                if part and part not in EMPTY_MEASURE:
                    out.append({"_sheet": sheet, "_row": row, "household_code": household,
                                "category": column.split(":", 1)[1], "text": part[:200]})
    if out:
        result.tables["national_measures"] = pl.DataFrame(out, schema={
            "_sheet": pl.String, "_row": pl.Int64, "household_code": pl.String,
            "category": pl.String, "text": pl.String})


# ---------------------------------------------------------------- villages
def _villages(result, frame: pl.DataFrame, resolve) -> None:
    frame = _with_village(result, frame, resolve)
    contract = {c.name: c for c in layout.columns("villages")}
    out = [pl.col("_sheet"), pl.col("_row"), pl.col("household:village_code").alias(
        "village_code")]
    for c in frame.columns:
        if c.startswith("village:"):
            name = c.split(":", 1)[1]
            expr, problems = reading._parse(frame.rename({c: name}), contract[name],
                                            result.file, "", result.headers.get(c, c))
            result.problems.extend(problems)
            out.append(expr.alias(name))
    renamed = frame.rename({c: c.split(":", 1)[1] for c in frame.columns
                            if c.startswith("village:")})
    result.tables["villages"] = renamed.select(out)
