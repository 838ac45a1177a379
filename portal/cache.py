"""The shared cache (Redis) that keeps the pages working while Redis is away.

What the portal keeps in the cache is short-lived counting: login and guest-registration rate limits, the
verification page's limit, allauth's "this TOTP code was used" marks, the worker's heartbeat, and the Lotse's
start page figures (home.lotse_start, not used while Redis is away). None of it is worth a 500. When Redis
does not answer (connection refused, reset or a timeout: OPTIONS in settings keep these at one or two
seconds), each call falls back to this process's own memory and Redis is left alone for ``RETRY_SECONDS``,
so a request pays the timeout at most once, not once per cache call. Limits are then
counted per gunicorn process instead of for the whole site (weaker, not off); a warning says so in the log
and the staff status page shows the cache as unreachable. Once Redis answers again, it is used again.
"""

from __future__ import annotations

import logging
import time

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

#: How long a process uses its own memory before it asks Redis again.
RETRY_SECONDS = 5.0

_UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
#: per cache location: until when (time.monotonic()) Redis is not asked; shared by the process's threads
_down_until: dict[str, float] = {}


def _falls_back(name: str):
    def method(self, *args, **kwargs):
        if not self.is_degraded:
            try:
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except _UNREACHABLE as error:
                _down_until[self._location] = time.monotonic() + RETRY_SECONDS
                logger.warning(
                    "Shared cache unreachable (%s): rate limits are counted per process for %.0f s",
                    type(error).__name__,
                    RETRY_SECONDS,
                )
        return getattr(self._fallback, name)(*args, **kwargs)

    method.__name__ = name
    return method


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._location = str(server)
        fallback_params = {key: value for key, value in params.items() if key != "OPTIONS"}
        # LocMemCache shares its store between instances of one name: one store per process and location.
        self._fallback = LocMemCache(f"portal-fallback:{self._location}", fallback_params)

    @property
    def is_degraded(self) -> bool:
        """True while this process uses its own memory because Redis did not answer."""
        return time.monotonic() < _down_until.get(self._location, 0.0)

    def degraded_within(self, seconds: float) -> bool:
        """True if this process used its own memory at any time in the last ``seconds`` (or does now): what
        was written to Redis just before, or changed in the meantime, may not have reached it."""
        return time.monotonic() < _down_until.get(self._location, float("-inf")) + seconds

    def ping(self) -> bool:
        """Ask Redis itself (never the fallback): True if it answers within the socket timeouts."""
        try:
            return bool(self._cache.get_client(write=True).ping())
        except _UNREACHABLE:
            return False

    add = _falls_back("add")
    get = _falls_back("get")
    set = _falls_back("set")
    touch = _falls_back("touch")
    delete = _falls_back("delete")
    get_many = _falls_back("get_many")
    has_key = _falls_back("has_key")
    incr = _falls_back("incr")
    set_many = _falls_back("set_many")
    delete_many = _falls_back("delete_many")
    clear = _falls_back("clear")
