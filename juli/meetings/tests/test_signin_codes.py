"""Sign-in codes (`juli/meetings/signin.py`): signed, rotating, valid only in the meeting's
window and a grace of two slots; the printable code for the whole window; the phone's
clock offset cancelled; rotating the key revokes every code."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from juli.meetings import signin
from juli.meetings.actions import attendance
from juli.meetings.tests.conftest import make_meeting

pytestmark = pytest.mark.django_db

S = datetime.timedelta(seconds=signin.SLOT_SECONDS)


@pytest.fixture
def meeting(mw: Any) -> Any:
    return make_meeting(mw.c.branch1, starts_at=timezone.now() + datetime.timedelta(minutes=10))


def _check(meeting: Any, code: str, scanned: datetime.datetime) -> None:
    signin.check(meeting, signin.parse(code), scanned)


def test_it_takes_the_current_screen_code(meeting: Any) -> None:
    now = timezone.now()
    code = signin.screen_code(meeting, now)
    assert code.startswith(f"{meeting.pk}.{signin.slot_of(now)}.")
    _check(meeting, code, now)
    _check(meeting, code, now + 2 * S)  # the grace: two slots


def test_it_refuses_a_screen_code_older_than_the_grace(meeting: Any) -> None:
    now = timezone.now()
    code = signin.screen_code(meeting, now - 3 * S - datetime.timedelta(seconds=1))
    with pytest.raises(signin.CodeError) as refused:
        _check(meeting, code, now)
    assert refused.value.code == "expired"


def test_it_refuses_yesterdays_code_of_yesterdays_meeting(mw: Any) -> None:
    yesterday = timezone.now() - datetime.timedelta(days=1)
    old = make_meeting(mw.c.branch1, starts_at=yesterday - datetime.timedelta(minutes=5))
    code = signin.screen_code(old, yesterday)
    _check(old, code, yesterday)  # it was good then
    with pytest.raises(signin.CodeError) as refused:
        _check(old, code, timezone.now())
    assert (refused.value.code, refused.value.message) == (
        "expired",
        "This sign-in code has expired.",
    )


def test_it_refuses_a_forged_or_foreign_signature(meeting: Any, mw: Any) -> None:
    now = timezone.now()
    code = signin.screen_code(meeting, now)
    forged = code[:-1] + ("0" if code[-1] != "0" else "1")
    other = make_meeting(mw.c.branch2, starts_at=meeting.starts_at)
    moved = f"{other.pk}." + code.split(".", 1)[1]
    for bad in (forged, moved, "garbage", f"{meeting.pk}.x.{'0' * 16}", ""):
        with pytest.raises(signin.CodeError) as refused:
            parsed = signin.parse(bad)
            target = other if parsed.meeting_id == other.pk else meeting
            signin.check(target, parsed, now)
        assert refused.value.code == "invalid", bad


def test_it_refuses_before_sign_in_opens(mw: Any) -> None:
    later = make_meeting(mw.c.branch1, starts_at=timezone.now() + datetime.timedelta(hours=3))
    with pytest.raises(signin.CodeError) as refused:
        _check(later, signin.print_code(later), timezone.now())
    assert refused.value.code == "not_open"


def test_it_takes_the_printed_code_for_the_whole_window_only(meeting: Any) -> None:
    code = signin.print_code(meeting)
    assert code == f"{meeting.pk}.p.{code.rsplit('.', 1)[1]}"
    opens, closes = signin.window(meeting)
    _check(meeting, code, opens)
    _check(meeting, code, closes)
    with pytest.raises(signin.CodeError):
        _check(meeting, code, closes + datetime.timedelta(seconds=1))


def test_it_places_the_scan_on_the_server_clock(meeting: Any) -> None:
    now = timezone.now()
    # A phone whose clock is five hours fast, which kept the sign-in for two hours.
    fast = datetime.timedelta(hours=5)
    scanned = now - datetime.timedelta(hours=2) + fast
    sent = now + fast
    assert signin.scan_time(scanned, sent, now) == now - datetime.timedelta(hours=2)
    assert signin.scan_time(None, sent, now) == now
    with pytest.raises(signin.CodeError):
        signin.scan_time(now - datetime.timedelta(days=4), now, now)
    with pytest.raises(signin.CodeError):
        signin.scan_time(now + datetime.timedelta(minutes=1), now, now)


def test_it_revokes_every_code_when_the_key_is_rotated(meeting: Any, mw: Any) -> None:
    screen, paper = signin.screen_code(meeting), signin.print_code(meeting)
    attendance.rotate_codes(mw.c.branch_secretary, meeting)
    meeting.refresh_from_db()
    for code in (screen, paper):
        with pytest.raises(signin.CodeError) as refused:
            _check(meeting, code, timezone.now())
        assert refused.value.code == "invalid"
    _check(meeting, signin.screen_code(meeting), timezone.now())
