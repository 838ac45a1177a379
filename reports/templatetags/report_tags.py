from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def report_cell(value, kind: str = "int") -> str:
    """A report figure in the current locale: money with €, shares with %."""
    if value is None:
        return "–"
    if kind == "hours":
        return number_format(Decimal(value), 1, force_grouping=True)
    if kind == "money":
        return f"{number_format(Decimal(value), 2, force_grouping=True)} €"
    if kind == "percent":
        return f"{number_format(Decimal(value), 1)} %"
    return number_format(int(value), 0, force_grouping=True)
