"""News test world: the cast (juli/conftest.py) with branch 1's members from the meetings
tests (`mw`), a helper that writes an item and takes it to a state through the actions, and
a meeting of branch 1 held with confirmed minutes (rows written directly: the minutes'
actions are another part's)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from juli.meetings.models import Attendee, Meeting, MeetingPart, Minutes, MinutesItem, Resolution
from juli.meetings.tests.conftest import make_meeting
from juli.meetings.tests.conftest import mw as mw  # noqa: F401  (the fixture, re-exported)
from juli.news import actions
from juli.news.models import NewsItem
from juli.orgs import actions as org_actions
from juli.orgs.models import PartyOrg
from juli.orgs.roles import Role

PASSWORD = "juli-demo-2024"


def write(
    author: Any,
    org: PartyOrg,
    title: str = "第一党支部开展主题党日活动",
    *,
    body: str = "党员们走进社区。\n\n大家一起打扫楼道。",
    to: str = NewsItem.Status.DRAFT,
    reviewer: Any = None,
) -> NewsItem:
    """An item of `org` by `author`, taken to the state `to` (reviewed by `reviewer`, the
    system when None)."""
    item = actions.create_item(author, org, title=title, summary="摘要", body=body)
    if to == NewsItem.Status.DRAFT:
        return item
    item = actions.submit_item(author, item)
    if to == NewsItem.Status.IN_REVIEW:
        return item
    item = actions.approve_item(reviewer, item)
    if to == NewsItem.Status.PUBLISHED:
        return item
    return actions.withdraw_item(reviewer, item, reason="内容有误")


def appoint_officer(org: PartyOrg, name: str = "宣传员", phone: str = "13800000031") -> Any:
    person = org_actions.create_person(None, name=name, phone=phone, party_org=org)
    org_actions.appoint(
        None, person, Role.PUBLICITY_OFFICER, org=org, started_on=datetime.date(2024, 1, 1)
    )
    return org_actions.create_account(
        None, person, f"pub{phone[-2:]}", PASSWORD, validate_password=False
    )


def confirmed_meeting(w: SimpleNamespace, *, absent_name: str = "缺席者甲") -> Meeting:
    """Branch 1's members' assembly yesterday, presided by the secretary; the member came,
    member 2 was on leave, a third member (`absent_name`) was absent and is named in the
    minutes' text. Minutes version 1 confirmed, two items, two resolutions."""
    c = w.c
    absent = org_actions.create_person(
        None,
        name=absent_name,
        phone="13800000041",
        party_org=c.branch1,
        political_status="member",
    )
    start = timezone.now() - datetime.timedelta(days=1)
    meeting = make_meeting(
        c.branch1, "branch_assembly", starts_at=start, title="第一党支部2026年第四季度党员大会"
    )
    MeetingPart.objects.filter(meeting=meeting).update(presider=c.branch_secretary_person)
    roster = {a.person_id: a for a in meeting.attendees.all()}
    for person, status, reason in (
        (c.branch_secretary_person, Attendee.Status.PRESENT, ""),
        (w.member_person, Attendee.Status.LATE, ""),
        (w.member2_person, Attendee.Status.LEAVE, "出差"),
        (absent, Attendee.Status.ABSENT, ""),
    ):
        row = roster.get(person.pk)
        if row is None:
            Attendee.objects.create(
                meeting=meeting,
                person=person,
                name=person.name,
                source="member",
                status=status,
                leave_reason=reason,
            )
        else:
            Attendee.objects.filter(pk=row.pk).update(status=status, leave_reason=reason)
    Attendee.objects.create(
        meeting=meeting,
        name="区委组织部来宾",
        source="guest",
        category="sit_in",
        counts=False,
        status=Attendee.Status.PRESENT,
    )
    minutes = Minutes.objects.create(
        meeting=meeting, version=1, summary="会议气氛热烈。", confirmed_at=timezone.now()
    )
    first = MinutesItem.objects.create(
        minutes=minutes,
        order=1,
        title="学习党的二十届三中全会精神",
        summary=f"支部书记领学全会公报；{absent_name}未到会，会后补学。",
        speakers="单田芳",
    )
    MinutesItem.objects.create(
        minutes=minutes,
        order=2,
        title="讨论第四季度绿化养护工作",
        summary="大家逐一发言。",
    )
    Resolution.objects.create(
        minutes=minutes, item=first, number=1, text="开展冬季绿化养护专项行动"
    )
    Resolution.objects.create(
        minutes=minutes, number=2, text=f"由{w.member2_person.name}牵头整理学习材料"
    )
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.CONFIRMED, confirmed_at=timezone.now()
    )
    meeting.refresh_from_db()
    return meeting


def signed_in(user: Any) -> Any:
    """A test client signed in as `user` (None: anonymous)."""
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client
