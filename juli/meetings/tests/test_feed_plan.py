"""The private calendar feed: one person's meetings only, stable UIDs, cancelled ones marked,
revoked tokens 404, audited."""

from __future__ import annotations

import datetime
from typing import Any

import icalendar
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from juli.core.models import AuditLog
from juli.meetings.actions import plan
from juli.meetings.models import CalendarFeed

from .conftest import make_meeting

pytestmark = pytest.mark.django_db


def _events(body: bytes) -> dict[str, Any]:
    cal = icalendar.Calendar.from_ical(body)
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


def test_a_feed_lists_exactly_its_persons_meetings(mw: Any) -> None:
    c = mw.c
    mine = make_meeting(c.branch1, actor=c.branch_secretary, title="一支部党课")
    make_meeting(c.branch2, actor=c.sibling_secretary, title="二支部党课")
    gone = make_meeting(c.branch1, actor=c.branch_secretary, title="取消的会")
    plan.cancel_meeting(c.branch_secretary, gone, reason="改期")
    feed = plan.create_feed(mw.member, mw.member)
    r = Client().get(reverse("meetings-feed", args=[feed.token]))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    events = _events(r.content)
    assert set(events) == {"一支部党课", "取消的会"}
    e = events["一支部党课"]
    assert str(e["uid"]) == f"meeting-{mine.pk}@testserver"
    assert e.decoded("dtstart") == mine.starts_at.astimezone(datetime.UTC).replace(microsecond=0)
    assert e["dtstart"].to_ical().decode().endswith("Z")
    assert str(e["location"]) == "党员活动室"
    assert str(e["url"]).endswith(f"/meetings/{mine.pk}/")
    assert "第一党支部" in str(e["description"])
    assert str(events["取消的会"]["status"]) == "CANCELLED"
    # the sibling member's feed never shows branch 1's meetings
    other = plan.create_feed(mw.sibling_member, mw.sibling_member)
    events = _events(Client().get(reverse("meetings-feed", args=[other.token])).content)
    assert set(events) == {"二支部党课"}


def test_a_secretarys_feed_is_their_own_roster_not_their_scope(mw: Any) -> None:
    c = mw.c
    make_meeting(c.branch1, actor=c.bureau_secretary, title="一支部党课")
    feed = plan.create_feed(c.bureau_secretary, c.bureau_secretary)
    events = _events(Client().get(reverse("meetings-feed", args=[feed.token])).content)
    assert events == {}


def test_revoking_replaces_the_token_and_the_old_one_is_404(mw: Any) -> None:
    c = Client()
    c.force_login(mw.member)
    assert c.post(reverse("meetings-feed-create")).status_code == 302
    old = CalendarFeed.objects.get(user=mw.member).token
    assert Client().get(reverse("meetings-feed", args=[old])).status_code == 200
    page = c.get(reverse("meetings-mine")).content.decode()
    assert old in page
    c.post(reverse("meetings-feed-revoke"))
    new = CalendarFeed.objects.get(user=mw.member).token
    assert new != old
    assert Client().get(reverse("meetings-feed", args=[old])).status_code == 404
    assert Client().get(reverse("meetings-feed", args=[new])).status_code == 200
    assert Client().get(reverse("meetings-feed", args=["nonsense"])).status_code == 404
    verbs = list(
        AuditLog.objects.filter(verb__startswith="calendar_feed")
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == ["calendar_feed.create", "calendar_feed.revoke"]
    assert all(old not in str(a.after) and new not in str(a.after) for a in AuditLog.objects.all())


def test_one_cannot_create_anothers_feed(mw: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        plan.create_feed(mw.member, mw.sibling_member)
    assert not CalendarFeed.objects.exists()


def test_feed_pages_need_a_login_and_a_post(mw: Any) -> None:
    assert Client().post(reverse("meetings-feed-create")).status_code == 302
    assert not CalendarFeed.objects.exists()
    c = Client()
    c.force_login(mw.member)
    assert c.get(reverse("meetings-feed-create")).status_code == 405
    assert timezone.now()
