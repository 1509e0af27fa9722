"""Meetings with confirmed minutes are records a letter item links in one click; the meeting's
page lists what it serves."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.http import Http404
from django.urls import reverse

from juli.core import records
from juli.letters import actions as letter_actions
from juli.letters import records as letter_records
from juli.letters.tests.conftest import make_letters, sign_both
from juli.meetings.models import Meeting

from .conftest import at, make_meeting

pytestmark = pytest.mark.django_db


def _confirmed(org: Any, actor: Any, day: datetime.date, title: str) -> Meeting:
    m = make_meeting(org, actor=actor, starts_at=at(day), title=title)
    Meeting.objects.filter(pk=m.pk).update(
        status=Meeting.Status.CONFIRMED, confirmed_at=at(day, 18)
    )
    return Meeting.objects.get(pk=m.pk)


def test_only_confirmed_meetings_of_the_letters_org_and_year_are_candidates(mw: Any) -> None:
    c = mw.c
    w = make_letters(c)
    letter = sign_both(w)
    good = _confirmed(c.branch1, c.branch_secretary, datetime.date(2026, 5, 4), "五月党课")
    _confirmed(c.branch1, c.branch_secretary, datetime.date(2025, 5, 4), "去年党课")
    _confirmed(c.branch2, c.sibling_secretary, datetime.date(2026, 5, 4), "二支部党课")
    make_meeting(
        c.branch1, actor=c.branch_secretary, starts_at=at(datetime.date(2026, 5, 6)), title="未确认"
    )
    purpose = letter_records.purpose_of(letter)
    kind = records.kinds()["meetings.meeting"]
    titles = list(kind.candidates(c.branch_secretary, purpose).values_list("title", flat=True))
    assert titles == ["五月党课"]
    assert kind.describe(good) == "2026-05-04 第一党支部 五月党课"
    assert kind.date(good) == datetime.date(2026, 5, 4)


def test_a_letter_item_links_a_meeting_and_the_meeting_page_lists_it(client: Any, mw: Any) -> None:
    c = mw.c
    w = make_letters(c)
    letter = sign_both(w)
    item = letter.items.order_by("order")[0]
    meeting = _confirmed(c.branch1, c.branch_secretary, datetime.date(2026, 5, 4), "五月党课")
    letter_actions.add_evidence(
        c.branch_secretary, letter, title="", items=[item], record_obj=meeting
    )
    client.force_login(c.branch_secretary)
    page = client.get(reverse("meetings-detail", args=[meeting.pk])).content.decode()
    assert "Used as evidence in" in page and str(letter) in page
    client.force_login(mw.member)  # sees the meeting, not the letter
    page = client.get(reverse("meetings-detail", args=[meeting.pk])).content.decode()
    assert "Used as evidence in" not in page


def test_another_branchs_meeting_cannot_be_linked(mw: Any) -> None:
    c = mw.c
    w = make_letters(c)
    letter = sign_both(w)
    other = _confirmed(c.branch2, c.sibling_secretary, datetime.date(2026, 5, 4), "二支部党课")
    with pytest.raises(Http404):
        records.check(c.branch_secretary, other, letter_records.purpose_of(letter))
