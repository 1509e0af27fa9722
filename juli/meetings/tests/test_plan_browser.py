"""The meetings desk in Chromium: the branch secretary plans a meeting in two parts (adding
the second part without a script), the page shows it, a member sees it in "my meetings" and
creates a calendar address. Desk and phone screenshots go to /tmp/juli-shots/plan-*.png and
test-output/screenshots/."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from juli.conftest import PASSWORD
from juli.core.tests.browser import DESK, PHONE, sign_in
from juli.meetings.actions import plan
from juli.meetings.models import Meeting

from .conftest import make_meeting

SHOTS = Path("/tmp/juli-shots")


def _shot(page: Page, screenshot_dir: Path, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"plan-{name}.png"), full_page=True)
    page.screenshot(path=str(screenshot_dir / f"meetings-plan-{name}.png"), full_page=True)


@pytest.mark.browser
def test_the_secretary_plans_a_meeting_and_a_member_subscribes(
    browser: Browser, live_server: Any, transactional_db: None, mw: Any, screenshot_dir: Path
) -> None:
    base = live_server.url
    c = mw.c
    mw.member.set_password(PASSWORD)  # the browser signs in with the cast's password
    mw.member.save(update_fields=["password"])
    make_meeting(
        c.branch1,
        "party_lecture",
        actor=c.branch_secretary,
        title="第一党支部四季度党课",
        starts_at=timezone.now() - datetime.timedelta(days=20),
    )
    start = timezone.localtime(timezone.now() + datetime.timedelta(days=5)).replace(
        hour=14, minute=0
    )
    for label, device in (("desk", DESK), ("phone", PHONE)):
        context = browser.new_context(locale="zh-CN", **device)
        try:
            page = sign_in(context, base, "branch_secretary")
            page.goto(f"{base}/meetings/new/?org={c.branch1.pk}")
            if label == "desk":
                page.select_option("#id_kind", "branch_assembly")
                page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
                page.fill(
                    "#id_ends_at", (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
                )
                page.fill("#id_place", "三楼党员活动室")
                page.fill("#id_part-1-title", "上半场")
                page.select_option("#id_part-1-presider", label="单田芳")
                page.fill("#id_part-1-agenda", "传达区委全会精神 | 单田芳\n学习党章第三章")
                page.locator("button[name=add_part]").click()
                expect(page.locator("#id_part-2-title")).to_be_visible()
                expect(page.locator("#id_place")).to_have_value("三楼党员活动室")
                page.fill("#id_part-2-title", "下半场")
                page.fill("#id_part-2-presider_name", "周局长")
                page.fill("#id_part-2-agenda", "签订党建责任书 | 周局长")
                page.fill("#id_guests", "王老 | 退休党员代表 | 参加")
            _shot(page, screenshot_dir, f"form-{label}")
            if label == "desk":
                page.locator("#meeting-form button.primary").click()
                page.wait_for_url("**/meetings/*/")
                expect(page.locator("#roster-take_part")).to_contain_text("1")
        finally:
            context.close()
    meeting = Meeting.objects.get(place="三楼党员活动室")
    assert [p.title for p in meeting.parts.order_by("order")] == ["上半场", "下半场"]
    plan.add_document(c.branch_secretary, meeting, upload=_pdf(), title="学习材料")
    for label, device in (("desk", DESK), ("phone", PHONE)):
        context = browser.new_context(locale="zh-CN", **device)
        try:
            page = sign_in(context, base, "branch_secretary")
            page.goto(f"{base}/meetings/{meeting.pk}/")
            expect(page.locator("#agenda")).to_contain_text("签订党建责任书")
            _shot(page, screenshot_dir, f"detail-{label}")
            page.goto(f"{base}/meetings/")
            _shot(page, screenshot_dir, f"list-{label}")
        finally:
            context.close()
    for label, device in (("desk", DESK), ("phone", PHONE)):
        context = browser.new_context(locale="zh-CN", **device)
        try:
            page = sign_in(context, base, "member")
            page.goto(f"{base}/meetings/mine/")
            expect(page.locator("#mine-upcoming")).to_contain_text(meeting.title)
            if label == "desk":
                page.locator("#feed button.primary").click()
                page.wait_for_url("**/meetings/mine/")
                expect(page.locator("#feed-url")).to_have_value(
                    f"{base}/meetings/feed/{mw.member.meeting_feed.token}.ics"
                )
            _shot(page, screenshot_dir, f"mine-{label}")
        finally:
            context.close()


def _pdf() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "材料.pdf", b"%PDF-1.4\n" + b"0" * 2000, content_type="application/pdf"
    )
