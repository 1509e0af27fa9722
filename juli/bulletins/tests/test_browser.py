"""The street officer reads yesterday's draft bulletin, writes a note (htmx), publishes it
after the confirmation, and downloads nothing by mistake. Screenshots go to
test-output/screenshots/bulletin-*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from juli.bulletins import actions
from juli.bulletins.models import Bulletin
from juli.conftest import PASSWORD

from .conftest import D


@pytest.mark.browser
def test_an_officer_writes_a_note_and_publishes(
    browser: Browser, live_server: Any, transactional_db: None, day: Any, screenshot_dir: Path
) -> None:
    c = day.c
    bulletin = actions.generate_bulletin(c.street_officer, c.dapuqiao, D)
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{base}/login/")
        page.locator("input[name='username']").fill("street_officer")
        page.locator("input[name='password']").fill(PASSWORD)
        page.locator("form button[type='submit']").last.click()
        page.wait_for_load_state()
        page.goto(f"{base}/bulletins/{bulletin.pk}/")
        expect(page.locator("h1")).to_contain_text("打浦桥街道 日通报 2026年11月18日")
        page.screenshot(path=str(screenshot_dir / "bulletin-draft.png"), full_page=True)

        page.locator("#bulletin-notes textarea").fill("请蒙西物业公司于今日12时前完成菜场A的整改。")
        page.locator("#bulletin-notes button[type='submit']").click()
        expect(page.locator("#bulletin-notes [role='status']")).to_be_visible()
        assert Bulletin.objects.get(pk=bulletin.pk).notes.startswith("请蒙西物业公司")

        page.once("dialog", lambda dialog: dialog.dismiss())
        page.locator("form[action$='/publish/'] button").click()
        assert Bulletin.objects.get(pk=bulletin.pk).status == "draft"
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("form[action$='/publish/'] button").click()
        page.wait_for_load_state()
        expect(page.locator("h1 .badge")).to_have_class("badge st-published")
        assert Bulletin.objects.get(pk=bulletin.pk).status == "published"
        page.screenshot(path=str(screenshot_dir / "bulletin-published.png"), full_page=True)
        page.goto(f"{base}/bulletins/?area={c.dapuqiao.pk}")
        page.screenshot(path=str(screenshot_dir / "bulletin-list.png"), full_page=True)
    finally:
        context.close()
