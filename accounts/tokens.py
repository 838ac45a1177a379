from django.contrib.auth.tokens import PasswordResetTokenGenerator


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for invitation links.

    Valid for PASSWORD_RESET_TIMEOUT; single use, because setting the password changes the hash the token is
    made from; and a resent invitation (new ``invited_at``) makes earlier links invalid.
    """

    key_salt = "accounts.tokens.InvitationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        invited = "" if user.invited_at is None else user.invited_at.replace(microsecond=0, tzinfo=None)
        return f"{user.pk}{user.password}{user.is_active}{invited}{timestamp}"


invitation_token_generator = InvitationTokenGenerator()
