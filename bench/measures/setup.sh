#!/usr/bin/env bash
# Creates bench/measures/.venv-bench (gitignored) with Dixian and the public peers, for
# bench/measures/run.py only. The project's own .venv is not touched.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${BENCH_PYTHON:-/root/.pyenv/versions/3.12.1/bin/python}"
venv="$here/.venv-bench"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" --upgrade pip
"${pip[@]}" -e "$root"
# Peers that install from PyPI as wheels.
for peer in ineqpy mpitb povertyinequalitymeasures inequalipy; do
    "${pip[@]}" "$peer" || echo "setup: could not install $peer" >&2
done
# apode 0.1.0 is an sdist whose setup.py bootstraps setuptools from the network (ez_setup);
# try it without build isolation against an older setuptools that still ships pkg_resources.
"${pip[@]}" "setuptools<70" wheel || true
"${pip[@]}" --no-build-isolation apode || echo "setup: could not install apode" >&2
"$venv/bin/python" -m pip list --disable-pip-version-check 2>/dev/null \
    | grep -i -E "^(numpy|pandas|numba|ineqpy|mpitb|povertyinequalitymeasures|inequalipy|apode|dixian) " || true
