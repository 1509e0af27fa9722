"""Both secretaries sign a letter with the signature pad in Chromium, then the PDF is
downloaded and read back.

The bureau secretary signs at a desk (mouse strokes on the canvas); the branch secretary
signs on a phone (a second login, a phone viewport); the PDF carries the Chinese content,
both signature images and the verification code. Screenshots of every step go to
test-output/screenshots/letters-*.png, the PDF's first page to letters-pdf-1.png.
"""

from __future__ import annotations

import subprocess  # noqa: S404
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from juli.conftest import PASSWORD
from juli.core.tests.browser import draw_signature
from juli.letters import actions, integrity
from juli.letters.models import Letter, Signature, Status

PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESK: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}


def _sign_in(context: BrowserContext, base: str, username: str) -> Page:
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.locator("input[name='username']").fill(username)
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main button[type='submit']").click()
    page.wait_for_url(f"{base}/")
    return page


def _run(args: list[str]) -> bytes:
    command = ["/usr/bin/" + args[0], *args[1:]]
    return subprocess.run(command, capture_output=True, check=True).stdout  # noqa: S603


@pytest.mark.browser
def test_both_secretaries_sign_with_the_pad_and_the_pdf_carries_it(
    browser: Browser,
    live_server: Any,
    transactional_db: None,
    world: Any,
    screenshot_dir: Path,
    tmp_path: Path,
) -> None:
    base = live_server.url
    letter = world.letter
    actions.add_evidence(
        world.c.branch_secretary,
        letter,
        title="一季度党员大会照片",
        items=[letter.items.order_by("order")[1]],
        note="党员应到18人，实到17人。",
    )

    # 1. The bureau secretary, at a desk.
    desk = browser.new_context(locale="zh-CN", **DESK)
    try:
        page = _sign_in(desk, base, "bureau_secretary")
        page.goto(f"{base}/letters/")
        page.screenshot(path=str(screenshot_dir / "letters-1-list.png"), full_page=True)
        page.goto(f"{base}/letters/{letter.pk}/")
        page.screenshot(path=str(screenshot_dir / "letters-2-detail-issued.png"), full_page=True)
        page.locator("#sign-link").click()
        page.wait_for_url(f"{base}/letters/{letter.pk}/sign/")
        # Submitting an empty pad is stopped in the page.
        page.locator("#sign-submit").click()
        expect(page.locator(".sigpad.needs-ink")).to_have_count(1)
        assert Signature.objects.count() == 0
        draw_signature(page)
        expect(page.locator(".sigpad.has-ink")).to_have_count(1)
        page.screenshot(path=str(screenshot_dir / "letters-3-pad-desk.png"), full_page=True)
        page.locator("#sign-submit").click()
        page.wait_for_url(f"{base}/letters/{letter.pk}/")
        expect(page.locator(".sig-box.signed")).to_have_count(1)
        page.screenshot(path=str(screenshot_dir / "letters-4-partly-signed.png"), full_page=True)
    finally:
        desk.close()
    letter.refresh_from_db()
    assert letter.status == Status.PARTLY_SIGNED

    # 2. The branch secretary, on a phone.
    phone = browser.new_context(locale="zh-CN", **PHONE)
    try:
        page = _sign_in(phone, base, "branch_secretary")
        page.goto(f"{base}/letters/{letter.pk}/")
        page.locator("#sign-link").click()
        page.wait_for_url(f"{base}/letters/{letter.pk}/sign/")
        draw_signature(page)
        page.screenshot(path=str(screenshot_dir / "letters-5-pad-phone.png"), full_page=True)
        page.locator("#sign-submit").click()
        page.wait_for_url(f"{base}/letters/{letter.pk}/")
        expect(page.locator(".sig-box.signed")).to_have_count(2)
        expect(page.locator(".sig-box.signed img.sig-img")).to_have_count(2)
        page.screenshot(path=str(screenshot_dir / "letters-6-signed-phone.png"), full_page=True)

        # 3. The PDF.
        with page.expect_download() as download_info:
            page.locator("#pdf-link").click()
        pdf_path = tmp_path / "letter.pdf"
        download_info.value.save_as(pdf_path)
    finally:
        phone.close()

    letter = Letter.objects.get(pk=letter.pk)
    assert letter.status == Status.SIGNED
    sigs = Signature.objects.filter(letter=letter, voided_at__isnull=True)
    assert {(s.side, s.user.username, s.method) for s in sigs} == {
        ("issuer", "bureau_secretary", "drawn"),
        ("receiver", "branch_secretary", "drawn"),
    }
    assert all(s.image and s.content_hash == letter.content_hash for s in sigs)
    text = _run(["pdftotext", "-layout", str(pdf_path), "-"]).decode()
    assert "2026年度基层党建工作目标责任书" in text
    assert "规范开展“三会一课”" in text and "单田芳" in text and "周局长" in text
    code = integrity.verification_code(letter)
    assert code in text
    images = _run(["pdfimages", "-list", str(pdf_path)]).decode().splitlines()[2:]
    assert len([line for line in images if line.strip()]) >= 2
    _run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf_path),
            str(screenshot_dir / "letters-pdf"),
        ]
    )
    # The downloaded file is recognised as an unaltered copy on the public page.
    checked = integrity.verify_pdf(pdf_path.read_bytes())
    assert (checked.verdict.state, checked.issued_copy) == ("valid", True)

    # 4. The public verification page, anonymous.
    anon = browser.new_context(locale="zh-CN", **DESK)
    try:
        page = anon.new_page()
        page.goto(f"{base}/letters/verify/?code={code}")
        expect(page.locator("#verdict")).to_have_attribute("data-state", "valid")
        page.screenshot(path=str(screenshot_dir / "letters-7-verify.png"), full_page=True)
    finally:
        anon.close()
