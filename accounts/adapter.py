from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django.core.exceptions import ValidationError


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts are created by programme staff or a coordinator, who sends an invitation.
        return False

    def get_reauthentication_methods(self, user) -> list[dict]:
        """With a second factor enrolled, re-authentication asks for it: the password alone is not offered."""
        from accounts.reauth import has_second_factor

        methods = super().get_reauthentication_methods(user)
        if has_second_factor(user):
            methods = [m for m in methods if m["id"].startswith("mfa_")] or methods
        return methods

    def pre_authenticate(self, request, **credentials) -> None:
        """Too many failed logins (per address or per IP) answer HTTP 429, not a form error: clients,
        proxies and monitoring recognise the status, and the admin login (routed here) behaves the same."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as error:
            if error.code == "too_many_login_attempts":
                raise ImmediateHttpResponse(respond_429(request)) from error
            raise
