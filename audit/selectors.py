"""Reads of the audit trail that are more than one queryset line."""

from django.contrib.auth import get_user_model
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry

Action = AuditEntry.Action

#: what a Lotse is shown about their bank data: who saw it in full (page or export), who changed it
BANK_DATA_ACTIONS = (Action.VIEW_IBAN, Action.BANK_DATA_CHANGED, Action.EXPORT_PERSONAL)
#: the actor's role as shown to the Lotse (their role today: the trail stores who, not which hat)
ROLE_LABELS = {
    "superuser": _("administrator"),
    "staff": _("programme office"),
    "coordinator": _("coordinator"),
    "": "",
}


def bank_data_access(user, *, limit: int = 50) -> list[AuditEntry]:
    """The latest entries about the user's own bank data (as a Lotse), each with ``actor_role_label``.
    One query, whatever the number of entries or actors."""
    entries = (
        AuditEntry.objects.owned_by(user)
        .filter(action__in=BANK_DATA_ACTIONS)
        .select_related("actor")
        .annotate(
            actor_role=Case(
                When(actor__is_superuser=True, then=Value("superuser")),
                When(actor__is_programme_staff=True, then=Value("staff")),
                # a coordinator: a user with a coordination (regions.Coordination, reached through the user)
                When(
                    Q(
                        Exists(
                            get_user_model().objects.filter(pk=OuterRef("actor"), coordinations__isnull=False)
                        )
                    ),
                    then=Value("coordinator"),
                ),
                default=Value(""),
            )
        )[:limit]
    )
    entries = list(entries)
    for entry in entries:
        entry.actor_role_label = ROLE_LABELS.get(entry.actor_role, "")
    return entries
