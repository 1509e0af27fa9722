"""The work-bench in a browser: the street officer and the unit's staff sign in and find their
to-dos grouped and counted as the database says; one tap opens the page where each is done.
Read at desk size and at phone size (390 × 844: one column, big tap targets)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, ViewportSize, expect

from juli.cases import actions
from juli.cases.models import Case
from juli.cases.tests.conftest import new_case, put
from juli.core.tests.browser import sign_in as browser_sign_in

DESK: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}


def sign_in(browser: Browser, url: str, login: str, viewport: ViewportSize) -> Any:
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    return context, browser_sign_in(context, url, login)


def count_of(page: Any, key: str) -> int:
    card = page.locator(f"article.todo-kind[data-kind='{key}']")
    expect(card).to_be_visible()
    return int(card.locator(".todo-count").inner_text())


@pytest.mark.browser
def test_it_shows_the_officer_and_the_unit_what_waits_for_them(
    browser: Browser, live_server: Any, transactional_db: None, world: Any, screenshot_dir: Path
) -> None:
    c = world.c
    for i in range(7):
        new_case(world, title=f"待受理{i}")
    accepted = actions.accept_case(c.street_officer, new_case(world, title="待派遣"))
    for i in range(3):
        put(new_case(world, title=f"待整改{i}"), "dispatched", world)
    late = put(new_case(world, title="已超期"), "dispatched", world)
    Case.objects.filter(pk=late.pk).update(deadline=timezone.now() - datetime.timedelta(hours=3))

    context, page = sign_in(browser, live_server.url, "street_officer", DESK)
    db_accept = Case.objects.filter(status="reported", area_path__startswith=c.dapuqiao.path)
    assert count_of(page, "cases.accept") == db_accept.count() == 7
    assert count_of(page, "cases.dispatch") == 1
    assert page.locator("article.todo-kind").count() == 2
    # Five shown, the rest one tap away ("more" appends the next page in place).
    accept = page.locator("article[data-kind='cases.accept']")
    expect(accept.locator("li.todo")).to_have_count(5)
    accept.locator("li.todo-more a").click()
    expect(accept.locator("li.todo")).to_have_count(7)
    page.screenshot(path=str(screenshot_dir / "workbench-officer-desk.png"), full_page=True)
    page.locator("article[data-kind='cases.dispatch'] li.todo a").click()
    page.wait_for_url(f"{live_server.url}/cases/{accepted.pk}/")
    context.close()

    context, page = sign_in(browser, live_server.url, "unit_staff", PHONE)
    db_rectify = Case.objects.filter(status="dispatched", unit=c.property_co)
    assert count_of(page, "cases.rectify") == db_rectify.count() == 4
    first = page.locator("article[data-kind='cases.rectify'] li.todo").first
    expect(first).to_have_class("todo overdue")  # overdue first, in red
    assert "已超期" in first.inner_text()
    box = first.locator("a").bounding_box()
    assert box is not None and box["height"] >= 56 and box["width"] >= 300  # one column
    page.screenshot(path=str(screenshot_dir / "workbench-unit-phone.png"), full_page=True)
    first.locator("a").click()
    page.wait_for_url(f"{live_server.url}/m/cases/{late.pk}/")
    context.close()
