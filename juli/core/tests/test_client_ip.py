"""The client's address behind trusted proxies, and never from a header a client can forge."""

from __future__ import annotations

import pytest

from juli.core.context import client_ip_from_meta


@pytest.mark.parametrize(
    ("trusted", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "10.0.0.5"),
        (1, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, "203.0.113.9"),
        # The client put its own claim first; the proxy appended what it saw.
        (
            1,
            {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"},
            "203.0.113.9",
        ),
        (
            2,
            {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9, 10.1.1.1"},
            "203.0.113.9",
        ),
        # Fewer hops than proxies, or garbage: the socket's address.
        (2, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, "127.0.0.1"),
        (1, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "<script>"}, "127.0.0.1"),
        (1, {"REMOTE_ADDR": "127.0.0.1"}, "127.0.0.1"),
        (1, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "2001:db8::1"}, "2001:db8::1"),
    ],
)
def test_it_reads_the_address_the_outermost_trusted_proxy_saw(settings, trusted, meta, expected):
    settings.JULI_TRUSTED_PROXIES = trusted
    assert client_ip_from_meta(meta) == expected
