"""The background-job runner: django-tasks with the database backend of django-tasks-db.

- Tasks live in each app's `tasks.py`, decorated with `django_tasks.task`; their arguments
  are JSON (ids and labels, never model instances).
- Actions queue them with `later(task, ...)`, which enqueues on commit: a task never runs
  for a row that was rolled back, and never before the row is visible to the worker.
- `juli worker` runs the queue (the package's `db_worker`). `juli serve` starts one as a child
  process unless JULI_EMBEDDED_WORKER=0 (`start_embedded_worker`), so `make run` needs
  nothing else. With JULI_TASKS_BACKEND=immediate (tests) a task runs at once, in-process,
  when its transaction commits.
- With JULI_TASKS_BACKEND=celery the same tasks go to Celery workers through Redis
  (`juli.core.celery_backend`, `config/celery.py`); `juli serve` then starts no worker.
- Periodic jobs, the worker heartbeat and the requeueing of tasks left by killed workers:
  `juli.core.schedule`. Large exports: `juli.core.exports`.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.db import models, transaction

logger = logging.getLogger(__name__)


def later(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task(*args, **kwargs)` once the current transaction commits."""

    def enqueue() -> None:
        try:
            task.enqueue(*args, **kwargs)
        except Exception:
            # The write it follows has committed; a lost job is caught up by its command
            # (e.g. `juli thumbnails`), never a reason to fail the request.
            logger.exception("could not enqueue %s", getattr(task, "name", task))

    transaction.on_commit(enqueue)


def thumbnail_later(obj: models.Model) -> None:
    """Queue the thumbnail of a stored photo row (an `Upload` or a `CasePhoto`)."""
    from .tasks import make_thumbnail

    later(make_thumbnail, obj._meta.label, str(obj.pk))


def uses_worker() -> bool:
    """Whether queued tasks need a worker process (the database backend)."""
    return settings.JULI_TASKS_BACKEND == "database"


def start_embedded_worker(verbosity: int | None = None) -> subprocess.Popen[bytes] | None:
    """Start `juli worker` as a child process of `juli serve`, or None when not wanted.

    A process rather than a thread: the worker installs signal handlers (main thread only)
    and a slow thumbnail must not take the web server's GIL. It shares the terminal, so its
    log lines appear beside the server's, and Ctrl+C reaches both. `verbosity` is passed on
    (`juli serve` asks for 0 by default: warnings and errors only, no line per task).
    """
    if not (settings.JULI_EMBEDDED_WORKER and uses_worker()):
        return None
    command = [sys.executable, "-m", "juli.cli", "worker", "--no-startup-delay"]
    if verbosity is not None:
        command += ["--verbosity", str(verbosity)]
    return subprocess.Popen(command)  # noqa: S603 - our own interpreter and module, fixed args


def stop_embedded_worker(process: subprocess.Popen[bytes] | None, timeout: float = 10) -> None:
    """Ask the worker to finish its current task and stop; kill it after `timeout` seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
