"""Per-request context (actor IP) for the audit log, carried in a context variable.

Actions take the acting user explicitly; the IP is ambient because commands and the demo
generator have none, and threading it through every call would add noise, not safety.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

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


def client_ip_from_meta(meta: dict[str, str]) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy
    # rewrites it, and the proxy setup is a deployment concern (see docs/deploy.md).
    return meta.get("REMOTE_ADDR") or None
