"""The judged walk of sign-in, at a phone's viewport: the presider shows the QR code; the
attendee's phone reads it (the screen's QR image decoded with the page's own jsQR, and the
URL it carries opened), goes offline, taps 签到 (kept in the outbox), comes back online and
is signed in exactly once; the same sign-in replayed is a no-op; yesterday's code is refused
with a clear message; the sign-in page opens from the service worker's cache without a
network, the code read from its URL.

Drives Debian's Chromium through Playwright against the live server (marker `browser`).
"""

from __future__ import annotations

import base64
import datetime
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, BrowserContext, Page, expect

from juli.core.models import AuditLog
from juli.core.tests.browser import DESK, PHONE, WAIT_MS, sign_in
from juli.meetings import signin
from juli.meetings.actions.plan import PartSpec
from juli.meetings.models import Attendee
from juli.meetings.tests.conftest import PASSWORD as MW_PASSWORD
from juli.meetings.tests.conftest import make_meeting

SHOTS = Path("/tmp/juli-shots")

DECODE = """async (png) => {
  const img = new Image();
  img.src = "data:image/png;base64," + png;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const found = window.jsQR(data.data, canvas.width, canvas.height);
  return found ? found.data : null;
}"""


def _sign_in_member(context: BrowserContext, base: str, username: str) -> Page:
    """Sign in an account of the meetings world (`mw`: its own password)."""
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.locator("input[name='username']").fill(username)
    page.locator("input[name='password']").fill(MW_PASSWORD)
    page.locator("main button[type='submit']").click()
    page.wait_for_url(f"{base}/")
    return page


def _shot(page: Page, name: str, screenshot_dir: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"signin-{name}.png"), full_page=True)
    page.screenshot(path=str(screenshot_dir / f"signin-{name}.png"), full_page=True)


@pytest.mark.browser
def test_it_signs_in_offline_by_qr_exactly_once(
    browser: Browser, live_server: Any, transactional_db: None, mw: Any, screenshot_dir: Path
) -> None:
    base = live_server.url
    c = mw.c
    meeting = make_meeting(
        c.branch1,
        starts_at=timezone.now() + datetime.timedelta(minutes=10),
        title="第一党支部2024年第四季度党员大会",
        parts=[PartSpec(presider=c.branch_secretary_person, agenda=[("学习传达会议精神", "")])],
    )
    yesterday = timezone.now() - datetime.timedelta(days=1)
    old = make_meeting(
        c.branch1, starts_at=yesterday - datetime.timedelta(minutes=5), title="昨天的党课"
    )
    old_code = signin.screen_code(old, yesterday)

    presider_ctx = browser.new_context(locale="zh-CN", **DESK)
    phone_ctx = browser.new_context(locale="zh-CN", **PHONE)
    sent: list[dict[str, Any]] = []
    try:
        # The presider's screen: the QR code and the live count.
        presider = sign_in(presider_ctx, base, "branch_secretary")
        presider.goto(f"{base}/meetings/{meeting.pk}/signin/")
        live = presider.locator("#signin-live")
        expect(live).to_have_attribute("data-present", "0")
        sign_url = live.get_attribute("data-sign-url") or ""
        assert sign_url.startswith(f"{base}/m/meetings/sign/?c={meeting.pk}.")
        qr_png = base64.b64encode(presider.locator("#signin-qr").screenshot()).decode()
        _shot(presider, "qr-screen-desk", screenshot_dir)

        # The attendee's phone: my meetings (which keeps the sign-in page for offline use).
        phone = _sign_in_member(phone_ctx, base, "member")
        phone.on(
            "request",
            lambda r: (
                sent.append({"headers": r.headers, "body": r.post_data})
                if r.url.endswith("/api/v1/meetings/signin/") and r.method == "POST"
                else None
            ),
        )
        phone.goto(f"{base}/m/meetings/")
        expect(phone.locator("#upcoming-meetings")).to_contain_text(meeting.title)
        expect(phone.locator("body")).to_have_attribute("data-meetings-precached", "3")
        phone.wait_for_function(
            "navigator.serviceWorker && navigator.serviceWorker.controller !== null"
        )
        _shot(phone, "phone-meetings", screenshot_dir)

        # The phone reads the QR image of the screen (jsQR of the sign-in page).
        phone.goto(sign_url)
        expect(phone.locator("#sign-checked")).to_be_visible()
        expect(phone.locator("#sign-checked")).to_contain_text(meeting.title)
        _shot(phone, "phone-sign", screenshot_dir)
        phone.goto(f"{base}/m/meetings/sign/")
        phone.wait_for_function("typeof window.jsQR === 'function'")
        assert phone.evaluate(DECODE, qr_png) == sign_url

        # Offline from here: the page comes from the service worker's cache, the code from
        # the URL; the tap keeps the sign-in in the outbox.
        phone_ctx.set_offline(True)
        phone.goto(sign_url)
        code = sign_url.split("?c=", 1)[1]
        expect(phone.locator("#s-code")).to_have_value(code)
        expect(phone.locator("#sign-submit")).to_be_enabled()
        phone.locator("#sign-submit").click()
        expect(phone.locator("#outbox-status")).to_have_attribute("data-count", "1")
        expect(phone.locator("#form-done")).to_have_attribute("data-state", "queued")
        assert not Attendee.objects.filter(meeting=meeting, status__in=["present", "late"]).exists()
        _shot(phone, "phone-offline-queued", screenshot_dir)

        # Back online: sent once, one attendance row.
        phone_ctx.set_offline(False)
        expect(phone.locator("#outbox-status")).to_have_attribute(
            "data-count", "0", timeout=WAIT_MS
        )
        expect(phone.locator("#form-done")).to_have_attribute("data-state", "sent")
        expect(phone.locator("#sign-result")).to_have_attribute("data-status", "present")
        _shot(phone, "phone-signed-in", screenshot_dir)
        row = Attendee.objects.get(meeting=meeting, person=mw.member_person)
        assert row.status == "present" and row.client_uuid is not None
        assert Attendee.objects.filter(meeting=meeting, status__in=["present", "late"]).count() == 1
        expect(presider.locator("#signin-live")).to_have_attribute(
            "data-present", "1", timeout=WAIT_MS
        )
        expect(presider.locator("#signin-names")).to_contain_text(mw.member_person.name)

        presider.goto(f"{base}/meetings/{meeting.pk}/")
        expect(presider.locator("#attendance-counts dd[data-count=present]")).to_have_text("1")
        presider.locator("#attendance-card").scroll_into_view_if_needed()
        _shot(presider, "desk-card", screenshot_dir)
        presider.goto(f"{base}/meetings/{meeting.pk}/signin/print/")
        _shot(presider, "print", screenshot_dir)

        # The same sign-in replayed (same client UUID, same body): a no-op.
        last = [s for s in sent if s["body"]][-1]
        body = json.loads(last["body"])
        assert body["client_uuid"] == str(row.client_uuid)
        assert body["code"] == code and body["scanned_at"]
        replay = phone.evaluate(
            """async ([body, key]) => {
                const csrf = document.querySelector('meta[name=csrf-token]').content;
                const r = await fetch('/api/v1/meetings/signin/', {method: 'POST',
                  headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf,
                            'Idempotency-Key': key, 'X-Client-Sent-At': new Date().toISOString()},
                  body: JSON.stringify(body)});
                return [r.status, r.headers.get('Idempotent-Replayed')];
            }""",
            [body, body["client_uuid"]],
        )
        assert replay == [201, "true"]
        assert Attendee.objects.filter(meeting=meeting, status__in=["present", "late"]).count() == 1
        assert AuditLog.objects.filter(verb="meeting.sign_in").count() == 1

        # Another scan of the same person (a new client UUID) is a no-op too.
        phone.goto(sign_url)
        phone.locator("#sign-submit").click()
        expect(phone.locator("#sign-result")).to_have_attribute(
            "data-already", "true", timeout=WAIT_MS
        )
        assert AuditLog.objects.filter(verb="meeting.sign_in").count() == 1

        # Yesterday's code: refused with the clear message, nothing to tap.
        phone.goto(f"{base}{signin.sign_url(old_code)}")
        with translation.override("zh-hans"):
            expired = gettext("This sign-in code has expired.")
        expect(phone.locator("#sign-problem")).to_be_visible()
        expect(phone.locator("#sign-problem")).to_have_text(expired)
        expect(phone.locator("#sign-submit")).to_be_disabled()
        _shot(phone, "phone-expired", screenshot_dir)
        assert not Attendee.objects.filter(meeting=old, status__in=["present", "late"]).exists()
    finally:
        presider_ctx.close()
        phone_ctx.close()
    assert str(uuid.UUID(body["client_uuid"])) == body["client_uuid"]


@pytest.mark.browser
def test_it_asks_for_leave_from_the_phone_through_the_outbox(
    browser: Browser, live_server: Any, transactional_db: None, mw: Any, screenshot_dir: Path
) -> None:
    base = live_server.url
    meeting = make_meeting(
        mw.c.branch1, starts_at=timezone.now() + datetime.timedelta(days=1), title="党课：学习党章"
    )
    context = browser.new_context(locale="zh-CN", **PHONE)
    try:
        phone = _sign_in_member(context, base, "member")
        phone.goto(f"{base}/m/meetings/")
        phone.locator(f"li[data-meeting='{meeting.pk}'] a[href$='/leave/']").click()
        phone.wait_for_url(f"{base}/m/meetings/{meeting.pk}/leave/")
        context.set_offline(True)
        phone.locator("#leave-form button[type=submit]").click()
        expect(phone.locator("#leave-form .field-error")).to_be_visible()  # reason required
        phone.locator("#l-reason").fill("外出学习")
        phone.locator("#leave-form button[type=submit]").click()
        expect(phone.locator("#outbox-status")).to_have_attribute("data-count", "1")
        context.set_offline(False)
        phone.wait_for_url(f"{base}/m/meetings/", timeout=WAIT_MS)
        expect(phone.locator(f"li[data-meeting='{meeting.pk}']")).to_contain_text("外出学习")
        _shot(phone, "phone-leave", screenshot_dir)
    finally:
        context.close()
    row = Attendee.objects.get(meeting=meeting, person=mw.member_person)
    assert (row.status, row.leave_reason) == ("leave", "外出学习")
