"""Areas by name: the national export names 县, 乡 and 村; the registry keys on NBS codes.

A village is found within the importer's region by its three names (or a name may be the
code itself). Two villages of one township never share a name in the NBS list; a name that
is ambiguous or unknown resolves to nothing and the row is reported.
"""

from __future__ import annotations

from collections import defaultdict

from dixian.core.access import scope_q
from dixian.core.models import Region
from dixian.registry.bridge import RegionScope


def village_resolver(scope: RegionScope):
    """A function (county, township, village) → 12-digit village code, or None."""
    regions = Region.objects.filter(scope_q(scope, "code"), level__in=(3, 4, 5)) \
        .values_list("code", "name", "level")
    name_of: dict[str, str] = {}
    villages: dict[str, list[str]] = defaultdict(list)
    for code, name, level in regions:
        name_of[code] = name
        if level == 5:
            villages[name].append(code)
    # the county and township of a village are prefixes of its code
    in_scope = {code for code, _n, level in regions if level == 5}

    def matches(code: str, name: str | None, length: int) -> bool:
        if not name:
            return True
        return code[:length] == name or name_of.get(code[:length]) == name

    def resolve(county: str | None, township: str | None, village: str | None) -> str | None:
        if not village:
            return None
        if village in in_scope:
            return village
        hits = [c for c in villages.get(village, ()) if matches(c, county, 6)
                and matches(c, township, 9)]
        return hits[0] if len(hits) == 1 else None

    return resolve
