"""Read side of the meetings desk: the filtered list (upcoming, then past), a meeting's page
(roster by category, history), "my meetings" and the feed's meetings.

Every query starts from `access.visible_meetings` or `access.my_meetings`.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from juli.core.models import AuditLog
from juli.orgs.access import prefix_q, scope_of
from juli.orgs.models import PartyOrg

from .access import my_meetings, visible_meetings
from .models import AgendaItem, Attendee, Meeting, MeetingPart

#: Rows shown per list section (the filters narrow further).
LIST_LIMIT = 100


@dataclass
class MeetingList:
    upcoming: Sequence[Meeting]
    past: Sequence[Meeting]
    counts: dict[str, int]
    total: int


def filter_orgs(user: Any) -> QuerySet[PartyOrg]:
    """The organisations the list can be narrowed to: those the user's grants cover."""
    scope = scope_of(user)
    qs = PartyOrg.objects.order_by("path")
    if scope.superuser:
        return qs
    return qs.filter(prefix_q("path", scope.paths("org")))


def filtered(
    user: Any,
    *,
    org: PartyOrg | None = None,
    kind: str = "",
    status: str = "",
    month: tuple[int, int] | None = None,
) -> QuerySet[Meeting]:
    """The user's visible meetings narrowed by an organisation's subtree, kind, status and
    month (year, month; month 0 = the whole year)."""
    qs = visible_meetings(user)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if month is not None:
        year, m = month
        start = datetime.date(year, m or 1, 1)
        end = datetime.date(year + 1, 1, 1) if m in (0, 12) else datetime.date(year, m + 1, 1)
        tz = timezone.get_current_timezone()
        qs = qs.filter(
            starts_at__gte=datetime.datetime.combine(start, datetime.time(), tz),
            starts_at__lt=datetime.datetime.combine(end, datetime.time(), tz),
        )
    return qs


def meeting_list(
    user: Any, qs: QuerySet[Meeting], *, now: datetime.datetime | None = None
) -> MeetingList:
    """Upcoming (not ended yet, soonest first) and past (latest first) meetings of `qs`, each
    with its roster size; counts by status. Four queries whatever the number of rows."""
    now = now or timezone.now()
    rows = qs.annotate(roster=Count("attendees")).select_related("org", "series")
    upcoming = list(rows.filter(ends_at__gte=now).order_by("starts_at", "pk")[:LIST_LIMIT])
    past = list(rows.filter(ends_at__lt=now).order_by("-starts_at", "-pk")[:LIST_LIMIT])
    counts = dict(
        qs.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return MeetingList(upcoming, past, counts, sum(counts.values()))


@dataclass
class RosterGroup:
    category: str
    label: Any
    rows: list[Attendee]
    by_status: dict[str, int] = field(default_factory=dict)


def roster(meeting: Meeting) -> list[RosterGroup]:
    """The roster by category (出席, 列席, 参加), each with counts by attendance status; only
    the categories that have someone. One query."""
    rows = list(meeting.attendees.order_by("category", "source", "name", "pk"))
    groups = []
    for value, label in Attendee.Category.choices:
        mine = [r for r in rows if r.category == value]
        if mine:
            groups.append(RosterGroup(value, label, mine, dict(Counter(r.status for r in mine))))
    return groups


def parts_of(meeting: Meeting) -> list[MeetingPart]:
    """The parts with their presiders and agenda (two queries)."""
    agenda = AgendaItem.objects.order_by("order", "pk")
    return list(
        meeting.parts.select_related("presider").prefetch_related(
            Prefetch("agenda", queryset=agenda)
        )
    )


#: How the history names the event log's actions and the audit verbs.
HISTORY_LABELS = {
    "meeting.plan": gettext_lazy("Planned"),
    "meeting.update": gettext_lazy("Changed"),
    "update": gettext_lazy("Changed"),
    "meeting.cancel": gettext_lazy("Cancelled"),
    "cancel": gettext_lazy("Cancelled"),
    "meeting.invite": gettext_lazy("Invited"),
    "meeting.uninvite": gettext_lazy("Removed from the roster"),
    "meeting.document_add": gettext_lazy("Document attached"),
    "meeting.document_remove": gettext_lazy("Document removed"),
    "hold": gettext_lazy("Held"),
    "confirm": gettext_lazy("Minutes confirmed"),
    "revise": gettext_lazy("Minutes reopened"),
}


@dataclass
class HistoryLine:
    at: datetime.datetime
    who: str
    what: str
    note: str


def history(meeting: Meeting) -> list[HistoryLine]:
    """The meeting's event log and its audit rows, oldest first (two queries)."""
    lines = [
        HistoryLine(
            e.at,
            e.actor.get_username() if e.actor else "",
            str(HISTORY_LABELS.get(e.action, e.action)),
            e.note,
        )
        for e in meeting.events.select_related("actor")
        # the plan's own writes are in the audit rows, with more detail
        if e.action not in ("update", "cancel")
    ]
    audit = AuditLog.objects.filter(object_type="meetings.meeting", object_id=str(meeting.pk))
    for row in audit.order_by("at", "pk"):
        label = str(HISTORY_LABELS.get(row.verb, row.verb))
        lines.append(HistoryLine(row.at, row.actor_label, label, row.note))
    return sorted(lines, key=lambda line: line.at)


def my_rows(
    user: Any, *, now: datetime.datetime | None = None
) -> tuple[list[Attendee], list[Attendee]]:
    """The user's roster rows: (upcoming soonest first, past latest first, 100 at most)."""
    person_id = scope_of(user).person_id
    if not person_id:
        return [], []
    now = now or timezone.now()
    rows = Attendee.objects.filter(person_id=person_id).select_related("meeting__org")
    upcoming = list(
        rows.filter(meeting__ends_at__gte=now)
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .order_by("meeting__starts_at", "pk")[:LIST_LIMIT]
    )
    past = list(
        rows.filter(
            Q(meeting__ends_at__lt=now) | Q(meeting__status=Meeting.Status.CANCELLED)
        ).order_by("-meeting__starts_at", "-pk")[:LIST_LIMIT]
    )
    return upcoming, past


#: How far back and ahead a calendar feed reaches.
FEED_PAST_DAYS = 400
FEED_LIMIT = 500


def feed_meetings(user: Any, *, now: datetime.datetime | None = None) -> list[Meeting]:
    """The meetings of a feed: exactly those the user's person is on the roster of (no scope
    grants: a secretary's feed is their own calendar, not the branch's), of the last ~13
    months and the future, cancelled ones included (marked so, so calendars drop them)."""
    now = now or timezone.now()
    agenda = AgendaItem.objects.order_by("order", "pk")
    return list(
        my_meetings(user)
        .filter(starts_at__gte=now - datetime.timedelta(days=FEED_PAST_DAYS))
        .prefetch_related(Prefetch("agenda", queryset=agenda))
        .order_by("starts_at", "pk")[:FEED_LIMIT]
    )
