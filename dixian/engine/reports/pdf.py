"""The report as a PDF (reportlab), with a Chinese font embedded.

**Font.** A PDF viewer shows Chinese text only with a font that has the glyphs, so the font
is embedded (as a subset) in every file, never left to the reader's machine. The font is
found by :func:`find_cjk_font`: the ``font_path`` argument, else the ``DIXIAN_CJK_FONT``
environment variable (``path`` or ``path#index`` for a collection), else the first of
:data:`FONT_CANDIDATES` that exists (Debian's ``fonts-wqy-microhei`` first, which
``scripts/ensure-browser`` installs). Nothing found is a :class:`CjkFontNotFoundError` that
says where it looked and how to fix it; a font without some character of the report is a
:class:`MissingGlyphsError` that lists them; nothing is ever drawn as empty boxes (tofu).
reportlab embeds TrueType outlines only: an OpenType/CFF font (Noto Sans CJK's ``.ttc``) is
refused with a :class:`CjkFontError` that says so.

**Layout.** A4, portrait unless a table needs more width than a portrait page has
(``orientation="auto"``). The first page opens with the title, subtitle and a line with the
region, period, issuer and date; every page has a running header (region and title, period)
and a footer "第 n 页 共 m 页". Sections: heading, paragraphs (two-character first-line indent,
Chinese line breaking), then tables: the title above, the header row shaded and repeated
after a page break, numbers right-aligned in the column's format, total rows shaded, the
note below. Columns are as wide as their content and stretched to the text width; when the
content is wider, text columns wrap. The file is reproducible: the same report gives the same
bytes (reportlab's invariant mode; the date shown is the report's ``issued``).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape

from .model import Report, ReportTable

__all__ = [
    "FONT_CANDIDATES",
    "FONT_ENV",
    "CjkFont",
    "CjkFontError",
    "CjkFontNotFoundError",
    "MissingGlyphsError",
    "find_cjk_font",
    "write_pdf",
]

FONT_ENV = "DIXIAN_CJK_FONT"
#: TrueType-outline CJK fonts of Debian packages, in order of preference (path, subfont index)
FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),      # fonts-wqy-microhei
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),        # fonts-wqy-zenhei
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),          # fonts-arphic-uming
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),  # fonts-droid-fallback
)
# characters the layout itself draws besides the report's text
_LAYOUT_TEXT = "第页共地区统计期编制单位生成日期注说明：　0123456789 /·,.%—"


class CjkFontError(RuntimeError):
    """The CJK font cannot be used for the report."""


class CjkFontNotFoundError(CjkFontError, FileNotFoundError):
    """No CJK font file was found (or the one given does not exist)."""


class MissingGlyphsError(CjkFontError):
    """The font lacks characters the report uses (they would render as empty boxes)."""

    def __init__(self, font: str, missing: list[str]):
        self.font = font
        self.missing = missing
        shown = " ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in missing[:20])
        more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
        super().__init__(f"the font {font} has no glyph for {len(missing)} character(s) of the "
                         f"report: {shown}{more}. Use a font that covers them "
                         f"(font_path=... or {FONT_ENV}).")


@dataclass(frozen=True)
class CjkFont:
    """A font file to embed: ``path`` and ``subfont_index`` (the face in a .ttc collection)."""

    path: str
    subfont_index: int = 0


def _parse(spec: str) -> CjkFont:
    path, _, index = spec.partition("#")
    return CjkFont(path, int(index) if index else 0)


def find_cjk_font(font_path: str | os.PathLike | None = None) -> CjkFont:
    """The font to embed: ``font_path``, else ``$DIXIAN_CJK_FONT``, else the first installed
    of :data:`FONT_CANDIDATES`.

    >>> find_cjk_font("/nonexistent/font.ttf")
    Traceback (most recent call last):
    ...
    dixian.engine.reports.pdf.CjkFontNotFoundError: CJK font not found: /nonexistent/font.ttf (from the font_path argument)
    """  # noqa: E501
    if font_path is not None:
        font = _parse(os.fspath(font_path))
        source = "the font_path argument"
    elif os.environ.get(FONT_ENV):
        font = _parse(os.environ[FONT_ENV])
        source = f"${FONT_ENV}"
    else:
        for path, index in FONT_CANDIDATES:
            if os.path.isfile(path):
                return CjkFont(path, index)
        searched = ", ".join(p for p, _ in FONT_CANDIDATES)
        raise CjkFontNotFoundError(
            f"no CJK font found for the PDF report (looked at {searched}). Install Debian's "
            f"fonts-wqy-microhei (scripts/ensure-browser does), set {FONT_ENV}=/path/to/font.ttc, "
            "or pass font_path=...; the report is not rendered without a Chinese font.")
    if not os.path.isfile(font.path):
        raise CjkFontNotFoundError(f"CJK font not found: {font.path} (from {source})")
    return font


def _register(font: CjkFont) -> tuple[str, object]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    digest = hashlib.sha1(f"{os.path.abspath(font.path)}#{font.subfont_index}".encode())
    name = "DixianCJK-" + digest.hexdigest()[:10]
    if name in pdfmetrics.getRegisteredFontNames():
        return name, pdfmetrics.getFont(name)
    try:
        tt = TTFont(name, font.path, subfontIndex=font.subfont_index)
    except TTFError as exc:
        raise CjkFontError(
            f"cannot embed {font.path} (face {font.subfont_index}): {exc}. reportlab embeds "
            "TrueType-outline fonts only (e.g. WenQuanYi Micro Hei), not OpenType/CFF ones "
            "such as Noto Sans CJK") from exc
    pdfmetrics.registerFont(tt)
    from reportlab.lib.fonts import addMapping

    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(name, bold, italic, name)
    return name, tt


def _check_glyphs(report: Report, tt, font: CjkFont) -> None:
    covered = tt.face.charToGlyph
    chars = set(_LAYOUT_TEXT)
    for text in report.texts():
        chars.update(text)
    missing = sorted(ch for ch in chars
                     if not ch.isspace() and ord(ch) >= 32 and ord(ch) not in covered)
    if missing:
        raise MissingGlyphsError(font.path, missing)


def _styles(font: str):
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK",
                          alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=26,
                                alignment=TA_CENTER, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=12, leading=18,
                                   alignment=TA_CENTER, textColor=colors.HexColor("#404040")),
        "meta": ParagraphStyle("meta", parent=base, fontSize=9, leading=13,
                               alignment=TA_CENTER, textColor=colors.HexColor("#595959"),
                               spaceBefore=2),
        "heading": ParagraphStyle("heading", parent=base, fontSize=13.5, leading=20,
                                  textColor=colors.HexColor("#1F3864"), spaceBefore=12,
                                  spaceAfter=6, keepWithNext=1),
        "para": ParagraphStyle("para", parent=base, firstLineIndent=21, spaceAfter=4),
        "caption": ParagraphStyle("caption", parent=base, fontSize=10.5, leading=15,
                                  alignment=TA_CENTER, spaceBefore=8, spaceAfter=4,
                                  keepWithNext=1),
        "note": ParagraphStyle("note", parent=base, fontSize=8.5, leading=12,
                               textColor=colors.HexColor("#595959"), spaceBefore=3),
        "notes": ParagraphStyle("notes", parent=base, fontSize=9.5, leading=14, leftIndent=14,
                                firstLineIndent=-14, spaceAfter=2),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
        "cell_num": ParagraphStyle("cell_num", parent=base, fontSize=9, leading=12,
                                   alignment=TA_RIGHT),
        "cell_head": ParagraphStyle("cell_head", parent=base, fontSize=9, leading=12,
                                    alignment=TA_CENTER),
    }


_PAD = 4.0          # cell padding, points, each side
_MIN_TEXT_COL = 4   # a wrapped text column keeps at least this many CJK characters
_FRAME_PAD = 6.0    # platypus' default frame padding, each side


def _natural_widths(table: ReportTable, font: str, size: float) -> list[tuple[float, float,
                                                                               float]]:
    """Per column, in points: (natural, headers wrapped, narrowest acceptable) widths."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    out = []
    four = stringWidth("国" * _MIN_TEXT_COL, font, size)
    for j, col in enumerate(table.columns):
        cells = [col.display(row[j]) for row in table.rows]
        body = max((stringWidth(c, font, size) for c in cells), default=0.0)
        head = stringWidth(col.header, font, size)
        natural = max(body, head) + 2 * _PAD
        wrapped = max(body, min(head, four)) + 2 * _PAD   # the header on lines of ~4 chars
        low = wrapped if col.numeric else min(wrapped, four + 2 * _PAD)  # text wraps too
        out.append((natural, wrapped, low))
    return out


def _column_widths(table: ReportTable, font: str, avail: float) -> list[float]:
    """Natural widths stretched to ``avail``; when too wide, wrap headers first, then text."""
    cols = _natural_widths(table, font, 9)
    nat = [c[0] for c in cols]
    if sum(nat) <= avail:
        return [w * avail / sum(nat) for w in nat]
    for lo_i in (1, 2):
        hi = [c[lo_i - 1] for c in cols]
        lo = [c[lo_i] for c in cols]
        if sum(lo) <= avail:
            over = sum(hi) - avail
            slack = [h - w for h, w in zip(hi, lo, strict=True)]
            return [h - s * over / sum(slack) for h, s in zip(hi, slack, strict=True)]
    low = [c[2] for c in cols]
    return [w * avail / sum(low) for w in low]       # too wide even so: scale everything


def _table_flowable(table: ReportTable, font: str, st: dict, avail: float):
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    head = [Paragraph(escape(c.header), st["cell_head"]) for c in table.columns]
    body = []
    for row in table.rows:
        body.append([Paragraph(escape(c.display(v)), st["cell_num"] if c.numeric else st["cell"])
                     for c, v in zip(table.columns, row, strict=True)])
    widths = _column_widths(table, font, avail)
    flow = Table([head, *body], colWidths=widths, repeatRows=1, hAlign="CENTER")
    n = len(body)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#A6A6A6")),
        ("LINEBELOW", (0, 0), (-1, 0), 1.0, colors.HexColor("#404040")),
        ("LINEABOVE", (0, 0), (-1, 0), 1.0, colors.HexColor("#404040")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DCE6F1")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if n:
        style.append(("LINEBELOW", (0, n), (-1, n), 1.0, colors.HexColor("#404040")))
    if table.total_rows:
        first = n - table.total_rows + 1
        style += [("BACKGROUND", (0, first), (-1, n), colors.HexColor("#EDEDED")),
                  ("LINEABOVE", (0, first), (-1, first), 0.9, colors.HexColor("#404040"))]
    flow.setStyle(TableStyle(style))
    return flow


def _canvas_class(font: str, report: Report, margins: tuple[float, float]):
    from reportlab.lib import colors
    from reportlab.pdfgen import canvas

    header_left = f"{report.region_name}　{report.title}"
    left, right = margins

    class NumberedCanvas(canvas.Canvas):
        """Defers each page so the footer can say how many pages there are."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            w, h = self._pagesize
            self.saveState()
            self.setFont(font, 8)
            self.setFillColor(colors.HexColor("#7F7F7F"))
            self.setStrokeColor(colors.HexColor("#BFBFBF"))
            self.setLineWidth(0.5)
            top = h - 12 * 2.8346
            self.drawString(left, top, header_left)
            self.drawRightString(w - right, top, report.period)
            self.line(left, top - 3, w - right, top - 3)
            self.drawCentredString(w / 2, 9 * 2.8346,
                                   f"第 {self._pageNumber} 页　共 {total} 页")
            self.restoreState()

    return NumberedCanvas


def write_pdf(
    report: Report,
    path: str | os.PathLike,
    *,
    font_path: str | os.PathLike | None = None,
    orientation: Literal["auto", "portrait", "landscape"] = "auto",
) -> Path:
    """Write ``report`` as a PDF at ``path`` with the CJK font embedded; returns the path.

    ``font_path`` overrides the font search of :func:`find_cjk_font` (``"path#index"`` picks
    a face of a collection). Raises :class:`CjkFontNotFoundError`, :class:`CjkFontError` or
    :class:`MissingGlyphsError` rather than render Chinese as empty boxes.
    """
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer

    if orientation not in ("auto", "portrait", "landscape"):
        raise ValueError(f"orientation must be auto, portrait or landscape, got {orientation!r}")
    font = find_cjk_font(font_path)
    name, tt = _register(font)
    _check_glyphs(report, tt, font)
    st = _styles(name)

    margin_lr, margin_top, margin_bottom = 18 * mm, 20 * mm, 18 * mm
    page = A4
    if orientation == "landscape":
        page = landscape(A4)
    elif orientation == "auto":
        avail = A4[0] - 2 * margin_lr - 2 * _FRAME_PAD
        if any(sum(c[2] for c in _natural_widths(t, name, 9)) > avail
               for t in report.tables()):
            page = landscape(A4)
    avail = page[0] - 2 * margin_lr - 2 * _FRAME_PAD

    story = [Paragraph(escape(report.title), st["title"])]
    if report.subtitle:
        story.append(Paragraph(escape(report.subtitle), st["subtitle"]))
    gap = "&#160;" * 4
    story.append(Paragraph(f"地区：{escape(report.region_name)}{gap}"
                           f"统计期：{escape(report.period)}", st["meta"]))
    meta = []
    if report.issuer:
        meta.append(f"编制单位：{report.issuer}")
    if report.issued:
        meta.append(f"生成日期：{report.issued}")
    if meta:
        story.append(Paragraph(gap.join(escape(m) for m in meta), st["meta"]))
    story.append(HRFlowable(width="100%", thickness=0.8, color="#1F3864", spaceBefore=4,
                            spaceAfter=6))
    for section in report.sections:
        story.append(Paragraph(escape(section.heading), st["heading"]))
        for para in section.paragraphs:
            story.append(Paragraph(escape(para), st["para"]))
        for table in section.tables:
            story.append(Paragraph(escape(table.title), st["caption"]))
            story.append(_table_flowable(table, name, st, avail))
            if table.note:
                story.append(Paragraph(escape(f"注：{table.note}"), st["note"]))
            story.append(Spacer(1, 6))
    if report.notes:
        story.append(Paragraph("说明", st["heading"]))
        for i, note in enumerate(report.notes, start=1):
            story.append(Paragraph(escape(f"{i}. {note}"), st["notes"]))

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(
        str(path), pagesize=page, leftMargin=margin_lr, rightMargin=margin_lr,
        topMargin=margin_top, bottomMargin=margin_bottom, title=report.title,
        author=report.issuer or "", subject=f"{report.region_name} {report.period}",
        creator="Dixian", invariant=1, lang="zh-CN",
    )
    doc.build(story, canvasmaker=_canvas_class(name, report, (margin_lr, margin_lr)))
    return path
