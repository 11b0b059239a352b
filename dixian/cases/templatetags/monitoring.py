"""The procedures on other apps' pages, without those apps importing cases: the household's
page (registry) shows what the household is now and since when with
``{% monitoring_status household as status %}``."""

from django import template

register = template.Library()


@register.simple_tag
def monitoring_status(household):
    """What the household is now and since when (dixian.cases.status)."""
    from dixian.cases.status import status_now

    return status_now(household)
