"""Searches and filters live in the URL; the logs must not keep them (a searched name is personal data)."""

import datetime
import logging
import re
import sys

from django.core import mail
from django.urls import reverse

from portal.logging import MaskTokens, StripQueryString
from tests import factories as f


def test_request_lines_lose_their_query_string():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /lotsen/?q=Güllüoğlu HTTP/1.1", 200, 5),
        None,
    )
    StripQueryString().filter(record)
    assert "Güllüoğlu" not in record.getMessage()
    assert "GET /lotsen/?… HTTP/1.1" in record.getMessage()


def test_a_not_found_warning_loses_its_query_string():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: /lotsen/999/?q=Smirnova", None, None
    )
    StripQueryString().filter(record)
    assert "Smirnova" not in record.getMessage()


def test_the_request_logger_uses_the_filter(settings):
    # (django.request logs the path without the query string by itself, and must keep propagating so that
    # the test suite's guard sees every logged error.)
    for name in ("django.server",):
        handlers = settings.LOGGING["loggers"][name]["handlers"]
        assert all(
            "strip_query_string" in settings.LOGGING["handlers"][h].get("filters", []) for h in handlers
        )


# Reset keys, invitation tokens and certificate codes in paths (#10): no log line may carry them.


def test_the_development_server_line_of_a_reset_link_has_no_key():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /accounts/password/reset/key/3-cbq7xe-0123456789abcdef/ HTTP/1.1", 302, 0),
        None,
    )
    MaskTokens().filter(record)
    assert record.getMessage() == '"GET /accounts/password/reset/key/…/ HTTP/1.1" 302 0'


def test_a_traceback_naming_the_path_is_masked_too():
    try:
        raise ValueError("while serving https://portal.example.org/accounts/invitation/MQ/cbq7xe-abcdef/")
    except ValueError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    MaskTokens().filter(record)
    assert "cbq7xe-abcdef" not in logging.Formatter().format(record)


def test_every_handler_and_the_request_loggers_mask_tokens(settings):
    for handler in settings.LOGGING["handlers"].values():
        assert "mask_tokens" in handler.get("filters", [])
    for name in ("django.request", "django.server"):
        assert "mask_tokens" in settings.LOGGING["loggers"][name]["filters"]


def _no_token_in(records, secret: str):
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in records)
    assert secret not in text
    return text


def test_the_application_log_of_an_expired_invitation_has_no_token(
    client, world, django_capture_on_commit_callbacks, caplog, monkeypatch
):
    from accounts import services
    from accounts.tokens import invitation_token_generator

    user = f.UserFactory(email="neu.lotsin@example.org", password=None)
    user.set_unusable_password()
    user.save()
    f.LotseFactory(region=world.owl, user=user)
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_user(user=user, acting_user=world.coordinator)
    path = "/" + re.search(r"https?://[^/]+/(accounts/invitation/\S+/)", mail.outbox[-1].body).group(1)
    token = path.rstrip("/").rsplit("/", 1)[1]
    caplog.set_level(logging.DEBUG)

    later = datetime.datetime.now() + datetime.timedelta(days=8)  # noqa: DTZ005 (as Django's tokens)
    monkeypatch.setattr(invitation_token_generator, "_now", lambda: later)
    assert client.get(path).status_code == 400

    text = _no_token_in(caplog.records, token)
    assert "Bad Request: /accounts/invitation/…/" in text


def test_the_application_log_of_a_password_reset_has_no_key(client, caplog):
    f.UserFactory(email="known@example.org")
    caplog.set_level(logging.DEBUG)
    client.post(reverse("account_reset_password"), {"email": "known@example.org"})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/password/reset/key/" in line)
    path = "/" + link.strip().split("://", 1)[-1].split("/", 1)[1]
    key = path.rstrip("/").rsplit("/", 1)[1].split("-", 1)[1]
    form_url = client.get(path)["Location"]
    client.post(form_url, {"password1": "ein-neues-Passwort-2014", "password2": "ein-neues-Passwort-2014"})
    # The used link once more (now invalid), and a made-up one that Django answers with a warning.
    client.get(path)
    client.get(f"/accounts/password/reset/key/1-{key}/x/")
    _no_token_in(caplog.records, key)


def test_the_log_of_an_unknown_certificate_code_has_no_code(client, world, caplog):
    assert client.get(reverse("verify:code", args=["ZZZZ9999QQ"])).status_code == 404
    text = _no_token_in(caplog.records, "ZZZZ9999QQ")
    assert "Not Found: /verify/…/" in text


def test_guest_links_check_in_codes_and_unsubscribe_links_are_masked():
    """Whoever reads the log must not be able to cancel a guest, check one in or unsubscribe someone."""
    for path in (
        "/events/guest/s3cr3t-T0ken/cancel/",
        "/events/checkin/s3cr3t-T0ken/",
        "/reminders/unsubscribe/s3cr3t-T0ken/",
    ):
        record = logging.LogRecord(
            "django.request", logging.WARNING, __file__, 1, f"Not Found: {path}", None, None
        )
        MaskTokens().filter(record)
        assert "s3cr3t-T0ken" not in record.getMessage(), path
