"""To-dos of the organiser side of branch rating (`juli.core.todos`).

- **Assessments to review** (a reviewer: a run role over the branch and no tie to it,
  `access.reviewable_assessments`): submitted self-assessments of open rounds.
- **Objections to answer** (the round's runners): open objections of rounds on notice.
- **Rounds to publish** (the round's runners): rounds on notice whose notice has ended.

The group "Branch rating" is registered here (the branch side puts its kinds in it too:
`TodoGroup` equality makes a second identical registration harmless).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.todos import Todo, TodoGroup, TodoKind, register, register_group
from juli.orgs.access import prefix_q, scope_of

from .access import RUN_ROLES, reviewable_assessments, runs_rounds
from .models import Assessment, Objection, RatingRound

RATING_GROUP = TodoGroup("rating", _("Branch rating"), 62)
register_group(RATING_GROUP)


def to_review(user: Any) -> QuerySet[Assessment]:
    return reviewable_assessments(user).filter(
        status=Assessment.Status.SUBMITTED, round__status=RatingRound.Status.OPEN
    )


def _run_q(user: Any, field: str) -> Any:
    scope = scope_of(user)
    if scope.superuser:
        return None
    return prefix_q(field, scope.paths("org", RUN_ROLES))


def objections_to_answer(user: Any) -> QuerySet[Objection]:
    qs = Objection.objects.filter(status=Objection.Status.OPEN)
    q = _run_q(user, "assessment__round__org_path")
    return qs if q is None else qs.filter(q)


def rounds_to_publish(user: Any, today: Any = None) -> QuerySet[RatingRound]:
    today = today or timezone.localdate()
    qs = RatingRound.objects.filter(status=RatingRound.Status.PUBLICITY, publicity_ends__lt=today)
    q = _run_q(user, "org_path")
    return qs if q is None else qs.filter(q)


def _review_items(user: Any, limit: int, offset: int) -> list[Todo]:
    rows = to_review(user).order_by("submitted_at", "pk")[offset : offset + limit]
    return [
        Todo(
            title=a.org.name,
            url=reverse("rating-review", args=[a.pk]),
            subtitle=a.round.title,
            since=a.submitted_at,
        )
        for a in rows
    ]


def _objection_items(user: Any, limit: int, offset: int) -> list[Todo]:
    rows = objections_to_answer(user).select_related("assessment__org", "assessment__round")
    return [
        Todo(
            title=f"{o.assessment.org.name}: {o.text[:40]}",
            url=reverse("rating-publicity", args=[o.assessment.round_id]),
            subtitle=o.assessment.round.title,
            since=o.raised_at,
        )
        for o in rows.order_by("raised_at", "pk")[offset : offset + limit]
    ]


def _publish_items(user: Any, limit: int, offset: int) -> list[Todo]:
    rows = rounds_to_publish(user).select_related("org").order_by("publicity_ends", "pk")
    return [
        Todo(
            title=r.title,
            url=reverse("rating-round", args=[r.pk]),
            subtitle=r.org.name,
        )
        for r in rows[offset : offset + limit]
    ]


register(
    TodoKind(
        "rating.review",
        _("Self-assessments to review"),
        "rating",
        count=lambda user: to_review(user).count(),
        items=_review_items,
        visible=runs_rounds,
        order=20,
    ),
    TodoKind(
        "rating.objections",
        _("Objections to answer"),
        "rating",
        count=lambda user: objections_to_answer(user).count(),
        items=_objection_items,
        visible=runs_rounds,
        order=21,
    ),
    TodoKind(
        "rating.publish",
        _("Rating rounds to publish"),
        "rating",
        count=lambda user: rounds_to_publish(user).count(),
        items=_publish_items,
        visible=runs_rounds,
        order=22,
    ),
)
