"""Publicity from the record: a news draft made from a meeting with confirmed minutes.

`draft_from_meeting(actor, meeting)` writes, through `juli.news.actions.create_item`, a
draft of the meeting's organisation: who (the organisation, the presiders), when and where,
what (the kind, the agenda items and their summaries), the decisions (the resolutions'
text) and the attendance figures (应到 N 人，实到 M 人). It never names the people who were
absent or on leave: the attendance is counted, not listed, and the names of those who did
not attend are taken out of every line copied from the minutes. The draft is written in
Chinese whatever the actor's language: it is the text to publish.

A meeting has at most one live item (draft, in review or published): asking again returns
it. After a withdrawal a new draft can be made.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from juli.core.types import Actor
from juli.news import access as news_access
from juli.news import actions as news_actions
from juli.news import queries as news_queries
from juli.news.models import NewsItem

from .access import visible_meetings
from .actions.plan import MeetingError
from .models import Attendee, Meeting, MeetingKind, Minutes

#: The kinds as a news text names them (the document is Chinese in every UI language).
KIND_NAMES: dict[str, str] = {
    MeetingKind.BRANCH_ASSEMBLY: "支部党员大会",
    MeetingKind.BRANCH_COMMITTEE: "支委会",
    MeetingKind.GROUP_MEETING: "党小组会",
    MeetingKind.PARTY_LECTURE: "党课",
    MeetingKind.THEME_DAY: "主题党日活动",
    MeetingKind.ORG_LIFE: "组织生活会",
    MeetingKind.APPRAISAL: "民主评议党员大会",
    MeetingKind.WORK_CONFERENCE: "工作会议",
    MeetingKind.PLENARY: "全体会议",
    MeetingKind.OTHER: "会议",
}
NUMERALS = "一二三四五六七八九十"
ATTENDED = (Attendee.Status.PRESENT, Attendee.Status.LATE)
#: Stands in for the name of someone who did not attend, wherever the minutes name them.
SOMEONE = "某同志"


def _numeral(n: int) -> str:
    if n <= 10:
        return NUMERALS[n - 1]
    if n < 20:
        return "十" + NUMERALS[n - 11]
    return str(n)


def _date(meeting: Meeting) -> str:
    day = timezone.localtime(meeting.starts_at)
    return f"{day.year}年{day.month}月{day.day}日"


def confirmed_minutes(meeting: Meeting) -> Minutes | None:
    """The latest confirmed version of the minutes, or None."""
    return (
        meeting.minutes.filter(confirmed_at__isnull=False)
        .prefetch_related("items", "resolutions")
        .order_by("-version")
        .first()
    )


def may_draft(user: object, meeting: Meeting) -> bool:
    """May make a news draft from `meeting`: an editor of its organisation's news, once its
    minutes are confirmed."""
    return meeting.status == Meeting.Status.CONFIRMED and news_access.can_write_org(
        user, meeting.org
    )


def _absentee_names(meeting: Meeting) -> list[str]:
    """Names of the people on the roster who did not attend (absent, on leave, or never
    signed in), longest first so that a longer name is replaced before a shorter one in it."""
    rows = meeting.attendees.exclude(status__in=ATTENDED).select_related("person")
    names = {r.name.strip() for r in rows if r.name.strip()}
    names |= {r.person.name.strip() for r in rows if r.person is not None and r.person.name.strip()}
    return sorted(names, key=len, reverse=True)


def _scrub(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, SOMEONE)
    return text


def compose(meeting: Meeting, minutes: Minutes) -> tuple[str, str, str]:
    """(title, summary, body) of the news draft of `meeting` (see the module's docstring)."""
    org = meeting.org
    kind_name = KIND_NAMES.get(meeting.kind, "会议")
    topic = meeting.title.strip()
    if topic.startswith(org.name):
        topic = topic[len(org.name) :].strip(" ：:，,")
    title = f"{org.name}召开{topic or kind_name}"[:200]

    rows = list(meeting.attendees.all())
    expected = [r for r in rows if r.counts]
    present = [r for r in expected if r.status in ATTENDED]
    others = [r for r in rows if not r.counts and r.status in ATTENDED]
    figures = f"应到{len(expected)}人，实到{len(present)}人"
    if others:
        figures += f"，另有{len(others)}人列席或参加会议"

    presiders = [p.presider_label for p in meeting.parts.all() if p.presider_label]
    place = meeting.place.strip() or ("线上" if meeting.online_link else "")
    opening = f"{_date(meeting)}，{org.name}"
    opening += f"在{place}" if place else ""
    opening += f"召开{kind_name}"
    if topic and topic != kind_name:
        opening += f"（{topic}）"
    if len(presiders) > 1:
        stages = "两" if len(presiders) == 2 else _numeral(len(presiders))
        opening += "。会议分" + stages + "个阶段进行，分别由"
        opening += "、".join(presiders) + "主持"
    elif presiders:
        opening += f"，{presiders[0]}主持会议"
    opening += f"。会议{figures}。"

    paragraphs = [opening]
    items = list(minutes.items.all())
    if items:
        agenda = "；".join(f"{_numeral(n)}是{it.title}" for n, it in enumerate(items, 1))
        paragraphs.append(f"会议共有{len(items)}项议程：{agenda}。")
        for it in items:
            summary = it.summary.strip()
            if summary:
                paragraphs.append(f"关于{it.title}：{summary}")
    if minutes.summary.strip():
        paragraphs.append(minutes.summary.strip())
    decisions = [r.text.strip() for r in minutes.resolutions.all() if r.text.strip()]
    if decisions:
        listed = "；".join(
            f"{_numeral(n)}是{text.rstrip('。；;.')}" for n, text in enumerate(decisions, 1)
        )
        paragraphs.append(f"会议研究决定：{listed}。")
    paragraphs.append(f"{org.name}将认真抓好会议精神和各项决定的落实。")

    names = _absentee_names(meeting)
    body = _scrub("\n\n".join(paragraphs), names)
    summary = f"{_date(meeting)}，{org.name}召开{kind_name}，{figures}。"
    if decisions:
        summary += f"会议作出{len(decisions)}项决定。"
    return _scrub(title, names), _scrub(summary, names)[:500], body


@transaction.atomic
def draft_from_meeting(actor: Actor, meeting: Meeting) -> NewsItem:
    """The news draft of a meeting with confirmed minutes (made once; asked again, the live
    item is returned). The actor must see the meeting and write its organisation's news."""
    # The lock makes two clicks at once give one draft.
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    locked = Meeting.objects.select_related("org").get(pk=locked.pk)
    if actor is not None:
        if not visible_meetings(actor).filter(pk=locked.pk).exists():
            from django.http import Http404

            raise Http404
        if not news_access.can_write_org(actor, locked.org):
            raise PermissionDenied(_("Your posts do not allow this change."))
    existing = news_queries.current_item_from(locked)
    if existing is not None:
        return existing
    minutes = confirmed_minutes(locked) if locked.status == Meeting.Status.CONFIRMED else None
    if minutes is None:
        raise MeetingError(
            _("A news draft is made from confirmed minutes; confirm the minutes first."),
            code="illegal_state",
        )
    title, summary, body = compose(locked, minutes)
    return news_actions.create_item(
        actor,
        locked.org,
        title=title,
        summary=summary,
        body=body,
        source=locked,
        source_label=locked.title,
        source_url=reverse("meetings-detail", args=[locked.pk]),
    )
