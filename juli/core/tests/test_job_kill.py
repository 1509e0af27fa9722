"""A task killed midway runs again and its effect happens exactly once, on both runners.

The task (`jobtasks.write_once`) writes a row under a unique key, then pauses: the test
kills the worker with SIGKILL (its whole process group) while it pauses, after the row is
committed but before the worker could record the task as done, then starts a new worker.

- Database worker: the killed worker leaves the task RUNNING for ever (django-tasks-db
  never looks back). The new worker's scheduler thread sees that the old worker stopped
  beating and puts the task back to READY (`schedule.requeue_stale_tasks`); it runs again,
  finds its row, and succeeds.
- Celery: the message was never acknowledged (acks_late). Killing the pool process makes
  the worker reject it back to the queue (reject_on_worker_lost); killing the whole worker
  leaves it unacknowledged in Redis, which hands it out again after the visibility timeout.
"""

from __future__ import annotations

import os
import signal
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from juli.core.models import Submission, WorkerHeartbeat

from .jobkit import celery_on_redis, kill_group, redis_db, start, stop, wait_for  # noqa: F401 - fixtures
from .jobtasks import OWNER, write_once

pytestmark = [pytest.mark.jobs, pytest.mark.django_db(transaction=True)]

FAST_WORKER = {
    "JULI_TASKS_BACKEND": "database",
    "JULI_SCHEDULER_INTERVAL": "1",
    "JULI_WORKER_STALE_SECONDS": "3",
}


def _status(result: Any) -> str:
    result.refresh()
    return str(result.status)


def _rows(key: str) -> int:
    connection.close()  # see the children's commits (and never hold a SQLite snapshot)
    return Submission.objects.filter(owner=OWNER, key=uuid.UUID(key)).count()


def test_it_runs_a_task_killed_midway_again_once_with_the_database_worker(
    settings, tmp_path: Path
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.JULI_TASKS_BACKEND = "database"
    key, markers, log = str(uuid.uuid4()), tmp_path / "markers", tmp_path / "worker.log"
    markers.mkdir()
    result = write_once.enqueue(key, str(markers), 0.2, 60)
    worker_args = ["worker", "--no-startup-delay", "--interval", "0.2", "--no-scheduler"]

    first = start([*worker_args, "--worker-id", "first"], log, **FAST_WORKER)
    try:
        wait_for((markers / "written").exists, 60, "the first attempt to write", log)
    finally:
        kill_group(first)
    assert _rows(key) == 1
    assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"  # left behind
    assert WorkerHeartbeat.objects.filter(worker_id="first").exists()

    second = start([*worker_args, "--worker-id", "second"], log, **FAST_WORKER)
    try:
        wait_for(
            lambda: DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL",
            60,
            "the rerun to succeed",
            log,
        )
    finally:
        stop(second)
    connection.close()
    result.refresh()
    assert (result.status, result.return_value) == ("SUCCESSFUL", key)
    assert result.worker_ids == ["first", "second"]
    assert _rows(key) == 1
    assert len(list(markers.glob("*.started"))) == 2


CELERY_WORKER = [
    "celery",
    "worker",
    "--pool",
    "prefork",
    "--concurrency",
    "1",
    "--queues",
    "default",
    "--loglevel",
    "INFO",
    "--without-heartbeat",
    "--without-mingle",
    "--without-gossip",
]


def _celery_env(redis_url: str, **extra: str) -> dict[str, str]:
    return {
        "JULI_TASKS_BACKEND": "celery",
        "JULI_CELERY_BROKER_URL": redis_url,
        "JULI_CELERY_RESULT_BACKEND": redis_url,
        **extra,
    }


@pytest.mark.redis
def test_it_runs_a_task_whose_celery_pool_process_died_again_once(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    redis_url = request.getfixturevalue("celery_on_redis").conf.broker_url
    key, markers, log = str(uuid.uuid4()), tmp_path / "markers", tmp_path / "celery.log"
    markers.mkdir()
    worker = start(CELERY_WORKER, log, **_celery_env(redis_url))
    try:
        result = write_once.enqueue(key, str(markers), 0.2, 60)
        wait_for((markers / "written").exists, 60, "the first attempt to write", log)
        child = int(next(markers.glob("*.started")).name.split(".")[0])
        os.kill(child, signal.SIGKILL)  # the pool process running the task, not the worker
        wait_for(
            lambda: _status(result) == "SUCCESSFUL",
            60,
            "the redelivered task to succeed",
            log,
        )
    finally:
        stop(worker)
    assert result.return_value == key
    assert _rows(key) == 1
    assert len(list(markers.glob("*.started"))) == 2


@pytest.mark.redis
def test_it_runs_a_task_of_a_celery_worker_killed_whole_again_once(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    redis_url = request.getfixturevalue("celery_on_redis").conf.broker_url
    key, markers, log = str(uuid.uuid4()), tmp_path / "markers", tmp_path / "celery.log"
    markers.mkdir()
    env = _celery_env(redis_url, JULI_CELERY_VISIBILITY_TIMEOUT="3")
    first = start(CELERY_WORKER, log, **env)
    try:
        result = write_once.enqueue(key, str(markers), 0.2, 60)
        wait_for((markers / "written").exists, 60, "the first attempt to write", log)
    finally:
        kill_group(first)
    result.refresh()
    assert result.status == "RUNNING"
    second = start(CELERY_WORKER, log, **env)
    try:
        wait_for(
            lambda: _status(result) == "SUCCESSFUL",
            90,
            "the restored task to succeed",
            log,
        )
    finally:
        stop(second)
    assert result.return_value == key
    assert _rows(key) == 1
