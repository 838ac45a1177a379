from django.contrib.auth.forms import SetPasswordForm


class AcceptInvitationForm(SetPasswordForm):
    """Choose the first password (the invited user's e-mail is the login)."""
