"""The same task code on both runners, in real worker processes: the database worker
(`juli worker`, with its scheduler thread) and Celery through Redis (`juli celery worker`,
and the `juli.tick` task that beat sends)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django_tasks.exceptions import TaskResultDoesNotExist

from juli.core import schedule
from juli.core.models import ScheduledRun

from .jobkit import celery_on_redis, redis_db, start, stop, wait_for  # noqa: F401 - fixtures
from .jobtasks import add, boom

pytestmark = [pytest.mark.jobs, pytest.mark.django_db(transaction=True)]

# Only the core jobs fire in these workers: the other apps' tasks are theirs to test.
OTHER_JOBS = ",".join(j.name for j in schedule.registered() if j.name != "thumbnails")


@pytest.fixture(params=["database", pytest.param("celery", marks=pytest.mark.redis)])
def runner(request, settings, tmp_path: Path) -> Iterator[tuple[str, Path]]:  # type: ignore[no-untyped-def]
    """A worker process of the given kind; this process enqueues on the same backend."""
    log = tmp_path / "worker.log"
    env = {"JULI_SCHEDULE_DISABLED": OTHER_JOBS, "JULI_SCHEDULER_INTERVAL": "1"}
    if request.param == "database":
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        settings.JULI_TASKS_BACKEND = "database"
        args = ["worker", "--no-startup-delay", "--interval", "0.2"]
        env["JULI_TASKS_BACKEND"] = "database"
    else:
        redis_url = request.getfixturevalue("celery_on_redis").conf.broker_url
        args = [
            "celery",
            "worker",
            "--pool",
            "solo",
            "--queues",
            "default",
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ]
        env.update(
            JULI_TASKS_BACKEND="celery",
            JULI_CELERY_BROKER_URL=redis_url,
            JULI_CELERY_RESULT_BACKEND=redis_url,
        )
    process = start(args, log, **env)
    yield request.param, log
    stop(process)


def _finished(result: Any) -> bool:
    connection.close()
    result.refresh()
    return bool(result.is_finished)


def test_it_runs_the_same_task_code_and_reports_results(runner) -> None:  # type: ignore[no-untyped-def]
    kind, log = runner
    ok = add.enqueue(2, 3)
    failed = boom.enqueue("没有了")
    assert ok.status == "READY" and ok.args == [2, 3]
    wait_for(lambda: _finished(ok) and _finished(failed), 60, f"{kind} results", log)
    assert (ok.status, ok.return_value) == ("SUCCESSFUL", 5)
    assert failed.status == "FAILED"
    assert failed.errors[0].exception_class_path == "builtins.ValueError"
    assert "没有了" in failed.errors[0].traceback
    again = add.get_result(ok.id)
    assert (again.status, again.return_value, again.args) == ("SUCCESSFUL", 5, [2, 3])
    assert again.task.module_path == "juli.core.tests.jobtasks.add"
    with pytest.raises(TaskResultDoesNotExist):
        add.get_backend().get_result(str(uuid.uuid4()))


def test_it_fires_the_schedule_from_the_runner(runner, request) -> None:  # type: ignore[no-untyped-def]
    kind, log = runner
    if kind == "celery":
        # What beat does every minute: send the tick task.
        request.getfixturevalue("celery_on_redis").send_task("juli.tick")

    def fired() -> ScheduledRun | None:
        connection.close()
        return ScheduledRun.objects.filter(name="thumbnails").first()

    run = wait_for(fired, 60, "the thumbnails slot to fire", log)
    assert run.error == "" and run.task_result_id
    from juli.core.tasks import thumbnail_catch_up

    result = thumbnail_catch_up.get_result(run.task_result_id)
    wait_for(lambda: _finished(result), 60, "the scheduled task", log)
    assert (result.status, result.return_value) == ("SUCCESSFUL", 0)
    assert ScheduledRun.objects.count() == 1  # the other jobs are disabled in this worker
