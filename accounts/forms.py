from django.contrib.auth.forms import SetPasswordForm

from portal.forms import HardenedFormMixin


class AcceptInvitationForm(HardenedFormMixin, SetPasswordForm):
    """Choose the first password (the invited user's e-mail is the login)."""
