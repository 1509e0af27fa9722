"""To-dos of the branch side (`juli.core.todos`): **self-assessments to fill** for the
branch's own officers (`access.SELF_ROLES` with a post in the branch itself): assessments
still a draft or returned to the branch, in rounds that are open, due on the round's
`self_due`. The group "Branch rating" is registered here; the review side puts its kinds
in it too.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.todos import Todo, TodoGroup, TodoKind, register, register_group
from juli.orgs.access import scope_of

from .access import SELF_ROLES, self_assessments
from .models import Assessment, RatingRound

register_group(TodoGroup("rating", _("Branch rating"), 62))  # as todos_review.py: equal, harmless


def fills_self(user: Any) -> bool:
    scope = scope_of(user)
    return scope.superuser or any(g.kind == "org" and g.role in SELF_ROLES for g in scope.grants)


def to_fill(user: Any) -> QuerySet[Assessment]:
    return (
        self_assessments(user)
        .filter(
            status__in=[Assessment.Status.DRAFT, Assessment.Status.RETURNED],
            round__status=RatingRound.Status.OPEN,
        )
        .order_by("round__self_due", "org_path", "pk")
    )


def _due(day: datetime.date) -> datetime.datetime:
    end = datetime.datetime.combine(day, datetime.time(23, 59))
    return timezone.make_aware(end, timezone.get_current_timezone())


def _items(user: Any, limit: int, offset: int) -> list[Todo]:
    now = timezone.now()
    out = []
    for a in to_fill(user).select_related("round", "org")[offset : offset + limit]:
        due = _due(a.round.self_due)
        out.append(
            Todo(
                title=a.round.title,
                url=reverse("rating-assessment", args=[a.pk]),
                subtitle=f"{a.org.name} · {a.get_status_display()}",
                since=a.round.created_at,
                due=due,
                overdue=due < now,
            )
        )
    return out


register(
    TodoKind(
        "rating.self_fill",
        _("Self-assessments to fill"),
        "rating",
        count=lambda user: to_fill(user).count(),
        items=_items,
        url=lambda user: reverse("rating-my"),
        visible=fills_self,
        order=10,
    )
)
