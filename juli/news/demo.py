"""Demo data: news made from three meetings of the meetings demo (issue 15, item 7).

- The Putuo party group's 2024 work conference (seed 000): published the day after, on the
  party group's news page, which is public (readable without signing in, and its feed).
- The organ branch's latest confirmed theme party day: drafted by the branch secretary and
  submitted, waiting in review for the branch's publicity officer (宣传委员).
- The organ branch's latest confirmed party lecture: a draft.

Each item is made by `meetings.publicity.draft_from_meeting` (attendance figures, decisions,
never the names of absentees) and moved through the news actions; only the publication
time of the conference's item is moved back to the day after it.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.db import transaction

from juli.core.demo import DemoRun, demo_step
from juli.meetings import demo as meetings_demo
from juli.meetings.models import Meeting, MeetingKind
from juli.meetings.publicity import draft_from_meeting
from juli.orgs.models import PartyOrg, User

from . import actions
from .models import NewsItem


def _latest(org: PartyOrg, kind: str) -> Meeting | None:
    return (
        Meeting.objects.filter(org=org, kind=kind, status=Meeting.Status.CONFIRMED)
        .order_by("-starts_at")
        .first()
    )


def build_demo(stdout: Any = None) -> dict[str, int]:
    """Three items (published, in review, draft); nothing when news exists already."""
    counts = {"news": 0, "news_published": 0}
    if NewsItem.objects.exists():
        return counts
    conference = Meeting.objects.filter(title=meetings_demo.CONFERENCE_TITLE).first()
    organ = PartyOrg.objects.filter(code=meetings_demo.ORGAN).first()
    if conference is None or organ is None:
        return counts  # no meetings demo to draw on
    secretary = User.objects.filter(username="branch_secretary", is_active=True).first()
    with transaction.atomic():
        item = draft_from_meeting(None, conference)
        actions.submit_item(None, item)
        item = actions.approve_item(None, item)
        published = conference.ends_at + datetime.timedelta(days=1)
        NewsItem.objects.filter(pk=item.pk).update(
            created_at=conference.ends_at, updated_at=published, published_at=published
        )
        actions.set_public(None, conference.org, public=True)
        counts["news"] += 1
        counts["news_published"] += 1
        theme_day = _latest(organ, MeetingKind.THEME_DAY)
        if theme_day is not None:
            item = draft_from_meeting(secretary, theme_day)
            actions.submit_item(secretary, item)
            counts["news"] += 1
        lecture = _latest(organ, MeetingKind.PARTY_LECTURE)
        if lecture is not None:
            draft_from_meeting(secretary, lecture)
            counts["news"] += 1
    return counts


@demo_step("news", after=("meetings",))
def build_news_step(run: DemoRun) -> dict[str, Any]:
    started = time.monotonic()
    counts: dict[str, Any] = dict(build_demo(stdout=run.stdout))
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts
