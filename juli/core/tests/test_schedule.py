"""The periodic-job table, its slots, the scheduler, the stale-task reaper and the
scheduled tasks of core and cases."""

from __future__ import annotations

import datetime
import logging
import unittest.mock
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from juli.cases import tasks as case_tasks
from juli.cases.models import Case
from juli.core import schedule
from juli.core.models import ScheduledRun, Submission, WorkerHeartbeat
from juli.core.schedule import Job
from juli.core.tasks import purge_submissions, thumbnail_catch_up

from .test_jobs import _case, stage

SH = ZoneInfo("Asia/Shanghai")
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> Any:
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=SH)


# --- Slots ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("job", "now", "slot"),
    [
        (Job("a", "x.y", every_minutes=60), at(2026, 11, 22, 10, 59, 59), at(2026, 11, 22, 10)),
        (Job("a", "x.y", every_minutes=60), at(2026, 11, 22, 11, 0), at(2026, 11, 22, 11)),
        (Job("a", "x.y", every_minutes=10), at(2026, 11, 22, 0, 9), at(2026, 11, 22, 0, 0)),
        (Job("a", "x.y", every_minutes=10), at(2026, 11, 22, 23, 58), at(2026, 11, 22, 23, 50)),
        (Job("a", "x.y", every_minutes=1), at(2026, 11, 22, 8, 7, 30), at(2026, 11, 22, 8, 7)),
        # daily at 03:30: before it today, the slot is yesterday's
        (
            Job("a", "x.y", at=datetime.time(3, 30)),
            at(2026, 11, 22, 3, 29),
            at(2026, 11, 21, 3, 30),
        ),
        (
            Job("a", "x.y", at=datetime.time(3, 30)),
            at(2026, 11, 22, 3, 30),
            at(2026, 11, 22, 3, 30),
        ),
        # weekly on Monday (0) at 08:00; 2026-11-22 is a Sunday
        (
            Job("a", "x.y", at=datetime.time(8), weekday=0),
            at(2026, 11, 22, 12),
            at(2026, 11, 16, 8),
        ),
        (
            Job("a", "x.y", at=datetime.time(8), weekday=0),
            at(2026, 11, 23, 7, 59),
            at(2026, 11, 16, 8),
        ),
        (
            Job("a", "x.y", at=datetime.time(8), weekday=0),
            at(2026, 11, 23, 8),
            at(2026, 11, 23, 8),
        ),
    ],
)
def test_it_computes_the_latest_slot(job: Job, now: datetime.datetime, slot) -> None:  # type: ignore[no-untyped-def]
    assert job.latest_slot(now) == slot
    # The same instant given in UTC gives the same slot.
    assert job.latest_slot(now.astimezone(datetime.UTC)) == slot


def test_it_refuses_a_job_without_exactly_one_rule() -> None:
    with pytest.raises(ValueError, match="give every_minutes or at"):
        Job("a", "x.y")
    with pytest.raises(ValueError, match="give every_minutes or at"):
        Job("a", "x.y", every_minutes=5, at=datetime.time(1))
    with pytest.raises(ValueError, match="weekday needs"):
        Job("a", "x.y", every_minutes=5, weekday=1)


def test_it_lists_the_jobs_of_the_issue() -> None:
    table = {job.name: (job.task_path, job.describe()) for job in schedule.registered()}
    assert table == {
        "bulletins": ("juli.bulletins.tasks.generate_daily_bulletins", "every 60 min"),
        "rankings": ("juli.rankings.tasks.compute_weekly_rankings", "every 60 min"),
        "escalate": ("juli.cases.tasks.escalate_overdue", "every 10 min"),
        "rollups": ("juli.stats.tasks.refresh_rollups", "every 60 min"),
        "thumbnails": ("juli.core.tasks.thumbnail_catch_up", "every 60 min"),
        "notify-retry": ("juli.notify.tasks.retry_deliveries", "every 1 min"),
        "purge-submissions": ("juli.core.tasks.purge_submissions", "daily at 03:30"),
        "plan": ("juli.cases.tasks.plan_today", "daily at 06:00"),
        "meetings-due": ("juli.meetings.tasks.remind_due_meetings", "daily at 08:00"),
        "rating-publish": ("juli.rating.tasks.remind_to_publish", "daily at 08:30"),
        "observation-escalate": (
            "juli.observation.tasks.escalate_overdue_rectifications",
            "daily at 07:30",
        ),
    }


def test_it_accepts_the_same_job_twice_and_refuses_another_under_its_name(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(schedule, "_registry", {})
    job = Job("a", "x.y", every_minutes=5)
    schedule.register(job, job)
    with pytest.raises(ImproperlyConfigured, match="scheduled job 'a' is registered twice"):
        schedule.register(Job("a", "x.y", every_minutes=10))
    assert list(schedule._registry.values()) == [job]


# --- Ticks --------------------------------------------------------------------------------------

ONLY_MINE = (
    Job("thumbnails", "juli.core.tasks.thumbnail_catch_up", every_minutes=60),
    Job("purge", "juli.core.tasks.purge_submissions", at=datetime.time(3, 30)),
)


@pytest.fixture
def queued(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """Ticks enqueue on the database backend (nothing runs), with a two-job table."""
    settings.TASKS = DATABASE
    monkeypatch.setattr(schedule, "registered", lambda: ONLY_MINE)
    return DBTaskResult.objects


def test_it_fires_each_slot_once_however_often_it_ticks(cast, queued) -> None:  # type: ignore[no-untyped-def]
    now = at(2026, 11, 22, 10, 5)
    fired = schedule.tick(now)
    assert [(f.job, f.slot) for f in fired] == [
        ("thumbnails", at(2026, 11, 22, 10)),
        ("purge", at(2026, 11, 22, 3, 30)),
    ]
    assert schedule.tick(now + datetime.timedelta(minutes=20)) == []  # a second scheduler
    paths = sorted(queued.values_list("task_path", flat=True))
    assert paths == ["juli.core.tasks.purge_submissions", "juli.core.tasks.thumbnail_catch_up"]
    runs = ScheduledRun.objects.order_by("name")
    assert [(r.name, r.task_result_id != "", r.error) for r in runs] == [
        ("purge", True, ""),
        ("thumbnails", True, ""),
    ]
    assert {str(r.task_result_id) for r in runs} == {
        str(pk) for pk in queued.values_list("pk", flat=True)
    }
    # The next hour is a new slot for the hourly job only.
    assert [f.job for f in schedule.tick(at(2026, 11, 22, 11, 0, 1))] == ["thumbnails"]


def test_it_fires_only_the_latest_missed_slot_after_downtime(cast, queued) -> None:  # type: ignore[no-untyped-def]
    schedule.tick(at(2026, 11, 20, 10, 5))
    # Down for two days: one firing per job, for the latest slot, none for those between.
    fired = schedule.tick(at(2026, 11, 22, 17, 40))
    assert [(f.job, f.slot) for f in fired] == [
        ("thumbnails", at(2026, 11, 22, 17)),
        ("purge", at(2026, 11, 22, 3, 30)),
    ]
    assert ScheduledRun.objects.count() == 4
    assert queued.count() == 4


def test_it_never_fires_a_slot_that_another_scheduler_recorded(cast, queued) -> None:  # type: ignore[no-untyped-def]
    # The race: the other scheduler commits its row between our check and our insert.
    ScheduledRun.objects.create(
        name="thumbnails", slot=at(2026, 11, 22, 10), task_path="juli.core.tasks.thumbnail_catch_up"
    )

    class Unchecked:
        def exists(self) -> bool:
            return False  # as if read just before the other scheduler's commit

    with unittest.mock.patch.object(
        schedule.ScheduledRun.objects, "filter", lambda **kw: Unchecked()
    ):
        assert schedule.fire(ONLY_MINE[0], at(2026, 11, 22, 10)) is None
    assert ScheduledRun.objects.count() == 1
    assert queued.count() == 0  # the losing insert rolled back its enqueue too


def test_it_logs_and_skips_a_task_that_does_not_import(cast, queued, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(
        schedule,
        "registered",
        lambda: (
            Job("ghost", "juli.nowhere.tasks.haunt", every_minutes=60),
            Job("not-a-task", "juli.core.schedule.tick", every_minutes=60),
            *ONLY_MINE,
        ),
    )
    with caplog.at_level(logging.ERROR, logger="juli.core.schedule"):
        fired = schedule.tick(at(2026, 11, 22, 10, 5))
    assert [(f.job, bool(f.result_id), f.error.split(":")[0]) for f in fired] == [
        ("ghost", False, "ModuleNotFoundError"),
        ("not-a-task", False, "TypeError"),
        ("thumbnails", True, ""),
        ("purge", True, ""),
    ]
    assert "scheduled job ghost skipped: ModuleNotFoundError" in caplog.text
    assert queued.count() == 2
    assert ScheduledRun.objects.get(name="ghost").error.startswith("ModuleNotFoundError")


def test_it_leaves_out_disabled_jobs(cast, queued, settings) -> None:  # type: ignore[no-untyped-def]
    settings.JULI_SCHEDULE_DISABLED = ["purge"]
    assert [f.job for f in schedule.tick(at(2026, 11, 22, 10, 5))] == ["thumbnails"]


def test_it_imports_every_task_of_the_table_that_exists_now() -> None:
    """Every path of the table names a django-tasks task (other apps' tasks may be missing
    while they are being written: the scheduler skips those, see above)."""
    for job in schedule.registered():
        try:
            task = schedule._load_task(job.task_path)
        except ImportError:
            continue
        assert task.module_path == job.task_path


def test_it_ticks_once_from_the_command(cast, queued, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("scheduler", "--list")
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == ["thumbnails", "purge"]
    assert all("not fired" in line for line in listed)
    call_command("scheduler", "--once")
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == ["thumbnails", "purge"]
    assert all(" queued " in line for line in out)
    call_command("scheduler", "--once")
    assert capsys.readouterr().out == ""
    call_command("scheduler", "--list")
    assert all(line.split()[-2] == "fired" for line in capsys.readouterr().out.splitlines())


# --- Stale tasks of dead database workers ------------------------------------------------------------


def _running(worker_ids: list[str], started: datetime.datetime) -> DBTaskResult:
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="juli.core.tasks.thumbnail_catch_up",
        backend_name="default",
        queue_name="default",
        run_after=datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC),
        status="RUNNING",
        started_at=started,
        worker_ids=worker_ids,
    )


def test_it_requeues_tasks_of_dead_workers_only(cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.JULI_WORKER_STALE_SECONDS = 60
    settings.JULI_TASK_MAX_ATTEMPTS = 3
    now = timezone.now()
    old = now - datetime.timedelta(minutes=5)
    schedule.beat("alive")
    WorkerHeartbeat.objects.create(worker_id="dead", seen_at=old)
    of_alive = _running(["alive"], old)
    of_dead = _running(["dead"], old)
    of_unknown = _running(["never-beat"], old)
    just_claimed = _running(["never-beat-2"], now)  # not stale yet: the worker may be starting
    worn_out = _running(["dead", "dead", "dead"], old)

    assert schedule.requeue_stale_tasks(now) == (2, 1)
    status = {r.pk: r.status for r in DBTaskResult.objects.all()}
    assert status[of_alive.pk] == "RUNNING"
    assert status[of_dead.pk] == "READY"
    assert status[of_unknown.pk] == "READY"
    assert status[just_claimed.pk] == "RUNNING"
    assert status[worn_out.pk] == "FAILED"
    failed = DBTaskResult.objects.get(pk=worn_out.pk)
    assert failed.exception_class_path == "juli.core.schedule.WorkerLost"
    assert "3 attempts" in failed.traceback
    assert schedule.requeue_stale_tasks(now) == (0, 0)  # nothing twice


def test_it_beats_once_per_worker(cast) -> None:  # type: ignore[no-untyped-def]
    schedule.beat("w1", host="h", pid=7)
    schedule.beat("w1", host="h", pid=7)
    beat = WorkerHeartbeat.objects.get()
    assert (beat.worker_id, beat.host, beat.pid) == ("w1", "h", 7)


# --- The scheduled tasks of core and cases -------------------------------------------------------------


def test_it_purges_old_submissions_and_keeps_recent_ones(cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.JULI_SUBMISSION_TTL_DAYS = 30
    now = timezone.now()

    def submission(days: int) -> Submission:
        return Submission.objects.create(
            owner="public",
            key=uuid.uuid4(),
            method="POST",
            path="/x",
            fingerprint="f",
            status_code=201,
            created_at=now - datetime.timedelta(days=days),
        )

    old, recent = submission(31), submission(29)
    assert purge_submissions.enqueue().return_value == {"submissions": 1, "exports": 0}
    assert list(Submission.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Submission.objects.filter(pk=old.pk).exists()
    assert purge_submissions.enqueue().return_value == {"submissions": 0, "exports": 0}


def test_it_catches_up_thumbnails_from_the_schedule(cast, world) -> None:  # type: ignore[no-untyped-def]
    from juli.core.models import Upload

    uploads = [stage(cast.inspector, colour=(i, 9, 9)) for i in range(2)]
    Upload.objects.update(thumbnail="")
    assert thumbnail_catch_up.enqueue().return_value == 2
    assert all(u.thumbnail for u in Upload.objects.filter(pk__in=[u.pk for u in uploads]))
    assert thumbnail_catch_up.enqueue().return_value == 0


def test_it_escalates_overdue_cases_once(cast, world) -> None:  # type: ignore[no-untyped-def]
    case = _case(world)
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.DISPATCHED,
        deadline=timezone.now() - datetime.timedelta(hours=1),
    )
    assert case_tasks.escalate_overdue.enqueue().return_value == 1
    assert case_tasks.escalate_overdue.enqueue().return_value == 0
    assert Case.objects.get(pk=case.pk).escalated_at is not None


def test_it_plans_today_idempotently(cast, world) -> None:  # type: ignore[no-untyped-def]
    first: Any = case_tasks.plan_today.enqueue().return_value
    second: Any = case_tasks.plan_today.enqueue().return_value
    assert second["assigned"] == 0
    assert second["already_planned"] == first["assigned"] + first["already_planned"]


def test_the_worker_survives_losing_the_database_and_queues_its_task_again(
    cast, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A database restart cut the running task's connection; the package's loop raised on the
    dead connection. `juli worker` reconnects, queues its own task again, and runs on."""
    from django.db import OperationalError
    from django_tasks_db.management.commands.db_worker import Command as PackageCommand

    from juli.core.management.commands import worker

    now = timezone.now()
    mine = _running(["w-restart"], now - datetime.timedelta(seconds=5))
    others = _running(["w-other"], now - datetime.timedelta(seconds=5))
    runs: list[str] = []

    def package_loop(self, *args, **options):  # type: ignore[no-untyped-def]
        runs.append(options["worker_id"])
        if len(runs) == 1:
            raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(PackageCommand, "handle", package_loop)
    monkeypatch.setattr(worker.Command, "_reconnect", staticmethod(lambda: None))
    worker.Command()._run(worker_id="w-restart", batch=False)
    assert runs == ["w-restart", "w-restart"]
    assert DBTaskResult.objects.get(pk=mine.pk).status == "READY"
    assert DBTaskResult.objects.get(pk=others.pk).status == "RUNNING"  # another worker's
