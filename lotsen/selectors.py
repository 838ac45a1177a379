"""Reads about Lotsen that are more than one queryset line: the consultation summary of one Lotse.
Every read starts from ``visible_to(user)``. (Lists that add other apps' data, such as trainings or
contracts, are composed above: ``events.selectors.with_activity``, ``home.selectors``.)"""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from lotsen.models import TOPIC_FIELDS, Consultation, Lotse, Topic
from portal.dates import previous_month


# -- one Lotse's consultations (counts only: need to know) -------------------------------------------
def consultations_by_month(lotse: Lotse, *, user, months: int = 12) -> list[dict]:
    """Counts per calendar month for the last ``months`` months, newest first, of the consultations ``user``
    may see (they are scoped by the region they were logged in): in total, minutes, and per mode and topic.

    One query (conditional aggregation). Never a client profile: the record-level list is shown only for the
    plausibility check of a claim (``claims:consultations``), where a task needs it, and recorded there.
    """
    today = timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = previous_month(first)
    per_category = {f"n_mode_{mode}": Count("pk", filter=Q(mode=mode)) for mode in Consultation.Mode.values}
    per_category |= {
        f"n_topic_{topic}": Count("pk", filter=Q(**{field: True})) for topic, field in TOPIC_FIELDS.items()
    }
    rows = (
        Consultation.objects.visible_to(user)
        .filter(lotse=lotse, date__gte=first)
        .order_by()
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(count=Count("pk"), minutes=Sum("duration_minutes"), **per_category)
        .order_by("-month")
    )
    return [
        {
            "month": row["month"],
            "count": row["count"],
            "minutes": row["minutes"],
            "modes": [
                (label, row[f"n_mode_{mode}"])
                for mode, label in Consultation.Mode.choices
                if row[f"n_mode_{mode}"]
            ],
            "topics": [
                (label, row[f"n_topic_{topic}"]) for topic, label in Topic.choices if row[f"n_topic_{topic}"]
            ],
        }
        for row in rows
    ]
