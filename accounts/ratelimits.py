"""Who a failed login counts against: the account *at one client address*.

allauth counts failed logins per IP (``20/m/ip``) and per "key" (``5/5m/key``). Its key is the login address
alone, so five wrong passwords from anywhere would lock the real person out of their own account. Here the key
is the login address, the client's address (``portal.net``) and the account's current generation: an attacker
is slowed down at their own address while the person logs in from theirs, and a successful password reset
starts a new generation, which lifts the limit for that account at every address at once (the old counters
simply expire).
"""

import hashlib
import secrets

from django.core.cache import cache

from portal.net import rate_limit_source

#: A generation must outlive the longest login_failed window (5 minutes); a day is plenty.
GENERATION_SECONDS = 24 * 3600


def _generation_key(login: str) -> str:
    return "accounts:login-generation:" + hashlib.sha256(login.strip().lower().encode()).hexdigest()


def login_failed_key(request, login: str) -> str:
    """The allauth rate-limit key for failed logins with ``login`` from this request's client.
    (allauth hashes it before it becomes a cache key, so no address is stored in clear.)"""
    generation = cache.get(_generation_key(login), "0")
    return f"{login.strip().lower()}:{generation}:{rate_limit_source(request)}"


def lift_login_limits(login: str) -> None:
    """Forget every failed-login count of the account, at all addresses (after a successful reset)."""
    cache.set(_generation_key(login), secrets.token_hex(8), GENERATION_SECONDS)
