"""Background tasks of the inspection loop (django-tasks), fired by the schedule
(juli/core/schedule.py). Both are safe to run twice or in parallel."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from juli.core import schedule
from juli.core.schedule import Job


@task()
def escalate_overdue() -> int:
    """Escalate dispatched cases past their deadline (every 10 minutes); returns how many.

    `actions.escalate_overdue` claims each case with a conditional UPDATE, so a case is
    escalated (and its people notified) once, whatever the number of runs.
    """
    from .actions import escalate_overdue as escalate

    return len(escalate())


@task()
def plan_today() -> dict[str, int]:
    """Make today's inspection plan (日调度, daily before work); idempotent by design of
    `inspections.plan_day`: points already planned keep their inspector."""
    from .inspections import plan_day

    report = plan_day(timezone.localdate())
    return {
        "assigned": len(report.created),
        "already_planned": report.already_planned,
        "unassigned": len(report.unassigned),
    }


# Periodic jobs (juli/core/schedule.py).
schedule.register(
    Job("escalate", "juli.cases.tasks.escalate_overdue", every_minutes=10),
    Job("plan", "juli.cases.tasks.plan_today", at=datetime.time(6, 0)),
)
