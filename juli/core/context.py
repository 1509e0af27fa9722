"""Per-request context (actor IP) for the audit log, carried in a context variable.

Actions take the acting user explicitly; the IP is ambient because commands and the demo
generator have none, and threading it through every call would add noise, not safety.
"""

from __future__ import annotations

import contextvars
import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings

_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("juli_ip", default=None)


def current_ip() -> str | None:
    return _client_ip.get()


@contextmanager
def request_ip(ip: str | None) -> Iterator[None]:
    token = _client_ip.set(ip)
    try:
        yield
    finally:
        _client_ip.reset(token)


def client_ip_from_meta(meta: Any) -> str | None:
    """The client's address. With JULI_TRUSTED_PROXIES = N > 0 (Juli behind N proxies that
    each append the address they saw, or one nginx that overwrites `X-Forwarded-For`), the
    Nth entry from the right of `X-Forwarded-For`; entries further left are the client's own
    claims and are never read. Without proxies (0, the default) `REMOTE_ADDR`: the header is
    then client-controlled and ignored."""
    trusted = int(getattr(settings, "JULI_TRUSTED_PROXIES", 0) or 0)
    if trusted > 0:
        hops = [h.strip() for h in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= trusted:
            candidate = hops[-trusted]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return meta.get("REMOTE_ADDR") or None
