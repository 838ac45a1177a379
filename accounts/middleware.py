"""MFA enrolment is mandatory for some roles: until they have a second factor they reach only its pages."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from accounts.reauth import has_second_factor

#: What a person who must enrol may still reach (besides allauth's mfa_* pages).
ALLOWED_URL_NAMES = frozenset(
    {
        "account_logout",
        "account_reauthenticate",
        "set_language",
        "healthz",
        "healthz_ready",
        "robots_txt",
        "favicon",
    }
)


def _allowed(request) -> bool:
    if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return True
    try:
        name = resolve(request.path_info).url_name or ""
    except Resolver404:
        return False
    return name.startswith("mfa_") or name in ALLOWED_URL_NAMES


def must_enrol(user) -> bool:
    """MFA_REQUIRED is on, the role needs a second factor, and the person has none yet."""
    return (
        settings.MFA_REQUIRED and user.is_authenticated and user.requires_mfa and not has_second_factor(user)
    )


class MFAEnrolmentMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if must_enrol(request.user) and not _allowed(request):
            messages.warning(
                request,
                _(
                    "Your role gives access to bank details or to the administration: please set up "
                    "two-factor authentication (an authenticator app or a security key) before you continue."
                ),
            )
            return redirect("mfa_index")
        return self.get_response(request)
