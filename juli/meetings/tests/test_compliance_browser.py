"""The compliance pages in a browser: the bureau's subtree table with its two charts drawn
by the vendored ECharts under the CSP (desk), and a branch secretary's due list (phone).
Screenshots land in $JULI_SHOTS (default: not written)."""

from __future__ import annotations

import datetime
import os
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser

from juli.core.tests.browser import DESK, PHONE, sign_in
from juli.meetings.models import Attendee, Meeting
from juli.orgs import actions as org_actions
from juli.orgs.models import PartyOrg

from .conftest import at, make_meeting

SHOTS = os.environ.get("JULI_SHOTS", "")


def held(org: PartyOrg, kind: str, day: datetime.date, *statuses: str) -> None:
    m = make_meeting(org, kind, starts_at=at(day, 9), with_members=False, announce=False)
    Meeting.objects.filter(pk=m.pk).update(status="confirmed")
    for n, status in enumerate(statuses):
        Attendee.objects.create(meeting=m, name=f"成员{n}", source="member", status=status)


@pytest.fixture
def world(cast: Any, transactional_db: None) -> Any:
    c = cast
    branch3 = org_actions.create_org(None, c.putuo, name="第三党支部", kind="branch", code="PT-B3")
    PartyOrg.objects.filter(path__startswith=c.putuo.path).update(
        founded_on=datetime.date(2000, 7, 1)
    )
    today = timezone.localdate()
    q_start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    for org in (c.branch1, c.branch2, branch3):
        held(org, "branch_committee", q_start, "present", "present", "late", "absent")
    held(c.branch1, "party_lecture", q_start, "present", "leave")
    held(c.branch2, "branch_assembly", q_start, "present", "present")
    held(c.group1, "group_meeting", q_start, "present")
    held(c.branch2, "theme_day", today.replace(day=1), "present", "absent")
    return c


@pytest.mark.browser
def test_the_bureau_reads_its_table_and_charts(browser: Browser, live_server: Any, world: Any):
    context = browser.new_context(**DESK)
    errors: list[str] = []
    page = sign_in(context, live_server.url, "bureau_secretary")
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/meetings/compliance/?period=year")
    page.wait_for_selector("#mc-chart-kinds canvas")
    page.wait_for_selector("#mc-chart-rates canvas")
    assert page.locator(".mc-table tbody tr").count() == 3
    assert page.locator(".mc-cell.mc-overdue").count() > 0
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/rules-subtree-desk.png", full_page=True)
    assert errors == []
    context.close()


@pytest.mark.browser
def test_a_branch_secretary_sees_what_is_due_on_the_phone(
    browser: Browser, live_server: Any, world: Any
):
    context = browser.new_context(**PHONE)
    page = sign_in(context, live_server.url, "branch_secretary")
    page.goto(f"{live_server.url}/meetings/compliance/")
    page.wait_for_selector(".mc-due-item")
    assert page.locator(".mc-due-item").count() >= 4
    assert page.locator(".mc-table tbody tr").count() == 1
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/rules-branch-phone.png", full_page=True)
    context.close()
