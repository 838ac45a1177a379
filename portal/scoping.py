"""The one door to every region- or person-owned table.

Every model whose rows belong to a region or to a Lotse has a QuerySet derived from ``ScopedQuerySet``.
Views, filter sets, exports, reports and tasks start from ``Model.objects.visible_to(user)``; detail views use
``get_object_or_404(Model.objects.visible_to(request.user), pk=pk)`` so that another region's object answers
404, the same as one that does not exist. Write access is a second, explicit question: ``editable_by(user)``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

NOTHING = Q(pk__in=[])


class ScopedQuerySet(models.QuerySet):
    #: lookup from this model to the region id that coordinators are scoped by (None: no regional rows)
    region_lookup: str | None = "region"
    #: lookup from this model to the user of the owning Lotse (None: Lotsen see no rows of this model)
    owner_lookup: str | None = None

    # -- read ----------------------------------------------------------------------------------------
    def visible_to(self, user) -> ScopedQuerySet:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        condition = self.coordinator_condition(user) | self.own_condition(user)
        return self.filter(condition)

    def coordinator_condition(self, user) -> Q:
        regions = user.coordinated_region_ids()
        if not regions or self.region_lookup is None:
            return NOTHING
        return Q(**{f"{self.region_lookup}__in": regions})

    def own_condition(self, user) -> Q:
        """Rows a Lotse sees as their own. Override for rows shared with Lotsen (events, partners)."""
        if self.owner_lookup is None:
            return NOTHING
        return Q(**{self.owner_lookup: user})

    def owned_by(self, user) -> ScopedQuerySet:
        """The user's own rows as a Lotse (their profile, consultations, claims, registrations, certificates):
        the door for everything a Lotse does for themselves, and for asking "is this the user's own?"."""
        if user is None or not user.is_authenticated or not user.is_active or self.owner_lookup is None:
            return self.none()
        return self.filter(**{self.owner_lookup: user})

    # -- write ---------------------------------------------------------------------------------------
    def editable_by(self, user) -> ScopedQuerySet:
        """Rows the user may change in the portal: programme staff everything, coordinators their regions."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self
        return self.filter(self.coordinator_condition(user))
