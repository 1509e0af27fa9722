from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousFileOperation
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
from django.utils._os import safe_join
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .actions import PHOTO_FOLDERS


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


#: What nginx's photo locations answer (deploy/nginx/juli.conf): JPEG and PNG by name,
#: anything else as bytes to download.
_PHOTO_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


@require_GET
def dev_photo(request: HttpRequest, folder: str, path: str) -> FileResponse:
    """DEBUG only (`make run`): a file of a photo folder, as nginx serves it in production.

    The rest of media/ (letter evidence, signatures, exports) is not served under /media/
    at all, in development as in production: their own views check access. The folder is
    the document root, so "../" cannot climb out of it.
    """
    if folder not in PHOTO_FOLDERS:
        raise Http404
    try:
        full = Path(safe_join(Path(settings.MEDIA_ROOT) / folder, path))
    except SuspiciousFileOperation:
        raise Http404 from None
    if not full.is_file():
        raise Http404
    response = FileResponse(
        full.open("rb"),
        content_type=_PHOTO_TYPES.get(full.suffix.lower(), "application/octet-stream"),
    )
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
