"""Reads about events that more than one list needs."""

from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from events.models import Attendance
from lotsen.models import Consultation

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


# -- Lotsen with their activity ----------------------------------------------------------------------
def _count_subquery(queryset: QuerySet) -> Coalesce:
    """COUNT(*) of a per-Lotse subquery, 0 when there is no row (no join, so no row multiplication)."""
    counted = queryset.order_by().values("lotse").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_activity(lotsen: QuerySet, *, user) -> QuerySet:
    """Annotate consultations, trainings attended and training hours per Lotse in the same query.

    Correlated subqueries instead of joins: two joined aggregates would multiply each other's rows.
    Consultations are counted as the user may see them (they are scoped by the region they were logged in).
    """
    consultations = Consultation.objects.visible_to(user).filter(lotse=OuterRef("pk"))
    trainings = Attendance.objects.attended_trainings().filter(lotse=OuterRef("pk"))
    return lotsen.annotate(
        consultations_count=_count_subquery(consultations),
        trainings_attended=_count_subquery(trainings),
        training_hours=training_hours_subquery("pk"),
    )
