"""Helpers for tests that log in for real: re-authentication, TOTP codes (RFC 6238) and enrolment."""

import base64
import hashlib
import hmac
import struct
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from tests import factories as f


def totp_code(secret: str, *, step: int = 0, period: int = 30, digits: int = 6) -> str:
    """The code an authenticator app shows for ``secret`` (base32) now, or ``step`` periods from now
    (RFC 6238, HMAC-SHA1). The portal accepts one step either way (MFA_TOTP_TOLERANCE) and each code once,
    so a test that needs a second code in the same half minute takes ``step=1``."""
    counter = int(time.time() // period) + step
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def enrol_totp(user) -> tuple[str, list[str]]:
    """Give ``user`` an authenticator app and recovery codes, as if enrolled; returns (secret, codes)."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).generate_codes()
    return secret, codes


def reauthenticate(
    client, *, password: str = f.TEST_PASSWORD, totp_secret: str | None = None, step: int = 0
) -> None:
    """Confirm the login again as the person would: the password, or with MFA the authenticator code."""
    if totp_secret is None:
        response = client.post(reverse("account_reauthenticate"), {"password": password})
    else:
        response = client.post(reverse("mfa_reauthenticate"), {"code": totp_code(totp_secret, step=step)})
    assert response.status_code == 302, response.content.decode()[:2000]


def has_authenticators(user) -> bool:
    return Authenticator.objects.filter(user=user).exists()
