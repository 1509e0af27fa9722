"""Large exports made in the background: a job row, a task, a page that polls.

    @exporter("cases.xlsx")
    def cases_xlsx(params, owner):           # in juli/<app>/exports.py
        ...
        return "cases-20261122.xlsx", path   # or bytes

- `start_export(user, kind, params)` records an `ExportJob` (audited: who exported what)
  and queues `juli.core.tasks.run_export` on commit. The same request from the same user
  within `DEDUP_SECONDS` returns the job already made (a double click makes one file).
- The task calls the exporter with the owner, whose scope is applied by the exporter
  (`visible_*`), at the time the file is made. The exporter may call `progress(rows)` now
  and then; the page polls the job every 2 s and shows the count.
- A failure is recorded on the job with a message the user can read (`ExportError`'s
  text, or a generic one; the traceback goes to the log).
- Only the owner sees the job or downloads the file; others get 404. Files expire after
  JULI_EXPORT_TTL_HOURS and are deleted by the daily purge (`sweep_expired_exports`).
- Safe to run twice: a job already done is left alone; one killed midway is made again
  from the start, and the file of a run that lost the race is deleted.
"""

from __future__ import annotations

import contextvars
import datetime
import hashlib
import importlib
import importlib.util
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import record
from .jobs import later
from .models import ExportJob

logger = logging.getLogger(__name__)

Exporter = Callable[[dict[str, Any], Any], tuple[str, "bytes | Path | str"]]
EXPORTERS: dict[str, Exporter] = {}
DEDUP_SECONDS = 60
PROGRESS_EVERY = 500  # rows between two progress writes

_current_job: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "juli_export_job", default=None
)
_discovered = False


class ExportError(Exception):
    """An export that cannot be made; its message is shown to the user as it is."""


def exporter(kind: str) -> Callable[[Exporter], Exporter]:
    """Register `fn(params, owner) -> (filename, bytes | path)` as the maker of `kind`."""

    def register(fn: Exporter) -> Exporter:
        EXPORTERS[kind] = fn
        return fn

    return register


def get_exporter(kind: str) -> Exporter | None:
    global _discovered
    if not _discovered:
        _discover()
        _discovered = True
    return EXPORTERS.get(kind)


def _discover() -> None:
    """Import every app's `exports` module: importing registers its kinds. A module that
    fails to import is logged and skipped; its kinds stay unknown."""
    for config in apps.get_app_configs():
        if not config.name.startswith("juli."):
            continue
        name = f"{config.name}.exports"
        try:
            if importlib.util.find_spec(name) is not None:
                importlib.import_module(name)
        except Exception:
            logger.exception("could not import %s", name)


def progress(rows: int) -> None:
    """Tell the polling page that `rows` rows are written (cheap: every PROGRESS_EVERY)."""
    job_id = _current_job.get()
    if job_id is not None and rows % PROGRESS_EVERY == 0:
        ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(rows=rows)


def fingerprint(kind: str, params: dict[str, Any]) -> str:
    raw = json.dumps({"kind": kind, "params": params}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def start_export(user: Any, kind: str, params: dict[str, Any]) -> tuple[ExportJob, bool]:
    """Queue the export `kind` with `params` for `user`; returns (job, created).

    Refuses an unknown kind (ValidationError "unknown_export") and anonymous users.
    """
    if not getattr(user, "is_authenticated", False):
        raise Http404
    if get_exporter(kind) is None:
        raise ValidationError(_("There is no export of this kind."), code="unknown_export")
    params = json.loads(json.dumps(params))  # JSON only, as stored
    digest = fingerprint(kind, params)
    now = timezone.now()
    with transaction.atomic():
        # One export request at a time per user: the duplicate check and the insert cannot
        # interleave with a second click's (PostgreSQL row lock; SQLite's IMMEDIATE
        # transactions serialise writers anyway).
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        recent = (
            ExportJob.objects.filter(
                owner=user,
                kind=kind,
                fingerprint=digest,
                created_at__gte=now - datetime.timedelta(seconds=DEDUP_SECONDS),
            )
            .exclude(status=ExportJob.Status.FAILED)
            .order_by("-created_at")
            .first()
        )
        if recent is not None:
            return recent, False
        job = ExportJob.objects.create(
            owner=user,
            kind=kind,
            params=params,
            fingerprint=digest,
            created_at=now,
            expires_at=now + datetime.timedelta(hours=settings.JULI_EXPORT_TTL_HOURS),
        )
        record(user, "export.start", job, after={"kind": kind, "params": params})
        from .tasks import run_export as run_export_task

        later(run_export_task, job.pk)
    return job, True


def access_export(user: Any, pk: Any) -> ExportJob:
    """The user's own export job `pk`, or 404 (someone else's looks like none)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    try:
        return ExportJob.objects.get(pk=int(pk), owner=user)
    except (ExportJob.DoesNotExist, TypeError, ValueError) as e:
        raise Http404 from e


def run_export(job_id: int) -> str:
    """Make the file of job `job_id`; returns the final status ("" if the job is gone)."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return ""
        if job.status in {ExportJob.Status.DONE, ExportJob.Status.FAILED}:
            return str(job.status)  # already made (a rerun, a redelivery)
        job.status = ExportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.rows = 0
        job.save(update_fields=["status", "started_at", "rows"])
    maker = get_exporter(job.kind)
    token = _current_job.set(job.pk)
    try:
        if maker is None:
            raise ExportError(_("There is no export of this kind."))
        filename, content = maker(job.params, job.owner)
        name = _store(job, filename, content)
    except ExportError as e:
        return _fail(job, str(e))
    except Exception as e:
        logger.exception("export %s (%s) failed", job.pk, job.kind)
        return _fail(
            job,
            _("The export failed (%(error)s). Please try again or narrow the filters.")
            % {"error": type(e).__name__},
        )
    finally:
        _current_job.reset(token)
    rows = ExportJob.objects.filter(pk=job.pk).values_list("rows", flat=True).first() or 0
    done = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING, file="").update(
        status=ExportJob.Status.DONE,
        file=name,
        filename=filename,
        rows=rows,
        finished_at=timezone.now(),
    )
    if not done:
        default_storage.delete(name)  # another run finished first: keep its file only
        return str(ExportJob.objects.get(pk=job.pk).status)
    return str(ExportJob.Status.DONE)


def _store(job: ExportJob, filename: str, content: bytes | Path | str) -> str:
    field = job.file
    if isinstance(content, bytes):
        field.save(filename, ContentFile(content), save=False)
    else:
        path = Path(content)
        try:
            with path.open("rb") as handle:
                field.save(filename, File(handle), save=False)
        finally:
            path.unlink(missing_ok=True)
    return str(field.name)


def _fail(job: ExportJob, message: str) -> str:
    ExportJob.objects.filter(pk=job.pk).exclude(status=ExportJob.Status.DONE).update(
        status=ExportJob.Status.FAILED, error=message[:2000], finished_at=timezone.now()
    )
    return str(ExportJob.Status.FAILED)


def set_rows(rows: int) -> None:
    """Record the final row count of the running job (exporters call it once at the end)."""
    job_id = _current_job.get()
    if job_id is not None:
        ExportJob.objects.filter(pk=job_id).update(rows=rows)


def sweep_expired_exports(now: datetime.datetime | None = None) -> int:
    """Delete the jobs past their expiry and their files; returns how many rows went."""
    now = now or timezone.now()
    expired = list(ExportJob.objects.filter(expires_at__lt=now).values_list("pk", "file"))
    for pk, name in expired:
        if ExportJob.objects.filter(pk=pk).delete()[0] and name:
            default_storage.delete(name)
    return len(expired)


def temp_path(suffix: str) -> Path:
    """A fresh temporary file for an exporter to write into (it is deleted once stored)."""
    import tempfile

    handle, name = tempfile.mkstemp(prefix="juli-export-", suffix=suffix)
    os.close(handle)
    return Path(name)
