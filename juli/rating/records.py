"""A rating criterion takes records as evidence (`juli.core.records`): the consumer is the
branch's row of a judged criterion (`CriterionScore`). A record's page lists it as
"the round · the branch · the criterion".

The purpose of a row's evidence is its branch and the round's period: the branch's own
organisation subtree (meetings, …) and, when the branch is attached to an area, that area's
subtree (closed cases, inspections, …), dated inside the round's period. Found by core's lazy
autodiscovery (and imported by the self-assessment actions).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from juli.core.records import ConsumerKind, Purpose, register_consumer

from .access import visible_assessments
from .models import Assessment, CriterionScore

CONSUMER = "rating.criterionscore"


def purpose_of(assessment: Assessment) -> Purpose:
    """What the evidence of an assessment's rows is for: its branch, the round's period."""
    org = assessment.org
    area = getattr(org, "area", None)
    return Purpose(
        org_path=assessment.org_path,
        area_path=area.path if area is not None else "",
        since=assessment.round.period_start,
        until=assessment.round.period_end,
        consumer=CONSUMER,
    )


def visible_scores(user: Any) -> QuerySet[CriterionScore]:
    """Rows of the assessments `user` sees, with what `describe` reads (one query)."""
    return CriterionScore.objects.filter(
        assessment__in=visible_assessments(user).values("pk")
    ).select_related("criterion", "assessment__round", "assessment__org")


def describe(score: CriterionScore) -> str:
    a = score.assessment
    return f"{a.round.title} · {a.org.name} · {score.criterion.title}"


register_consumer(
    ConsumerKind(
        key=CONSUMER,
        label=_("Branch star rating"),
        describe=describe,
        url=lambda score: reverse("rating-assessment", args=[score.assessment_id]),
        visible=visible_scores,
    )
)
