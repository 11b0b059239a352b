"""A resettlement site with relocated households of the small test registry."""

from __future__ import annotations

from datetime import date

from dixian.core.roles import Role
from dixian.regional import relocation
from tests.conftest import VILLAGE
from tests.funds.builders import load_households


def site_with_households(users, n: int = 3, village: str = VILLAGE, name: str = "乐元安置点"):
    load_households(n, village)
    officer = users[Role.WORK_RELIEF_OFFICER]
    site = relocation.do_create_site(region_code=village, name=name, actor=officer,
                                     opened_on=date(2019, 6, 1), planned_households=n,
                                     schools=1, clinics=1, workshops=2)
    items = [relocation.do_link_household(site, household_code=f"{village}{k:04d}",
                                          moved_in=date(2019, 9, 1), origin="打易镇",
                                          actor=officer) for k in range(1, n + 1)]
    return site, items


def matrix_targets(inside_village: str, outside_village: str) -> tuple[dict, dict]:
    """A site and a relocated household in each village (written directly: the matrix tests
    access). The households must exist already."""
    from dixian.regional.models import Relocated, ResettlementSite
    from dixian.registry.models import Household

    out = []
    for village in (inside_village, outside_village):
        site = ResettlementSite.objects.create(county_code=village[:6], region_code=village,
                                               name=f"安置点{village}")
        item = Relocated.objects.create(site=site, household=Household.objects.get(
            code=f"{village}0001"), region_code=village, moved_in=date(2019, 9, 1))
        out.append({"site": site.pk, "relocated": item.pk})
    return out[0], out[1]


def pairing_targets(inside_village: str, outside_village: str) -> tuple[dict, dict]:
    """An enterprise's pairing with a village and its last year's agreement on each side
    (written directly: the matrix tests access); the test's partner users are linked to the
    inside partner."""
    from django.utils import timezone

    from dixian.core.models import User
    from dixian.core.roles import PARTNER_ROLES
    from dixian.regional.models import Agreement, Pairing, Partner, PartnerUser

    year = timezone.localdate().year - 1
    out = []
    for village in (inside_village, outside_village):
        east = Partner.objects.create(name=f"企业{village}", kind="enterprise")
        item = Pairing.objects.create(partner=east, level="village", west_code=village,
                                      started_on=date(2021, 1, 1))
        Agreement.objects.create(pairing=item, year=year)
        out.append({"pairing": item.pk, "year": year, "east": east})
    # both partner roles read the inside pairing as its partner's users (the matrix checks
    # access; which kind of partner a role may work for is tested in test_pairing.py)
    for user in User.objects.filter(role__in=PARTNER_ROLES, region_id=inside_village[:6]):
        PartnerUser.objects.create(user=user, partner=out[0]["east"])
    return ({"pairing": out[0]["pairing"], "year": year},
            {"pairing": out[1]["pairing"], "year": year})
