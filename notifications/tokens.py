"""The signed unsubscribe links in reminder e-mails (django.core.signing with SECRET_KEY): no login needed,
no expiry (an old e-mail's link keeps working), and nothing in them but ids and the kind of reminder."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from notifications.models import Kind

SALT = "notifications.unsubscribe"


def _url(payload: dict) -> str:
    token = signing.dumps(payload, salt=SALT, compress=False)
    return settings.SITE_URL + reverse("notifications:unsubscribe", kwargs={"token": token})


def unsubscribe_url_for_user(user_id: int, kind: str) -> str:
    return _url({"u": user_id, "k": Kind(kind).value})


def unsubscribe_url_for_guest(registration_id: int) -> str:
    return _url({"g": registration_id, "k": Kind.EVENT.value})


def read(token: str) -> dict | None:
    """{"u": user id or "g": registration id, "k": kind} or None for a forged, damaged or odd token."""
    if len(token) > 200:
        return None
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("k") not in Kind.values:
        return None
    ids = [payload.get(name) for name in ("u", "g")]
    if sum(isinstance(value, int) and not isinstance(value, bool) and value > 0 for value in ids) != 1:
        return None
    if "g" in payload and payload["k"] != Kind.EVENT:
        return None
    return payload
