"""Rasterise a PDF's pages to PNG files so a person (or a test) can look at them.

Uses pypdfium2 (PDFium's bindings, a development dependency): imported when called, so the
renderers themselves do not need it.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["render_pdf_pages_to_png"]


def render_pdf_pages_to_png(pdf_path: str | os.PathLike, out_dir: str | os.PathLike, *,
                            scale: float = 2.0) -> list[Path]:
    """Render every page of ``pdf_path`` to ``out_dir/<stem>-page-<n>.png``; returns the paths.

    ``scale`` is pixels per PDF point (2.0 gives about 144 dpi: an A4 page of 1190 x 1684
    pixels).
    """
    try:
        import pypdfium2 as pdfium
    except ImportError as exc:  # pragma: no cover - pypdfium2 is in the dev group
        raise ImportError("render_pdf_pages_to_png needs pypdfium2 (a development "
                          "dependency: uv sync installs it)") from exc
    pdf_path = Path(pdf_path)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    doc = pdfium.PdfDocument(str(pdf_path))
    try:
        for i in range(len(doc)):
            page = doc[i]
            image = page.render(scale=scale).to_pil()
            target = out / f"{pdf_path.stem}-page-{i + 1}.png"
            image.save(target)
            paths.append(target)
            page.close()
    finally:
        doc.close()
    return paths
