"""Who may enter which part of the portal. Row-level scoping lives in portal/scoping.py (visible_to /
editable_by); these helpers answer the coarser question of which workspace a user may use.

Reading goes through ``visible_to`` (404 when not visible), writing is a second, explicit question through
``editable_by`` (403 when visible but not writable, e.g. a Lotse on their own record's coordinator page).
"""

from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _


def works_in_coordination(user) -> bool:
    """Programme staff and regional coordinators use the coordinator workspace; Lotsen have their own."""
    return user.sees_everything or user.is_coordinator


def require_coordination(user) -> None:
    if not works_in_coordination(user):
        raise PermissionDenied


def coordinators_only(view):
    """Programme staff and regional coordinators; everyone else logged in gets 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        require_coordination(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def lotse_required(view):
    """403 for anyone without a Lotse profile; the view finds the profile on ``request.lotse``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        lotse = request.user.lotse_profile
        if lotse is None:
            raise PermissionDenied
        request.lotse = lotse
        return view(request, *args, **kwargs)

    return wrapper


def require_editable(obj, user) -> None:
    """PermissionDenied unless ``editable_by(user)`` holds the object (services check this again)."""
    if not type(obj).objects.editable_by(user).filter(pk=obj.pk).exists():
        raise PermissionDenied


def is_own(obj, user) -> bool:
    """Whether the row belongs to the user as a Lotse (``owned_by``): their profile, claim, attendance..."""
    return type(obj).objects.owned_by(user).filter(pk=obj.pk).exists()


def require_own(obj, user) -> None:
    """PermissionDenied unless the row is the user's own (``owned_by``): the door for a Lotse's own writes."""
    if not is_own(obj, user):
        raise PermissionDenied


def get_editable_or_403(queryset, user, **lookup):
    """The object if the user may change it; 404 if they may not even see it; 403 otherwise."""
    obj = get_object_or_404(queryset.visible_to(user), **lookup)
    require_editable(obj, user)
    return obj


# -- separation of duties ------------------------------------------------------------------------------
#: Shown when someone who is also a Lotse tries to act on their own records as a coordinator.
OWN_RECORD_REFUSED = _(
    "You cannot do this for yourself. Please ask another coordinator of your region or the programme office."
)


def acts_for_self(user, lotse) -> bool:
    """Whether the user would act on their own Lotse record (a coordinator or staff member who is a Lotse).

    The one answer to "is this self-dealing?": deciding or paying a claim, marking attendance, issuing a
    certificate, recording a self-declaration and changing bank details all ask it.
    """
    return lotse.user_id is not None and lotse.user_id == user.pk


def forbid_self(user, lotse) -> None:
    """ValidationError with a clear message if the user would act on their own Lotse record."""
    if acts_for_self(user, lotse):
        raise ValidationError(OWN_RECORD_REFUSED, code="own_record")
