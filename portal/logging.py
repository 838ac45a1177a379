"""Logging helpers: keep personal data and secrets out of logs."""

import logging
import re

_QUERY = re.compile(r"\?[^\s\"]*")

#: Paths whose remainder is a secret: whoever reads it can set a password or confirm an address (reset keys,
#: invitation tokens, allauth's e-mail confirmation keys), look up a holder's name (certificate codes), act
#: for a guest (their personal link, the QR code at the door) or switch off someone's reminders.
_TOKEN_PATH = re.compile(
    r"(/accounts/password/reset/key/|/accounts/invitation/|/accounts/confirm-email/|/verify/"
    r"|/events/guest/|/events/checkin/|/reminders/unsubscribe/)"
    r"[^\s?#\"'<>]+"
)
MASK = "…/"


def mask_tokens(text: str) -> str:
    """``/accounts/password/reset/key/1-abc/`` → ``/accounts/password/reset/key/…/``, anywhere in ``text``."""
    return _TOKEN_PATH.sub(lambda match: match.group(1) + MASK, text)


def _clean_args(args, clean):
    if isinstance(args, tuple):
        return tuple(clean(a) if isinstance(a, str) else a for a in args)
    if type(args) is dict:
        return {k: clean(v) if isinstance(v, str) else v for k, v in args.items()}
    return args


class StripQueryString(logging.Filter):
    """Drop query strings from request log lines (the development server's "GET /lotsen/?q=Name" lines).

    Filters and searches are kept in the URL so they can be bookmarked; a searched name must still never
    reach a log file. gunicorn's access log is configured the same way (portal/gunicorn_conf.py).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(_QUERY.sub("?…", a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = _QUERY.sub("?…", record.msg)
        return True


class MaskTokens(logging.Filter):
    """Replace the token of a token-bearing path (``mask_tokens``) in the message, its arguments and its
    traceback: Django logs "Bad Request: /accounts/invitation/<uid>/<token>/" for an expired link, the
    development server logs every request line, gunicorn's error log names the URI of a failed request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_tokens(record.msg)
        if record.args:
            record.args = _clean_args(record.args, mask_tokens)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_tokens(record.exc_text)
        return True


class DatabaseOutage(logging.Filter):
    """A request answered 503 because the database is away (portal.views.server_error) is logged as one
    warning line, not an error with a traceback: during a PostgreSQL restart every request would otherwise
    add a page of traceback, and the log would hide what else happened."""

    def filter(self, record: logging.LogRecord) -> bool:
        from django.db import InterfaceError, OperationalError

        status = getattr(record, "status_code", None)
        exc = record.exc_info[1] if record.exc_info else None
        if status == 503 and isinstance(exc, OperationalError | InterfaceError):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = f"{record.msg} (database unavailable: {type(exc).__name__})"
            record.exc_info, record.exc_text = None, None
        return True
