import datetime

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for invitation links.

    Valid for PASSWORD_RESET_TIMEOUT; single use, because setting the password changes the hash the token is
    made from; and a resent invitation (new ``invited_at``) makes earlier links invalid.
    """

    key_salt = "accounts.tokens.InvitationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        # Full precision (both databases keep microseconds): a resend a moment later still gets a new token.
        invited = "" if user.invited_at is None else user.invited_at.astimezone(datetime.UTC).isoformat()
        return f"{user.pk}{user.password}{user.is_active}{invited}{timestamp}"


invitation_token_generator = InvitationTokenGenerator()
