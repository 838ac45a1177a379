"""Access helpers for the coordinator workspace (Lotsen, contracts, organisations).

Reading goes through ``visible_to`` (404 when not visible), writing is a second, explicit question through
``editable_by`` (403 when visible but not writable, e.g. a Lotse on their own record's coordinator page).
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404


def require_coordination(user) -> None:
    """The coordinator workspace is for coordinators and programme staff; Lotsen have their own pages."""
    if not (user.sees_everything or user.is_coordinator):
        raise PermissionDenied


def get_editable_or_403(queryset, user, **lookup):
    """The object if the user may change it; 404 if they may not even see it; 403 otherwise."""
    obj = get_object_or_404(queryset.visible_to(user), **lookup)
    if not queryset.model.objects.editable_by(user).filter(pk=obj.pk).exists():
        raise PermissionDenied
    return obj
