"""The results page and a branch's history at desk and phone widths (zh-CN), screenshots
into the screenshot folder. Scores set directly (see _results_world.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from juli.core.tests.browser import DESK, PHONE, WAIT_MS, sign_in

from ._results_world import build, finish, publish


@pytest.mark.browser
def test_results_and_history_read_at_desk_and_phone(
    browser: Browser,
    live_server: Any,
    transactional_db: None,
    cast: Any,
    stub_metric: Any,
    screenshot_dir: Path,
) -> None:
    w = build(cast, stub_metric)
    for a in w.a:
        finish(a)
    publish(w.round)
    base = live_server.url
    for size, opts in (("desk", DESK), ("phone", PHONE)):
        context = browser.new_context(locale="zh-CN", **opts)
        page = sign_in(context, base, "bureau_secretary")
        page.goto(f"{base}/rating/rounds/{w.round.pk}/results/")
        rows = page.locator("#rr-ranking tr[data-org]")
        rows.first.wait_for(timeout=WAIT_MS)
        assert rows.count() == 6
        assert page.locator("tr[data-mark='top']").count() == 3
        assert page.locator("svg[data-chart='distribution'] g[data-stars]").count() == 6
        page.screenshot(path=str(screenshot_dir / f"results-round-{size}.png"), full_page=True)
        page.goto(f"{base}/rating/branches/{w.b[0].pk}/history/")
        assert page.locator("#rh-table tr[data-year]").count() == 2
        page.screenshot(path=str(screenshot_dir / f"results-history-{size}.png"), full_page=True)
        context.close()
