"""Role matrix of the reminder pages (see tests/matrix.py): the account's reminder settings (everyone logged
in, their own only) and the unsubscribe link (public, signed)."""

from notifications import tokens
from notifications.models import ReminderSettings
from tests.matrix import ANY_USER, CO, LA, LB, OC, PUBLIC, ST, Case, expect


def _path_token(world):
    url = tokens.unsubscribe_url_for_user(world.lotse_a.user.pk, "claim_month")
    return {"token": url.rstrip("/").rsplit("/", 1)[-1]}


CASES = [
    Case("notifications:settings", ANY_USER),
    Case(
        "notifications:settings",
        expect(lotse_a=302, lotse_b=302, coordinator=302, other_coordinator=302, staff=302),
        method="post",
        data=lambda w: {"language": "en"},
        # each role changes its own settings, nobody else's
        wrote=lambda w: ReminderSettings.objects.filter(language="en").exists(),
        writers=frozenset({LA, LB, CO, OC, ST}),
    ),
    Case("notifications:unsubscribe", PUBLIC, kwargs=_path_token),
    Case(
        "notifications:unsubscribe",
        expect(anonymous=302, lotse_a=302, lotse_b=302, coordinator=302, other_coordinator=302, staff=302),
        kwargs=_path_token,
        method="post",
        data=lambda w: {},
        login_redirect=False,
        wrote=lambda w: ReminderSettings.objects.filter(user=w.lotse_a.user, claim_month=False).exists(),
        writers=frozenset({"anonymous", LA, LB, CO, OC, ST}),
    ),
]
