"""The Celery app's delivery guarantees and schedule are what docs/deploy.md promises."""

from __future__ import annotations

import pytest
from django_tasks.exceptions import TaskResultDoesNotExist


def test_it_configures_celery_for_at_least_once_delivery() -> None:
    from config.celery import app

    conf = app.conf
    assert (conf.task_serializer, conf.result_serializer, conf.accept_content) == (
        "json",
        "json",
        ["json"],
    )
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_default_queue == "default"
    assert conf.result_extended is True
    assert conf.beat_schedule == {
        "juli-scheduler": {"task": "juli.tick", "schedule": 60.0, "options": {"expires": 55}}
    }
    assert {"juli.run", "juli.tick"} <= set(app.tasks)


def test_it_runs_a_task_by_path_as_the_celery_worker_does() -> None:
    from types import SimpleNamespace

    from juli.core.celery_backend import run_task

    request = SimpleNamespace(id="r1", hostname="w@h", delivery_info={"redelivered": True})
    assert run_task(request, "juli.core.tests.jobtasks.add", [2, 3], {}) == 5
    with pytest.raises(TypeError, match="is not a django-tasks task"):
        run_task(request, "juli.core.schedule.tick", [], {})


def test_it_says_an_unknown_result_does_not_exist(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from juli.core.celery_backend import CeleryBackend

    backend = CeleryBackend("default", {})

    class Store:
        def get_task_meta(self, task_id: str) -> dict[str, object]:
            return {"status": "PENDING", "result": None}  # what Celery says for any unknown id

    monkeypatch.setattr(backend, "_app", lambda: type("App", (), {"backend": Store()})())
    with pytest.raises(TaskResultDoesNotExist):
        backend.get_result("nope")
