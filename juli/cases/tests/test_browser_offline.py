"""An inspector fails a checklist item while the phone is offline; the case arrives once.

Drives Debian's Chromium through Playwright at a phone viewport against the live server:
the inspector opens /m/ (the service worker and the page cache fill), goes offline, opens a
point's checklist from the cache, fails one item with a note and a photo, submits (the
outbox keeps it: one waiting), comes back online and watches the outbox empty through the
real REST API; then the street officer finds exactly one new case in the office list.
Screenshots of every step go to test-output/screenshots/offline-*.png.
"""

from __future__ import annotations

import io
import json
import re
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, Page, Route, expect

from juli.cases import inspections
from juli.cases.models import Case, CasePhoto, Inspection, InspectionResult
from juli.core.tests.browser import PHONE, WAIT_MS, sign_in

from .conftest import new_case

CASE_LINK = re.compile(r"/cases/(\d+)/?$")


def _jpeg() -> bytes:
    """A small JPEG, as a phone camera would give (smaller)."""
    image = Image.new("RGB", (64, 48), (200, 60, 40))
    for x in range(0, 64, 8):
        for y in range(48):
            image.putpixel((x, y), (30, 30, 30))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _outbox_count(page: Page) -> str:
    return page.locator("#outbox-status").get_attribute("data-count") or ""


@pytest.mark.browser
def test_it_sends_an_offline_inspection_once_when_the_network_returns(
    browser: Browser, live_server: Any, transactional_db: None, world: Any, screenshot_dir: Path
) -> None:
    base = live_server.url
    plan = inspections.plan_day(timezone.localdate())
    assert [a.point.name for a in plan.created] == ["菜场A", "菜场B", "菜场C"]
    point = world.point_a
    assert point.area.path.startswith(world.c.dapuqiao.path)
    timings: dict[str, float] = {}
    clock = time.monotonic()

    def shot(page: Page, step: str) -> None:
        nonlocal clock
        timings[step] = round(time.monotonic() - clock, 2)
        clock = time.monotonic()
        page.screenshot(path=str(screenshot_dir / f"offline-{step}.png"), full_page=True)

    context = browser.new_context(
        locale="zh-CN",
        permissions=["geolocation"],
        geolocation={"latitude": 31.2001, "longitude": 121.4701},
        **PHONE,
    )
    try:
        page = sign_in(context, base, "inspector")

        # /m/: today's points; the service worker takes control and the pages are cached.
        page.goto(f"{base}/m/")
        expect(page.locator("#todays-points a")).to_have_count(3)
        # A function, not an expression: Playwright runs an expression through eval(), which
        # the Content-Security-Policy refuses.
        page.wait_for_function(
            "() => navigator.serviceWorker && navigator.serviceWorker.controller"
        )
        page.wait_for_selector("#field-app[data-precached]", state="attached")
        assert page.locator("#field-app").get_attribute("data-precached") == "5"  # /m/, 3, report
        assert _outbox_count(page) == "0"
        shot(page, "1-home")

        # Offline: the checklist still opens, from the service worker's cache.
        context.set_offline(True)
        page.locator("#todays-points a", has_text="菜场A").click()
        page.wait_for_url(f"{base}/m/points/{point.pk}/inspect/")
        expect(page.locator(".check-item")).to_have_count(2)
        expect(page.locator("#outbox-net")).not_to_be_empty()
        assert page.evaluate("navigator.onLine") is False
        shot(page, "2-checklist-offline")

        # Fail the first item with a note and a photo; pass the second (the default).
        first = page.locator(".check-item").nth(0)
        first.locator("label.pf.fail").click()
        first.locator("textarea").fill("地面有烟头和纸屑")
        first.locator("input.photo-input").set_input_files(
            {"name": "litter.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
        )
        expect(first.locator(".thumbs img")).to_have_count(1)
        shot(page, "3-failed-item")
        page.locator("#submit-inspection").click()

        # Kept on the phone: one waiting, nothing on the server.
        expect(page.locator("#outbox-status")).to_have_attribute("data-count", "1")
        expect(page.locator("#form-done")).to_have_attribute("data-state", "queued")
        assert Inspection.objects.count() == 0
        assert Case.objects.count() == 0
        shot(page, "4-queued-offline")

        # Online again: the outbox sends (photo, then inspection) and empties.
        context.set_offline(False)
        expect(page.locator("#outbox-status")).to_have_attribute("data-count", "0", timeout=WAIT_MS)
        expect(page.locator("#outbox-status")).to_have_attribute("data-problems", "0")
        expect(page.locator("#form-done")).to_have_attribute("data-state", "sent")
        shot(page, "5-sent")
    finally:
        context.close()

    # Exactly one inspection, one case, one before-photo.
    inspection = Inspection.objects.get()
    assert inspection.point_id == point.pk
    assert inspection.inspector_id == world.c.inspector.pk
    assert (inspection.lat, inspection.lng) == (Decimal("31.200100"), Decimal("121.470100"))
    assert inspection.far_from_point is False
    results = {r.item_id: (r.passed, r.note) for r in InspectionResult.objects.all()}
    assert results == {
        world.item_clean.pk: (False, "地面有烟头和纸屑"),
        world.item_facility.pk: (True, ""),
    }
    case = Case.objects.get()
    assert (case.inspection_id, case.checklist_item_id, case.status) == (
        inspection.pk,
        world.item_clean.pk,
        Case.Status.ACCEPTED,
    )
    assert list(CasePhoto.objects.values_list("case_id", "kind")) == [(case.pk, "before")]

    # The street officer sees exactly that one case in the office list.
    office = browser.new_context(locale="zh-CN", **PHONE)
    try:
        page = sign_in(office, base, "street_officer")
        response = page.goto(f"{base}/cases/")
        assert response is not None and response.status == 200, "office case list missing"
        hrefs = page.locator("main a[href]").evaluate_all("els => els.map(e => e.pathname)")
        linked = {int(m.group(1)) for h in hrefs if (m := CASE_LINK.search(h))}
        assert linked == {case.pk}
        expect(page.locator("main")).to_contain_text(case.number)
        shot(page, "6-office-list")
    finally:
        office.close()
    print("offline test timings (s):", timings)  # noqa: T201 - read in the test report


@pytest.mark.browser
def test_it_retries_after_a_server_error_and_rectifies_once(
    browser: Browser, live_server: Any, transactional_db: None, world: Any, screenshot_dir: Path
) -> None:
    from juli.cases import actions

    base = live_server.url
    case = new_case(world)
    actions.accept_case(world.c.street_officer, case)
    actions.dispatch_case(world.c.street_officer, case, unit=world.c.property_co)
    calls: list[int] = []

    def flaky(route: Route) -> None:
        calls.append(len(calls) + 1)
        if len(calls) == 1:
            route.fulfill(status=503, body="busy")
        else:
            route.continue_()

    context = browser.new_context(locale="zh-CN", **PHONE)
    try:
        page = sign_in(context, base, "unit_staff")
        page.goto(f"{base}/m/")
        expect(page.locator("#to-rectify a")).to_have_count(1)
        # Let /m/ finish caching its pages first: the live server's in-memory SQLite answers
        # two concurrent session writes with "table is locked" instead of waiting.
        page.wait_for_selector("#field-app[data-precached]", state="attached")
        page.locator("#to-rectify a").click()
        page.wait_for_url(f"{base}/m/cases/{case.pk}/")
        page.route(f"**/api/v1/cases/{case.pk}/transitions/", flaky)
        form = page.locator("#rectify-form")
        form.locator("textarea").fill("已清扫")
        form.locator("input.photo-input").set_input_files(
            {"name": "clean.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
        )
        form.locator("button[type=submit]").click()
        expect(page.locator("#form-done")).to_have_attribute("data-state", "sent", timeout=WAIT_MS)
        expect(page.locator("#outbox-status")).to_have_attribute("data-count", "0")
        page.screenshot(path=str(screenshot_dir / "offline-7-rectified-after-retry.png"))
    finally:
        context.close()
    assert calls == [1, 2]
    case.refresh_from_db()
    assert (case.status, case.rectified_by_id) == (Case.Status.RECTIFIED, world.c.unit_staff.pk)
    assert list(case.photos.values_list("kind", flat=True)) == ["after"]
    assert list(case.events.values_list("action", "note")) == [
        ("report", ""),
        ("accept", ""),
        ("dispatch", ""),
        ("rectify", "已清扫"),
    ]


@pytest.mark.browser
def test_it_reopens_a_conflict_and_sends_it_again_under_a_new_key(
    browser: Browser, live_server: Any, transactional_db: None, world: Any, screenshot_dir: Path
) -> None:
    """A 409 is not retried: the item needs attention, the form comes back as it was (the
    English detail of the answer replaced by the page's own Chinese), and submitting it
    again sends it under a new client UUID (issue 14, item 4)."""
    base = live_server.url
    conflict = json.dumps({"detail": "This submission id is already used.", "code": "conflict"})
    context = browser.new_context(locale="zh-CN", **PHONE)
    try:
        page = sign_in(context, base, "grid_worker")
        page.goto(f"{base}/m/report/")
        msg = json.loads(page.locator("#field-messages").text_content() or "{}")
        page.route(
            "**/api/v1/cases/",
            lambda route: route.fulfill(
                status=409, body=conflict, headers={"Content-Type": "application/json"}
            ),
        )
        page.locator("[name=category]").select_option(str(world.litter.pk))
        page.locator("[name=where]").select_option(f"point:{world.point_b.pk}")
        page.locator("[name=title]").fill("菜场B门口垃圾堆放")
        page.locator("#report-form button[type=submit]").click()
        problem = page.locator("#outbox-problems li[data-state=attention]")
        expect(problem).to_contain_text(msg["refused_409"])
        expect(problem).not_to_contain_text("This submission id")
        expect(page.locator("#outbox-status")).to_have_attribute("data-count", "0")
        expect(page.locator("#outbox-status")).to_have_attribute("data-problems", "1")
        expect(page.locator("#report-form")).to_be_visible()
        expect(page.locator("[name=title]")).to_have_value("菜场B门口垃圾堆放")
        expect(page.locator("#report-form .form-error")).to_contain_text(msg["refused_409"])
        assert Case.objects.count() == 0
        page.screenshot(path=str(screenshot_dir / "offline-8-conflict.png"), full_page=True)

        page.unroute("**/api/v1/cases/")
        page.locator("#report-form button[type=submit]").click()
        expect(page.locator("#outbox-status")).to_have_attribute("data-problems", "0")
        expect(page.locator("#form-done")).to_have_attribute("data-state", "sent", timeout=WAIT_MS)
    finally:
        context.close()
    case = Case.objects.get()
    assert (case.title, case.point_id, case.status, case.reporter_id) == (
        "菜场B门口垃圾堆放",
        world.point_b.pk,
        Case.Status.REPORTED,
        world.c.grid_worker.pk,
    )
