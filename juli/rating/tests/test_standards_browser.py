"""The standard page in a browser (zh-CN): the issuer adds a category in place (htmx swaps
the body), a branch secretary reads it on a phone. Screenshots at desk and phone sizes go to
/tmp/juli-shots/standards-*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from juli.core.tests.browser import DESK, PHONE, sign_in
from juli.rating import demo_standards
from juli.rating.actions import standards
from juli.rating.models import StandardCategory

SHOTS = Path("/tmp/juli-shots")


@pytest.mark.browser
def test_the_issuer_edits_in_place_and_a_branch_reads_it(
    browser: Browser, live_server: Any, transactional_db: None, cast: Any
) -> None:
    base = live_server.url
    standard = standards.create_standard(
        None, cast.putuo, year=2026, title="2026年度五星级党支部评定标准", **demo_standards.spec()
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    desk = browser.new_context(**DESK, locale="zh-CN")
    page = sign_in(desk, base, "bureau_secretary")
    page.goto(f"{base}/rating/standards/")
    expect(page.locator(f"[data-standard='{standard.pk}']")).to_be_visible()
    page.screenshot(path=str(SHOTS / "standards-list-desk.png"), full_page=True)
    page.goto(f"{base}/rating/standards/{standard.pk}/")
    expect(page.locator("#standard-total")).to_have_attribute("data-total", "100.00")
    page.screenshot(path=str(SHOTS / "standards-detail-desk.png"), full_page=True)
    page.locator("#newcat-name, #id_newcat-name").first.fill("党风廉政")
    page.locator("#category-form button[type='submit']").click()
    added = page.locator("section.rs-category h2", has_text="党风廉政")
    expect(added).to_be_visible()
    assert StandardCategory.objects.filter(standard=standard, name="党风廉政").exists()
    # a bad threshold order: the error at the field, swapped in by htmx
    page.locator("#thresholds details summary").click()
    page.locator("#id_t-star3").fill("99")
    page.locator("#thresholds-form button[type='submit']").click()
    expect(page.locator("[data-error-for='star4']")).to_be_visible()
    page.screenshot(path=str(SHOTS / "standards-edit-desk.png"), full_page=True)
    desk.close()

    phone = browser.new_context(**PHONE, locale="zh-CN")
    page = sign_in(phone, base, "branch_secretary")
    page.goto(f"{base}/rating/standards/{standard.pk}/")
    expect(page.locator("#standard-body")).to_have_attribute("data-editable", "0")
    page.screenshot(path=str(SHOTS / "standards-detail-phone.png"), full_page=True)
    phone.close()
