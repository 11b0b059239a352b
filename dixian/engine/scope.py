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


#: The longest scope text a batch or run stores (models' scope_code columns).
STORED_CODE_MAX = 1000


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
    def from_stored(cls, text: str) -> RegionScope:
        """The inverse of :meth:`stored_code` (``""`` is the nation)."""
        codes = [c for c in (text or "").split(",") if c]
        return cls.of(*codes) if codes else cls.nation()

    def audit_region(self) -> str:
        """The region an audit row of this scope carries (a code fits its 12 characters)."""
        return self.common_region()

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

    def stored_code(self) -> str:
        """The scope as a batch or a run stores it: ``""`` for the nation, else its codes
        joined by commas, whole (a multi-region scope is never cut to one code); past
        ``STORED_CODE_MAX`` characters, the smallest division containing them all."""
        if self.national:
            return ""
        joined = ",".join(self.prefixes)
        return joined if len(joined) <= STORED_CODE_MAX else self.common_region()

    def common_region(self) -> str:
        """The smallest division containing the whole scope (``""``: the nation or none).

        >>> RegionScope.of("522326101201", "522326102203").common_region()
        '522326'
        """
        if self.national or not self.prefixes:
            return ""
        shared = self.prefixes[0]
        for code in self.prefixes[1:]:
            while not code.startswith(shared):
                shared = shared[:-1]
        for length in sorted(CODE_LENGTHS, reverse=True):
            if len(shared) >= length:
                return shared[:length]
        return ""

    def describe(self) -> str:
        if self.national:
            return "nation"
        return ",".join(self.prefixes) or "nothing"


def require_scope(scope: RegionScope | None) -> RegionScope:
    """Engine entry points call this first: no scope, no run."""
    if not isinstance(scope, RegionScope):
        raise ScopeRequired("a RegionScope is required; refusing to run unscoped")
    return scope
