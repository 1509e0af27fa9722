"""In a browser: the branch secretary drafts the news of a meeting from its page and submits
it, the bureau secretary approves it, the branch makes its news page public, and a reader
without an account reads it on a phone and searches it in traditional script. Screenshots go
to /tmp/juli-shots/news-*.png when that folder exists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from juli.core.tests.browser import DESK, PHONE, WAIT_MS
from juli.core.tests.browser import sign_in as browser_sign_in
from juli.news.models import NewsItem

from .conftest import confirmed_meeting

SHOTS = Path("/tmp/juli-shots")


def shot(page: Page, name: str) -> None:
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"news-{name}.png"), full_page=True)


def sign_in(browser: Browser, base: str, login: str, device: dict[str, Any]) -> Page:
    return browser_sign_in(browser.new_context(locale="zh-CN", **device), base, login)


@pytest.mark.browser
def test_a_meeting_becomes_public_news(
    browser: Browser, live_server: Any, transactional_db: None, mw: Any
) -> None:
    base = live_server.url
    meeting = confirmed_meeting(mw)
    org = meeting.org

    secretary = sign_in(browser, base, "branch_secretary", DESK)
    secretary.goto(f"{base}/meetings/{meeting.pk}/")
    button = secretary.locator("#publicity-card button[type='submit']")
    expect(button).to_be_visible(timeout=WAIT_MS)
    button.click()
    item = NewsItem.objects.get()
    secretary.wait_for_url(f"{base}/news/{item.pk}/")
    expect(secretary.locator(".news-article h1")).to_have_text(item.title)
    expect(secretary.locator(".news-body")).to_contain_text("应到4人，实到2人")
    expect(secretary.locator(".news-body")).not_to_contain_text(mw.member2_person.name)
    shot(secretary, "editor-draft")
    secretary.locator(f"form[action='/news/{item.pk}/submit/'] button").click()
    secretary.wait_for_url(f"{base}/news/{item.pk}/")
    assert NewsItem.objects.get().status == NewsItem.Status.IN_REVIEW

    bureau = sign_in(browser, base, "bureau_secretary", DESK)
    bureau.goto(f"{base}/news/?status=in_review")
    expect(bureau.locator(".news-table")).to_contain_text(item.title)
    shot(bureau, "editor-list")
    bureau.goto(f"{base}/news/{item.pk}/")
    bureau.once("dialog", lambda dialog: dialog.accept())
    bureau.locator(f"form[action='/news/{item.pk}/approve/'] button").click()
    bureau.wait_for_url(f"{base}/news/{item.pk}/")
    assert NewsItem.objects.get().status == NewsItem.Status.PUBLISHED

    secretary.goto(f"{base}/news/org/{org.pk}/")
    secretary.locator(".news-visibility button").click()
    secretary.wait_for_url(f"{base}/news/org/{org.pk}/")
    expect(secretary.locator(".news-card")).to_have_count(1)
    shot(secretary, "org-desk")

    reader = browser.new_context(locale="zh-CN", **PHONE).new_page()
    reader.goto(f"{base}/news/org/{org.pk}/")
    expect(reader.locator(".news-card h2")).to_have_text(item.title)
    shot(reader, "org-phone")
    reader.locator("#org-news-q").fill("黨支部")
    expect(reader.locator(".news-card")).to_have_count(1, timeout=WAIT_MS)
    reader.locator("#org-news-q").fill("不存在的詞")
    expect(reader.locator(".news-card")).to_have_count(0, timeout=WAIT_MS)
    reader.goto(f"{base}/news/{item.pk}/")
    expect(reader.locator(".news-article")).to_contain_text("会议研究决定")
    expect(reader.locator(".news-steps")).to_have_count(0)
    shot(reader, "item-phone")
