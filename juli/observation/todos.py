"""What waits for people in observation visits (`juli.core.todos`), in the work-bench group
观摩 (observation):

- **Visits to score** (a visiting branch's secretaries and committee members): visits of
  their branches whose day has come, scoring still open, no sheet of theirs yet.
- **Rectification items to close** (the host's officers, and the item's owner): open items,
  earliest deadline first, overdue marked.
- **Visits to finish** (the organiser): visits whose day has passed and whose scoring is not
  finished, and scored visits awaiting feedback.
- **Overdue rectification items** (the organiser): open items past their deadline.
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

from .access import HOST_ROLES, RUN_ROLES, SCORER_ROLES
from .models import ObservationVisit, Rectification, ScoreSheet

register_group(TodoGroup("observation", _("Observation visits"), 65))

V = ObservationVisit.Status


def _own(user: Any, roles: frozenset[str]) -> list[str]:
    return sorted({g.path for g in scope_of(user).grants if g.kind == "org" and g.role in roles})


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def scores_visits(user: Any) -> bool:
    return bool(_own(user, SCORER_ROLES))


def hosts_items(user: Any) -> bool:
    scope = scope_of(user)
    return bool(scope.person_id) or bool(_own(user, HOST_ROLES))


def runs(user: Any) -> bool:
    scope = scope_of(user)
    return scope.superuser or bool(scope.paths("org", RUN_ROLES))


def to_score(user: Any) -> QuerySet[ObservationVisit]:
    paths = _own(user, SCORER_ROLES)
    if not paths or not user.is_authenticated:
        return ObservationVisit.objects.none()
    mine = ScoreSheet.objects.filter(visit=OuterRef("pk"), scorer_id=user.pk)
    ids = ObservationVisit.objects.filter(guests__org_path__in=paths).values("pk")
    return (
        ObservationVisit.objects.filter(
            pk__in=ids,
            status__in=[V.PLANNED, V.HELD],
            scheduled_on__lte=timezone.localdate(),
        )
        .exclude(Exists(mine))
        .order_by("scheduled_on", "pk")
    )


def to_close(user: Any) -> QuerySet[Rectification]:
    scope = scope_of(user)
    q = Q(host_path__in=_own(user, HOST_ROLES))
    if scope.person_id:
        q |= Q(owner_id=scope.person_id)
    return Rectification.objects.filter(q, status=Rectification.Status.OPEN).order_by(
        "deadline", "pk"
    )


def _run_q(user: Any, field: str) -> Q:
    scope = scope_of(user)
    return Q() if scope.superuser else prefix_q(field, scope.paths("org", RUN_ROLES))


def to_finish(user: Any) -> QuerySet[ObservationVisit]:
    today = timezone.localdate()
    waiting = Q(status__in=[V.PLANNED, V.HELD], scheduled_on__lt=today) | Q(status=V.SCORED)
    return ObservationVisit.objects.filter(_run_q(user, "cycle__org_path"), waiting).order_by(
        "scheduled_on", "pk"
    )


def overdue(user: Any) -> QuerySet[Rectification]:
    return Rectification.objects.filter(
        _run_q(user, "visit__cycle__org_path"),
        status=Rectification.Status.OPEN,
        deadline__lt=timezone.localdate(),
    ).order_by("deadline", "pk")


def _visit_items(qs: Any, page: str) -> Any:
    def items(user: Any, limit: int, offset: int) -> list[Todo]:
        rows = qs(user).select_related("host", "cycle")[offset : offset + limit]
        return [
            Todo(
                title=v.host.name,
                url=reverse(page, args=[v.pk]),
                subtitle=f"{v.cycle.title} · {v.scheduled_on:%Y-%m-%d} · {v.get_status_display()}",
                since=_midnight(v.scheduled_on),
            )
            for v in rows
        ]

    return items


def _rect_items(qs: Any) -> Any:
    def items(user: Any, limit: int, offset: int) -> list[Todo]:
        today = timezone.localdate()
        rows = qs(user).select_related("host", "owner")[offset : offset + limit]
        return [
            Todo(
                title=r.title,
                url=reverse("observation-rectification", args=[r.pk]),
                subtitle=f"{r.host.name} · {r.owner.name}",
                due=_midnight(r.deadline + datetime.timedelta(days=1)),
                overdue=r.deadline < today,
            )
            for r in rows
        ]

    return items


register(
    TodoKind(
        "observation.score",
        _("Visits to score"),
        "observation",
        count=lambda u: to_score(u).count(),
        items=_visit_items(to_score, "observation-field-score"),
        url=lambda u: reverse("observation-field-home"),
        visible=scores_visits,
        order=10,
    ),
    TodoKind(
        "observation.rectify",
        _("Rectification items to close"),
        "observation",
        count=lambda u: to_close(u).count(),
        items=_rect_items(to_close),
        visible=hosts_items,
        order=20,
    ),
    TodoKind(
        "observation.finish",
        _("Visits to finish"),
        "observation",
        count=lambda u: to_finish(u).count(),
        items=_visit_items(to_finish, "observation-visit"),
        url=lambda u: reverse("observation-cycles"),
        visible=runs,
        order=30,
    ),
    TodoKind(
        "observation.overdue",
        _("Overdue rectification items"),
        "observation",
        count=lambda u: overdue(u).count(),
        items=_rect_items(overdue),
        visible=runs,
        order=40,
    ),
)
