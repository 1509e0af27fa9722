"""A news draft from a meeting with confirmed minutes (`juli.meetings.publicity`): what it
says, what it never says (the names of those absent or on leave), once per meeting, and the
card and button on the meeting's page."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from juli.meetings.actions.plan import MeetingError
from juli.meetings.models import Meeting
from juli.meetings.publicity import draft_from_meeting
from juli.news.models import NewsItem

from .conftest import confirmed_meeting, signed_in


def _text(item: NewsItem) -> str:
    return f"{item.title}\n{item.summary}\n{item.body}"


def test_it_drafts_the_news_from_the_record(mw):
    c = mw.c
    meeting = confirmed_meeting(mw)
    item = draft_from_meeting(c.branch_secretary, meeting)
    assert item.status == NewsItem.Status.DRAFT
    assert item.org == c.branch1
    assert item.author == c.branch_secretary
    assert item.title == "第一党支部召开2026年第四季度党员大会"
    assert item.source_label == meeting.title
    assert item.source_url == reverse("meetings-detail", args=[meeting.pk])
    # roster: secretary, member (late), member 2 (leave), the absentee, + a guest sitting in
    expected = meeting.attendees.filter(counts=True).count()
    assert expected == 4
    assert "应到4人，实到2人，另有1人列席或参加会议" in item.body
    assert "单田芳主持会议" in item.body
    assert "党员活动室" in item.body
    assert "学习党的二十届三中全会精神" in item.body
    assert "讨论第四季度绿化养护工作" in item.body
    assert "会议研究决定：一是开展冬季绿化养护专项行动；二是由某同志牵头整理学习材料。" in item.body
    assert "会议气氛热烈。" in item.body
    assert "会议作出2项决定" in item.summary


def test_it_never_names_the_absent_or_those_on_leave(mw):
    meeting = confirmed_meeting(mw, absent_name="缺席者甲")
    item = draft_from_meeting(mw.c.branch_secretary, meeting)
    text = _text(item)
    assert "缺席者甲" not in text  # absent, and named in an item's summary
    assert mw.member2_person.name not in text  # on leave, and named in a resolution
    assert "出差" not in text  # the leave reason
    assert "某同志未到会" in text
    # those who came are not listed by name either, beyond presiders and the minutes' text
    assert mw.member_person.name not in text


def test_it_refuses_a_meeting_without_confirmed_minutes(mw):
    meeting = confirmed_meeting(mw)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    with pytest.raises(MeetingError) as error:
        draft_from_meeting(mw.c.branch_secretary, meeting)
    assert error.value.code == "illegal_state"
    assert NewsItem.objects.count() == 0


def test_it_makes_one_draft_per_meeting(mw):
    meeting = confirmed_meeting(mw)
    first = draft_from_meeting(mw.c.branch_secretary, meeting)
    again = draft_from_meeting(mw.c.branch_secretary, meeting)
    assert again.pk == first.pk
    assert NewsItem.objects.count() == 1


def test_it_refuses_those_who_may_not_write_the_organisations_news(mw):
    meeting = confirmed_meeting(mw)
    with pytest.raises(PermissionDenied):
        draft_from_meeting(mw.member, meeting)  # sees the meeting, writes no news
    from django.http import Http404

    with pytest.raises(Http404):
        draft_from_meeting(mw.c.outsider, meeting)
    assert NewsItem.objects.count() == 0


def test_the_meeting_page_offers_the_draft_and_then_links_it(mw):
    meeting = confirmed_meeting(mw)
    client = signed_in(mw.c.branch_secretary)
    card = client.get(reverse("meetings-publicity", args=[meeting.pk]))
    assert card.status_code == 200
    assert reverse("meetings-publicity-draft", args=[meeting.pk]) in card.text
    response = client.post(reverse("meetings-publicity-draft", args=[meeting.pk]))
    item = NewsItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("news-item", args=[item.pk])
    card = client.get(reverse("meetings-publicity", args=[meeting.pk]))
    assert reverse("news-item", args=[item.pk]) in card.text
    assert reverse("meetings-publicity-draft", args=[meeting.pk]) not in card.text


def test_the_card_offers_no_button_to_a_member_and_is_a_404_for_an_outsider(mw):
    meeting = confirmed_meeting(mw)
    member = signed_in(mw.member)
    card = member.get(reverse("meetings-publicity", args=[meeting.pk]))
    assert card.status_code == 200
    assert reverse("meetings-publicity-draft", args=[meeting.pk]) not in card.text
    assert member.post(reverse("meetings-publicity-draft", args=[meeting.pk])).status_code == 403
    outsider = signed_in(mw.c.outsider)
    assert outsider.get(reverse("meetings-publicity", args=[meeting.pk])).status_code == 404
    assert outsider.post(reverse("meetings-publicity-draft", args=[meeting.pk])).status_code == 404
    assert NewsItem.objects.count() == 0
