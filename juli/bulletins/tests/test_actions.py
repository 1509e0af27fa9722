"""The bulletin workflow: generate, notes, publish (once), settings, the hourly task."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from juli.bulletins import actions, scheduling
from juli.bulletins.models import Bulletin, BulletinEvent, BulletinSettings
from juli.bulletins.signals import bulletin_published
from juli.bulletins.tasks import generate_daily_bulletins
from juli.core.models import AuditLog

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def received():  # type: ignore[no-untyped-def]
    calls: list[dict] = []

    def receiver(sender, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs)

    bulletin_published.connect(receiver, weak=False)
    yield calls
    bulletin_published.disconnect(receiver)


def test_it_generates_a_draft_with_an_event_and_an_audit_row(cast):
    bulletin = actions.generate_bulletin(cast.street_officer, cast.dapuqiao, YESTERDAY)
    assert bulletin.status == "draft"
    assert bulletin.area_path == cast.dapuqiao.path
    assert bulletin.title == (
        f"打浦桥街道 日通报 {YESTERDAY.year}年{YESTERDAY.month}月{YESTERDAY.day}日"
    )
    assert list(bulletin.events.values_list("action", "from_status", "to_status")) == [
        ("generate", "", "draft")
    ]
    assert (
        AuditLog.objects.filter(verb="bulletin.generate", object_id=str(bulletin.pk)).count() == 1
    )


@pytest.mark.parametrize(
    ("area", "day", "code"),
    [
        ("mengxi", YESTERDAY, "wrong_kind"),
        ("dapuqiao", timezone.localdate(), "day_not_over"),
        ("dapuqiao", timezone.localdate() + datetime.timedelta(days=3), "day_not_over"),
    ],
)
def test_it_refuses_a_wrong_area_or_day_and_writes_nothing(cast, area, day, code):
    with pytest.raises(actions.BulletinError) as refused:
        actions.generate_bulletin(None, getattr(cast, area), day)
    assert refused.value.code == code
    assert not Bulletin.objects.exists()
    assert not AuditLog.objects.filter(verb__startswith="bulletin.").exists()


def test_it_publishes_once_and_refuses_the_second_time(
    cast, received, django_capture_on_commit_callbacks
):
    bulletin = actions.generate_bulletin(cast.street_officer, cast.dapuqiao, YESTERDAY)
    with django_capture_on_commit_callbacks(execute=True):
        published = actions.publish_bulletin(cast.street_officer, bulletin)
    assert published.status == "published"
    assert published.published_by == cast.street_officer
    assert published.published_at is not None
    audits = AuditLog.objects.filter(verb__startswith="bulletin.").count()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(actions.BulletinError) as refused,
    ):
        actions.publish_bulletin(cast.district_admin, bulletin)
    assert refused.value.code == "illegal_state"
    again = Bulletin.objects.get(pk=bulletin.pk)
    assert again.published_by == cast.street_officer
    assert again.published_at == published.published_at
    assert AuditLog.objects.filter(verb__startswith="bulletin.").count() == audits
    assert BulletinEvent.objects.filter(bulletin=bulletin, action="publish").count() == 1
    assert len(received) == 1
    assert received[0]["bulletin"].pk == bulletin.pk
    assert received[0]["actor"] == cast.street_officer


def test_it_sends_no_signal_when_the_transaction_rolls_back(cast, received):
    from django.db import transaction

    bulletin = actions.generate_bulletin(None, cast.dapuqiao, YESTERDAY)
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.publish_bulletin(cast.street_officer, bulletin)
        raise RuntimeError
    assert Bulletin.objects.get(pk=bulletin.pk).status == "draft"
    assert received == []


def test_it_edits_notes_on_a_draft_only(cast):
    bulletin = actions.generate_bulletin(None, cast.dapuqiao, YESTERDAY)
    actions.set_notes(cast.street_officer, bulletin, "  请各单位抓紧整改。\r\n第二行  ")
    assert Bulletin.objects.get(pk=bulletin.pk).notes == "请各单位抓紧整改。\n第二行"
    audits = AuditLog.objects.filter(verb="bulletin.notes").count()
    actions.set_notes(cast.street_officer, bulletin, "请各单位抓紧整改。\n第二行")  # same text
    assert AuditLog.objects.filter(verb="bulletin.notes").count() == audits == 1
    with pytest.raises(actions.BulletinError) as too_long:
        actions.set_notes(cast.street_officer, bulletin, "字" * 4001)
    assert too_long.value.code == "notes_too_long"
    actions.publish_bulletin(cast.street_officer, bulletin)
    with pytest.raises(actions.BulletinError) as frozen:
        actions.set_notes(cast.street_officer, bulletin, "改")
    assert frozen.value.code == "illegal_state"
    assert Bulletin.objects.get(pk=bulletin.pk).notes == "请各单位抓紧整改。\n第二行"


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("outsider", Http404),
        ("grid_worker", Http404),
        ("inspector", Http404),
        ("unit_staff", Http404),
        ("committee_secretary", PermissionDenied),
        ("branch_secretary", Http404),
    ],
)
def test_it_refuses_writes_outside_the_office_roles(cast, committee_secretary, who, error):
    bulletin = actions.generate_bulletin(None, cast.dapuqiao, YESTERDAY)
    audits = AuditLog.objects.count()
    user = committee_secretary if who == "committee_secretary" else getattr(cast, who)
    with pytest.raises(error):
        actions.publish_bulletin(user, bulletin)
    with pytest.raises(error):
        actions.set_notes(user, bulletin, "x")
    with pytest.raises(error):
        actions.generate_bulletin(user, cast.dapuqiao, YESTERDAY)
    assert Bulletin.objects.get(pk=bulletin.pk).status == "draft"
    assert AuditLog.objects.count() == audits


def test_a_street_officer_cannot_write_another_street(cast):
    bulletin = actions.generate_bulletin(None, cast.huaihai, YESTERDAY)
    with pytest.raises(Http404):
        actions.publish_bulletin(cast.street_officer, bulletin)
    with pytest.raises(Http404):
        actions.generate_bulletin(cast.street_officer, cast.huangpu, YESTERDAY)


def test_it_saves_district_settings_audited_and_idempotent(cast):
    row = actions.update_settings(
        cast.district_admin, cast.huangpu, generation_hour=6, auto_publish=True, worst_points=3
    )
    assert (row.generation_hour, row.auto_publish, row.worst_points) == (6, True, 3)
    log = AuditLog.objects.get(verb="bulletin.settings")
    assert log.before is None
    assert log.after == {"generation_hour": 6, "auto_publish": True, "worst_points": 3}
    actions.update_settings(
        cast.district_admin, cast.huangpu, generation_hour=6, auto_publish=True, worst_points=3
    )
    assert AuditLog.objects.filter(verb="bulletin.settings").count() == 1
    assert actions.settings_for(cast.dapuqiao).pk == row.pk
    with pytest.raises(Http404):
        actions.update_settings(cast.street_officer, cast.huangpu, generation_hour=1)
    with pytest.raises(actions.BulletinError):
        actions.update_settings(None, cast.dapuqiao, generation_hour=1)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.update_settings(cast.district_admin, cast.huangpu, generation_hour=24)
    assert BulletinSettings.objects.get().generation_hour == 6


@override_settings(JULI_BULLETIN_HOUR=8, JULI_BULLETIN_AUTO_PUBLISH=False)
def test_the_defaults_come_from_the_settings(cast):
    config = actions.settings_for(cast.dapuqiao)
    assert (config.generation_hour, config.auto_publish, config.worst_points) == (8, False, 5)
    assert config.pk is None


def _local(hour: int) -> datetime.datetime:
    today = timezone.localdate()
    return datetime.datetime.combine(
        today, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def test_the_task_waits_for_the_hour_then_generates_once(cast):
    assert scheduling.run_daily(_local(7)) == {"created": 0, "published": 0}
    assert not Bulletin.objects.exists()
    assert scheduling.run_daily(_local(8)) == {"created": 3, "published": 0}
    assert scheduling.run_daily(_local(9)) == {"created": 0, "published": 0}
    rows = Bulletin.objects.order_by("area_path")
    assert [(b.area.name, b.date, b.status) for b in rows] == [
        ("黄浦区", YESTERDAY, "draft"),
        ("打浦桥街道", YESTERDAY, "draft"),
        ("淮海中路街道", YESTERDAY, "draft"),
    ]
    assert AuditLog.objects.filter(verb="bulletin.generate").count() == 3


def test_the_task_publishes_when_the_district_says_so(
    cast, received, django_capture_on_commit_callbacks
):
    actions.update_settings(None, cast.huangpu, generation_hour=5, auto_publish=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduling.run_daily(_local(5)) == {"created": 3, "published": 3}
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduling.run_daily(_local(6)) == {"created": 0, "published": 0}
    assert set(Bulletin.objects.values_list("status", flat=True)) == {"published"}
    assert Bulletin.objects.filter(published_by__isnull=True).count() == 3
    assert len(received) == 3


def test_the_task_runs_through_django_tasks_and_is_idempotent(cast):
    with override_settings(JULI_BULLETIN_HOUR=0):
        first = generate_daily_bulletins.enqueue()
        second = generate_daily_bulletins.enqueue()
    assert first.return_value == {"created": 3, "published": 0}
    assert second.return_value == {"created": 0, "published": 0}
    assert Bulletin.objects.count() == 3
