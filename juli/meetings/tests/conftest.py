"""Meetings test world: the cast's Putuo branches with members who can sign in, and a
helper that plans a meeting through the action."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from juli.meetings.actions import plan
from juli.meetings.models import Meeting
from juli.orgs import actions as org_actions
from juli.orgs.models import PartyOrg

PASSWORD = "juli-demo-2024"


def at(day: datetime.date, hour: int = 14, minute: int = 0) -> datetime.datetime:
    """An aware time on `day` in the site's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def make_meeting(
    org: PartyOrg,
    kind: str = "branch_assembly",
    *,
    starts_at: datetime.datetime | None = None,
    hours: float = 2,
    title: str = "",
    actor: Any = None,
    **kwargs: Any,
) -> Meeting:
    starts_at = starts_at or timezone.now() + datetime.timedelta(hours=1)
    return plan.plan_meeting(
        actor,
        org,
        kind=kind,
        title=title or f"{org.name} {kind}",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=hours),
        place="党员活动室",
        **kwargs,
    )


@pytest.fixture
def mw(cast: Any) -> SimpleNamespace:
    """The cast plus members of branch 1 (one with a login) and of branch 2."""
    c = cast
    w = SimpleNamespace(c=c)
    w.member_person = c.member_person
    w.member = org_actions.create_account(
        None, c.member_person, "member", PASSWORD, validate_password=False
    )
    w.member2_person = org_actions.create_person(
        None, name="卫党员", phone="13800000021", party_org=c.group1, political_status="member"
    )
    w.member2 = org_actions.create_account(
        None, w.member2_person, "member2", PASSWORD, validate_password=False
    )
    w.sibling_member_person = org_actions.create_person(
        None, name="蒋二支", phone="13800000022", party_org=c.branch2, political_status="member"
    )
    w.sibling_member = org_actions.create_account(
        None, w.sibling_member_person, "sibling_member", PASSWORD, validate_password=False
    )
    return w
