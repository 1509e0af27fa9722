"""The dossier in a browser (zh-CN, Debian's Chromium through Playwright, marker
`browser`): the upper organisation's secretary picks branch 1 and the year at a desk, reads
every section and asks for the PDF, which the export page offers once made; the branch's
secretary reads the same dossier on a phone. Screenshots go to /tmp/juli-shots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from juli.core import dossier as registry
from juli.core.tests.browser import DESK, PHONE, WAIT_MS, sign_in

from .conftest import YEAR

SHOTS = Path("/tmp/juli-shots")


@pytest.fixture
def live_dw(transactional_db: None, dw: Any) -> Any:
    return dw


@pytest.mark.browser
def test_the_upper_secretary_opens_the_dossier_and_gets_the_pdf(
    browser: Browser, live_server: Any, live_dw: Any
) -> None:
    c = live_dw.c
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(**DESK, locale="zh-CN")
    errors: list[str] = []
    page = sign_in(context, live_server.url, "bureau_secretary")
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/dossier/")
    page.locator("#dossier-org").select_option(str(c.branch1.pk))
    page.locator("#dossier-year").select_option(str(YEAR))
    page.locator("#dossier-open").click()
    page.wait_for_url(f"{live_server.url}/dossier/{c.branch1.pk}/{YEAR}/")
    assert page.locator("section.dossier-section").count() == len(registry.kinds())
    assert page.locator("#section-letters .dossier-table").count() == 3
    assert page.locator("#section-meetings .dossier-table").count() == 3
    page.screenshot(path=str(SHOTS / "dossier-desk.png"), full_page=True)
    page.locator("#dossier-pdf").click()
    page.wait_for_url(f"{live_server.url}/exports/**")
    download = page.locator("a[href*='download']").first
    download.wait_for(timeout=WAIT_MS)
    page.screenshot(path=str(SHOTS / "dossier-export-desk.png"), full_page=True)
    assert errors == []
    context.close()


@pytest.mark.browser
def test_the_branch_secretary_reads_it_on_a_phone(
    browser: Browser, live_server: Any, live_dw: Any
) -> None:
    c = live_dw.c
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(**PHONE, locale="zh-CN")
    page = sign_in(context, live_server.url, "branch_secretary")
    page.goto(f"{live_server.url}/dossier/{c.branch1.pk}/{YEAR}/")
    assert page.locator("section.dossier-section").count() == len(registry.kinds())
    page.screenshot(path=str(SHOTS / "dossier-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/dossier/")
    page.screenshot(path=str(SHOTS / "dossier-index-phone.png"), full_page=True)
    context.close()
