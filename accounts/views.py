from allauth.account import views as allauth_views
from allauth.mfa.base import views as mfa_views
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from accounts import services
from accounts.forms import AcceptInvitationForm
from accounts.reauth import has_second_factor
from accounts.tokens import invitation_token_generator

User = get_user_model()


def _user_for(uidb64: str):
    try:
        return User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))), is_active=True)
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None


#: The path segment that stands in for the token once it is in the session (as Django's password reset).
SET_PASSWORD_URL_TOKEN = "set-password"  # noqa: S105 (not a secret: a placeholder in the URL)
INVITATION_SESSION_TOKEN = "_invitation_token"  # noqa: S105 (the session key, not a secret)


@login_not_required
@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def accept_invitation(request, uidb64: str, token: str):
    """The link from the invitation e-mail: set a first password, once, before the link expires.

    The first request moves the token from the URL into the session and redirects to a URL without it, so
    the form, its POST, the browser history and the access log of everything after that never see it.
    """
    user = _user_for(uidb64)
    if token != SET_PASSWORD_URL_TOKEN:
        if user is None or not invitation_token_generator.check_token(user, token):
            return render(request, "accounts/invitation_invalid.html", status=400)
        request.session[INVITATION_SESSION_TOKEN] = token
        return redirect("accept_invitation", uidb64=uidb64, token=SET_PASSWORD_URL_TOKEN)
    token = request.session.get(INVITATION_SESSION_TOKEN, "")
    if user is None or not invitation_token_generator.check_token(user, token):
        return render(request, "accounts/invitation_invalid.html", status=400)
    form = AcceptInvitationForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.accept_invitation(user=user, password=form.cleaned_data["new_password1"])
        del request.session[INVITATION_SESSION_TOKEN]
        login(request, user, backend="accounts.backends.PortalBackend")
        messages.success(request, _("Welcome! Your password is set."))
        return redirect("dashboard")
    return render(request, "accounts/accept_invitation.html", {"form": form, "invited_user": user})


def reauthenticate(request):
    """Shadows allauth's password re-authentication: someone with MFA confirms with the second factor."""
    if has_second_factor(request.user):
        query = request.GET.urlencode()
        return redirect(reverse("mfa_reauthenticate") + (f"?{query}" if query else ""))
    return allauth_views.reauthenticate(request)


class MFAIndexView(mfa_views.IndexView):
    """allauth's overview of the second factors, with the counts our template shows (templates/mfa/)."""

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        authenticators = context["authenticators"]
        codes = authenticators.get("recovery_codes")
        context["webauthn_count"] = len(authenticators.get("webauthn", []))
        context["has_totp"] = "totp" in authenticators
        context["recovery_codes_unused"] = len(codes.get_unused_codes()) if codes else None
        return context


mfa_index = MFAIndexView.as_view()


def email_info(request):
    """Replaces allauth's e-mail management: the address is the login and is managed by the coordinator."""
    return render(request, "account/email.html")
