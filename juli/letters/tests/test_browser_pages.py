"""The signing session of a meeting in Chromium (issuer, then the branch secretary on the same
device with their own password, then "next letter"), and a look at every main page.

Screenshots go to test-output/screenshots/letters-page-*.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from juli.conftest import PASSWORD
from juli.core.tests.browser import draw_signature
from juli.letters import actions
from juli.letters.models import Letter, Signature, Status

from .conftest import SIGNATURE
from .test_browser_sign import DESK, _sign_in


@pytest.mark.browser
def test_a_signing_session_and_the_main_pages(
    browser: Browser, live_server: Any, transactional_db: None, world: Any, screenshot_dir: Path
) -> None:
    base = live_server.url
    c = world.c
    actions.sign_letter(c.bureau_secretary, world.letter, "issuer", method="drawn", image=SIGNATURE)
    actions.sign_letter(
        c.branch_secretary, world.letter, "receiver", method="drawn", image=SIGNATURE
    )
    items = list(world.letter.items.order_by("order"))
    actions.add_evidence(
        c.branch_secretary,
        world.letter,
        title="“第一议题”学习记录",
        items=[items[0]],
        note="全年12次",
    )
    actions.add_evidence(
        c.branch_secretary,
        world.letter,
        title="党员大会照片",
        items=[items[1], items[2]],
        note="一季度党员大会，应到18人，实到17人。",
    )

    def shot(page: Any, name: str) -> None:
        page.screenshot(path=str(screenshot_dir / f"letters-page-{name}.png"), full_page=True)

    context = browser.new_context(locale="zh-CN", **DESK)
    try:
        page = _sign_in(context, base, "bureau_secretary")
        page.goto(f"{base}/letters/templates/")
        shot(page, "1-templates")
        page.goto(f"{base}/letters/templates/{world.template.pk}/")
        shot(page, "2-template")
        # The session: the sibling letter waits for both signatures.
        page.goto(f"{base}/letters/templates/{world.template.pk}/session/")
        expect(page.locator(".signer-name")).to_have_text("周局长")
        shot(page, "3-session-issuer")
        draw_signature(page)
        page.locator("#sign-submit").click()
        expect(page.locator(".signer-name")).to_have_text("吴二支")
        # Handed over: the branch secretary draws and types their own password.
        draw_signature(page)
        page.locator("input[name='password']").fill(PASSWORD)
        shot(page, "4-session-receiver")
        page.locator("#sign-submit").click()
        expect(page.locator(".session-steps li.done")).to_have_count(2)
        shot(page, "5-session-done")
        page.goto(f"{base}/letters/{world.letter.pk}/evidence/")
        shot(page, "6-evidence")
        page.goto(f"{base}/letters/templates/{world.template.pk}/compare/")
        shot(page, "7-compare")
    finally:
        context.close()
    sibling = Letter.objects.get(pk=world.sibling_letter.pk)
    assert sibling.status == Status.SIGNED
    assert Signature.objects.get(letter=sibling, side="receiver").user_id == c.sibling_secretary.pk

    context = browser.new_context(locale="zh-CN", **DESK)
    try:
        page = _sign_in(context, base, "branch_secretary")
        page.goto(f"{base}/letters/{world.letter.pk}/assessment/")
        expect(page.locator(f"input[name='score-{items[0].pk}']")).to_have_value("20.0")
        shot(page, "8-assessment")
    finally:
        context.close()
