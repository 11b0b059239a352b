"""The core's one door to the engine, and the helper every app's bridge uses.

Each Django app has one ``bridge.py``: the only module of the app that imports
``dixian.engine`` (``tests/engine/test_app_bridges.py`` fails on any other). A bridge either
wraps the engine (runs it over a snapshot and keeps the results, as ``quality/bridge.py``
does) or re-exports the engine names its app uses, listed in ``ENGINE`` (name → engine
module). A re-exported name is loaded when first used, so an app that imports its bridge at
the top pays for an engine module only where it used to import it."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def reexport(namespace: dict[str, Any], names: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that returns ``names[name]``'s attribute ``name`` (or its
    submodule ``name``), loading that engine module on first use and keeping the result."""

    def __getattr__(name: str) -> Any:
        try:
            source = names[name]
        except KeyError:
            raise AttributeError(
                f"module {namespace['__name__']!r} has no attribute {name!r}") from None
        module = importlib.import_module(source)
        try:
            value = getattr(module, name)
        except AttributeError:
            value = importlib.import_module(f"{source}.{name}")
        namespace[name] = value
        return value

    return __getattr__


ENGINE = {
    "RegionScope": "dixian.engine.scope",
}
__getattr__ = reexport(globals(), ENGINE)
