from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import render
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


@login_required
@require_GET
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    """A background export of the user's (any kind): the page, or the htmx partial that polls
    itself every 2 s until the file is ready. Someone else's export is a 404."""
    from .exports import access_export

    job = access_export(request.user, pk)
    partial = request.headers.get("HX-Request") == "true"
    template = "core/_export_status.html" if partial else "core/export.html"
    back = str(job.params.get("back") or "")
    if not back.startswith("/") or back.startswith("//"):
        back = ""  # only a path of this site, never an address elsewhere
    return render(request, template, {"job": job, "back": back})


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    from .exports import access_export
    from .models import ExportJob

    job = access_export(request.user, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
