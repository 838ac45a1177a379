from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

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


#: What a money column counts, shown under the table and tied to the column's header (aria-describedby).
COLUMN_NOTES = {
    "approved": _(
        "Approved: claims for months in the period that were approved but not paid yet (they wait for a "
        "payout batch or for its confirmation)."
    ),
    "paid": _("Paid: claims for months in the period whose payout batch was confirmed as sent to the bank."),
}


@register.filter
def column_note(column) -> str:
    """The explanation of a report column (money columns), or an empty string."""
    return COLUMN_NOTES.get(getattr(column, "key", column), "")
