"""Background tasks of the notify app (django-tasks). Each is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from juli.core import schedule
from juli.core.schedule import Job


@task()
def deliver(delivery_id: int) -> str | None:
    """Attempt one delivery now if it is due (queued on commit by `notify`). Returns its
    status afterwards, or None when the row is gone."""
    from .actions import send_delivery

    row = send_delivery(delivery_id)
    return row.status if row is not None else None


@task()
def retry_deliveries() -> int:
    """Attempt every due pending or failed delivery; the scheduler runs it every minute.
    Returns how many attempts this run made."""
    from .actions import send_due

    return send_due()


# Periodic jobs (juli/core/schedule.py).
schedule.register(Job("notify-retry", "juli.notify.tasks.retry_deliveries", every_minutes=1))
