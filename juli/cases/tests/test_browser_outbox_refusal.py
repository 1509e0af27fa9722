"""The phone's outbox never traps a report (issue 14, item 4).

Drives Debian's Chromium through Playwright at a phone viewport against the live server, on
the report page (/m/report/), through stable selectors only (the fields' name attributes):

- a text file given as the photo, and an over-long description, are refused at the field
  (a message the field is described by, `aria-invalid`) and nothing is queued;
- a report the server refuses for a reason the page could not know (its category was retired
  after the page opened) leaves the retry queue as "needs attention" with the server's
  message under the field's label; "edit and submit again" re-opens the form from another
  page with the words and the photo restored and the message beside the field; once fixed it
  is sent under a new client UUID and exactly one case exists;
- a report made offline is kept and sent exactly once when the network returns.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from juli.cases.models import Case, CaseCategory
from juli.core.models import Submission
from juli.core.tests.browser import PHONE, WAIT_MS, jpeg, sign_in

#: Everything kept in the outbox for the signed-in user (the page's own store API).
OUTBOX_ITEMS = """async () => {
  const user = document.getElementById("field-app").dataset.user;
  return (await window.JuliOutbox.forUser(user)).map((i) => ({
    id: i.id, state: i.state, body: i.body, photos: (i.photos || []).length,
  }));
}"""


def _open_report(page: Page, base: str) -> dict[str, str]:
    page.goto(f"{base}/m/report/")
    expect(page.locator("#outbox-status")).to_have_attribute("data-count", "0")
    return json.loads(page.locator("#field-messages").text_content() or "{}")


def _outbox(page: Page) -> list[dict[str, Any]]:
    return page.evaluate(OUTBOX_ITEMS)


def _error_of(page: Page, selector: str) -> str:
    """The message a field is described by (its role=alert element), after checking that
    the field is marked invalid."""
    field = page.locator(selector)
    expect(field).to_have_attribute("aria-invalid", "true")
    ids = (field.get_attribute("aria-describedby") or "").split()
    alerts = [page.locator(f"[id='{i}'][role=alert]") for i in ids]
    texts = [a.text_content() or "" for a in alerts if a.count()]
    assert texts, f"{selector} has no message"
    return " ".join(texts)


def _fill_report(page: Page, world: Any, *, category: CaseCategory, title: str) -> None:
    page.locator("[name=category]").select_option(str(category.pk))
    page.locator("[name=where]").select_option(f"point:{world.point_b.pk}")
    page.locator("[name=title]").fill(title)


@pytest.mark.browser
def test_it_refuses_a_text_file_as_the_photo_at_the_field(
    browser: Browser, live_server: Any, transactional_db: None, world: Any, screenshot_dir: Path
) -> None:
    base = live_server.url
    context = browser.new_context(locale="zh-CN", **PHONE)
    try:
        page = sign_in(context, base, "grid_worker")
        msg = _open_report(page, base)
        # A text file that says it is a JPEG (name and MIME type): its first bytes tell.
        page.locator("[name=photos]").set_input_files(
            {"name": "note.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo at all\n" * 5}
        )
        assert _error_of(page, "[name=photos]") == "note.jpg：" + msg["not_a_photo"]
        expect(page.locator(".photo-field .thumbs img")).to_have_count(0)
        # The rest is fine, but the refused file blocks the report until it is removed.
        _fill_report(page, world, category=world.litter, title="垃圾桶满溢")
        page.locator("#report-form button[type=submit]").click()
        expect(page.locator("[name=photos]")).to_be_focused()
        assert _error_of(page, "[name=photos]") == "note.jpg：" + msg["not_a_photo"]
        page.screenshot(path=str(screenshot_dir / "outbox-a-not-a-photo.png"), full_page=True)
        assert _outbox(page) == []
        assert page.locator("#form-done").is_hidden()
        # A real photo instead: accepted, the message goes.
        page.locator(".thumb-refused .thumb-remove").click()
        expect(page.locator("[name=photos]")).not_to_have_attribute("aria-invalid", "true")
        page.locator("[name=photos]").set_input_files(
            {"name": "bin.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
        )
        expect(page.locator(".photo-field .thumbs img")).to_have_count(1)
        expect(page.locator("[role=alert].field-error")).to_have_count(0)
    finally:
        context.close()
    assert Case.objects.count() == 0


@pytest.mark.browser
def test_it_refuses_an_over_long_description_at_the_field(
    browser: Browser, live_server: Any, transactional_db: None, world: Any, screenshot_dir: Path
) -> None:
    base = live_server.url
    context = browser.new_context(locale="zh-CN", **PHONE)
    try:
        page = sign_in(context, base, "grid_worker")
        msg = _open_report(page, base)
        _fill_report(page, world, category=world.litter, title="垃圾桶满溢")
        description = page.locator("[name=description]")
        limit = int(
            description.get_attribute("maxlength")
            or description.get_attribute("data-maxlength")
            or "0"
        )
        assert limit == 2000  # the API's max_length
        # `maxlength` stops typing only: text put in by a script (a restored draft, an input
        # method, autofill) can be longer, and the server would refuse it; the page does.
        description.evaluate("(el, n) => { el.value = '脏'.repeat(n); }", limit + 1)
        page.locator("#report-form button[type=submit]").click()
        expect(description).to_be_focused()
        assert _error_of(page, "[name=description]") == msg["too_long"].replace(
            "%(max)s", str(limit)
        ).replace("%(n)s", str(limit + 1))
        expect(page.locator("#report-form .form-error")).to_have_text(msg["check_fields"])
        page.screenshot(path=str(screenshot_dir / "outbox-b-too-long.png"), full_page=True)
        assert _outbox(page) == []
        # Typing fixes it: the message goes at once.
        description.fill("脏" * limit)
        expect(description).not_to_have_attribute("aria-invalid", "true")
    finally:
        context.close()
    assert Case.objects.count() == 0


@pytest.mark.browser
def test_it_reopens_a_refused_report_with_nothing_lost_and_sends_it_once_fixed(
    browser: Browser, live_server: Any, transactional_db: None, world: Any, screenshot_dir: Path
) -> None:
    base = live_server.url
    keys: list[str] = []

    def seen(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/api/v1/cases/"):
            keys.append(request.headers.get("idempotency-key", ""))
            assert request.headers.get("accept-language", "").startswith("zh")

    context = browser.new_context(locale="zh-CN", **PHONE)
    try:
        page = sign_in(context, base, "grid_worker")
        page.on("request", seen)
        msg = _open_report(page, base)
        _fill_report(page, world, category=world.facility, title="护栏倒伏")
        page.locator("[name=description]").fill("菜场B东门护栏倒在人行道上")
        page.locator("[name=photos]").set_input_files(
            {"name": "rail.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
        )
        expect(page.locator(".photo-field .thumbs img")).to_have_count(1)
        # Retired (in the admin) after the page opened: only the server knows.
        CaseCategory.objects.filter(pk=world.facility.pk).update(is_active=False)
        page.locator("#report-form button[type=submit]").click()

        # Refused: not retried; the form comes back as it was, the message at the category.
        category = page.locator("[name=category]")
        expect(category).to_have_attribute("aria-invalid", "true", timeout=WAIT_MS)
        expect(page.locator("#outbox-status")).to_have_attribute("data-problems", "1")
        expect(page.locator("#outbox-status")).to_have_attribute("data-count", "0")
        refusal = _error_of(page, "[name=category]")
        label = (
            page.locator("fieldset:has([name=category]) > legend").text_content() or ""
        ).strip()
        assert re.search("[\u4e00-\u9fff]", refusal), refusal  # the server's Chinese
        [item] = _outbox(page)
        assert (item["state"], item["photos"]) == ("attention", 1)
        assert Case.objects.count() == 0

        # From another page: the list says what is wrong, under the field's label.
        page.goto(f"{base}/m/")
        row = page.locator("#outbox-problems li[data-state=attention]")
        expect(row).to_have_count(1)
        expect(row).to_contain_text(f"{label}：{refusal}")
        expect(row).not_to_contain_text("category")
        expect(page.locator("#outbox-problems li")).to_have_count(1)  # the bar's count: 1
        page.screenshot(path=str(screenshot_dir / "outbox-c1-needs-attention.png"), full_page=True)
        row.locator("button", has_text=msg["edit"]).click()

        # The report page again, from IndexedDB: words and photo back, message beside.
        page.wait_for_url(re.compile(r"/m/report/#outbox-edit="))
        expect(page.locator("[name=title]")).to_have_value("护栏倒伏", timeout=WAIT_MS)
        expect(page.locator("[name=description]")).to_have_value("菜场B东门护栏倒在人行道上")
        expect(page.locator("[name=where]")).to_have_value(f"point:{world.point_b.pk}")
        expect(page.locator(".photo-field .thumbs img")).to_have_count(1)
        assert _error_of(page, "[name=category]") == refusal
        expect(category).to_be_focused()
        page.screenshot(path=str(screenshot_dir / "outbox-c2-reopened.png"), full_page=True)

        # Fixed and sent: a new client UUID, the refused item gone, one case.
        category.select_option(str(world.litter.pk))
        expect(category).not_to_have_attribute("aria-invalid", "true")
        page.locator("#report-form button[type=submit]").click()
        expect(page.locator("#form-done")).to_have_attribute("data-state", "sent", timeout=WAIT_MS)
        expect(page.locator("#outbox-status")).to_have_attribute("data-problems", "0")
        expect(page.locator("#outbox-status")).to_have_attribute("data-count", "0")
        assert [i["state"] for i in _outbox(page)] == ["sent"]
        page.screenshot(path=str(screenshot_dir / "outbox-c3-sent.png"), full_page=True)
    finally:
        context.close()
    assert len(keys) == 2 and keys[0] != keys[1], keys
    case = Case.objects.get()
    assert (case.client_uuid, case.category_id, case.title, case.point_id) == (
        uuid.UUID(keys[1]),
        world.litter.pk,
        "护栏倒伏",
        world.point_b.pk,
    )
    assert case.description == "菜场B东门护栏倒在人行道上"
    assert list(case.photos.values_list("kind", flat=True)) == ["before"]
    # The refusal stored nothing: only the accepted submission's key is kept.
    assert list(Submission.objects.values_list("key", flat=True)) == [uuid.UUID(keys[1])]


@pytest.mark.browser
def test_it_sends_a_report_made_offline_once_when_the_network_returns(
    browser: Browser, live_server: Any, transactional_db: None, world: Any, screenshot_dir: Path
) -> None:
    base = live_server.url
    posts: list[str] = []
    context = browser.new_context(locale="zh-CN", **PHONE)
    try:
        page = sign_in(context, base, "grid_worker")
        page.on(
            "request",
            lambda r: (
                posts.append(r.headers.get("idempotency-key", ""))
                if r.method == "POST" and r.url.endswith("/api/v1/cases/")
                else None
            ),
        )
        _open_report(page, base)
        context.set_offline(True)
        _fill_report(page, world, category=world.litter, title="菜场B门口垃圾")
        page.locator("[name=photos]").set_input_files(
            {"name": "litter.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
        )
        expect(page.locator(".photo-field .thumbs img")).to_have_count(1)
        page.locator("#report-form button[type=submit]").click()
        expect(page.locator("#outbox-status")).to_have_attribute("data-count", "1")
        expect(page.locator("#outbox-problems li[data-state=waiting]")).to_have_count(1)
        assert [i["state"] for i in _outbox(page)] == ["waiting"]
        assert Case.objects.count() == 0
        page.screenshot(path=str(screenshot_dir / "outbox-d1-offline.png"), full_page=True)

        context.set_offline(False)
        expect(page.locator("#outbox-status")).to_have_attribute("data-count", "0", timeout=WAIT_MS)
        expect(page.locator("#form-done")).to_have_attribute("data-state", "sent")
        expect(page.locator("#outbox-problems li")).to_have_count(0)
        page.screenshot(path=str(screenshot_dir / "outbox-d2-sent.png"), full_page=True)
    finally:
        context.close()
    case = Case.objects.get()
    assert posts == [str(case.client_uuid)]
    assert (case.title, case.point_id, case.photos.count()) == (
        "菜场B门口垃圾",
        world.point_b.pk,
        1,
    )
