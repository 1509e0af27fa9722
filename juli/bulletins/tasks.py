"""Background tasks of the bulletins app (django-tasks). Each is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from juli.core import schedule
from juli.core.schedule import Job


@task()
def generate_daily_bulletins() -> dict[str, int]:
    """Make yesterday's bulletins of every active district and street (the scheduler calls
    this hourly).

    A district's streets follow the district's settings: once the local hour has reached its
    `generation_hour`, each missing bulletin of the previous local day is generated as a
    draft, and with `auto_publish` every draft of that day is published. Idempotent: the
    unique (area, date) constraint and `ensure_bulletin`'s get-or-create make a rerun (or two
    workers at once) change nothing. Returns how many bulletins it created and published.
    """
    from .scheduling import run_daily

    return run_daily()


# Periodic jobs (juli/core/schedule.py). The task decides itself whether yesterday's bulletin
# is due (the district's hour); running it hourly lets it catch up within the hour.
schedule.register(
    Job("bulletins", "juli.bulletins.tasks.generate_daily_bulletins", every_minutes=60)
)
