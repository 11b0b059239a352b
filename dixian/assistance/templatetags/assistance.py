"""Assistance on other apps' pages, without those apps importing assistance: the household's
monitoring page (cases) lists its measures with ``{% household_measures household as m %}``."""

from django import template

register = template.Library()


@register.simple_tag
def household_measures(household) -> list:
    """The household's measures, labelled as on the plan page."""
    from dixian.assistance.models import Measure
    from dixian.assistance.views import _decorate

    return _decorate(list(Measure.objects.filter(household=household)))
