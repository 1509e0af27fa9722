"""The workflow helper (`juli.core.workflow`) against a real model: the daily bulletin.

The bulletin is made directly (no figures needed) and moved with `transition()` through the
bulletins' own table and event model; the refusals must write nothing at all.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connection, transaction
from django.db.models.query import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from juli.bulletins.models import TRANSITIONS, Bulletin, BulletinEvent
from juli.core import workflow
from juli.core.models import AuditLog
from juli.core.workflow import Move, TransitionError, append_event, observe, transition

DAY = datetime.date(2026, 11, 18)
AT = datetime.datetime(2026, 11, 19, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def bulletin(cast: Any) -> Bulletin:
    return Bulletin.objects.create(area=cast.dapuqiao, date=DAY)


@pytest.fixture
def observed(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """A fresh observer list for BulletinEvent, restored after the test (the apps'
    observers are discovered first, so that discovery never fills the temporary list)."""
    workflow.observers_of(BulletinEvent)
    monkeypatch.setitem(workflow._observers, "bulletins.bulletinevent", [])
    return []


def _publish(actor: Any, obj: Bulletin, **kwargs: Any) -> Bulletin:
    return transition(actor, obj, "publish", table=TRANSITIONS, event_model=BulletinEvent, **kwargs)


def _nothing_written(bulletin: Bulletin, status: str = "draft") -> None:
    assert Bulletin.objects.get(pk=bulletin.pk).status == status
    assert BulletinEvent.objects.filter(bulletin=bulletin).count() == 0
    assert AuditLog.objects.filter(object_type="bulletins.bulletin").count() == 0


def _reads_of_bulletins(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "bulletins_bulletin"' in q["sql"]
    ]


def test_it_moves_saves_logs_and_audits(cast: Any, bulletin: Bulletin) -> None:
    def stamp(locked: Bulletin, move: Move, now: datetime.datetime) -> Any:
        locked.published_at = now
        locked.notes = "not in update_fields: never saved"
        return ["published_at"], {"published_at": now}

    moved = _publish(cast.street_officer, bulletin, effects=stamp, at=AT, note="ok")

    assert moved is not bulletin and bulletin.status == "draft"
    fresh = Bulletin.objects.get(pk=bulletin.pk)
    assert (fresh.status, fresh.published_at, fresh.notes) == ("published", AT, "")
    event = BulletinEvent.objects.get(bulletin=bulletin)
    assert (event.at, event.actor, event.action, event.from_status, event.to_status) == (
        AT,
        cast.street_officer,
        "publish",
        "draft",
        "published",
    )
    log = AuditLog.objects.get(object_type="bulletins.bulletin")
    assert (log.verb, log.actor, log.object_id, log.note) == (
        "bulletin.publish",
        cast.street_officer,
        str(bulletin.pk),
        "ok",
    )
    assert log.before == {"status": "draft"}
    assert log.after == {"status": "published", "published_at": AT.isoformat()}


def test_it_refuses_an_illegal_state_and_writes_nothing(cast: Any, bulletin: Bulletin) -> None:
    Bulletin.objects.filter(pk=bulletin.pk).update(status="published")
    bulletin.refresh_from_db()

    with translation.override("en"), pytest.raises(TransitionError) as caught:
        _publish(cast.street_officer, bulletin, action_labels={"publish": "publish it"})

    assert caught.value.code == "illegal_state"
    assert caught.value.messages == [
        "A daily bulletin that is “Published” cannot be given “publish it”."
    ]
    _nothing_written(bulletin, "published")


def test_it_refuses_an_unknown_action_with_the_apps_error(cast: Any, bulletin: Bulletin) -> None:
    class AppError(TransitionError):
        pass

    with pytest.raises(AppError) as caught:
        transition(
            None, bulletin, "burn", table=TRANSITIONS, event_model=BulletinEvent, error=AppError
        )

    assert caught.value.code == "unknown_action"
    _nothing_written(bulletin)


def test_it_runs_the_check_after_the_state_and_writes_nothing_on_refusal(
    cast: Any, bulletin: Bulletin
) -> None:
    seen: list[Any] = []

    def check(actor: Any, locked: Bulletin, move: Move) -> None:
        seen.append((actor, locked.pk, move))
        raise PermissionDenied("no")

    with pytest.raises(PermissionDenied):
        _publish(cast.outsider, bulletin, check=check)

    assert seen == [(cast.outsider, bulletin.pk, TRANSITIONS["publish"])]
    _nothing_written(bulletin)


def test_it_calls_the_observer_once_inside_the_transaction(
    cast: Any, bulletin: Bulletin, observed: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    committed: list[Bulletin] = []

    def observer(event: BulletinEvent) -> None:
        # Inside the step: the row is saved, the event written, the commit work not yet run.
        observed.append(
            (
                event.action,
                Bulletin.objects.get(pk=event.bulletin_id).status,
                list(committed),
            )
        )

    observe("bulletins.BulletinEvent", observer)
    observe("BULLETINS.bulletinevent", observer)  # the same function again: still once

    with django_capture_on_commit_callbacks(execute=True):
        _publish(None, bulletin, after_commit=committed.append)

    assert observed == [("publish", "published", [])]
    assert [b.pk for b in committed] == [bulletin.pk]


def test_it_rolls_the_whole_step_back_when_an_observer_raises(
    cast: Any, bulletin: Bulletin, observed: list[Any]
) -> None:
    def observer(event: BulletinEvent) -> None:
        raise RuntimeError("observer failed")

    observe("bulletins.bulletinevent", observer)

    with pytest.raises(RuntimeError):
        _publish(cast.street_officer, bulletin)

    _nothing_written(bulletin)


def test_it_runs_after_commit_only_when_the_transaction_commits(
    cast: Any, bulletin: Bulletin, django_capture_on_commit_callbacks: Any
) -> None:
    calls: list[Bulletin] = []

    with (
        django_capture_on_commit_callbacks(execute=True) as rolled_back,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _publish(None, bulletin, after_commit=calls.append)
        raise RuntimeError("the caller's transaction fails later")
    assert (calls, rolled_back) == ([], [])
    _nothing_written(bulletin)

    with django_capture_on_commit_callbacks(execute=True) as done:
        _publish(None, bulletin, after_commit=calls.append)
        assert calls == []  # not before the commit
    assert len(done) == 1
    assert [(b.pk, b.status) for b in calls] == [(bulletin.pk, "published")]


def test_it_locks_a_fresh_copy_of_the_row(
    cast: Any, bulletin: Bulletin, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked_models: list[Any] = []
    original = QuerySet.select_for_update

    def spy(self: QuerySet[Any], *args: Any, **kwargs: Any) -> QuerySet[Any]:
        locked_models.append(self.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)

    with CaptureQueriesContext(connection) as queries:
        moved = _publish(None, bulletin, queryset=Bulletin.objects.select_related("area"))

    assert locked_models == [Bulletin]
    assert moved is not bulletin
    # The locking read is the first read of the bulletin and joins what `queryset` asks for.
    reads = _reads_of_bulletins(queries)
    assert len(reads) == 1 and '"orgs_area"' in reads[0]
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in reads[0]


def test_it_uses_the_callers_lock_when_told(cast: Any, bulletin: Bulletin) -> None:
    with transaction.atomic():
        locked = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        with CaptureQueriesContext(connection) as queries:
            moved = _publish(None, locked, locked=True)
    assert moved is locked and moved.status == "published"
    assert _reads_of_bulletins(queries) == []


def test_it_appends_an_event_without_the_fields_a_model_dropped(
    cast: Any, bulletin: Bulletin, observed: list[Any]
) -> None:
    observe("bulletins.BulletinEvent", observed.append)

    event = append_event(
        BulletinEvent,
        bulletin,
        actor=cast.street_officer,
        action="notes",
        from_status="draft",
        to_status="draft",
        note="kept in the audit row only",
        data={"ignored": True},
    )

    assert observed == [event]
    assert {f.name for f in BulletinEvent._meta.concrete_fields} == {
        "id",
        "bulletin",
        "at",
        "actor",
        "action",
        "from_status",
        "to_status",
    }
    stored = BulletinEvent.objects.get(pk=event.pk)
    assert (stored.bulletin_id, stored.actor, stored.action) == (
        bulletin.pk,
        cast.street_officer,
        "notes",
    )
    assert abs(stored.at - timezone.now()) < datetime.timedelta(minutes=1)


def test_it_refuses_an_event_model_without_a_key_to_the_object(cast: Any) -> None:
    with pytest.raises(ImproperlyConfigured):
        append_event(
            BulletinEvent, cast.dapuqiao, actor=None, action="x", from_status="", to_status=""
        )
