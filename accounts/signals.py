"""After a successful password reset the account's failed-login limit is lifted everywhere."""

from allauth.account.signals import password_reset
from django.dispatch import receiver

from accounts.ratelimits import lift_login_limits


@receiver(password_reset, dispatch_uid="accounts.lift_login_limits_on_reset")
def lift_login_limits_on_reset(sender, request, user, **kwargs):
    lift_login_limits(user.email)
