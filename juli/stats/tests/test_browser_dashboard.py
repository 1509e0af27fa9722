"""The dashboard in Chromium: the charts draw, switching the period redraws them in place.

Screenshots go to test-output/screenshots/dashboard-*.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from juli.conftest import PASSWORD
from juli.stats.demo import draw_boundaries

from .conftest import run_story


@pytest.mark.browser
def test_it_draws_the_charts_and_switches_the_period(
    browser: Browser, live_server: Any, transactional_db: None, world: Any, screenshot_dir: Path
) -> None:
    run_story(world)
    assert draw_boundaries() == 4  # the street, Mengxi and its two grids
    base = live_server.url
    page = browser.new_page(viewport={"width": 1360, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/login/")
    page.locator("input[name='username']").fill("street_officer")
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main button[type='submit']").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/dashboard/")
    expect(page.locator("#chart-trend canvas")).to_have_count(1)
    expect(page.locator("#chart-categories canvas")).to_have_count(1)
    expect(page.locator("#chart-map canvas")).to_have_count(1)
    expect(page.locator(".kpi").first).to_contain_text("5")
    drawn = page.evaluate(
        """() => {
          const option = echarts.getInstanceByDom(document.getElementById("chart-map")).getOption();
          return [option.series[0].data.length, option.series[1].data.length];
        }"""
    )
    assert drawn == [2, 2]  # two grid cells; the open cases D and F as dots
    page.wait_for_timeout(1200)  # let the entrance animations finish for the picture
    page.screenshot(path=str(screenshot_dir / "dashboard-street.png"), full_page=True)

    page.locator(".segmented label").first.click()  # the last 7 days, swapped by htmx
    page.wait_for_url("**/dashboard/?area=310101013000&days=7")
    expect(page.locator(".segmented input[value='7']")).to_be_checked()
    expect(page.locator("#chart-trend canvas")).to_have_count(1)
    assert page.locator("html").count() == 1  # a body swap, not a nested page
    page.wait_for_timeout(1200)
    page.screenshot(path=str(screenshot_dir / "dashboard-street-7.png"), full_page=True)
    assert errors == []
