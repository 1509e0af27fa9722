"""CSRF on every form: a POST without the token is refused by every URL of the site, for a
signed-in user (the superuser, who may do anything), before any view code runs.

The URL list is walked from the resolver, so a page added later is covered without
touching this test. The only exemptions are listed with their reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from juli.core.models import AuditLog

#: URL names that take POST without a CSRF token, and why.
EXEMPT = {
    # Open311 GeoReport v2: a public, throttled, cookie-less API for third-party clients.
    "open311-requests": "public API without session",
    # Token endpoint: takes credentials, sets no session, answers a token.
    "api-token": "credentials in the body, no session",
    # Django's language switch is a POST without side effects on data (stores a cookie).
    "set_language": "Django's own view",
    # Browsers send Content-Security-Policy reports without cookies or token; the view only
    # logs them, size- and rate-limited (core/tests/test_csp.py).
    "csp-report": "browser violation reports, no session",
    # The API's JSON 404 for paths no route takes: answers 404 to every method, changes nothing.
    "api-not-found": "404 for every method, no data",
}

SAMPLE = {"int": "1", "slug": "x", "str": "x", "uuid": str(uuid.uuid4()), "path": "x"}


def _walk(resolvers: list[URLResolver | URLPattern], prefix: str = "") -> Iterator[tuple[str, str]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin site: Django's own forms, CSRF-protected by Django
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry.name or ""


def _url(pattern: str) -> str | None:
    import re

    if pattern.startswith("^"):
        return None  # regex routes at the root (static files in DEBUG): not forms
    # DRF routers give regex routes under a path() prefix: "api/v1/^cases/(?P<pk>[^/.]+)/$".
    pattern = re.sub(r"\(\?P<\w+>[^)]*\)", "1", pattern).replace("^", "").replace("$", "")
    url = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), pattern)
    return "/" + url


def _routes() -> list[tuple[str, str]]:
    seen = set()
    out = []
    for pattern, name in _walk(get_resolver().url_patterns):
        url = _url(pattern)
        if url is None or url in seen or name in EXEMPT:
            continue
        seen.add(url)
        out.append((url, name))
    return out


@pytest.mark.django_db
def test_every_url_refuses_a_post_without_the_csrf_token(cast):  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.platform_admin)
    routes = _routes()
    assert len(routes) > 60  # the walk found the site, not an empty resolver
    before = AuditLog.objects.count()
    accepted = []
    for url, name in routes:
        response = client.post(url, {"note": "x", "name": "x"})
        # 403: CSRF refusal. 405: the URL takes no POST at all. 404/301: no such object or
        # a route that only redirects (the trailing-slash or sign-in redirect).
        if response.status_code not in {403, 405}:
            accepted.append((url, name, response.status_code))
    assert not accepted, f"POST without CSRF token not refused: {accepted}"
    assert AuditLog.objects.count() == before
