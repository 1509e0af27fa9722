"""Attendance (`actions/attendance.py`, `api_signin.py`): one row per person, replays and
second scans write nothing, late after the set time, leave before the start, proxy
sign-in with a reason, absence computed on read and written when the minutes close; every
refusal writes nothing."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.utils import timezone

from juli.core.models import AuditLog
from juli.meetings import signin
from juli.meetings.actions import attendance
from juli.meetings.actions.plan import Invitee
from juli.meetings.models import Attendee
from juli.meetings.tests.conftest import make_meeting
from juli.orgs import actions as org_actions

pytestmark = pytest.mark.django_db

URL = "/api/v1/meetings/signin/"


@pytest.fixture
def meeting(mw: Any) -> Any:
    return make_meeting(mw.c.branch1, starts_at=timezone.now() + datetime.timedelta(minutes=10))


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _row(meeting: Any, person: Any) -> Attendee:
    return Attendee.objects.get(meeting=meeting, person=person)


def _snapshot(meeting: Any) -> list[tuple[Any, ...]]:
    return list(
        Attendee.objects.filter(meeting=meeting)
        .order_by("pk")
        .values_list("pk", "status", "signed_in_at", "client_uuid", "leave_reason")
    )


def test_it_signs_a_member_in_once(meeting: Any, mw: Any) -> None:
    key = uuid.uuid4()
    code = signin.screen_code(meeting)
    result = attendance.sign_in(mw.member, None, code, client_uuid=key)
    assert result.created
    row = _row(meeting, mw.member_person)
    assert (row.status, row.client_uuid, row.signed_in_by_id) == ("present", key, mw.member.pk)
    assert AuditLog.objects.filter(verb="meeting.sign_in", object_id=str(row.pk)).count() == 1
    again = attendance.sign_in(mw.member, None, code, client_uuid=key)
    other = attendance.sign_in(mw.member, None, code, client_uuid=uuid.uuid4())
    assert (again.created, other.created) == (False, False)
    assert Attendee.objects.filter(meeting=meeting, person=mw.member_person).count() == 1
    assert AuditLog.objects.filter(verb="meeting.sign_in").count() == 1
    assert _row(meeting, mw.member_person).client_uuid == key


def test_it_marks_a_scan_after_the_set_time_late(mw: Any) -> None:
    started = make_meeting(mw.c.branch1, starts_at=timezone.now() - datetime.timedelta(minutes=11))
    attendance.sign_in(mw.member, started, signin.screen_code(started), client_uuid=uuid.uuid4())
    assert _row(started, mw.member_person).status == "late"


def test_it_accepts_an_offline_sign_in_by_when_it_was_scanned(mw: Any) -> None:
    # Scanned 20 minutes into a meeting that ended since; the phone's clock is an hour slow.
    now = timezone.now()
    m = make_meeting(mw.c.branch1, starts_at=now - datetime.timedelta(hours=3), hours=2)
    scanned = m.starts_at + datetime.timedelta(minutes=5)
    code = signin.screen_code(m, scanned)
    slow = datetime.timedelta(hours=1)
    result = attendance.sign_in(
        mw.member,
        m,
        code,
        client_uuid=uuid.uuid4(),
        scanned_at=scanned - slow,
        sent_at=now - slow,
        now=now,
    )
    assert (result.attendee.status, result.attendee.signed_in_at) == ("present", scanned)


def test_it_adds_a_member_who_joined_after_planning(meeting: Any, mw: Any) -> None:
    late_joiner = org_actions.create_person(
        None, name="新党员", phone="13800000031", party_org=mw.c.branch1, political_status="member"
    )
    user = org_actions.create_account(None, late_joiner, "newbie", "x", validate_password=False)
    assert not Attendee.objects.filter(meeting=meeting, person=late_joiner).exists()
    attendance.sign_in(user, meeting, signin.screen_code(meeting), client_uuid=uuid.uuid4())
    row = _row(meeting, late_joiner)
    assert (row.status, row.source, row.counts) == ("present", "member", True)


def test_it_refuses_someone_of_another_organisation_writing_nothing(meeting: Any, mw: Any) -> None:
    before = _snapshot(meeting)
    for user in (mw.sibling_member, mw.c.outsider):
        with pytest.raises(Http404):
            attendance.sign_in(user, None, signin.screen_code(meeting), client_uuid=uuid.uuid4())
    assert _snapshot(meeting) == before
    assert not AuditLog.objects.filter(verb="meeting.sign_in").exists()


@pytest.mark.parametrize(
    ("make_code", "code"),
    [
        (lambda m: signin.screen_code(m)[:-1] + "x", "invalid"),
        (lambda m: signin.screen_code(m)[:-2] + "00", "invalid"),
        (lambda m: signin.screen_code(m, timezone.now() - datetime.timedelta(days=1)), "expired"),
        (
            lambda m: signin.screen_code(m, timezone.now() - datetime.timedelta(minutes=2)),
            "expired",
        ),
    ],
)
def test_it_refuses_a_bad_code_writing_nothing(
    meeting: Any, mw: Any, make_code: Any, code: str
) -> None:
    before = _snapshot(meeting)
    with pytest.raises(attendance.AttendanceError) as refused:
        attendance.sign_in(mw.member, None, make_code(meeting), client_uuid=uuid.uuid4())
    assert refused.value.code == code
    assert _snapshot(meeting) == before


def test_it_asks_for_leave_before_the_start_only(meeting: Any, mw: Any) -> None:
    with pytest.raises(attendance.AttendanceError) as refused:
        attendance.request_leave(mw.member, meeting, reason="  ")
    assert refused.value.code == "reason"
    row = attendance.request_leave(mw.member, meeting, reason="出差")
    assert (row.status, row.leave_reason) == ("leave", "出差")
    row = attendance.undo_leave(mw.member, row)
    assert (row.status, row.leave_reason) == ("expected", "")
    started = make_meeting(mw.c.branch1, starts_at=timezone.now() - datetime.timedelta(minutes=1))
    before = _snapshot(started)
    with pytest.raises(attendance.AttendanceError) as refused:
        attendance.request_leave(mw.member, started, reason="出差")
    assert refused.value.code == "started"
    assert _snapshot(started) == before


def test_it_signs_in_on_someones_behalf_with_a_reason_only(meeting: Any, mw: Any) -> None:
    row = _row(meeting, mw.member2_person)
    before = _snapshot(meeting)
    with pytest.raises(attendance.AttendanceError) as refused:
        attendance.proxy_sign_in(mw.c.branch_secretary, row, reason="")
    assert refused.value.code == "reason"
    with pytest.raises(Exception) as denied:
        attendance.proxy_sign_in(mw.member, row, reason="老党员无手机")
    assert denied.type.__name__ == "PermissionDenied"
    assert _snapshot(meeting) == before
    attendance.proxy_sign_in(mw.c.branch_secretary, row, reason="老党员无手机")
    row.refresh_from_db()
    assert (row.status, row.proxy_reason, row.signed_in_by_id) == (
        "present",
        "老党员无手机",
        mw.c.branch_secretary.pk,
    )


def test_it_computes_absence_on_read_and_writes_it_on_closing(mw: Any) -> None:
    now = timezone.now()
    m = make_meeting(
        mw.c.branch1,
        starts_at=now - datetime.timedelta(hours=3),
        hours=2,
        invitees=[Invitee(name="退休党员代表"), Invitee(name="区委组织部 王")],
    )
    rows = list(Attendee.objects.filter(meeting=m).order_by("pk"))
    attendance.proxy_sign_in(mw.c.branch_secretary, rows[0], reason="代签")
    attendance.record_leave(mw.c.branch_secretary, rows[1], reason="病假")
    rest = len(rows) - 2
    assert all(attendance.final_status(r, now) == "absent" for r in rows[2:])
    assert attendance.final_status(rows[2], m.starts_at) == "expected"
    assert attendance.counts(m, now) == {
        "expected": len(rows),
        "present": 1,
        "late": 0,
        "leave": 1,
        "absent": rest,
        "waiting": 0,
    }
    assert attendance.close_attendance(m) == rest
    assert Attendee.objects.filter(meeting=m, status="absent").count() == rest
    assert attendance.close_attendance(m) == 0


def test_the_api_signs_in_and_replays(meeting: Any, mw: Any) -> None:
    client = _client(mw.member)
    key = str(uuid.uuid4())
    now = timezone.now()
    body = {
        "code": signin.screen_code(meeting),
        "client_uuid": key,
        "scanned_at": now.isoformat(),
    }
    first = client.post(
        URL, body, content_type="application/json", headers={"X-Client-Sent-At": now.isoformat()}
    )
    assert first.status_code == 201, first.content
    assert (first.json()["attendee"]["status"], first.json()["already"]) == ("present", False)
    replay = client.post(URL, body, content_type="application/json")
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    second = client.post(
        URL, {**body, "client_uuid": str(uuid.uuid4())}, content_type="application/json"
    )
    assert (second.status_code, second.json()["already"]) == (200, True)
    assert Attendee.objects.filter(meeting=meeting, status="present").count() == 1


@pytest.mark.parametrize(
    ("who", "code", "status", "error"),
    [
        ("member", lambda m: "1.2.3", 400, "invalid"),
        ("member", lambda m: signin.screen_code(m)[:-1] + "0", 400, "invalid"),
        (
            "member",
            lambda m: signin.screen_code(m, timezone.now() - datetime.timedelta(days=1)),
            400,
            "expired",
        ),
        ("sibling_member", lambda m: signin.screen_code(m), 404, "not_found"),
    ],
)
def test_the_api_refuses_bad_sign_ins_writing_nothing(
    meeting: Any, mw: Any, who: str, code: Any, status: int, error: str
) -> None:
    before = _snapshot(meeting)
    response = _client(getattr(mw, who)).post(
        URL,
        {"code": code(meeting), "client_uuid": str(uuid.uuid4())},
        content_type="application/json",
    )
    # the forged signature may by chance be right: rule out the one case in 16
    if response.status_code == 201:
        pytest.skip("forged signature happened to match")
    assert (response.status_code, response.json()["code"]) == (status, error)
    assert _snapshot(meeting) == before


def test_the_api_leave_and_proxy(meeting: Any, mw: Any) -> None:
    leave = f"/api/v1/meetings/{meeting.pk}/leave/"
    response = _client(mw.member).post(leave, {"reason": ""}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "reason")
    response = _client(mw.member).post(leave, {"reason": "出差"}, content_type="application/json")
    assert (response.status_code, response.json()["status"]) == (200, "leave")
    response = _client(mw.c.outsider).post(leave, {"reason": "x"}, content_type="application/json")
    assert response.status_code == 404
    row = _row(meeting, mw.member2_person)
    proxy = f"/api/v1/meetings/{meeting.pk}/attendees/{row.pk}/proxy/"
    assert (
        _client(mw.member).post(proxy, {"reason": "x"}, content_type="application/json").status_code
        == 403
    )
    assert (
        _client(mw.c.sibling_secretary)
        .post(proxy, {"reason": "x"}, content_type="application/json")
        .status_code
        == 404
    )
    response = _client(mw.c.branch_secretary).post(
        proxy, {"reason": ""}, content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "reason")
    row.refresh_from_db()
    assert row.status == "expected"
    response = _client(mw.c.branch_secretary).post(
        proxy, {"reason": "无手机"}, content_type="application/json"
    )
    assert (response.status_code, response.json()["attendee"]["status"]) == (201, "present")


@pytest.mark.parametrize(
    ("who", "screen", "phone"),
    [
        ("branch_secretary", 200, 200),
        ("bureau_secretary", 200, 200),
        ("member", 403, 200),
        ("sibling_secretary", 404, 200),
        ("outsider", 404, 200),
    ],
)
def test_the_pages_answer_by_rights(
    meeting: Any, mw: Any, who: str, screen: int, phone: int
) -> None:
    user = getattr(mw, who, None) or getattr(mw.c, who)
    client = _client(user)
    for path in ("signin/", "signin/qr/", "signin/print/"):
        assert client.get(f"/meetings/{meeting.pk}/{path}").status_code == screen, path
    card = client.get(f"/meetings/{meeting.pk}/attendance/").status_code
    assert card == (404 if screen == 404 else 200)
    assert client.get("/m/meetings/").status_code == phone
    assert client.get(f"/m/meetings/sign/?c={signin.screen_code(meeting)}").status_code == phone
    rotate = client.post(f"/meetings/{meeting.pk}/signin/rotate/")
    assert rotate.status_code == (302 if screen == 200 else screen)
    anonymous = Client().get(f"/meetings/{meeting.pk}/signin/")
    assert anonymous.status_code == 302


def test_the_phone_pages_show_my_meetings_and_the_codes_problem(meeting: Any, mw: Any) -> None:
    client = _client(mw.member)
    home = client.get("/m/meetings/").content.decode()
    assert meeting.title in home
    assert f"/m/meetings/{meeting.pk}/leave/" in home
    assert client.get(f"/m/meetings/{meeting.pk}/leave/").status_code == 200
    assert _client(mw.sibling_member).get(f"/m/meetings/{meeting.pk}/leave/").status_code == 404
    old = signin.screen_code(meeting, timezone.now() - datetime.timedelta(days=1))
    page = client.get(f"/m/meetings/sign/?c={old}").content.decode()
    assert 'data-problem="expired"' in page
    good = client.get(f"/m/meetings/sign/?c={signin.screen_code(meeting)}").content.decode()
    assert 'data-problem=""' in good and meeting.title in good
    foreign = _client(mw.sibling_member).get(f"/m/meetings/sign/?c={signin.screen_code(meeting)}")
    assert 'data-problem="not_found"' in foreign.content.decode()
    assert meeting.title not in foreign.content.decode()


def test_the_card_records_proxy_and_leave(meeting: Any, mw: Any) -> None:
    client = _client(mw.c.branch_secretary)
    row = _row(meeting, mw.member2_person)
    url = f"/meetings/{meeting.pk}/attendance/record/"
    answer = client.post(
        url, {"attendee": row.pk, "action": "proxy", "reason": ""}, headers={"HX-Request": "true"}
    )
    assert 'id="attendance-error"' in answer.content.decode()
    client.post(url, {"attendee": row.pk, "action": "leave", "reason": "病假"})
    row.refresh_from_db()
    assert (row.status, row.leave_reason) == ("leave", "病假")
    client.post(url, {"attendee": row.pk, "action": "undo"})
    client.post(url, {"attendee": row.pk, "action": "proxy", "reason": "无手机"})
    row.refresh_from_db()
    assert (row.status, row.proxy_reason) == ("present", "无手机")
    assert (
        _client(mw.member)
        .post(url, {"attendee": row.pk, "action": "leave", "reason": "x"})
        .status_code
        == 403
    )
