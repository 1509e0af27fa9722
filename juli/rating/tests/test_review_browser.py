"""The reviewer's pages in a browser (zh-CN): the round's progress table, the review form
(an adjusted score with its reason changes the score shown), the public notice on a phone.
Screenshots at desk and phone sizes go to /tmp/juli-shots/review-*.png."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from juli.core.tests.browser import DESK, PHONE, sign_in
from juli.rating.actions import review as rv

from .test_review import submit

SHOTS = Path("/tmp/juli-shots")


@pytest.mark.browser
def test_a_reviewer_adjusts_a_score_and_the_notice_shows_on_a_phone(
    browser: Browser, live_server: Any, transactional_db: None, rw: SimpleNamespace
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    submit(rw.a1)
    submit(rw.a2, ("30", "30"))
    row = rw.a1.scores.get(criterion__title="党员先锋作用")
    desk = browser.new_context(locale="zh-CN", **DESK)
    phone = browser.new_context(locale="zh-CN", **PHONE)
    try:
        page = sign_in(desk, base, "bureau_secretary")
        page.goto(f"{base}/rating/rounds/{rw.round.pk}/")
        expect(page.locator("#rating-publicity-refusal")).to_be_visible()
        page.screenshot(path=str(SHOTS / "review-round-desk.png"), full_page=True)
        page.goto(f"{base}/rating/assessments/{rw.a1.pk}/review/")
        page.locator(f"#points-{row.pk}").fill("20")
        page.locator(f"#reason-{row.pk}").fill("台账不全，酌情扣分")
        page.locator("#rating-review-save").click()
        expect(page.locator("#rating-review-score")).to_have_attribute("data-score", "76.00")
        expect(page.locator("#rating-assessment-status")).to_have_attribute(
            "data-status", "reviewed"
        )
        page.screenshot(path=str(SHOTS / "review-form-desk.png"), full_page=True)
        rv.review(rw.c.bureau_secretary, rw.a2, version=1)
        rv.start_publicity(rw.c.bureau_secretary, rw.round, starts_on=timezone.localdate())
        mobile = sign_in(phone, base, "sibling_secretary")
        mobile.goto(f"{base}/rating/rounds/{rw.round.pk}/publicity/")
        expect(mobile.locator("tr[data-assessment]")).to_have_count(2)
        mobile.locator(f"tr[data-assessment='{rw.a1.pk}'] summary").click()
        mobile.locator(f"#objection-{rw.a1.pk}").fill("该支部台账有补记情况")
        mobile.locator(f"tr[data-assessment='{rw.a1.pk}'] button[type='submit']").click()
        expect(mobile.locator("#rating-objections li")).to_have_count(1)
        mobile.screenshot(path=str(SHOTS / "review-publicity-phone.png"), full_page=True)
        page.goto(f"{base}/rating/assessments/{rw.a1.pk}/review/")
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(SHOTS / "review-form-phone.png"), full_page=True)
    finally:
        desk.close()
        phone.close()
