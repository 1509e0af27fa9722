"""The minutes pages: access matrix, the one-form editor (rows added and removed without a
script), confirm and revise through the page, the card, the PDF read back."""

from __future__ import annotations

import datetime
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from juli.meetings.actions import minutes as actions
from juli.meetings.actions.plan import Invitee, PartSpec
from juli.meetings.models import Attendee, Meeting, Minutes

from .conftest import make_meeting

pytestmark = pytest.mark.django_db


def _meeting(mw):
    meeting = make_meeting(
        mw.c.branch1,
        "party_lecture",
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        actor=mw.c.branch_secretary,
        title="第一支部2026年第四季度党课",
        parts=[
            PartSpec(
                title="上半场",
                presider=mw.member_person,
                agenda=[("学习党章第一章", "单田芳"), ("讨论年度计划", "")],
            )
        ],
        invitees=[Invitee(category=Attendee.Category.TAKE_PART, name="退休党员代表张某")],
    )
    Attendee.objects.filter(meeting=meeting, person=mw.member_person).update(status="present")
    Attendee.objects.filter(meeting=meeting, person=mw.member2_person).update(
        status="leave", leave_reason="外出就医"
    )
    return meeting


URLS = [
    ("meetings-minutes", True),
    ("meetings-minutes-pdf", True),
    ("meetings-minutes-card", True),
    ("meetings-minutes-version", True),
]


def _url(name, meeting):
    if name == "meetings-minutes-version":
        return reverse(name, args=[meeting.pk, 1])
    return reverse(name, args=[meeting.pk])


@pytest.mark.parametrize("name", [u for u, _ in URLS])
def test_it_scopes_every_page(client, mw, name):
    meeting = _meeting(mw)
    actions.start_minutes(mw.c.branch_secretary, meeting)
    url = _url(name, meeting)
    assert client.get(url).status_code == 302  # anonymous: to the login
    for user in (mw.c.outsider, mw.c.sibling_secretary, mw.sibling_member):
        client.force_login(user)
        assert client.get(url).status_code == 404
    for user in (mw.member2, mw.c.branch_secretary, mw.c.bureau_secretary):
        client.force_login(user)
        assert client.get(url).status_code == 200


def test_it_refuses_writes_from_a_member_and_another_branch(client, mw):
    meeting = _meeting(mw)
    minutes = actions.start_minutes(mw.c.branch_secretary, meeting)
    url = reverse("meetings-minutes", args=[meeting.pk])
    client.force_login(mw.member2)
    assert client.post(url, {"action": "save", "summary": "x"}).status_code == 403
    assert client.post(url, {"action": "confirm"}).status_code == 403
    client.force_login(mw.c.sibling_secretary)
    assert client.post(url, {"action": "save", "summary": "x"}).status_code == 404
    minutes.refresh_from_db()
    assert minutes.summary == "" and minutes.confirmed_at is None


def test_the_editor_writes_the_draft_in_one_form(client, mw):
    meeting = _meeting(mw)
    url = reverse("meetings-minutes", args=[meeting.pk])
    client.force_login(mw.c.branch_secretary)
    assert client.post(url, {"action": "start"}).status_code == 302
    minutes = Minutes.objects.get(meeting=meeting)
    first, second = minutes.items.order_by("order")
    page = client.get(url).content.decode()
    assert 'name="item-total" value="3"' in page and 'name="res-total" value="2"' in page
    form = {
        "action": "save",
        "summary": "支部书记主持。",
        "item-total": "3",
        "item-0-id": first.pk,
        "item-0-title": "学习党章第一章",
        "item-0-summary": "集体学习",
        "item-0-speakers": "单田芳",
        "item-1-id": second.pk,
        "item-1-title": "讨论年度计划",
        "item-1-remove": "1",
        "item-2-title": "其他事项",
        "item-2-summary": "无",
        "res-total": "2",
        "res-0-text": "完成党章学习笔记",
        "res-0-item": "1",
        "res-0-owner": mw.member_person.pk,
        "res-0-due_on": "2026-12-31",
        "res-1-text": "",
    }
    assert client.post(url, form).status_code == 302
    assert list(minutes.items.values_list("order", "title")) == [
        (1, "学习党章第一章"),
        (2, "其他事项"),
    ]
    resolution = minutes.resolutions.get()
    assert (resolution.number, resolution.item.order, resolution.owner) == (1, 1, mw.member_person)
    # A decision without text but with an owner is refused; nothing changes.
    bad = {**form, "item-1-remove": "", "res-0-text": "", "item-total": "2"}
    answer = client.post(url, bad)
    assert answer.status_code == 400
    assert "needs its text" in answer.content.decode()
    assert minutes.resolutions.get().text == "完成党章学习笔记"


def test_confirm_and_revise_through_the_page(client, mw):
    meeting = _meeting(mw)
    url = reverse("meetings-minutes", args=[meeting.pk])
    minutes = actions.start_minutes(mw.c.branch_secretary, meeting)
    client.force_login(mw.member)  # the presider
    page = client.get(url).content.decode()
    assert 'value="confirm"' in page
    assert client.post(url, {"action": "confirm"}).status_code == 302
    minutes.refresh_from_db()
    assert minutes.confirmed_at is not None
    client.force_login(mw.c.branch_secretary)
    answer = client.post(url, {"action": "save", "summary": "改"})
    assert answer.status_code == 400
    assert "frozen" in answer.content.decode()
    answer = client.post(url, {"action": "revise", "reason": ""})
    assert answer.status_code == 400
    assert "Say why" in answer.content.decode()
    assert Minutes.objects.filter(meeting=meeting).count() == 1
    assert client.post(url, {"action": "revise", "reason": "补记发言人"}).status_code == 302
    assert Minutes.objects.filter(meeting=meeting).count() == 2
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    v2 = reverse("meetings-minutes-version", args=[meeting.pk, 2])
    assert "补记发言人" in client.get(v2).content.decode()
    card = client.get(reverse("meetings-minutes-card", args=[meeting.pk])).content.decode()
    assert "补记发言人" in card and "卫党员" in card


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_the_pdf_reads_back_with_the_chinese_text_and_the_counts(client, mw, tmp_path):
    meeting = _meeting(mw)
    minutes = actions.start_minutes(mw.c.branch_secretary, meeting)
    actions.save_minutes(
        mw.c.branch_secretary,
        minutes,
        summary="会议听取了党章学习情况。",
        items=[
            {"id": i.pk, "title": i.title, "summary": "认真学习", "speakers": "单田芳、冯党员"}
            for i in minutes.items.order_by("order")
        ],
        resolutions=[
            {
                "item": 2,
                "text": "年底前完成年度计划",
                "owner": mw.member_person.pk,
                "due_on": "2026-12-31",
            }
        ],
    )
    actions.confirm_minutes(mw.member, minutes)
    client.force_login(mw.c.branch_secretary)
    answer = client.get(reverse("meetings-minutes-pdf", args=[meeting.pk]))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(answer.content)
    text = subprocess.run(  # noqa: S603 - fixed arguments
        ["pdftotext", "-layout", str(pdf), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = " ".join(text.split())
    roster = Attendee.objects.filter(meeting=meeting, counts=True)
    expected = roster.count()
    assert "第一支部2026年第四季度党课 会议记录" in flat
    assert "应到 实到 请假 缺席" in flat
    absent = expected - 2  # 冯党员 present, 卫党员 on leave, the rest closed as absent
    assert f"{expected} 1 1 {absent}" in flat
    for needle in (
        "学习党章第一章",
        "发言人：单田芳、冯党员",
        "年底前完成年度计划",
        "2026-12-31",
        "外出就医",
        "退休党员代表张某",
        "补课情况",
        "经主持人 冯党员 于",
        "党课 ·",
        "第 1 版",
    ):
        assert needle in flat, needle
