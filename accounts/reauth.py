"""Fresh re-authentication for sensitive actions: showing a full IBAN, paying a batch, an export with bank
details, changing bank data, granting rights, resetting someone's MFA.

A login is *fresh* when the person re-entered a credential within ``ACCOUNT_REAUTHENTICATION_TIMEOUT``
seconds. With MFA enrolled only the second factor counts (allauth's ``mfa_reauthenticate``): a password
alone, perhaps phished, never unlocks bank details. A stale request raises allauth's
``ReauthenticationRequired``; allauth's AccountMiddleware then sends the person to the re-authentication
page (the first method of ``AccountAdapter.get_reauthentication_methods``), keeps a POST and replays it
afterwards.
"""

import time
from functools import wraps

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.utils.http import urlencode

#: Authenticator types that make a person "enrolled"; recovery codes only back them up.
SECOND_FACTORS = ("totp", "webauthn")


def has_second_factor(user) -> bool:
    return user.is_authenticated and is_mfa_enabled(user, types=list(SECOND_FACTORS))


def is_fresh(request) -> bool:
    """Has the person re-authenticated recently enough for a sensitive action (by MFA if enrolled)?

    Read from allauth's authentication records in the session (the login itself does not count, only a
    re-authentication); answered once per request."""
    if not hasattr(request, "_fresh_login"):
        request._fresh_login = _is_fresh(request)
    return request._fresh_login


def _is_fresh(request) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    records = [r for r in get_authentication_records(request, user) if r.get("reauthenticated")]
    if not records or time.time() - records[-1]["at"] >= account_settings.REAUTHENTICATION_TIMEOUT:
        return False
    return records[-1].get("method") == "mfa" or not has_second_factor(user)


def require_fresh_login(request) -> None:
    """Raise ReauthenticationRequired unless the login is fresh (allauth redirects and resumes)."""
    if not is_fresh(request):
        raise ReauthenticationRequired()


def fresh_login_required(view=None, *, when=None):
    """Decorator: the view runs only after a fresh re-authentication; ``when(request, **kwargs)`` may limit
    that to the requests that are sensitive (e.g. an export only for those who would see bank details)."""

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            if when is None or when(request, **kwargs):
                require_fresh_login(request)
            return view_func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator


def reauthenticate_url(request, next_url: str) -> str:
    """The page on which this person re-authenticates (by MFA if enrolled), coming back to ``next_url``."""
    methods = get_adapter(request).get_reauthentication_methods(request.user)
    return f"{methods[0]['url']}?{urlencode({REDIRECT_FIELD_NAME: next_url})}" if methods else ""
