"""Background tasks of the stats app (django-tasks). Each is safe to run twice."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from juli.core import schedule
from juli.core.schedule import Job


@task()
def refresh_rollups() -> int:
    """Rebuild yesterday's and today's daily buckets from the event log (hourly repair of
    anything the incremental path missed, e.g. rows written around the signals). Returns
    the number of buckets written; a rerun writes the same rows."""
    from .rollups import refresh

    today = timezone.localdate()
    return refresh(today - datetime.timedelta(days=1), today)


# Periodic jobs (juli/core/schedule.py).
schedule.register(Job("rollups", "juli.stats.tasks.refresh_rollups", every_minutes=60))
