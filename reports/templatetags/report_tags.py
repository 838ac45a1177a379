from decimal import Decimal

from django import template
from django.utils.formats import number_format

from reports.privacy import Suppressed

register = template.Library()


@register.filter
def report_cell(value, kind: str = "int") -> str:
    """A report figure in the current locale: hidden counts as their marker, money with €, shares with %."""
    if isinstance(value, Suppressed):
        return str(value)
    if value is None:
        return "–"
    if kind == "hours":
        return number_format(Decimal(value), 1, force_grouping=True)
    if kind == "money":
        return f"{number_format(Decimal(value), 2, force_grouping=True)} €"
    if kind == "percent":
        return f"{number_format(Decimal(value), 1)} %"
    return number_format(int(value), 0, force_grouping=True)


@register.filter
def is_suppressed(value) -> bool:
    return isinstance(value, Suppressed)
