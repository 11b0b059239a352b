"""What a person reads on a page: its text and the attributes a browser shows (placeholders,
titles, labels of controls), without scripts, styles, codes (``class="code"``: household
codes, rule IDs, masked ID numbers) and text marked as another language (``lang="en"``)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
SHOWN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # for each open element: is its text hidden?
        self.parts: list[str] = []

    def _hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        hidden = self._hidden() or tag in ("script", "style", "template") or "code" in classes \
            or (attrs.get("lang") not in (None, "zh-hans", "zh"))
        if not hidden:
            for name in SHOWN_ATTRIBUTES:
                if attrs.get(name):
                    self.parts.append(attrs[name])
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get(
                    "value"):
                self.parts.append(attrs["value"])
        if tag not in VOID:
            self.stack.append(hidden)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._hidden() and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    reader = _Reader()
    reader.feed(html)
    return "\n".join(reader.parts)


# Words a Chinese page may show in Latin letters: file formats, the product's name, units.
ALLOWED = {"xlsx", "csv", "pdf", "docx", "jpeg", "png", "ofd", "parquet", "api", "openapi",
           "dixian", "yyyy", "mm", "dd",
           "utf", "id", "gps", "https", "http", "www", "excel", "wps"}
WORD = re.compile(r"[A-Za-z][A-Za-z_]{2,}")
FLOAT_NOISE = re.compile(r"\d+\.\d{5,}")


def english_words(text: str) -> list[str]:
    return sorted({w for w in WORD.findall(text) if w.lower() not in ALLOWED})


def float_noise(text: str) -> list[str]:
    return sorted(set(FLOAT_NOISE.findall(text)))
