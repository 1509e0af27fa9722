"""To-dos of meetings: sign-in (`juli.core.todos`).

- **Meetings today** (the attendee): today's meetings, not over yet, where the person is on
  the roster and has neither signed in nor taken leave. The item opens the phone's list of
  my meetings (sign in, or ask for leave).

The group "Meetings" is registered by `todos_minutes` (imported first by `todos.py`).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.todos import Todo, TodoKind, register
from juli.orgs.access import scope_of

from .models import Attendee, Meeting


def has_person(user: Any) -> bool:
    return bool(scope_of(user).person_id)


def today_rows(user: Any) -> QuerySet[Attendee]:
    person_id = scope_of(user).person_id
    if not person_id:
        return Attendee.objects.none()
    now = timezone.now()
    day_end = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=1), datetime.time()
        )
    )
    return (
        Attendee.objects.filter(
            person_id=person_id,
            status=Attendee.Status.EXPECTED,
            meeting__status__in=[Meeting.Status.PLANNED, Meeting.Status.HELD],
            meeting__ends_at__gte=now,
            meeting__starts_at__lt=day_end,
        )
        .select_related("meeting", "meeting__org")
        .order_by("meeting__starts_at", "pk")
    )


def _items(user: Any, limit: int, offset: int) -> list[Todo]:
    url = reverse("meetings-field-home")
    return [
        Todo(
            row.meeting.title,
            url,
            subtitle=f"{row.meeting.org.name} · {row.meeting.place or row.meeting.online_link}",
            due=row.meeting.starts_at,
        )
        for row in today_rows(user)[offset : offset + limit]
    ]


register(
    TodoKind(
        "meetings.today",
        _("Meetings today"),
        "meetings",
        count=lambda user: today_rows(user).count(),
        items=_items,
        url=lambda user: reverse("meetings-field-home"),
        visible=has_person,
        order=5,
    )
)
