"""What the browser tests share (Playwright driving Debian's Chromium): the devices they
emulate, how long they wait for the outbox, a camera-like photo, the sign-in form and a hand
on the signature pad."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from playwright.sync_api import BrowserContext, Page

from juli.conftest import PASSWORD

#: A desk browser, and a phone (390 × 844 CSS pixels, touch) as field staff hold one.
DESK: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
#: How long a test waits for the outbox to send (a busy CI machine, never a sleep).
WAIT_MS = 20_000


def jpeg(rgb: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    """A small JPEG, as a phone camera would give (smaller)."""
    image = Image.new("RGB", (64, 48), rgb)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def fill_sign_in(page: Page, base: str, username: str) -> None:
    """Sign `page` in as `username` (the demo password) and wait for the work-bench."""
    page.goto(f"{base}/login/")
    page.locator("input[name='username']").fill(username)
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main button[type='submit']").click()
    page.wait_for_url(f"{base}/")


def sign_in(context: BrowserContext, base: str, username: str) -> Page:
    """A new page of `context`, signed in as `username`."""
    page = context.new_page()
    fill_sign_in(page, base, username)
    return page


def draw_signature(page: Page) -> None:
    """A few strokes on the page's signature pad (`.sigpad canvas`), as a finger would."""
    canvas = page.locator(".sigpad canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    for stroke in range(3):
        page.mouse.move(x + w * 0.1, y + h * (0.3 + 0.15 * stroke))
        page.mouse.down()
        for step in range(1, 16):
            page.mouse.move(
                x + w * (0.1 + 0.05 * step),
                y + h * (0.3 + 0.15 * stroke + (0.12 if step % 2 else -0.08)),
                steps=3,
            )
        page.mouse.up()
