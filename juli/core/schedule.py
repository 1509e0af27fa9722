"""Periodic jobs: one table, one scheduler, two runners.

Every periodic job is a `Job`: a name, the dotted path of a django-tasks task (no arguments),
and when it is due (every N minutes, or daily / weekly at a local time in
JULI_WORK_TIME_ZONE). Each app declares its own jobs in its `tasks.py` with
`register(Job(…))`; the first read of the table (`registered()`) imports every app's `tasks`
module, so core names no other app's task. `tick()` enqueues each job whose latest due time
("slot") has not fired yet:

- A slot fires at most once. `ScheduledRun` is unique on (name, slot); the row and the
  queued task commit in one transaction, so two schedulers, or a scheduler restarted
  mid-tick, cannot fire a slot twice.
- After downtime only the latest missed slot fires (once): the tick looks at the latest
  due time, never at the ones before it.
- A task path that does not import (an app not deployed yet) is logged and skipped; the
  slot is recorded with the error, and the next slot tries again. Nothing stops the loop.

Who ticks:
- Embedded (database backend): `juli worker` runs `run_forever()` in a thread beside the
  task loop (so `juli serve`'s embedded worker does it too); `juli scheduler` runs it alone.
  Every tick also calls `requeue_stale_tasks()`: a task left RUNNING by a worker that was
  killed (no heartbeat for JULI_WORKER_STALE_SECONDS) goes back to READY, so it runs again.
- Celery: beat sends the `juli.tick` task every minute (`config.celery`); the worker that
  receives it runs this same `tick()`, against the same slot table.

Every scheduled task must be idempotent: a task may run again after a crash.
"""

from __future__ import annotations

import datetime
import logging
import threading
from dataclasses import dataclass
from importlib import import_module
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string, module_has_submodule

from .models import ScheduledRun, WorkerHeartbeat

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A periodic job. Exactly one of `every_minutes` / `at` is set; `weekday` (0 = Monday)
    makes an `at` job weekly instead of daily."""

    name: str
    task_path: str
    every_minutes: int | None = None
    at: datetime.time | None = None
    weekday: int | None = None

    def __post_init__(self) -> None:
        if (self.every_minutes is None) == (self.at is None):
            raise ValueError(f"job {self.name}: give every_minutes or at, not both")
        if self.every_minutes is not None and not 1 <= self.every_minutes <= 24 * 60:
            raise ValueError(f"job {self.name}: every_minutes must be 1…1440")
        if self.weekday is not None and (self.at is None or not 0 <= self.weekday <= 6):
            raise ValueError(f"job {self.name}: weekday needs `at` and 0…6")

    def latest_slot(self, now: datetime.datetime) -> datetime.datetime:
        """The latest due time at or before `now` (aware, in the work time zone)."""
        local = now.astimezone(work_zone())
        if self.every_minutes is not None:
            # Slots are counted from local midnight, so "every 60" fires on the hour and
            # "every 10" at :00, :10 … whatever moment the scheduler started.
            midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
            minutes = int((local - midnight).total_seconds() // 60)
            return midnight + datetime.timedelta(minutes=minutes - minutes % self.every_minutes)
        assert self.at is not None
        slot = datetime.datetime.combine(local.date(), self.at, tzinfo=local.tzinfo)
        if self.weekday is None:
            return slot if slot <= local else slot - datetime.timedelta(days=1)
        slot -= datetime.timedelta(days=(local.weekday() - self.weekday) % 7)
        return slot if slot <= local else slot - datetime.timedelta(days=7)

    def describe(self) -> str:
        if self.every_minutes is not None:
            return f"every {self.every_minutes} min"
        assert self.at is not None
        day = "daily" if self.weekday is None else f"weekly on day {self.weekday}"
        return f"{day} at {self.at:%H:%M}"


# --- The table: every app declares its jobs ----------------------------------------------------

_registry: dict[str, Job] = {}
_lock = threading.RLock()
_discovered = False
_discovering = False


def register(*new: Job) -> None:
    """Add jobs to the table. An app calls it from its `tasks.py`, beside the tasks:

        schedule.register(Job("rollups", "juli.stats.tasks.refresh_rollups", every_minutes=60))

    The same job twice is fine; another job under a name already taken is a mistake."""
    with _lock:
        for job in new:
            old = _registry.get(job.name)
            if old is not None and old != job:
                raise ImproperlyConfigured(f"scheduled job {job.name!r} is registered twice")
            _registry[job.name] = job


def _app_index(job: Job) -> int:
    config = apps.get_containing_app_config(job.task_path)
    names = [c.name for c in apps.get_app_configs()]
    return names.index(config.name) if config is not None else len(names)


def discover() -> None:
    """Import every app's `tasks` module, once per process. Another thread waits for the
    first one to finish; a `tasks.py` that reads the table while it is imported does not
    recurse.

    What `autodiscover_modules("tasks")` does, but app by app: a `tasks.py` that does not
    import (an app half deployed) is logged and leaves out that app's jobs only; the others
    still fire, as a task path that does not import is skipped (see `fire`)."""
    global _discovered, _discovering
    if _discovered:
        return
    with _lock:
        if _discovered or _discovering:
            return
        _discovering = True
        try:
            _import_tasks()
            _discovered = True
        finally:
            _discovering = False


def _import_tasks() -> None:
    for config in apps.get_app_configs():
        try:
            if module_has_submodule(config.module, "tasks"):
                import_module(f"{config.name}.tasks")
        except Exception:
            logger.exception("the tasks of %s do not import: their jobs are left out", config.name)


def registered() -> tuple[Job, ...]:
    """Every registered job, in the order of the apps in INSTALLED_APPS (then as declared)."""
    discover()
    with _lock:
        table = list(_registry.values())
    return tuple(sorted(table, key=_app_index))


def work_zone() -> ZoneInfo:
    return ZoneInfo(settings.JULI_WORK_TIME_ZONE)


def jobs() -> tuple[Job, ...]:
    """The table, minus the names listed in JULI_SCHEDULE_DISABLED."""
    disabled = set(settings.JULI_SCHEDULE_DISABLED)
    return tuple(job for job in registered() if job.name not in disabled)


@dataclass
class Fired:
    job: str
    slot: datetime.datetime
    result_id: str = ""
    error: str = ""


def _load_task(path: str) -> Any:
    from django_tasks.base import Task

    task = import_string(path)
    if not isinstance(task, Task):
        raise TypeError(f"{path} is not a django-tasks task (decorate it with @task())")
    return task


def fire(job: Job, slot: datetime.datetime) -> Fired | None:
    """Enqueue `job` for `slot` unless that slot has fired already (then None)."""
    if ScheduledRun.objects.filter(name=job.name, slot=slot).exists():
        return None  # the common case, answered without provoking a unique violation
    try:
        task = _load_task(job.task_path)
    except Exception as e:  # ImportError, AttributeError, TypeError: a deployment problem
        task, error = None, f"{type(e).__name__}: {e}"
    else:
        error = ""
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(
                name=job.name, slot=slot, task_path=job.task_path, error=error
            )
            if task is not None:
                # In the same transaction: with the database backend the queued row commits
                # with the slot row or not at all (exactly once).
                result = task.enqueue()
                run.task_result_id = str(result.id)[:64]
                run.save(update_fields=["task_result_id"])
    except IntegrityError:
        return None  # another scheduler (or an earlier tick) fired this slot
    if error:
        logger.error("scheduled job %s skipped: %s", job.name, error)
    else:
        logger.info("scheduled job %s fired for %s", job.name, slot.isoformat())
    return Fired(job.name, slot, run.task_result_id, error)


def tick(now: datetime.datetime | None = None) -> list[Fired]:
    """Fire every job whose latest slot has not fired; returns what fired now."""
    now = now or timezone.now()
    fired = []
    for job in jobs():
        try:
            done = fire(job, job.latest_slot(now))
        except Exception:
            # One broken job (or a database hiccup) must not stop the others.
            logger.exception("scheduled job %s could not be fired", job.name)
            continue
        if done is not None:
            fired.append(done)
    return fired


# --- Stale tasks of killed database workers ------------------------------------------------------


def beat(worker_id: str, *, host: str = "", pid: int = 0) -> None:
    """Record that `worker_id` is alive now."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            worker_id=worker_id, defaults={"host": host, "pid": pid, "seen_at": now}
        )


def requeue_stale_tasks(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Put back in the queue the database tasks whose worker died while running them.

    django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again:
    after `kill -9` (or a lost machine) it would stay RUNNING for ever. A task is stale when
    its last worker has not beaten for JULI_WORKER_STALE_SECONDS (or never did, and the task
    started longer ago than that). It goes back to READY, unless it has been tried
    JULI_TASK_MAX_ATTEMPTS times already: then it is marked FAILED (a task that kills its
    worker every time must not loop). Tasks are idempotent, so running one again is safe.
    Returns (requeued, failed).
    """
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    limit = now - datetime.timedelta(seconds=settings.JULI_WORKER_STALE_SECONDS)
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=limit).values_list("worker_id", flat=True)
    )
    requeued = failed = 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=limit)
    for result in running.only("id", "worker_ids", "started_at"):
        if result.worker_ids and result.worker_ids[-1] in alive:
            continue
        with transaction.atomic():
            # Conditional on the same claim (a claim stamps started_at): a worker that was only
            # slow and has just finished, or another reaper, wins and this changes nothing.
            same = DBTaskResult.objects.filter(
                pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
            )
            if len(result.worker_ids) >= settings.JULI_TASK_MAX_ATTEMPTS:
                changed = same.update(
                    status=TaskResultStatus.FAILED,
                    finished_at=now,
                    exception_class_path="juli.core.schedule.WorkerLost",
                    traceback=(
                        f"WorkerLost: the worker died while running this task "
                        f"({len(result.worker_ids)} attempts)"
                    ),
                )
                failed += changed
            else:
                changed = same.update(status=TaskResultStatus.READY)
                requeued += changed
        if changed:
            logger.warning("requeued task %s left running by a dead worker", result.pk)
    WorkerHeartbeat.objects.filter(seen_at__lt=now - datetime.timedelta(days=1)).delete()
    return requeued, failed


def requeue_tasks_of(worker_id: str) -> int:
    """Put back in the queue the tasks RUNNING under `worker_id`, which says it no longer
    runs them (its loop restarted after losing the database). Returns how many."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    requeued = 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    for result in running.only("id", "worker_ids", "started_at"):
        if result.worker_ids and result.worker_ids[-1] == worker_id:
            requeued += DBTaskResult.objects.filter(
                pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
            ).update(status=TaskResultStatus.READY)
    return requeued


class WorkerLost(Exception):
    """Recorded on a task whose worker died on every attempt."""


# --- The loop ---------------------------------------------------------------------------------


def run_forever(
    stop: threading.Event,
    *,
    interval: float | None = None,
    worker_id: str = "",
    host: str = "",
    pid: int = 0,
    schedule: bool = True,
) -> None:
    """Tick (and beat for `worker_id`) every `interval` seconds until `stop` is set.

    Any error is logged and the loop goes on: a database that is down for a minute must not
    end the worker's scheduler.
    """
    interval = settings.JULI_SCHEDULER_INTERVAL if interval is None else interval
    while not stop.is_set():
        try:
            close_old_connections()
            if worker_id:
                beat(worker_id, host=host, pid=pid)
            if settings.JULI_TASKS_BACKEND == "database":
                requeue_stale_tasks()
            if schedule:
                tick()
        except Exception:
            logger.exception("scheduler tick failed")
        finally:
            close_old_connections()
        stop.wait(interval)
