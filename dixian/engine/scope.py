"""Region scope: which administrative divisions a reader may see.

A scope is a set of NBS division-code prefixes (province 2 digits, prefecture 4,
county 6, township 9, village 12). It fails closed: a scope built from nothing
matches nothing, and code that needs a scope must be given one explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass

CODE_LENGTHS = (2, 4, 6, 9, 12)


class ScopeRequired(PermissionError):
    """Raised when a scoped operation is attempted without a region scope."""


@dataclass(frozen=True)
class RegionScope:
    prefixes: tuple[str, ...] = ()
    national: bool = False

    @classmethod
    def nation(cls) -> RegionScope:
        return cls(prefixes=(), national=True)

    @classmethod
    def of(cls, *codes: str) -> RegionScope:
        for code in codes:
            if not code or len(code) not in CODE_LENGTHS or not code.isdigit():
                raise ValueError(f"{code!r} is not an NBS division code")
        return cls(prefixes=tuple(sorted(set(codes))))

    @classmethod
    def nothing(cls) -> RegionScope:
        return cls()

    @property
    def is_empty(self) -> bool:
        return not self.national and not self.prefixes

    def contains(self, code: str | None) -> bool:
        if not code:
            return False
        if self.national:
            return True
        return any(code.startswith(prefix) for prefix in self.prefixes)

    def describe(self) -> str:
        if self.national:
            return "nation"
        return ",".join(self.prefixes) or "nothing"


def require_scope(scope: RegionScope | None) -> RegionScope:
    """Engine entry points call this first: no scope, no run."""
    if not isinstance(scope, RegionScope):
        raise ScopeRequired("a RegionScope is required; refusing to run unscoped")
    return scope
