"""Minutes: start from the agenda, draft, confirm (freeze), revise with a reason, versions
kept; make-up items on confirmation only for MAKE_UP_KINDS and only for members absent or on
leave."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from juli.core.models import AuditLog
from juli.meetings.actions import minutes as actions
from juli.meetings.actions.plan import Invitee, PartSpec
from juli.meetings.models import (
    Attendee,
    MakeUp,
    Meeting,
    MeetingEvent,
    Minutes,
    MinutesItem,
    Resolution,
)
from juli.notify.models import Notification

from .conftest import make_meeting

pytestmark = pytest.mark.django_db


def held(mw, kind="party_lecture", *, presider=None, **kwargs):
    """A meeting of branch 1 that started three hours ago and ended an hour ago."""
    return make_meeting(
        mw.c.branch1,
        kind,
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        actor=mw.c.branch_secretary,
        parts=[
            PartSpec(
                presider=presider or mw.member_person,
                agenda=[("学习党章第一章", "单田芳"), ("讨论支部工作计划", "")],
            )
        ],
        **kwargs,
    )


def row(meeting, person):
    return Attendee.objects.get(meeting=meeting, person=person)


def test_it_starts_version_one_from_the_agenda_and_holds_the_meeting(mw):
    meeting = held(mw)
    minutes = actions.start_minutes(mw.c.branch_secretary, meeting)
    assert minutes.version == 1
    assert list(minutes.items.values_list("order", "title")) == [
        (1, "学习党章第一章"),
        (2, "讨论支部工作计划"),
    ]
    assert minutes.recorder == mw.c.branch_secretary_person
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert list(meeting.events.values_list("action", "from_status", "to_status")) == [
        ("hold", "planned", "held")
    ]
    # Starting again returns the same version.
    assert actions.start_minutes(mw.c.branch_secretary, meeting).pk == minutes.pk
    assert Minutes.objects.filter(meeting=meeting).count() == 1


def test_it_refuses_minutes_before_the_meeting_starts(mw):
    meeting = make_meeting(mw.c.branch1, actor=mw.c.branch_secretary)
    with pytest.raises(actions.MinutesError) as exc:
        actions.start_minutes(mw.c.branch_secretary, meeting)
    assert exc.value.code == "not_started"
    assert not Minutes.objects.filter(meeting=meeting).exists()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED


def test_it_refuses_a_member_and_another_branch(mw):
    meeting = held(mw)
    for user in (mw.member, mw.c.sibling_secretary):
        with pytest.raises(PermissionDenied):
            actions.start_minutes(user, meeting)
    assert not Minutes.objects.exists()


def test_it_saves_items_and_numbers_decisions_one_to_n(mw):
    meeting = held(mw)
    minutes = actions.start_minutes(mw.c.branch_secretary, meeting)
    first, second = minutes.items.order_by("order")
    actions.save_minutes(
        mw.c.branch_secretary,
        minutes,
        summary="会议由冯党员主持。",
        items=[
            {
                "id": second.pk,
                "title": "讨论支部工作计划",
                "summary": "一致通过",
                "speakers": "卫党员",
            },
            {"id": first.pk, "title": "学习党章第一章", "summary": "领学", "speakers": "单田芳"},
            {"title": "其他事项", "summary": "", "speakers": ""},
        ],
        resolutions=[
            {
                "item": 1,
                "text": "通过2027年工作计划",
                "owner": mw.member2_person.pk,
                "due_on": "2027-01-31",
            },
            {"item": None, "text": "下月开展主题党日", "owner": None, "due_on": ""},
        ],
    )
    minutes.refresh_from_db()
    assert minutes.summary == "会议由冯党员主持。"
    assert list(minutes.items.values_list("order", "title", "speakers")) == [
        (1, "讨论支部工作计划", "卫党员"),
        (2, "学习党章第一章", "单田芳"),
        (3, "其他事项", ""),
    ]
    assert list(minutes.resolutions.values_list("number", "text", "item__order")) == [
        (1, "通过2027年工作计划", 1),
        (2, "下月开展主题党日", None),
    ]
    assert minutes.resolutions.get(number=1).due_on == datetime.date(2027, 1, 31)
    # Saving again with one decision renumbers from 1 and drops the removed item.
    actions.save_minutes(
        mw.c.branch_secretary,
        minutes,
        items=[{"id": second.pk, "title": "讨论支部工作计划"}],
        resolutions=[{"text": "下月开展主题党日"}],
    )
    assert list(minutes.resolutions.values_list("number", "text")) == [(1, "下月开展主题党日")]
    assert minutes.items.count() == 1
    assert AuditLog.objects.filter(verb="minutes.save", object_id=str(minutes.pk)).count() == 2


def test_it_refuses_an_owner_from_outside_the_organisation(mw):
    meeting = held(mw)
    minutes = actions.start_minutes(mw.c.branch_secretary, meeting)
    with pytest.raises(actions.MinutesError):
        actions.save_minutes(
            mw.c.branch_secretary,
            minutes,
            resolutions=[{"text": "某事", "owner": mw.c.outsider_person.pk}],
        )
    assert not Resolution.objects.exists()


def _confirmed(mw, kind="party_lecture"):
    meeting = held(mw, kind)
    minutes = actions.start_minutes(mw.c.branch_secretary, meeting)
    actions.save_minutes(
        mw.c.branch_secretary,
        minutes,
        summary="原始记录",
        resolutions=[{"item": 1, "text": "原决定", "owner": mw.member2_person.pk}],
    )
    actions.submit_for_confirmation(mw.c.branch_secretary, minutes)
    actions.confirm_minutes(mw.member, minutes)  # the presider
    minutes.refresh_from_db()
    meeting.refresh_from_db()
    return meeting, minutes


def test_it_confirms_by_the_presider_and_freezes(mw):
    meeting, minutes = _confirmed(mw)
    assert minutes.confirmed_at is not None
    assert minutes.confirmed_by == mw.member
    assert meeting.status == Meeting.Status.CONFIRMED
    assert meeting.confirmed_at == minutes.confirmed_at
    assert list(meeting.events.values_list("action", flat=True)) == ["hold", "submit", "confirm"]
    # The presider was told to confirm; the owner of the decision was told it is confirmed.
    assert Notification.objects.filter(recipient=mw.member, kind="minutes_to_confirm").count() == 1
    assert Notification.objects.filter(recipient=mw.member2, kind="minutes_confirmed").count() == 1


def test_it_refuses_confirmation_by_a_plain_member(mw):
    meeting = held(mw)
    minutes = actions.start_minutes(mw.c.branch_secretary, meeting)
    with pytest.raises(PermissionDenied):
        actions.confirm_minutes(mw.member2, minutes)
    minutes.refresh_from_db()
    assert minutes.confirmed_at is None


def test_it_refuses_any_edit_of_confirmed_minutes_and_writes_nothing(mw):
    meeting, minutes = _confirmed(mw)
    audits = AuditLog.objects.count()
    with pytest.raises(actions.MinutesError) as exc:
        actions.save_minutes(mw.c.branch_secretary, minutes, summary="改过的")
    assert exc.value.code == "confirmed"
    with pytest.raises(actions.MinutesError) as exc:
        actions.revise_minutes(mw.c.branch_secretary, meeting, reason="   ")
    assert exc.value.code == "reason_required"
    assert "Say why" in " ".join(exc.value.messages)
    assert AuditLog.objects.count() == audits
    minutes.refresh_from_db()
    meeting.refresh_from_db()
    assert minutes.summary == "原始记录"
    assert Minutes.objects.filter(meeting=meeting).count() == 1
    assert meeting.status == Meeting.Status.CONFIRMED


def test_it_revises_into_a_new_version_and_keeps_the_old(mw):
    meeting, v1 = _confirmed(mw)
    v2 = actions.revise_minutes(mw.c.branch_secretary, meeting, reason="补充发言人")
    assert (v2.version, v2.change_reason, v2.summary) == (2, "补充发言人", "原始记录")
    assert list(v2.resolutions.values_list("number", "text", "item__order")) == [(1, "原决定", 1)]
    assert v2.items.count() == 2
    assert set(v2.items.values_list("pk", flat=True)).isdisjoint(
        v1.items.values_list("pk", flat=True)
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    actions.save_minutes(mw.c.branch_secretary, v2, summary="修订后的记录")
    # The confirmed version is untouched and cannot be written.
    v1.refresh_from_db()
    assert v1.summary == "原始记录" and v1.confirmed_at is not None
    with pytest.raises(actions.MinutesError):
        actions.save_minutes(mw.c.branch_secretary, v1, summary="x")
    actions.confirm_minutes(mw.member, v2)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONFIRMED
    assert (
        MeetingEvent.objects.filter(meeting=meeting, action="revise", note="补充发言人").count()
        == 1
    )
    assert list(meeting.minutes.values_list("version", "summary")) == [
        (2, "修订后的记录"),
        (1, "原始记录"),
    ]


def test_it_makes_up_only_for_members_absent_or_on_leave(mw):
    meeting = held(
        mw,
        invitees=[
            Invitee(category=Attendee.Category.SIT_IN, person=mw.c.bureau_secretary_person),
            Invitee(category=Attendee.Category.TAKE_PART, name="退休党员代表"),
        ],
    )
    Attendee.objects.filter(meeting=meeting, person=mw.member_person).update(
        status=Attendee.Status.PRESENT
    )
    Attendee.objects.filter(meeting=meeting, person=mw.member2_person).update(
        status=Attendee.Status.LEAVE, leave_reason="出差"
    )
    minutes = actions.start_minutes(mw.c.branch_secretary, meeting)
    actions.confirm_minutes(mw.c.branch_secretary, minutes)
    # The rest were closed as absent; only members owe a make-up.
    assert row(meeting, mw.c.bureau_secretary_person).status == Attendee.Status.ABSENT
    owing = set(MakeUp.objects.filter(meeting=meeting).values_list("person__name", flat=True))
    members_absent = set(
        Attendee.objects.filter(
            meeting=meeting, source="member", status__in=["absent", "leave"]
        ).values_list("name", flat=True)
    )
    assert "卫党员" in owing and "冯党员" not in owing and "周局长" not in owing
    assert owing == members_absent
    assert Notification.objects.filter(recipient=mw.member2, kind="make_up_due").count() == 1


def test_it_makes_no_make_ups_for_a_committee_meeting(mw):
    meeting = held(mw, "branch_committee")
    minutes = actions.start_minutes(mw.c.branch_secretary, meeting)
    actions.confirm_minutes(mw.c.branch_secretary, minutes)
    assert Attendee.objects.filter(meeting=meeting, status="absent").exists()
    assert not MakeUp.objects.exists()


def test_it_does_not_duplicate_make_ups_when_a_revision_is_confirmed(mw):
    meeting, v1 = _confirmed(mw)
    before = MakeUp.objects.filter(meeting=meeting).count()
    assert before >= 1
    v2 = actions.revise_minutes(mw.c.branch_secretary, meeting, reason="更正")
    actions.confirm_minutes(mw.member, v2)
    assert MakeUp.objects.filter(meeting=meeting).count() == before


def test_it_refuses_confirmation_before_the_meeting_ends(mw):
    meeting = make_meeting(
        mw.c.branch1,
        "party_lecture",
        starts_at=timezone.now() - datetime.timedelta(minutes=30),
        actor=mw.c.branch_secretary,
    )
    minutes = actions.start_minutes(mw.c.branch_secretary, meeting)
    with pytest.raises(actions.MinutesError) as exc:
        actions.confirm_minutes(mw.c.branch_secretary, minutes)
    assert exc.value.code == "not_ended"
    assert not MakeUp.objects.exists()
    assert MinutesItem.objects.filter(minutes=minutes).count() == 0


def test_the_to_dos_of_minutes(mw):
    from juli.core import todos

    meeting = held(mw)
    secretary, presider = mw.c.branch_secretary, mw.member

    def counts(user):
        return {
            k.key: k.count(user)
            for k in todos.visible_kinds(user)
            if k.key.startswith("meetings.minutes") or k.key.startswith("meetings.makeups")
        }

    assert counts(secretary)["meetings.minutes_write"] == 1
    assert counts(presider)["meetings.minutes_confirm"] == 0
    assert "meetings.minutes_write" not in counts(presider)  # a plain member writes none
    assert counts(mw.c.sibling_secretary)["meetings.minutes_write"] == 0
    minutes = actions.start_minutes(secretary, meeting)
    assert counts(presider)["meetings.minutes_confirm"] == 0  # not handed over yet
    actions.submit_for_confirmation(secretary, minutes)
    assert counts(presider)["meetings.minutes_confirm"] == 1
    assert counts(secretary)["meetings.minutes_confirm"] == 1
    assert counts(mw.member2)["meetings.minutes_confirm"] == 0
    actions.confirm_minutes(presider, minutes)
    assert counts(secretary)["meetings.minutes_write"] == 0
    assert counts(presider)["meetings.minutes_confirm"] == 0
    assert counts(mw.member2)["meetings.makeups_do"] == 1
    make_up = MakeUp.objects.get(person=mw.member2_person)
    actions.submit_make_up(mw.member2, make_up, way="read")
    assert counts(mw.member2)["meetings.makeups_do"] == 0
    assert counts(secretary)["meetings.makeups_confirm"] == 1
    assert counts(mw.c.sibling_secretary)["meetings.makeups_confirm"] == 0
    kind = next(k for k in todos.visible_kinds(secretary) if k.key == "meetings.makeups_confirm")
    [item] = kind.items(secretary, 5, 0)
    assert item.url == f"/meetings/makeups/{make_up.pk}/"
