"""The record of a meeting as one set of figures, and as an A4 PDF (会议记录).

`record_context(meeting, minutes)` gathers everything the record shows: the parts with their
presiders, the recorder, the attendance counts (应到 / 实到 / 请假 / 缺席, counted over the
rows that count: the organisation's own members) and the names by category, the absences
with their reasons, the agenda with each item's summary and speakers, the numbered
decisions, the make-up items, and the version line. The meeting page's card and the PDF
both read it, so they never disagree.

The PDF is a Chinese document (like the bulletins' PDF): its headings are the document's
own text, not translated labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from juli.core.pdf import render_pdf

from .models import Attendee, MakeUp, Meeting, MeetingDocument, MeetingKind, Minutes

#: The kinds as the document prints them (the PDF is Chinese whatever the reader's language).
KIND_NAMES: dict[str, str] = {
    MeetingKind.BRANCH_ASSEMBLY: "支部党员大会",
    MeetingKind.BRANCH_COMMITTEE: "支部委员会",
    MeetingKind.GROUP_MEETING: "党小组会",
    MeetingKind.PARTY_LECTURE: "党课",
    MeetingKind.THEME_DAY: "主题党日",
    MeetingKind.ORG_LIFE: "组织生活会",
    MeetingKind.APPRAISAL: "民主评议党员",
    MeetingKind.WORK_CONFERENCE: "工作会议",
    MeetingKind.PLENARY: "全体会议",
    MeetingKind.OTHER: "其他会议",
}

CATEGORY_NAMES = {
    Attendee.Category.ATTEND: "出席",
    Attendee.Category.SIT_IN: "列席",
    Attendee.Category.TAKE_PART: "参加",
}
STATUS_NAMES = {
    Attendee.Status.EXPECTED: "未签到",
    Attendee.Status.PRESENT: "到会",
    Attendee.Status.LATE: "迟到",
    Attendee.Status.LEAVE: "请假",
    Attendee.Status.ABSENT: "缺席",
}
MAKE_UP_STATUS_NAMES = {
    MakeUp.Status.OPEN: "未补课",
    MakeUp.Status.SUBMITTED: "已补课，待确认",
    MakeUp.Status.CONFIRMED: "已补课",
}
MAKE_UP_WAY_NAMES = {
    MakeUp.Way.READ: "自学会议材料",
    MakeUp.Way.NOTE: "提交心得",
    MakeUp.Way.SESSION: "参加补课",
}


@dataclass
class Counts:
    """Attendance over the rows that count (the organisation's members)."""

    expected: int = 0  # 应到
    present: int = 0  # 实到 (present or late)
    late: int = 0
    leave: int = 0  # 请假
    absent: int = 0  # 缺席 (absent, or never signed in)

    @property
    def rate(self) -> int:
        """实到率 in whole percent (0 with nobody expected)."""
        return round(100 * self.present / self.expected) if self.expected else 0


@dataclass
class CategoryRow:
    key: str
    zh: str
    label: Any
    present: list[str] = field(default_factory=list)
    away: list[str] = field(default_factory=list)


def attendance(meeting: Meeting) -> tuple[Counts, list[CategoryRow], list[dict[str, Any]]]:
    """(counts, names by category, absences with reasons) from the roster, in one query."""
    counts = Counts()
    rows = {c: CategoryRow(c.value, CATEGORY_NAMES[c], c.label) for c in Attendee.Category}
    absences: list[dict[str, Any]] = []
    for a in meeting.attendees.all().order_by("category", "source", "id"):
        label = f"{a.name}（{a.affiliation}）" if a.affiliation else a.name
        row = rows[Attendee.Category(a.category)]
        if a.attended:
            row.present.append(label + ("（迟到）" if a.status == Attendee.Status.LATE else ""))
        else:
            row.away.append(label)
        if a.status in (Attendee.Status.LEAVE, Attendee.Status.ABSENT, Attendee.Status.EXPECTED):
            absences.append(
                {
                    "name": label,
                    "status": a.status,
                    "status_zh": "请假" if a.status == Attendee.Status.LEAVE else "缺席",
                    "reason": a.leave_reason,
                    "counts": a.counts,
                }
            )
        if not a.counts:
            continue
        counts.expected += 1
        if a.attended:
            counts.present += 1
            counts.late += a.status == Attendee.Status.LATE
        elif a.status == Attendee.Status.LEAVE:
            counts.leave += 1
        else:
            counts.absent += 1
    return counts, [r for r in rows.values() if r.present or r.away], absences


def make_ups(meeting: Meeting) -> list[MakeUp]:
    return list(
        meeting.make_ups.select_related("person", "attendee").order_by("person__name", "pk")
    )


def person_name(user: Any) -> str:
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


def confirmation_line(meeting: Meeting, minutes: Minutes | None) -> str:
    """ "经主持人 X 于 2026-03-05 16:20 确认" (a secretary: "经 X 于 … 确认"), or the draft's."""
    if minutes is None:
        return "记录尚未开始"
    if minutes.confirmed_at is None:
        return f"第 {minutes.version} 版 · 草稿（未确认）"
    who = person_name(minutes.confirmed_by)
    presiders = {p.presider_id for p in meeting.parts.all() if p.presider_id}
    person_id = getattr(minutes.confirmed_by, "person_id", None)
    role = "主持人 " if person_id and person_id in presiders else ""
    when = timezone.localtime(minutes.confirmed_at).strftime("%Y-%m-%d %H:%M")
    return f"第 {minutes.version} 版 · 经{role}{who} 于 {when} 确认"


def record_context(meeting: Meeting, minutes: Minutes | None) -> dict[str, Any]:
    """Everything the record shows (the card, the PDF)."""
    counts, categories, absences = attendance(meeting)
    items = list(minutes.items.all().order_by("order", "pk")) if minutes else []
    resolutions = (
        list(minutes.resolutions.select_related("owner", "item").order_by("number"))
        if minutes
        else []
    )
    parts = list(meeting.parts.select_related("presider").order_by("order", "pk"))
    return {
        "meeting": meeting,
        "minutes": minutes,
        "parts": parts,
        "presiders": [p.presider_label for p in parts if p.presider_label],
        "recorder": (minutes.recorder if minutes and minutes.recorder else meeting.recorder),
        "counts": counts,
        "categories": categories,
        "absences": absences,
        "items": items,
        "resolutions": resolutions,
        "make_ups": make_ups(meeting),
        "make_up_status_names": MAKE_UP_STATUS_NAMES,
        "make_up_way_names": MAKE_UP_WAY_NAMES,
        "attachments": list(
            meeting.documents.filter(role=MeetingDocument.Role.MINUTES).order_by("pk")
        ),
        "confirmation": confirmation_line(meeting, minutes),
    }


def minutes_pdf(meeting: Meeting, minutes: Minutes | None) -> bytes:
    """The A4 PDF of the record of `minutes` (a version; the current one on the page)."""
    context = record_context(meeting, minutes)
    context["kind_zh"] = KIND_NAMES.get(meeting.kind, meeting.kind)
    for m in context["make_ups"]:
        m.status_zh = MAKE_UP_STATUS_NAMES.get(m.status, m.status)
        m.way_zh = MAKE_UP_WAY_NAMES.get(m.way, m.way) if m.status != MakeUp.Status.OPEN else ""
        m.away_zh = STATUS_NAMES.get(m.attendee.status, "")
    return render_pdf(
        "pdf/meetings_minutes.html",
        context,
        issuer=meeting.org.name,
        title=f"{meeting.title} 会议记录",
    )
