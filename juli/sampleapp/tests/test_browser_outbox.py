"""The phone form of a note goes through the offline outbox declared in
`juli/sampleapp/outbox.py`: kept while offline, sent when the network returns, retried with
the same key after a server error, carried out once.

Drives Debian's Chromium through Playwright against the live server (marker `browser`).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Browser, Route, expect

from juli.core.tests.browser import PHONE, WAIT_MS, sign_in
from juli.sampleapp.models import Note


@pytest.mark.browser
def test_it_sends_a_note_filed_offline_once_when_the_network_returns(
    browser: Browser, live_server: Any, transactional_db: None, cast: Any, screenshot_dir: Path
) -> None:
    base = live_server.url
    sent: list[tuple[str, Any]] = []

    def flaky(route: Route) -> None:
        request = route.request
        sent.append((request.headers.get("idempotency-key", ""), request.post_data_json))
        if len(sent) == 1:
            route.fulfill(status=503, body="busy")
        else:
            route.continue_()

    context = browser.new_context(locale="zh-CN", **PHONE)
    try:
        page = sign_in(context, base, "grid_worker")

        page.goto(f"{base}/sample/notes/new/")
        expect(page.locator("#outbox-status")).to_have_attribute("data-count", "0")
        page.route("**/api/v1/sample/notes/", flaky)

        context.set_offline(True)
        page.locator("#n-area").select_option(str(cast.grid1.pk))
        page.locator("#n-title").fill("楼道堆物")
        page.locator("#n-date").fill("2026-05-04")
        page.locator("#n-text").fill("三楼楼道堆放纸箱")
        page.locator("#note-form button[type=submit]").click()

        expect(page.locator("#outbox-status")).to_have_attribute("data-count", "1")
        expect(page.locator("#form-done")).to_have_attribute("data-state", "queued")
        assert Note.objects.count() == 0
        page.screenshot(path=str(screenshot_dir / "sample-note-queued.png"), full_page=True)

        context.set_offline(False)
        expect(page.locator("#outbox-status")).to_have_attribute("data-count", "0", timeout=WAIT_MS)
        expect(page.locator("#form-done")).to_have_attribute("data-state", "sent")
        page.screenshot(path=str(screenshot_dir / "sample-note-sent.png"), full_page=True)
    finally:
        context.close()

    [(key, body), (key_again, body_again)] = sent
    assert (key_again, body_again) == (key, body)
    assert body == {
        "client_uuid": key,
        "area": cast.grid1.pk,
        "title": "楼道堆物",
        "happened_on": "2026-05-04",
        "text": "三楼楼道堆放纸箱",
    }
    note = Note.objects.get()
    assert (note.client_uuid, note.title, note.area_id, note.created_by_id) == (
        uuid.UUID(key),
        "楼道堆物",
        cast.grid1.pk,
        cast.grid_worker.pk,
    )

    # The same request again (a phone that never saw the answer) gets the stored response.
    client = Client()
    client.force_login(cast.grid_worker)
    replay = client.post(
        "/api/v1/sample/notes/",
        json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (201, "true")
    assert replay.json()["id"] == note.pk
    assert Note.objects.filter(client_uuid=key).count() == 1
