"""The case list's Excel export in a browser: click, watch it finish, download the file."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from juli.cases.tests.conftest import new_case
from juli.conftest import PASSWORD


@pytest.mark.browser
def test_it_exports_the_case_list_to_excel_from_the_page(
    browser: Browser, live_server: Any, transactional_db: None, world: Any, screenshot_dir: Path
) -> None:
    for i in range(3):
        new_case(world, title=f"楼道堆物{i}", description="=cmd|' /C calc'!A0")
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name='username']").fill("street_officer")
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main button[type='submit']").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/cases/?status=reported")
    # Located by place, not by text: the Chinese catalogue is merged separately.
    page.locator("form[action^='/cases/export/'] button").click()
    link = page.locator("#export-status a[download]")
    expect(link).to_be_visible(timeout=20_000)
    page.screenshot(path=str(screenshot_dir / "cases-export-ready.png"))
    with page.expect_download() as download_info:
        link.click()
    data = Path(download_info.value.path()).read_bytes()
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert len(rows) == 4
    assert {row[2] for row in rows[1:]} == {"'=cmd|' /C calc'!A0"}
    context.close()
