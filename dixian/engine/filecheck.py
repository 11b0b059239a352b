"""Structural checks every uploaded table file passes before a parser sees it.

Shared by the registry import (:mod:`dixian.registry.reading`) and the departmental feeds
(:mod:`dixian.engine.feeds.validate`): decoding (UTF-8 with or without BOM, UTF-16 with a BOM,
GBK/GB18030 as Chinese Excel writes it), the archive inside an ``.xlsx`` (a zip bomb is refused
from the sizes the archive declares, before anything is decompressed; Python's ``zipfile``
stops at the declared size, so the declaration cannot lie), and a CSV's shape (too many
columns, a row longer than the header, an unclosed quote, a huge cell, too many rows).

Each check raises :class:`FileProblem`, which names the row, the column, the value and the
rule; the caller adds the file name and turns it into its own problem type. No Django here.

>>> decode_text("户编号\\n1".encode("gbk"))
'户编号\\n1'
>>> try:
...     scan_csv("a,b\\n1,2\\n1,2,3\\n")
... except FileProblem as p:
...     print(p.rule, p.row, p.value)
ragged_row 3 3 fields
"""

from __future__ import annotations

import csv
import io
import zipfile

#: Limits of one uploaded table file. A national registry export for a county has about 100
#: columns and well under a million member rows; a departmental feed fewer of both.
LIMITS = {
    "max_columns": 512,
    "max_rows": 2_000_000,
    "max_cell_chars": 10_000,
    # the unpacked size of all the parts of an .xlsx, and the unpacked/packed ratio of one
    # part (text XML packs about 10:1; a zip bomb 1000:1 and more)
    "max_xlsx_unpacked_bytes": 1 << 30,
    "max_xlsx_ratio": 200,
    "max_xlsx_parts": 2_000,
}


class FileProblem(Exception):
    """One structural problem: ``rule`` is a short name, ``row`` as a spreadsheet counts
    (the header is row 1; 0 for the whole file)."""

    def __init__(self, rule: str, message: str, *, row: int = 0, column: str = "",
                 value: str = ""):
        super().__init__(message)
        self.rule, self.message, self.row, self.column, self.value = (
            rule, message, row, column, value)


def decode_text(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 with a BOM, else GB18030
    (a superset of GBK, what Chinese Excel writes); anything else is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise FileProblem("encoding", "the file is not text in UTF-8, GBK or GB18030",
                          value=data[:16].hex())
    if "\x00" in text:
        row = text[:text.index("\x00")].count("\n") + 1
        raise FileProblem("control_character", "the file contains a NUL character "
                          "(a binary file, or saved as UTF-16 without a BOM)", row=row,
                          value="\\x00")
    return text


def csv_header(text: str) -> list[str]:
    """The first record of a CSV, refused when empty or wider than ``max_columns``; cheap
    enough to run before every parse."""
    first = text[:text.find("\n") + 1 or len(text)]
    while first.count('"') % 2 and len(first) < len(text):  # a header cell with a newline
        end = text.find("\n", len(first))
        first = text[:end + 1 if end >= 0 else len(text)]
    header = scan_csv(first)
    return header


def scan_csv(text: str, *, short_rows: bool = True) -> list[str]:
    """Check a CSV's shape and return its header. Parsers are fast and say little; this
    names the row of the first structural problem (run it when a parser fails)."""
    limit = LIMITS["max_cell_chars"]
    csv.field_size_limit(limit + 1)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    width = None
    header: list[str] = []
    records = 0
    try:
        for fields in reader:
            if width is None:
                if not any(f.strip() for f in fields):
                    continue  # blank lines before the header
                header, width = fields, len(fields)
                if width > LIMITS["max_columns"]:
                    raise FileProblem("too_many_columns",
                                      f"the header has {width} columns; at most "
                                      f"{LIMITS['max_columns']} are read", row=1,
                                      value=f"{width} columns")
                continue
            if not any(fields):
                continue
            records += 1
            if len(fields) > width or (not short_rows and len(fields) < width):
                raise FileProblem("ragged_row",
                                  f"the row has {len(fields)} fields but the header {width}",
                                  row=reader.line_num, value=f"{len(fields)} fields")
            if records > LIMITS["max_rows"]:
                raise FileProblem("too_many_rows",
                                  f"more than {LIMITS['max_rows']} rows in one file: split it",
                                  row=reader.line_num)
    except csv.Error as exc:
        text_of = str(exc)
        if "field larger than field limit" in text_of:
            raise FileProblem("cell_too_large", f"a cell longer than {limit} characters",
                              row=reader.line_num + 1, value=f"> {limit} characters") from None
        raise FileProblem("csv_syntax", f"the CSV cannot be parsed: {text_of}",
                          row=reader.line_num + 1) from None
    finally:
        csv.field_size_limit(131072)
    if width is None:
        raise FileProblem("empty", "the file is empty (not even a header row)")
    return header


def check_xlsx(data: bytes) -> None:
    """Refuse an ``.xlsx`` that is not a zip archive or would unpack too large."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileProblem("not_xlsx", "the file is not an Excel workbook (.xlsx)",
                          value=data[:8].hex()) from None
    _check_archive(archive)
    if "xl/workbook.xml" not in archive.namelist():
        raise FileProblem("not_xlsx", "the archive holds no Excel workbook (xl/workbook.xml)")


def _check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse a zip archive with too many parts or that would unpack too large (a zip
    bomb), from the sizes it declares, before anything is decompressed."""
    parts = archive.infolist()
    if len(parts) > LIMITS["max_xlsx_parts"]:
        raise FileProblem("archive_too_large", f"the workbook has {len(parts)} parts",
                          value=f"{len(parts)} parts")
    total = sum(p.file_size for p in parts)
    if total > LIMITS["max_xlsx_unpacked_bytes"]:
        raise FileProblem("archive_too_large",
                          f"the workbook would unpack to {total} bytes "
                          f"(at most {LIMITS['max_xlsx_unpacked_bytes']})",
                          value=f"{total} bytes")
    for p in parts:
        if p.file_size > 1 << 20 and p.file_size > LIMITS["max_xlsx_ratio"] * max(
                p.compress_size, 1):
            raise FileProblem("archive_too_large",
                              f"the part {p.filename} packs {p.file_size} bytes into "
                              f"{p.compress_size}: refused as a zip bomb",
                              column=p.filename, value=f"{p.file_size} bytes")


#: The kinds of document a project's file may hold, recognised by their content (never by
#: the name's extension alone): kind → (content type, the extensions its name may have).
DOCUMENT_KINDS = {
    "pdf": ("application/pdf", (".pdf",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
    "png": ("image/png", (".png",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             (".docx",)),
    "ofd": ("application/ofd", (".ofd",)),
}
#: zip-based kinds: the part an archive of that kind always holds
_ARCHIVE_MARKERS = (("xl/workbook.xml", "xlsx"), ("word/document.xml", "docx"),
                    ("OFD.xml", "ofd"))


def document_kind(data: bytes) -> str:
    """The kind of an uploaded document, read from its bytes: a PDF (``%PDF-`` in its first
    kilobyte, as readers accept it), a JPEG or PNG image, an XLSX or DOCX (an Office Open XML
    archive with its workbook or document part) or an OFD (the national layout document: an
    archive with ``OFD.xml``). Anything else raises :class:`FileProblem` (rule
    ``document_type``); an archive that would unpack too large, ``archive_too_large``.

    >>> document_kind(b"%PDF-1.7 ...")
    'pdf'
    >>> try:
    ...     document_kind(b"MZ, a program")
    ... except FileProblem as p:
    ...     print(p.rule)
    document_type
    """
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError, OSError):
            archive = None
        if archive is not None:
            _check_archive(archive)
            names = set(archive.namelist())
            for part, kind in _ARCHIVE_MARKERS:
                if part in names:
                    return kind
    raise FileProblem("document_type", "the content is not a PDF, JPEG, PNG, XLSX, DOCX or "
                      "OFD file", value=data[:8].hex())


def xlsx_rows(sheet, *, first_row: int = 1):
    """The rows of an openpyxl read-only sheet as tuples, trailing empty cells dropped,
    refusing a row wider than ``max_columns`` or more than ``max_rows`` rows."""
    try:
        sheet.reset_dimensions()  # a forged <dimension> must not widen every row
    except AttributeError:
        pass
    for n, values in enumerate(sheet.iter_rows(values_only=True), start=first_row):
        values = tuple(values)
        end = len(values)
        while end and values[end - 1] in (None, ""):
            end -= 1
        if end > LIMITS["max_columns"]:
            raise FileProblem("too_many_columns", f"row {n} has {end} columns; at most "
                              f"{LIMITS['max_columns']} are read", row=n,
                              value=f"{end} columns")
        if n > LIMITS["max_rows"] + 1:
            raise FileProblem("too_many_rows",
                              f"more than {LIMITS['max_rows']} rows in one sheet: split it",
                              row=n)
        yield values[:end]
