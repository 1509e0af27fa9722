"""Scheduled jobs of observation visits (django-tasks). Each is safe to run twice."""

from __future__ import annotations

import datetime

from django_tasks import task

from juli.core import schedule
from juli.core.schedule import Job


@task()
def escalate_overdue_rectifications() -> int:
    """Escalate the open rectification items past their deadline, each once
    (`actions.escalate_overdue` claims each row with a conditional UPDATE)."""
    from .actions import escalate_overdue

    return len(escalate_overdue())


# Daily, early: a deadline is a day; the organiser reads the escalations in the morning.
schedule.register(
    Job(
        "observation-escalate",
        "juli.observation.tasks.escalate_overdue_rectifications",
        at=datetime.time(7, 30),
    )
)
