"""Observation test world: the cast's Putuo bureau with four branches (two added here, each
with a secretary who can sign in), a cycle over them, and helpers."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from juli.conftest import PASSWORD
from juli.observation import actions
from juli.observation.models import ObservationCycle, ObservationVisit
from juli.orgs import actions as org_actions
from juli.orgs.models import PartyOrg
from juli.orgs.roles import Role

SCORES = {"listen": 18, "look": 17, "records": 16, "talk": 19, "evaluate": 18}


def _secretary(org: PartyOrg, username: str, name: str, phone: str) -> Any:
    person = org_actions.create_person(
        None, name=name, phone=phone, party_org=org, political_status="member"
    )
    org_actions.appoint(
        None, person, Role.PARTY_SECRETARY, org=org, started_on=datetime.date(2024, 1, 1)
    )
    return org_actions.create_account(None, person, username, PASSWORD, validate_password=False)


@pytest.fixture
def ow(cast: Any) -> SimpleNamespace:
    c = cast
    w = SimpleNamespace(c=c)
    w.branch3 = org_actions.create_org(
        None, c.putuo, name="第三党支部", kind="branch", code="PT-B3", unit=c.putuo_unit
    )
    w.branch4 = org_actions.create_org(
        None, c.putuo, name="第四党支部", kind="branch", code="PT-B4", unit=c.putuo_unit
    )
    w.sec3 = _secretary(w.branch3, "sec3", "陈三支", "13800000031")
    w.sec4 = _secretary(w.branch4, "sec4", "林四支", "13800000032")
    w.member = org_actions.create_account(
        None, c.member_person, "member", PASSWORD, validate_password=False
    )
    return w


def make_cycle(
    org: PartyOrg,
    *,
    start: datetime.date | None = None,
    days: int = 60,
    per_visit: int = 0,
    actor: Any = None,
) -> ObservationCycle:
    start = start or timezone.localdate() - datetime.timedelta(days=30)
    return actions.create_cycle(
        actor,
        org,
        title="2025年度逐支部观摩",
        starts_on=start,
        ends_on=start + datetime.timedelta(days=days),
        visitors_per_visit=per_visit,
    )


def visit_of(cycle: ObservationCycle, host: PartyOrg) -> ObservationVisit:
    visit = ObservationVisit.objects.select_related("cycle", "host").get(cycle=cycle, host=host)
    return visit


def due_today(visit: ObservationVisit) -> ObservationVisit:
    """Move the visit's day to today (tests: scoring opens on the day)."""
    ObservationVisit.objects.filter(pk=visit.pk).update(scheduled_on=timezone.localdate())
    visit.refresh_from_db()
    return visit
