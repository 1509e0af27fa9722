"""A django-tasks backend that runs Juli's tasks on Celery workers (JULI_TASKS_BACKEND=celery).

The task code does not change: the same `@task()` functions, enqueued with
`juli.core.jobs.later` or `task.enqueue(...)`. `enqueue` sends one generic Celery task,
`juli.run` (config/celery.py), carrying the task's dotted path and its JSON arguments, with
the django-tasks result id as the Celery task id. The state lives in Celery's result backend
(Redis by default): `enqueue` records the task as READY with its path and arguments before
sending it, so `get_result` knows every id it issued; the worker records RUNNING (track
started), then SUCCESSFUL with the return value or FAILED with the exception and traceback.
States expire after a day (Celery's `result_expires`); then `get_result` says the id does
not exist.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string
from django_tasks import TaskContext, TaskResult, TaskResultStatus
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskError
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks.signals import task_enqueued
from django_tasks.utils import normalize_json

RUN_TASK = "juli.run"

# Celery's states as django-tasks' statuses.
STATUSES = {
    "PENDING": TaskResultStatus.READY,
    "RECEIVED": TaskResultStatus.READY,
    "RETRY": TaskResultStatus.READY,
    "STARTED": TaskResultStatus.RUNNING,
    "SUCCESS": TaskResultStatus.SUCCESSFUL,
    "FAILURE": TaskResultStatus.FAILED,
    "REVOKED": TaskResultStatus.FAILED,
    "REJECTED": TaskResultStatus.FAILED,
}


class _EnqueueRequest:
    """What Celery's result backend reads from a request to store an extended state."""

    task = RUN_TASK
    hostname = None
    retries = 0
    delivery_info = None
    group = None
    parent_id = None
    stamps = None

    def __init__(self, args: list[Any]) -> None:
        self.args = args
        self.kwargs: dict[str, Any] = {}


class CeleryBackend(BaseTaskBackend):
    """Send django-tasks tasks to Celery (see the module docstring)."""

    supports_defer = True
    supports_get_result = True

    def _app(self) -> Any:
        from config.celery import app

        return app

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:  # type: ignore[override]
        self.validate_task(task)
        app = self._app()
        result_id = str(uuid.uuid4())
        args, kwargs = normalize_json(list(args)), normalize_json(dict(kwargs))
        enqueued_at = timezone.now()
        payload = [task.module_path, args, kwargs]
        # Known (READY) before any worker can take it; the enqueue time rides in the result
        # field, which Celery leaves empty until the task finishes.
        app.backend.store_result(
            result_id,
            {"enqueued_at": enqueued_at.isoformat()},
            "PENDING",
            request=_EnqueueRequest(payload),
        )
        app.send_task(
            RUN_TASK,
            args=payload,
            task_id=result_id,
            queue=task.queue_name,
            eta=task.run_after,
        )
        result: TaskResult[Any] = TaskResult(
            task=task,
            id=result_id,
            status=TaskResultStatus.READY,
            enqueued_at=enqueued_at,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        task_enqueued.send(type(self), task_result=result)
        return result

    def get_result(self, result_id: str) -> TaskResult:
        meta = self._app().backend.get_task_meta(str(result_id))
        payload = meta.get("args")
        if meta.get("name") != RUN_TASK or not isinstance(payload, list) or len(payload) != 3:
            raise TaskResultDoesNotExist(result_id)
        task_path, args, kwargs = payload
        try:
            task = _task(task_path).using(backend=self.alias)
        except (ImportError, TypeError) as e:
            raise TaskResultDoesNotExist(result_id) from e
        status = STATUSES.get(meta.get("status", ""), TaskResultStatus.READY)
        value = meta.get("result")
        finished_at = _when(meta.get("date_done"))
        errors = []
        if status == TaskResultStatus.FAILED:
            errors.append(
                TaskError(
                    exception_class_path=_exception_path(value),
                    traceback=meta.get("traceback") or "",
                )
            )
        enqueued_at = None
        if status == TaskResultStatus.READY and isinstance(value, dict):
            enqueued_at = _when(value.get("enqueued_at"))
        worker = meta.get("worker")
        result: TaskResult[Any] = TaskResult(
            task=task,
            id=str(result_id),
            status=status,
            enqueued_at=enqueued_at,
            started_at=None,
            last_attempted_at=None,
            finished_at=finished_at,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=errors,
            worker_ids=[worker] if worker else [],
        )
        if status == TaskResultStatus.SUCCESSFUL:
            object.__setattr__(result, "_return_value", value)
        return result


def _task(path: str) -> Task:
    task = import_string(path)
    if not isinstance(task, Task):
        raise TypeError(f"{path} is not a django-tasks task")
    return task


def _when(value: Any) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and value:
        parsed = parse_datetime(value)
        if parsed is not None and timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, datetime.UTC)
        return parsed
    return None


def _exception_path(value: Any) -> str:
    if isinstance(value, dict) and value.get("exc_type"):
        module = value.get("exc_module") or "builtins"
        return f"{module}.{value['exc_type']}"
    if isinstance(value, BaseException):
        return f"{type(value).__module__}.{type(value).__qualname__}"
    return "builtins.Exception"


def run_task(request: Any, task_path: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Run one django-tasks task in a Celery worker (the body of `juli.run`)."""
    task = _task(task_path)
    if task.takes_context:
        delivery = getattr(request, "delivery_info", None) or {}
        attempts = 2 if delivery.get("redelivered") else 1
        context_result: TaskResult[Any] = TaskResult(
            task=task,
            id=str(request.id),
            status=TaskResultStatus.RUNNING,
            enqueued_at=None,
            started_at=timezone.now(),
            last_attempted_at=timezone.now(),
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend="default",
            errors=[],
            worker_ids=[str(request.hostname)] * attempts,
        )
        value = task.call(TaskContext(task_result=context_result), *args, **kwargs)
    else:
        value = task.call(*args, **kwargs)
    return normalize_json(value)
