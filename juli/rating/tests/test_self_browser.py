"""The self-assessment in a browser (zh-CN): the secretary opens the pre-filled page on a
phone, types points (the live total follows), saves; at a desk the page reads the same.
Screenshots go to /tmp/juli-shots/selfassess-*.png."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from juli.conftest import PASSWORD
from juli.core.tests.browser import PHONE
from juli.meetings.models import Meeting
from juli.meetings.tests.conftest import at, make_meeting
from juli.rating.actions.rounds import assessment_rows

SHOTS = Path("/tmp/juli-shots")


def _page(browser: Browser, base: str, login: str, device: dict[str, Any]) -> Page:
    page = browser.new_context(locale="zh-CN", **device).new_page()
    page.goto(f"{base}/login/")
    page.locator("input[name='username']").fill(login)
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main button[type='submit']").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


@pytest.mark.browser
def test_the_secretary_fills_the_self_assessment_on_a_phone(
    browser: Browser, live_server: Any, transactional_db: None, rw: Any
) -> None:
    m = make_meeting(rw.c.branch1, starts_at=at(datetime.date(2026, 4, 8)), title="四月主题党日")
    Meeting.objects.filter(pk=m.pk).update(status=Meeting.Status.CONFIRMED)
    # The round was opened (and pre-linked, finding nothing) before the meeting existed: as
    # if it had not been, the secretary's first visit pre-links.
    rw.a1.events.filter(action="prelink").delete()
    _computed, j1, j2 = assessment_rows(rw.a1)
    url = f"{live_server.url}/rating/assessments/{rw.a1.pk}/"
    page = _page(browser, live_server.url, "branch_secretary", PHONE)
    page.goto(url)
    expect(page.locator(f"#row-{j1.pk} .badge.prelinked")).to_have_count(1)
    page.locator(f"#points-{j1.pk}").fill("27")
    page.locator(f"#points-{j2.pk}").fill("30")
    # (36 + 27 + 30) / 100 = 93 → four stars (88)
    expect(page.locator("#rating-self-score")).to_have_text("93.00")
    expect(page.locator("#rating-self-stars")).to_have_attribute("data-stars", "4")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "selfassess-phone.png"), full_page=True)
    page.locator("button[name='action'][value='save']").click()
    page.wait_for_url(url)
    j1.refresh_from_db()
    assert j1.self_points == Decimal("27.00")
    desk = _page(
        browser, live_server.url, "branch_secretary", {"viewport": {"width": 1280, "height": 900}}
    )
    desk.goto(url)
    expect(desk.locator("#rating-self-score")).to_have_text("93.00")
    desk.screenshot(path=str(SHOTS / "selfassess-desk.png"), full_page=True)
    desk.goto(f"{live_server.url}/rating/my/")
    desk.screenshot(path=str(SHOTS / "selfassess-my.png"), full_page=True)
