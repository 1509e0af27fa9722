"""Background tasks of the bulletins app (django-tasks). Each is safe to run twice."""

from __future__ import annotations

from django_tasks import task


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
