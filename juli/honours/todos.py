"""What waits for people in honours (`juli.core.todos`):

- `honours.nominate`: open calls (before their deadline) where one of the user's
  organisations may nominate and has not nominated yet;
- `honours.review`: nominations waiting for a decision, for the calls' runners;
- `honours.finish`: calls to close, confer or publish, for their runners (a call whose
  deadline passed, or one under review with every nomination decided, or one conferred).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.todos import Todo, TodoGroup, TodoKind, register, register_group
from juli.orgs.access import prefix_q, scope_of

from .access import RUN_ROLES, nominates_anywhere
from .models import HonourCall, Nomination

register_group(TodoGroup("honours", _("Honours"), 75))


def _day_end(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))


def to_nominate(user: Any) -> QuerySet[HonourCall]:
    """Open calls the user's organisations may nominate in and have not nominated in."""
    scope = scope_of(user)
    own = [g.path for g in scope.grants if g.kind == "org" and g.role in RUN_ROLES]
    qs = HonourCall.objects.select_related("kind").filter(
        status=HonourCall.Status.NOMINATING, nominate_until__gte=timezone.localdate()
    )
    if not scope.superuser:
        # The user's own organisation lies in the conferring subtree (or the kind lists it).
        inside = Q(pk__in=[])
        for p in own:
            inside |= Q(org_path__in=[p[:n] for n in range(4, len(p) + 1, 4)])
        qs = qs.filter(inside)
    done = Nomination.objects.filter(call=OuterRef("pk"), nominator__path__in=own).exclude(
        status=Nomination.Status.WITHDRAWN
    )
    listed = Q(kind__nominators__isnull=True) | Q(kind__nominators__path__in=own)
    return qs.filter(listed).filter(~Exists(done)).distinct().order_by("nominate_until", "pk")


def _call_todo(call: HonourCall, subtitle: str = "") -> Todo:
    due = _day_end(call.nominate_until)
    return Todo(
        title=f"{call.year} {call.kind.name}",
        url=reverse("honours-call", args=[call.pk]),
        subtitle=subtitle,
        due=due if call.status == HonourCall.Status.NOMINATING else None,
        overdue=False,
    )


def to_review(user: Any) -> QuerySet[Nomination]:
    scope = scope_of(user)
    qs = Nomination.objects.select_related("call", "call__kind").filter(
        status=Nomination.Status.NOMINATED,
        call__status__in=[HonourCall.Status.NOMINATING, HonourCall.Status.REVIEWING],
    )
    if not scope.superuser:
        qs = qs.filter(prefix_q("call__org_path", scope.paths("org", RUN_ROLES)))
    return qs.order_by("call__nominate_until", "pk")


def to_finish(user: Any) -> QuerySet[HonourCall]:
    scope = scope_of(user)
    pending = Nomination.objects.filter(call=OuterRef("pk"), status=Nomination.Status.NOMINATED)
    qs = HonourCall.objects.select_related("kind").filter(
        Q(status=HonourCall.Status.NOMINATING, nominate_until__lt=timezone.localdate())
        | (Q(status=HonourCall.Status.REVIEWING) & ~Exists(pending))
        | Q(status=HonourCall.Status.CONFERRED)
    )
    if not scope.superuser:
        qs = qs.filter(prefix_q("org_path", scope.paths("org", RUN_ROLES)))
    return qs.order_by("year", "pk")


register(
    TodoKind(
        key="honours.nominate",
        label=_("Honours to nominate for"),
        group="honours",
        count=lambda user: to_nominate(user).count(),
        items=lambda user, limit, offset: [
            _call_todo(c, str(_("Nominate by the deadline")))
            for c in to_nominate(user)[offset : offset + limit]
        ],
        url=lambda user: reverse("honours-kinds"),
        visible=nominates_anywhere,
        order=10,
    ),
    TodoKind(
        key="honours.review",
        label=_("Nominations to review"),
        group="honours",
        count=lambda user: to_review(user).count(),
        items=lambda user, limit, offset: [
            Todo(
                title=n.nominee_name,
                url=reverse("honours-call", args=[n.call_id]),
                subtitle=f"{n.call.year} {n.call.kind.name}",
                since=n.created_at,
            )
            for n in to_review(user)[offset : offset + limit]
        ],
        url="",
        visible=nominates_anywhere,
        order=20,
    ),
    TodoKind(
        key="honours.finish",
        label=_("Honour calls to close, confer or publish"),
        group="honours",
        count=lambda user: to_finish(user).count(),
        items=lambda user, limit, offset: [
            _call_todo(c, str(c.get_status_display()))
            for c in to_finish(user)[offset : offset + limit]
        ],
        url=lambda user: reverse("honours-kinds"),
        visible=nominates_anywhere,
        order=30,
    ),
)
