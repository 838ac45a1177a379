import datetime

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for invitation links.

    Valid for INVITATION_TIMEOUT (a week), not for PASSWORD_RESET_TIMEOUT (an hour): a volunteer may read
    the invitation days later, while a reset link is used at once. Single use, because setting the password
    changes the hash the token is made from; and a resent invitation (new ``invited_at``) makes earlier links
    invalid.
    """

    key_salt = "accounts.tokens.InvitationTokenGenerator"

    @property
    def timeout(self) -> int:
        return settings.INVITATION_TIMEOUT

    def _make_hash_value(self, user, timestamp):
        # Full precision (both databases keep microseconds): a resend a moment later still gets a new token.
        invited = "" if user.invited_at is None else user.invited_at.astimezone(datetime.UTC).isoformat()
        return f"{user.pk}{user.password}{user.is_active}{invited}{timestamp}"

    def check_token(self, user, token) -> bool:
        # Django's check_token compares with PASSWORD_RESET_TIMEOUT itself; the same checks with our timeout.
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - timestamp <= self.timeout


invitation_token_generator = InvitationTokenGenerator()
