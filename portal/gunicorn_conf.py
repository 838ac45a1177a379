"""gunicorn's settings for the web container (docker/entrypoint.sh: ``--config python:portal.gunicorn_conf``).

The access log leaves out query strings (%(U)s is the path only: list filters and searches are kept in the
URL, and a searched name must not end up in a log) and masks the tokens that live in some paths (reset keys,
invitation links): TokenMaskingLogger. tests/portal/test_gunicorn_log.py starts gunicorn with this file.
"""

import os

from gunicorn.glogging import Logger

from portal.logging import MaskTokens, mask_tokens

bind = "0.0.0.0:8000"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
logger_class = "portal.gunicorn_conf.TokenMaskingLogger"


class TokenMaskingLogger(Logger):
    """gunicorn's logger with every path in the access log (and its error log) passed through mask_tokens."""

    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(f, MaskTokens) for f in self.error_log.filters):
            self.error_log.addFilter(MaskTokens())

    def atoms(self, resp, req, environ, request_time):
        # Every atom (path, request line, Referer, other headers): a format change cannot bring a token back.
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: mask_tokens(value) if isinstance(value, str) else value for key, value in atoms.items()}
