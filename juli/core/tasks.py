"""Background tasks of the core app (django-tasks). Each is safe to run twice."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from . import schedule
from .schedule import Job

logger = logging.getLogger(__name__)


@task()
def make_thumbnail(model_label: str, pk: str) -> str | None:
    """Make the missing thumbnail of one photo row ("core.Upload" or "cases.CasePhoto").

    Returns the stored name, or None when there was nothing to do (already made, row gone).
    """
    from .actions import store_thumbnail

    return store_thumbnail(model_label, pk)


@task()
def thumbnail_catch_up() -> int:
    """Make every thumbnail still missing (a lost job, a restore); scheduled hourly.

    `store_thumbnail` claims each row with a conditional UPDATE, so two runs make each
    thumbnail once. Returns how many this run made.
    """
    from .actions import missing_thumbnails, store_thumbnail

    made = 0
    for label, pk in list(missing_thumbnails()):
        try:
            if store_thumbnail(label, pk):
                made += 1
        except Exception:
            # One unreadable photo must not stop the others; it is retried next hour.
            logger.exception("thumbnail of %s %s failed", label, pk)
    return made


@task()
def purge_submissions() -> dict[str, int]:
    """Daily housekeeping: forget idempotency records older than JULI_SUBMISSION_TTL_DAYS and
    delete expired exports (rows and files). Deleting what is already gone deletes nothing,
    so a second run is harmless. Neither is audited: an idempotency record is a cached
    response and an export a copy; the writes they stand for have their own audit rows (and
    starting an export is audited).
    """
    from .exports import sweep_expired_exports
    from .models import Submission

    cutoff = timezone.now() - datetime.timedelta(days=settings.JULI_SUBMISSION_TTL_DAYS)
    submissions, _ = Submission.objects.filter(created_at__lt=cutoff).delete()
    return {"submissions": submissions, "exports": sweep_expired_exports()}


@task()
def run_export(job_id: int) -> str:
    """Make the file of one export job (`juli.core.exports.run_export`); returns its status."""
    from .exports import run_export as run

    return run(job_id)


# Core's periodic jobs (juli/core/schedule.py); every other app declares its own in its tasks.py.
schedule.register(
    Job("thumbnails", "juli.core.tasks.thumbnail_catch_up", every_minutes=60),
    Job("purge-submissions", "juli.core.tasks.purge_submissions", at=datetime.time(3, 30)),
)
