"""The client address behind the TLS proxy: X-Forwarded-For is believed exactly as far as it is trusted."""

import pytest
from django.test import RequestFactory

from portal.net import client_ip

PROXY = "10.0.0.2"


def request(remote_addr=PROXY, xff=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request(remote_addr="198.51.100.7", xff="203.0.113.1")) == "198.51.100.7"


def test_behind_one_proxy_the_address_the_proxy_saw_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(xff="198.51.100.7")) == "198.51.100.7"


def test_entries_the_client_wrote_on_the_left_are_not_believed(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent "X-Forwarded-For: 203.0.113.1, 192.0.2.9"; the proxy appended the real address.
    assert client_ip(request(xff="203.0.113.1, 192.0.2.9, 198.51.100.7")) == "198.51.100.7"


def test_two_proxies_take_the_second_address_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request(xff="203.0.113.1,198.51.100.7, 10.0.0.1")) == "198.51.100.7"


@pytest.mark.parametrize("xff", [None, "", "not-an-address", " , "])
def test_a_missing_short_or_broken_header_falls_back_to_the_connection(settings, xff):
    """A request that did not pass the proxy (the container healthcheck) is counted by its own address."""
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request(remote_addr="127.0.0.1", xff=xff)) == "127.0.0.1"


def test_ipv6_addresses_are_normalised(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request(xff="2001:DB8:0:0::1")) == "2001:db8::1"


def test_an_ipv6_client_is_counted_by_its_64_network(settings):
    from portal.net import rate_limit_source

    settings.TRUSTED_PROXY_COUNT = 1
    first = rate_limit_source(request(xff="2001:db8:1:2::1"))
    assert first == rate_limit_source(request(xff="2001:db8:1:2:ffff::9"))
    assert first != rate_limit_source(request(xff="2001:db8:1:3::1"))
