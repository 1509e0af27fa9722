"""To-dos of meetings: minutes and make-ups (`juli.core.todos`).

- **Minutes to write** (the organisation's own secretaries and committee members, a group's
  leader): meetings that ended, were not cancelled and have no confirmed current minutes
  (planned or held).
- **Minutes to confirm** (a presider of the meeting, a secretary of its organisation):
  held meetings whose current draft was handed over for confirmation.
- **Make-ups to do** (the member): their open make-up items.
- **Make-ups to confirm** (as minutes to write): submitted make-ups.

The work-bench asks only the organisation's own officers: an upper organisation, a street
office or the district sees the same meetings on their pages and in the compliance table,
but the writing is not theirs to do.

The group "Meetings" of the work-bench is registered here; the other parts of the app put
their kinds in it too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.todos import Todo, TodoGroup, TodoKind, register, register_group
from juli.orgs.access import scope_of
from juli.orgs.roles import Role

from .models import MakeUp, Meeting, MeetingEvent, Minutes

register_group(TodoGroup("meetings", _("Meetings"), 60))


#: The organisation's own officers, whose work-bench lists its minutes and make-ups.
OWN_ROLES = frozenset(
    {Role.PARTY_SECRETARY, Role.DEPUTY_SECRETARY, Role.COMMITTEE_MEMBER, Role.GROUP_LEADER}
)
OWN_SECRETARY_ROLES = frozenset({Role.PARTY_SECRETARY, Role.DEPUTY_SECRETARY})


def _own_paths(user: Any, roles: frozenset[str]) -> list[str]:
    """The paths of the organisations the user's posts are in (not their subtrees)."""
    return sorted({g.path for g in scope_of(user).grants if g.kind == "org" and g.role in roles})


def own_q(user: Any, field: str, roles: frozenset[str] = OWN_ROLES) -> Q:
    """`field` is the path of an organisation the user is an officer of (a group leader:
    groups only, through the group's own path)."""
    if scope_of(user).superuser:
        return Q()
    return Q(**{f"{field}__in": _own_paths(user, roles)})


def runs_meetings(user: Any) -> bool:
    scope = scope_of(user)
    return scope.superuser or bool(_own_paths(user, OWN_ROLES))


def has_person(user: Any) -> bool:
    return bool(scope_of(user).person_id)


def to_write(user: Any) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(own_q(user, "org_path"))
        .filter(
            status__in=[Meeting.Status.PLANNED, Meeting.Status.HELD],
            ends_at__lt=timezone.now(),
        )
        .order_by("ends_at", "pk")
    )


def to_confirm(user: Any) -> QuerySet[Meeting]:
    scope = scope_of(user)
    who = own_q(user, "org_path", OWN_SECRETARY_ROLES) if not scope.superuser else Q()
    if scope.person_id:
        who |= Q(parts__presider_id=scope.person_id)
    submitted = MeetingEvent.objects.filter(
        meeting=OuterRef("pk"),
        action="submit",
        at__gte=Subquery(
            Minutes.objects.filter(meeting=OuterRef(OuterRef("pk")))
            .order_by("-version")
            .values("created_at")[:1]
        ),
    )
    ids = Meeting.objects.filter(who, status=Meeting.Status.HELD).values("pk")
    return Meeting.objects.filter(pk__in=ids).filter(Exists(submitted)).order_by("ends_at", "pk")


def make_ups_to_do(user: Any) -> QuerySet[MakeUp]:
    person_id = scope_of(user).person_id
    if not person_id:
        return MakeUp.objects.none()
    return MakeUp.objects.filter(person_id=person_id, status=MakeUp.Status.OPEN).order_by(
        "created_at", "pk"
    )


def make_ups_to_confirm(user: Any) -> QuerySet[MakeUp]:
    return (
        MakeUp.objects.filter(own_q(user, "meeting__org_path"))
        .filter(status=MakeUp.Status.SUBMITTED)
        .order_by("submitted_at", "pk")
    )


def _meeting_items(
    qs: Callable[[Any], QuerySet[Meeting]], page: str
) -> Callable[[Any, int, int], list[Todo]]:
    def items(user: Any, limit: int, offset: int) -> list[Todo]:
        rows = qs(user).select_related("org")[offset : offset + limit]
        return [
            Todo(
                title=m.title,
                url=reverse(page, args=[m.pk]),
                subtitle=f"{m.org.name} · {timezone.localtime(m.starts_at):%Y-%m-%d %H:%M}",
                since=m.ends_at,
            )
            for m in rows
        ]

    return items


def _make_up_items(
    qs: Callable[[Any], QuerySet[MakeUp]], since: str
) -> Callable[[Any, int, int], list[Todo]]:
    def items(user: Any, limit: int, offset: int) -> list[Todo]:
        rows = qs(user).select_related("meeting", "meeting__org", "person")[offset : offset + limit]
        return [
            Todo(
                title=f"{m.meeting.title}",
                url=reverse("meetings-makeup", args=[m.pk]),
                subtitle=f"{m.person.name} · {timezone.localtime(m.meeting.starts_at):%Y-%m-%d}",
                since=getattr(m, since),
            )
            for m in rows
        ]

    return items


def _makeups_url(user: Any) -> str:
    return reverse("meetings-makeups")


register(
    TodoKind(
        "meetings.minutes_write",
        _("Minutes to write"),
        "meetings",
        count=lambda user: to_write(user).count(),
        items=_meeting_items(to_write, "meetings-minutes"),
        visible=runs_meetings,
        order=30,
    ),
    TodoKind(
        "meetings.minutes_confirm",
        _("Minutes to confirm"),
        "meetings",
        count=lambda user: to_confirm(user).count(),
        items=_meeting_items(to_confirm, "meetings-minutes"),
        visible=has_person,
        order=31,
    ),
    TodoKind(
        "meetings.makeups_do",
        _("Make-ups to do"),
        "meetings",
        count=lambda user: make_ups_to_do(user).count(),
        items=_make_up_items(make_ups_to_do, "created_at"),
        url=_makeups_url,
        visible=has_person,
        order=40,
    ),
    TodoKind(
        "meetings.makeups_confirm",
        _("Make-ups to confirm"),
        "meetings",
        count=lambda user: make_ups_to_confirm(user).count(),
        items=_make_up_items(make_ups_to_confirm, "submitted_at"),
        url=_makeups_url,
        visible=runs_meetings,
        order=41,
    ),
)
