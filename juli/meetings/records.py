"""Meetings as evidence (`juli.core.records`): a meeting whose minutes are confirmed can be
linked by a letter's item (later a rating criterion) in one click; the meeting's page lists
what it serves (`{% evidence_uses meeting %}`).

Candidates are the confirmed meetings the user sees, of the purpose's year and window (the
meeting's start, local day), inside the purpose's organisation subtree. Found by core's lazy
autodiscovery; nothing imports this module.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.records import Purpose, RecordKind, register_kind

from .access import visible_meetings
from .models import Meeting


def _bound(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), timezone.get_current_timezone())


def confirmed_meetings(user: Any, purpose: Purpose) -> QuerySet[Meeting]:
    """Meetings with confirmed minutes that `user` sees, narrowed by the purpose."""
    qs = visible_meetings(user).filter(status=Meeting.Status.CONFIRMED)
    if purpose.year is not None:
        qs = qs.filter(
            starts_at__gte=_bound(datetime.date(purpose.year, 1, 1)),
            starts_at__lt=_bound(datetime.date(purpose.year + 1, 1, 1)),
        )
    if purpose.since is not None:
        qs = qs.filter(starts_at__gte=_bound(purpose.since))
    if purpose.until is not None:
        qs = qs.filter(starts_at__lt=_bound(purpose.until + datetime.timedelta(days=1)))
    if purpose.org_path:
        qs = qs.filter(org_path__startswith=purpose.org_path)
    return qs.order_by("-starts_at", "-pk")


def describe(meeting: Meeting) -> str:
    day = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d")
    return f"{day} {meeting.org.name} {meeting.title}"


register_kind(
    RecordKind(
        key="meetings.meeting",
        label=_("Meeting record"),
        candidates=confirmed_meetings,
        describe=describe,
        date=lambda m: timezone.localdate(m.starts_at),
        url=lambda m: reverse("meetings-detail", args=[m.pk]),
        select_related=("org",),
    )
)
