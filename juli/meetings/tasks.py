"""Scheduled jobs of the meetings app (django-tasks). Each is safe to run twice."""

from __future__ import annotations

import datetime

from django_tasks import task

from juli.core import schedule
from juli.core.schedule import Job


@task()
def remind_due_meetings() -> int:
    """Remind the secretaries of organisations whose required meetings of the current
    period are not held enough, a week before the period ends (`actions.rules`). A second
    run the same day, or any day after, adds nothing: one notification per person and
    organisation, kind and period."""
    from .actions.rules import send_reminders

    return send_reminders()


# Daily, in the morning: a reminder a week ahead arrives at the start of a working day.
schedule.register(
    Job("meetings-due", "juli.meetings.tasks.remind_due_meetings", at=datetime.time(8, 0))
)
