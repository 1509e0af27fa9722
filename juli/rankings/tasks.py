"""Background tasks of the rankings app (django-tasks). Each is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from juli.core import schedule
from juli.core.schedule import Job


@task()
def compute_weekly_rankings() -> list[int]:
    """Compute and publish last week's ranking of every district with the ranking on that
    has none yet. Idempotent: a second run finds them all present and does nothing.

    Returns the ids of the rankings it made.
    """
    from .actions import compute_missing

    return [r.pk for r in compute_missing()]


# Periodic jobs (juli/core/schedule.py). The task decides itself whether last week's ranking
# is due; running it hourly lets it catch up within the hour.
schedule.register(Job("rankings", "juli.rankings.tasks.compute_weekly_rankings", every_minutes=60))
