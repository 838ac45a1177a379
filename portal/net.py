"""The client's address, the one place every rate limit asks.

Behind the TLS proxy every connection comes from the proxy, so REMOTE_ADDR alone would put all users into
one bucket. Each trusted proxy appends the address it was connected from to X-Forwarded-For; everything to
the left of those entries was written by the client and proves nothing. With ``TRUSTED_PROXY_COUNT = n``
the client is the n-th address from the right; with 0 the header is ignored.
"""

import ipaddress

from django.conf import settings


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The address of the client as far as the trusted proxies vouch for it (normalised), else REMOTE_ADDR.

    A header shorter than the number of trusted proxies (or broken) means the request did not come through all
    of them (e.g. the container healthcheck): then the connection's own address counts, never a header entry.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if trusted > 0 and forwarded:
        entries = [entry.strip() for entry in forwarded.split(",")]
        if len(entries) >= trusted and (address := _address(entries[-trusted])):
            return address
    return _address(remote) or remote or "unknown"


def rate_limit_source(request) -> str:
    """The bucket a client's requests are counted in: its address, or its /64 network for IPv6 (one
    household or phone gets a whole /64 and could otherwise use a fresh address for every request)."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False).network_address) + "/64"
    return address
