"""Logging helpers: keep personal data out of logs."""

import logging
import re

_QUERY = re.compile(r"\?[^\s\"]*")


class StripQueryString(logging.Filter):
    """Drop query strings from request log lines (the development server's "GET /lotsen/?q=Name" lines).

    Filters and searches are kept in the URL so they can be bookmarked; a searched name must still never
    reach a log file. gunicorn's access log is configured the same way (docker/entrypoint.sh).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(_QUERY.sub("?…", a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = _QUERY.sub("?…", record.msg)
        return True
