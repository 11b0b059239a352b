"""Money and shares as the pages show them."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    """Whole yuan with thousands separators: 1,234,567."""
    if value in (None, ""):
        return "—"
    try:
        return f"{Decimal(value):,.0f}"
    except (ArithmeticError, ValueError, TypeError):
        return str(value)


@register.filter
def pct(value) -> str:
    """A share as a percentage with one decimal: 56.0%."""
    if value in (None, ""):
        return "—"
    try:
        return f"{float(value):.1%}"
    except (TypeError, ValueError):
        return str(value)
