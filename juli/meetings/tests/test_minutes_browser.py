"""The minutes in a browser: the secretary writes the draft at the desk (a new item and a
decision through the blank rows, no script), the presider confirms, the card on the meeting
page shows the record, and the member who was absent makes it up on the phone.

Screenshots go to $JULI_SHOTS (when set) for a look at the pages."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from juli.conftest import PASSWORD as CAST_PASSWORD
from juli.core.tests.browser import DESK, PHONE
from juli.meetings.actions.plan import Invitee, PartSpec
from juli.meetings.models import Attendee, MakeUp, Meeting, Minutes

from .conftest import PASSWORD, make_meeting

SHOTS = os.environ.get("JULI_SHOTS", "")


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/minutes-{name}.png", full_page=True)


def sign_in(browser: Browser, base: str, login: str, device: dict[str, Any]) -> Page:
    """Signed in as `login` (a plain member's home may send them on: any page but the login)."""
    page = browser.new_context(locale="zh-CN", **device).new_page()
    page.goto(f"{base}/login/")
    page.locator("input[name='username']").fill(login)
    # The cast's logins and the meetings world's members have different passwords.
    password = PASSWORD if login.startswith("member") else CAST_PASSWORD
    page.locator("input[name='password']").fill(password)
    page.locator("main button[type='submit']").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


@pytest.mark.browser
def test_the_record_from_draft_to_make_up(
    browser: Browser, live_server: Any, transactional_db: None, mw: Any
) -> None:
    base = live_server.url
    meeting = make_meeting(
        mw.c.branch1,
        "party_lecture",
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        actor=mw.c.branch_secretary,
        title="第一党支部第四季度党课",
        parts=[
            PartSpec(
                presider=mw.member_person,
                agenda=[("学习党章第一章", "单田芳"), ("讨论支部年度计划", "")],
            )
        ],
        invitees=[Invitee(category=Attendee.Category.TAKE_PART, name="退休党员代表张某")],
    )
    Attendee.objects.filter(meeting=meeting, person=mw.member_person).update(status="present")

    desk = sign_in(browser, base, "branch_secretary", DESK)
    desk.goto(f"{base}/meetings/{meeting.pk}/minutes/")
    desk.locator("form:has(input[value=start]) button").click()
    expect(desk.locator("textarea[name=summary]")).to_be_visible()
    desk.locator("textarea[name=summary]").fill("会议由冯党员主持，应到党员全部通知到位。")
    desk.locator("textarea[name='item-0-summary']").fill("集体学习党章第一章，交流学习体会。")
    desk.locator("input[name='item-0-speakers']").fill("单田芳、冯党员")
    desk.locator("input[name='item-2-title']").fill("其他事项")
    desk.locator("input[name='res-0-text']").fill("年底前完成党章学习笔记")
    desk.locator("select[name='res-0-item']").select_option("1")
    desk.locator("select[name='res-0-owner']").select_option(str(mw.member2_person.pk))
    desk.locator("input[name='res-0-due_on']").fill("2026-12-31")
    desk.locator("button[name=action][value=save]").click()
    expect(desk.locator("input[name='item-2-title']")).to_have_value("其他事项")
    expect(desk.locator("input[name='item-3-title']")).to_have_value("")
    shot(desk, "editor")
    minutes = Minutes.objects.get(meeting=meeting)
    assert list(minutes.resolutions.values_list("number", "text")) == [
        (1, "年底前完成党章学习笔记")
    ]
    desk.locator("button[name=action][value=submit]").click()
    expect(desk.locator(".messages")).to_be_visible()

    presider = sign_in(browser, base, "member", DESK)
    presider.goto(f"{base}/meetings/{meeting.pk}/minutes/")
    presider.locator("form:has(input[value=confirm]) button").click()
    expect(presider.locator(".minutes-confirmation")).to_contain_text("主持人")
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.CONFIRMED
    presider.goto(f"{base}/meetings/{meeting.pk}/")
    card = presider.locator("#minutes-card")
    expect(card).to_contain_text("年底前完成党章学习笔记")
    expect(card).to_contain_text("卫党员")
    card.scroll_into_view_if_needed()
    if SHOTS:
        card.screenshot(path=f"{SHOTS}/minutes-card.png")
    shot(presider, "meeting-page")

    make_up = MakeUp.objects.get(meeting=meeting, person=mw.member2_person)
    phone = sign_in(browser, base, "member2", PHONE)
    phone.goto(f"{base}/meetings/makeups/")
    shot(phone, "phone-makeups")
    phone.locator(f"a[href='/meetings/makeups/{make_up.pk}/']").click()
    phone.locator("input[name=way][value=note]").check()
    phone.locator("textarea[name=note]").fill("已自学党章第一章，写了学习心得。")
    shot(phone, "phone-makeup")
    phone.locator("form:has(input[value=submit]) button[type=submit]").click()
    expect(phone.locator(".messages")).to_be_visible()
    assert MakeUp.objects.get(pk=make_up.pk).status == MakeUp.Status.SUBMITTED

    desk.goto(f"{base}/meetings/makeups/")
    desk.locator(f"form[action='/meetings/makeups/{make_up.pk}/confirm/'] button").click()
    expect(desk.locator(".messages")).to_be_visible()
    assert MakeUp.objects.get(pk=make_up.pk).status == MakeUp.Status.CONFIRMED

    # A change after confirmation: a reason, a new version, the old one kept and compared.
    desk.goto(f"{base}/meetings/{meeting.pk}/minutes/")
    desk.locator("textarea[name=reason]").fill("补记第二项议题的讨论情况")
    desk.locator("form:has(input[value=revise]) button").click()
    desk.locator("textarea[name='item-1-summary']").fill("讨论通过支部年度计划。")
    desk.locator("button[name=action][value=save]").click()
    expect(desk.locator(".messages")).to_be_visible()
    desk.goto(f"{base}/meetings/{meeting.pk}/minutes/v2/")
    expect(desk.locator(".minutes-diff")).to_contain_text("讨论通过支部年度计划。")
    shot(desk, "version-diff")
    assert Minutes.objects.get(meeting=meeting, version=1).items.get(order=2).summary == ""

    if SHOTS and shutil.which("pdftoppm"):
        pdf = desk.request.get(f"{base}/meetings/{meeting.pk}/minutes.pdf?version=1")
        assert pdf.ok
        path = Path(SHOTS) / "minutes-record.pdf"
        path.write_bytes(pdf.body())
        subprocess.run(  # noqa: S603 - fixed arguments
            ["pdftoppm", "-png", "-r", "60", str(path), f"{SHOTS}/minutes-pdf"],  # noqa: S607
            check=True,
        )
    for page in (desk, presider, phone):
        page.context.close()
