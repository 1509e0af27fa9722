"""Test-only tasks for the job runners (imported by the worker subprocesses of the tests)."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from django.db import transaction
from django_tasks import TaskContext, task

from juli.core.models import Submission

OWNER = "test:jobs"


@task(takes_context=True)
def write_once(
    context: TaskContext, key: str, marker_dir: str, pause_before: float, pause_after: float
) -> str:
    """Write one row under `key` after a pause, then pause again (only the attempt that wrote).

    Markers in `marker_dir` let the test see where the task is: `<pid>.started` when an
    attempt starts, `written` once the row is committed. Idempotent: get_or_create on the
    unique (owner, key).
    """
    Path(marker_dir, f"{os.getpid()}.started").write_text(str(context.attempt))
    time.sleep(pause_before)
    with transaction.atomic():
        _row, created = Submission.objects.get_or_create(
            owner=OWNER,
            key=uuid.UUID(key),
            defaults={
                "method": "TASK",
                "path": "write_once",
                "fingerprint": "",
                "status_code": 200,
            },
        )
    Path(marker_dir, "written").touch()
    if created:
        time.sleep(pause_after)  # the test kills the worker here; a rerun finds the row
    return key


@task()
def add(a: int, b: int) -> int:
    return a + b


@task()
def boom(message: str) -> None:
    raise ValueError(message)
