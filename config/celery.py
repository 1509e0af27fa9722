"""The Celery app of Juli (JULI_TASKS_BACKEND=celery): `juli celery worker`, `juli celery beat`.

Celery carries Juli's own django-tasks tasks; it has no tasks of its own but two:

- `juli.run` runs one django-tasks task by its dotted path with JSON arguments (what
  `juli.core.celery_backend.CeleryBackend.enqueue` sends);
- `juli.tick` runs the periodic-job scheduler (`juli.core.schedule.tick`); beat sends it
  every minute and the slot table makes each slot fire once, whatever the number of beats.

Delivery: a message is acknowledged after its task has run (acks_late), a task whose worker
process died is put back in the queue (reject_on_worker_lost), and a worker takes one message
at a time (prefetch 1), so a killed worker loses nothing it had not finished. A worker killed
whole (kill -9, a lost machine) leaves its message unacknowledged in Redis; Redis gives it to
another worker after JULI_CELERY_VISIBILITY_TIMEOUT seconds. Tasks are idempotent, so a task
run twice does its work once.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings  # noqa: E402 - after the settings module is named

# Created after DJANGO_SETTINGS_MODULE is set: Celery's Django fixup then calls
# django.setup() in the worker and closes database connections around each task.
app = Celery("juli")
app.conf.update(
    broker_url=settings.JULI_CELERY_BROKER_URL,
    result_backend=settings.JULI_CELERY_RESULT_BACKEND,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_extended=True,  # keeps the task path and arguments with the state (get_result)
    result_expires=24 * 3600,
    task_track_started=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_default_queue="default",  # django-tasks' default queue name
    broker_connection_retry_on_startup=True,
    broker_transport_options={
        "visibility_timeout": settings.JULI_CELERY_VISIBILITY_TIMEOUT,
        # Look for the messages of dead workers every few seconds (kombu's default sweep is
        # every 10 × 10 s): a message past its visibility timeout is back in the queue soon.
        "unacked_restore_interval": max(1, min(10, settings.JULI_CELERY_VISIBILITY_TIMEOUT // 3)),
        "unacked_restore_throttle": 1,
    },
    result_backend_transport_options={
        "visibility_timeout": settings.JULI_CELERY_VISIBILITY_TIMEOUT
    },
    timezone=settings.TIME_ZONE,
    enable_utc=True,
    worker_hijack_root_logger=False,
    # Beat keeps no state of its own (the slot table is the memory): no schedule file.
    beat_scheduler="celery.beat:Scheduler",
    beat_schedule={
        "juli-scheduler": {
            "task": "juli.tick",
            "schedule": 60.0,
            # A tick that waited a minute in the queue is useless: the next one is coming.
            "options": {"expires": 55},
        }
    },
)


@app.task(name="juli.run", bind=True)
def run(self: Any, task_path: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Run the django-tasks task at `task_path` (see `juli.core.celery_backend`)."""
    from juli.core.celery_backend import run_task

    return run_task(self.request, task_path, args, kwargs)


@app.task(name="juli.tick", ignore_result=True)
def tick() -> int:
    """Enqueue the periodic jobs that are due (`juli.core.schedule`)."""
    from juli.core.schedule import tick as schedule_tick

    return len(schedule_tick())
