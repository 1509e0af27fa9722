"""The judged fixture: a member misses a 党课, makes it up, and the branch is reminded once
before the quarter ends. Plus the make-up workflow's refusals and pages."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from juli.core.models import AuditLog
from juli.meetings.actions import minutes as actions
from juli.meetings.actions import rules
from juli.meetings.actions.plan import PartSpec
from juli.meetings.documents import record_context
from juli.meetings.models import Attendee, MakeUp
from juli.meetings.todos_minutes import make_ups_to_confirm, make_ups_to_do
from juli.notify.models import Notification
from juli.orgs.models import PartyOrg

from .conftest import at, make_meeting

pytestmark = pytest.mark.django_db


def lecture_reminders(user):
    return Notification.objects.filter(
        recipient=user, kind="meetings_due", event_key__contains=":party_lecture:"
    )


def _lecture(mw, day=datetime.date(2026, 3, 27)):
    return make_meeting(
        mw.c.branch1,
        "party_lecture",
        starts_at=at(day, 14),
        actor=mw.c.branch_secretary,
        title="2026年一季度党课",
        parts=[PartSpec(presider=mw.c.branch_secretary_person, agenda=[("学习党章", "单田芳")])],
    )


def _confirmed_lecture(mw):
    meeting = _lecture(mw)
    Attendee.objects.filter(meeting=meeting, person=mw.member_person).update(
        status=Attendee.Status.PRESENT, signed_in_at=meeting.starts_at
    )
    minutes = actions.start_minutes(mw.c.branch_secretary, meeting)
    actions.confirm_minutes(mw.c.branch_secretary, minutes)
    return meeting


def test_it_reminds_once_then_a_member_misses_the_lecture_and_makes_it_up(mw):
    secretary = mw.c.branch_secretary
    # The branch existed all year (the cast is created today).
    PartyOrg.objects.filter(pk=mw.c.branch1.pk).update(founded_on=datetime.date(2020, 1, 1))
    # Eleven days before the quarter ends: no reminder yet; a week before: one, and only one.
    rules.send_reminders(datetime.date(2026, 3, 20))
    assert lecture_reminders(secretary).count() == 0
    rules.send_reminders(datetime.date(2026, 3, 25))
    rules.send_reminders(datetime.date(2026, 3, 26))
    assert lecture_reminders(secretary).count() == 1

    meeting = _confirmed_lecture(mw)
    # 卫党员 never signed in: absent, owes a make-up; 冯党员 came.
    assert Attendee.objects.get(meeting=meeting, person=mw.member2_person).status == "absent"
    make_up = MakeUp.objects.get(meeting=meeting)
    assert make_up.person == mw.member2_person
    assert make_up.status == MakeUp.Status.OPEN
    assert list(make_ups_to_do(mw.member2)) == [make_up]
    assert Notification.objects.filter(recipient=mw.member2, kind="make_up_due").count() == 1

    # Held and confirmed: no reminder about the lecture after that.
    rules.send_reminders(datetime.date(2026, 3, 30))
    assert lecture_reminders(secretary).count() == 1

    actions.submit_make_up(mw.member2, make_up, way="note", note="已自学党章第一章并写心得。")
    assert list(make_ups_to_confirm(secretary)) == [make_up]
    assert list(make_ups_to_do(mw.member2)) == []
    actions.confirm_make_up(secretary, make_up)
    make_up.refresh_from_db()
    assert (make_up.status, make_up.confirmed_by) == (MakeUp.Status.CONFIRMED, secretary)
    assert list(make_ups_to_confirm(secretary)) == []

    record = record_context(meeting, actions.current_minutes(meeting))
    assert [(a["name"], a["status_zh"]) for a in record["absences"]] == [("卫党员", "缺席")]
    assert [(m.person.name, m.status) for m in record["make_ups"]] == [("卫党员", "confirmed")]
    assert (record["counts"].expected, record["counts"].present, record["counts"].absent) == (
        2,
        1,
        1,
    )


def test_it_refuses_make_up_writes_by_others_and_without_what_is_needed(mw):
    meeting = _confirmed_lecture(mw)
    make_up = MakeUp.objects.get(meeting=meeting)
    audits = AuditLog.objects.count()
    with pytest.raises(PermissionDenied):
        actions.submit_make_up(mw.member, make_up, way="read")
    with pytest.raises(actions.MinutesError):
        actions.submit_make_up(mw.member2, make_up, way="note", note="  ")
    with pytest.raises(actions.MinutesError) as exc:
        actions.confirm_make_up(mw.c.branch_secretary, make_up)  # not submitted yet
    assert exc.value.code == "illegal_state"
    actions.submit_make_up(mw.member2, make_up, way="read")
    audits += 1
    with pytest.raises(PermissionDenied):
        actions.confirm_make_up(mw.c.sibling_secretary, make_up)
    with pytest.raises(PermissionDenied):
        actions.confirm_make_up(mw.member2, make_up)
    with pytest.raises(actions.MinutesError) as exc:
        actions.return_make_up(mw.c.branch_secretary, make_up, reason="")
    assert exc.value.code == "reason_required"
    assert AuditLog.objects.count() == audits
    make_up.refresh_from_db()
    assert make_up.status == MakeUp.Status.SUBMITTED


def test_it_returns_a_make_up_with_its_reason(mw):
    meeting = _confirmed_lecture(mw)
    make_up = MakeUp.objects.get(meeting=meeting)
    actions.submit_make_up(mw.member2, make_up, way="read")
    actions.return_make_up(mw.c.branch_secretary, make_up, reason="请写一段学习心得")
    make_up.refresh_from_db()
    assert make_up.status == MakeUp.Status.OPEN
    assert actions.return_reason(make_up) == "请写一段学习心得"
    assert Notification.objects.filter(recipient=mw.member2, kind="make_up_due").count() == 2


def test_make_up_pages_on_the_phone(client, mw):
    meeting = _confirmed_lecture(mw)
    make_up = MakeUp.objects.get(meeting=meeting)
    url = reverse("meetings-makeup", args=[make_up.pk])
    # Another member of the branch and an outsider do not see it.
    for user in (mw.member, mw.c.outsider, mw.c.sibling_secretary):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"action": "submit", "way": "read"}).status_code == 404
    client.force_login(mw.member2)
    page = client.get(reverse("meetings-makeups"))
    assert page.status_code == 200 and "2026年一季度党课" in page.content.decode()
    answer = client.post(url, {"action": "submit", "way": "note", "note": ""})
    assert answer.status_code == 400
    make_up.refresh_from_db()
    assert make_up.status == MakeUp.Status.OPEN
    answer = client.post(url, {"action": "submit", "way": "note", "note": "学习心得"})
    assert answer.status_code == 302
    client.force_login(mw.c.branch_secretary)
    listing = client.get(reverse("meetings-makeups")).content.decode()
    assert "卫党员" in listing
    answer = client.post(reverse("meetings-makeup-confirm", args=[make_up.pk]))
    assert answer.status_code == 302
    make_up.refresh_from_db()
    assert make_up.status == MakeUp.Status.CONFIRMED
    assert make_up.submitted_at is not None and make_up.submitted_at <= timezone.now()
