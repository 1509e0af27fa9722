from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with the database's status when Juli can serve; 503 when the database is down."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse(
            {"status": "error", "database": {"ok": False, "error": exc.__class__.__name__}},
            status=503,
        )
    return JsonResponse(
        {"status": "ok", "database": {"ok": True, "vendor": connection.vendor}},
    )


@require_GET
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico whatever the page says; send them to the static icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@require_GET
@never_cache
def bench_baseline(request: HttpRequest) -> JsonResponse:
    """The benchmark's baseline: a bare Django JSON view (the same middleware, no query).

    Served only when JULI_BENCH_BASELINE=1 (see config/urls.py); `make bench` reports every
    scenario as a ratio to it, measured in the same run.
    """
    return JsonResponse({"ok": True})
