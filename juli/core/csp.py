"""Content-Security-Policy: the header on every response, per-view exceptions, the report
collector.

The policy is `settings.JULI_CSP`, a dict of directive → sources, the same in development and
production. `NONCE` among the sources stands for a fresh random nonce per response: the
middleware sets it as `request.csp_nonce` before the view runs, so a template can write
`<script nonce="{{ request.csp_nonce }}">` (Juli's own pages need none: their scripts are
files under static/; the browsable API's and Swagger's <style> use it). The middleware adds
`report-uri`, which points the browser at `csp_report` below. Not `report-to`: where a policy
has it, Chromium ignores report-uri and sends through the Reporting API instead, which only
HTTPS origins may use (intranet Juli often runs on plain HTTP) and which holds reports back
(measured here: none delivered within 70 s); report-uri reaches Juli at once from every
browser. The collector reads both formats, should report-to be added one day.

A small middleware rather than django-csp: Juli needs one policy, a nonce on every response,
one per-view exception (Redoc's page) and its own collector, which django-csp does not
have; the shape (`directive → list`, `request.csp_nonce`, an override decorator) is that of
Django 6.0's built-in CSP, so moving to it later is a rename.
"""

from __future__ import annotations

import functools
import json
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .context import client_ip_from_meta
from .maps import tile_origins

#: The source that stands for the response's nonce in `settings.JULI_CSP`.
NONCE = "NONCE"
HEADER = "Content-Security-Policy"

logger = logging.getLogger("juli.csp")

View = Callable[..., HttpResponseBase]


def policy(
    directives: Mapping[str, Sequence[str]], nonce: str, report_uri: str | None = None
) -> str:
    """The header value: directives in their order, `NONCE` replaced by `'nonce-…'`."""
    parts = []
    for name, sources in directives.items():
        values = [f"'nonce-{nonce}'" if source == NONCE else source for source in sources]
        parts.append(" ".join([name, *values]))
    if report_uri:
        parts.append(f"report-uri {report_uri}")
    return "; ".join(parts)


@functools.cache
def _media_origin() -> str | None:
    """The origin of uploaded files when the storage serves them from another host (S3 and
    its kin hand out signed URLs there): photos are images on Juli's pages, so img-src needs
    that host. None when files are served by Juli itself."""
    from django.core.files.storage import default_storage

    try:
        url = default_storage.url("csp-probe.jpg")
    except Exception:  # a storage that cannot make a URL offline: nothing to add
        logger.warning("Could not ask the file storage for its URL; img-src names no host.")
        return None
    parts = urlsplit(url)
    if parts.scheme in {"http", "https"} and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


@receiver(setting_changed)
def _forget_media_origin(setting: str, **kwargs: Any) -> None:
    if setting in {"STORAGES", "MEDIA_URL"}:
        _media_origin.cache_clear()


def csp_override(**directives: Sequence[str]) -> Callable[[View], View]:
    """Replace some directives of the policy for one view (names with `_` for `-`):
    `csp_override(style_src_elem=["'self'", "'unsafe-inline'"])(view)`."""
    replaced = {name.replace("_", "-"): list(sources) for name, sources in directives.items()}

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            response.csp_override = replaced  # type: ignore[attr-defined]
            return response

        return wrapped

    return decorator


class ContentSecurityPolicyMiddleware:
    """Sets `request.csp_nonce` and sends `settings.JULI_CSP` on every response.

    A response that already carries the header keeps it. Django's own error pages of
    development (DEBUG's yellow 500 page and its 404 page, with their inline script and
    style) go without, so that they stay readable; they do not exist with DEBUG off."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if HEADER in response:
            return response
        if settings.DEBUG and response.status_code in {404, 500}:
            return response
        directives: dict[str, list[str]] = {k: list(v) for k, v in settings.JULI_CSP.items()}
        origin = _media_origin()
        if origin and origin not in directives.get("img-src", []):
            directives.setdefault("img-src", ["'self'"]).append(origin)
        for tiles in tile_origins():  # the base map's tile hosts, only when configured
            if tiles not in directives.get("img-src", []):
                directives.setdefault("img-src", ["'self'"]).append(tiles)
        directives.update(getattr(response, "csp_override", {}))
        report_uri = reverse("csp-report")
        response[HEADER] = policy(directives, nonce, report_uri)
        return response


# --- The report collector ------------------------------------------------------------------

#: Fields kept from a report (both formats: report-uri's hyphenated names and the Reporting
#: API's camelCase ones), each cut to this many characters in the log.
FIELDS = {
    "document-uri": "document",
    "documentURL": "document",
    "blocked-uri": "blocked",
    "blockedURL": "blocked",
    "effective-directive": "directive",
    "effectiveDirective": "directive",
    "violated-directive": "violated",
    "source-file": "source",
    "sourceFile": "source",
    "line-number": "line",
    "lineNumber": "line",
    "script-sample": "sample",
    "sample": "sample",
    "disposition": "disposition",
}
FIELD_CHARS = 300


def violations(data: Any) -> list[dict[str, str]]:
    """The violations of a report body, in a common shape: report-uri sends one
    `{"csp-report": {...}}`, the Reporting API a list of `{"type": "csp-violation",
    "body": {...}}`. Anything else is no violation."""
    bodies: list[Any] = []
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        bodies.append(data["csp-report"])
    elif isinstance(data, list):
        bodies += [
            item.get("body")
            for item in data
            if isinstance(item, dict) and item.get("type") == "csp-violation"
        ]
    out = []
    for body in bodies:
        if not isinstance(body, dict):
            continue
        seen: dict[str, str] = {}
        for key, name in FIELDS.items():
            value = body.get(key)
            if value is not None and name not in seen:
                seen[name] = str(value)[:FIELD_CHARS]
        out.append(seen)
    return out


def _too_many(request: HttpRequest) -> bool:
    limit = int(settings.JULI_CSP_REPORTS_PER_MINUTE)
    if limit <= 0:
        return False
    ip = client_ip_from_meta(request.META) or ""
    key = f"juli:csp-report:{ip}:{timezone.now():%Y%m%d%H%M}"
    cache.add(key, 0, 120)
    return cache.incr(key) > limit


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Browsers POST policy violations here (no session, no CSRF token: they send neither).
    Each is logged on the `juli.csp` logger at WARNING; bodies over
    JULI_CSP_REPORT_MAX_BYTES are refused unread, and one address may send
    JULI_CSP_REPORTS_PER_MINUTE bodies a minute."""
    limit = int(settings.JULI_CSP_REPORT_MAX_BYTES)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponse(status=400)
    if length > limit:
        return HttpResponse(status=413)
    body = request.read(limit + 1)
    if len(body) > limit:
        return HttpResponse(status=413)
    if _too_many(request):
        return HttpResponse(status=429)
    try:
        found = violations(json.loads(body))
    except (ValueError, UnicodeDecodeError):
        return HttpResponse(status=400)
    if not found:
        return HttpResponse(status=400)
    for violation in found:
        logger.warning(
            "CSP violation: %s blocked %s on %s",
            violation.get("directive") or violation.get("violated", "?"),
            violation.get("blocked", "?"),
            violation.get("document", "?"),
            extra={"csp": violation, "ip": client_ip_from_meta(request.META)},
        )
    return HttpResponse(status=204)
