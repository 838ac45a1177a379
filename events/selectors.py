"""Reads about events that more than one list needs."""

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from events.models import Attendance

HOURS = DecimalField(max_digits=7, decimal_places=1)


def training_hours_subquery(lotse_ref: str = "pk", *, year: int | None = None) -> Coalesce:
    """Sum of ``hours_credited`` of the training sessions and workshops the Lotse attended (0 if none).

    A correlated subquery rather than a join: it can sit next to other annotations (counts, sums) of any
    list without multiplying their rows.
    """
    attended = Attendance.objects.attended_trainings().filter(lotse_id=OuterRef(lotse_ref))
    if year is not None:
        attended = attended.filter(event__starts_at__year=year)
    total = (
        attended.order_by().values("lotse_id").annotate(total=Sum("event__hours_credited")).values("total")
    )
    return Coalesce(Subquery(total, output_field=HOURS), Decimal("0"), output_field=HOURS)


def training_hours_by_lotse(queryset, *, year: int | None = None):
    """Annotate a Lotse queryset with ``training_hours`` (see training_hours_subquery)."""
    return queryset.annotate(training_hours=training_hours_subquery("pk", year=year))


def attendances_with_training_hours(queryset):
    """Annotate an Attendance queryset with the Lotse's ``training_hours``."""
    return queryset.annotate(training_hours=training_hours_subquery("lotse_id"))
