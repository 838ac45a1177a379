"""Searches and filters live in the URL; the logs must not keep them (a searched name is personal data)."""

import logging

from portal.logging import StripQueryString


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
