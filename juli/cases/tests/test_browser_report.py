"""A grid worker reports a problem on a phone: the photo, then at most four taps.

Drives Debian's Chromium through Playwright at 390×844 against the live server. The phone is
about 30 m from 菜场A, where an open case already is: the page suggests 菜場A from the GPS
fix and shows that case under "already reported?". The grid worker takes a photo, taps a
category among the most used here (1), taps the suggested place (2), sends (3); the page
shows the case number and a link to follow it, and 我的上报 lists the case with its status.
Screenshots: test-output/screenshots/report-*.png.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from juli.cases.models import Case
from juli.core.tests.browser import PHONE, WAIT_MS, fill_sign_in, jpeg

from .conftest import new_case, photo


@pytest.mark.browser
def test_it_reports_with_a_photo_in_at_most_four_taps_and_lists_it_under_my_reports(
    browser: Browser, live_server: Any, transactional_db: None, world: Any, screenshot_dir: Path
) -> None:
    base = live_server.url
    c = world.c
    earlier = new_case(world, point=world.point_a, photos=[photo()], title="菜场A门口垃圾")
    taps: list[str] = []

    def tap(locator: Locator, what: str) -> None:
        taps.append(what)
        locator.click()

    def shot(page: Page, step: str) -> None:
        page.screenshot(path=str(screenshot_dir / f"report-{step}.png"), full_page=True)

    context = browser.new_context(
        locale="zh-CN",
        permissions=["geolocation"],
        geolocation={"latitude": 31.2002, "longitude": 121.4702},
        **PHONE,
    )
    try:
        page = context.new_page()
        fill_sign_in(page, base, "grid_worker")
        page.goto(f"{base}/m/report/")
        # The photo first: the camera's file input leads the form.
        page.locator("#r-photos").set_input_files(
            {"name": "problem.jpg", "mimeType": "image/jpeg", "buffer": jpeg((90, 120, 40))}
        )
        expect(page.locator(".report-photo .thumbs img")).to_have_count(1)
        # The GPS fix: 菜场A is suggested, the open case there is shown.
        suggestion = page.locator("#r-suggest button.place")
        expect(suggestion).to_contain_text("菜场A", timeout=WAIT_MS)
        expect(suggestion).to_have_attribute("aria-pressed", "false")
        expect(page.locator("#r-nearby .nearby-case")).to_have_count(1)
        expect(page.locator("#r-nearby")).to_contain_text(earlier.number)
        # Nothing chosen for the user.
        assert page.locator("#r-category").input_value() == ""
        assert page.locator("#r-where").input_value() == ""
        shot(page, "1-photo-and-suggestion")

        tap(page.locator("#r-frequent button", has_text="暴露垃圾"), "category")
        expect(page.locator("#r-frequent button", has_text="暴露垃圾")).to_have_attribute(
            "aria-pressed", "true"
        )
        tap(suggestion, "place")
        assert page.locator("#r-where").input_value() == f"point:{world.point_a.pk}"
        expect(suggestion).to_have_attribute("aria-pressed", "true")
        shot(page, "2-chosen")
        tap(page.locator("#r-send"), "send")

        number = page.locator("#done-number")
        expect(number).to_be_visible(timeout=WAIT_MS)
        case = Case.objects.exclude(pk=earlier.pk).get()
        expect(number).to_contain_text(case.number)
        follow = page.locator("#done-follow")
        expect(follow).to_have_attribute("href", f"/m/cases/{case.pk}/")
        shot(page, "3-sent")
        assert len(taps) <= 4, taps

        page.locator("#form-done a[href='/m/reports/']").click()
        page.wait_for_url(f"{base}/m/reports/")
        first = page.locator("#my-reports li").first
        expect(first).to_contain_text(case.number)
        expect(first).to_contain_text("已上报")
        shot(page, "4-my-reports")
    finally:
        context.close()

    assert taps == ["category", "place", "send"]
    assert (case.reporter_id, case.point_id, case.category_id, case.source, case.status) == (
        c.grid_worker.pk,
        world.point_a.pk,
        world.litter.pk,
        Case.Source.GRID_WORKER,
        Case.Status.REPORTED,
    )
    assert case.title == "暴露垃圾"
    assert (case.lat, case.lng) == (Decimal("31.200200"), Decimal("121.470200"))
    assert list(case.photos.values_list("kind", flat=True)) == ["before"]
