"""Writes of rating rounds and assessments.

`open_round` creates one assessment per active branch under the organisation, each opened
pre-filled: a `CriterionScore` row per criterion, the computed ones measured at once
(`scoring.measure`), the judged ones with the branch's records of the period pre-linked
(`selfassess.opened`, which also tells the branches). The standard is frozen by its first round.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from juli.core.audit import record, snapshot
from juli.core.types import Actor
from juli.core.writes import require, user_of
from juli.orgs.models import PartyOrg
from juli.orgs.queries import branches_under

from .. import scoring
from ..access import can_write_standards
from ..models import Assessment, CriterionScore, RatingRound, RatingStandard
from .standards import freeze

ROUND_FIELDS = ["title", "year", "period_start", "period_end", "self_due", "publicity_days"]


class RoundError(ValidationError):
    """A refused round write; the `code` is kept with a {field: message} dict too (the API
    answers it)."""

    def __init__(self, message: Any, code: str | None = None, params: Any = None) -> None:
        super().__init__(message, code, params)
        self.code = code


@transaction.atomic
def open_round(
    actor: Actor,
    org: PartyOrg,
    standard: RatingStandard,
    *,
    year: int,
    title: str = "",
    self_due: datetime.date,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    publicity_days: int = 5,
) -> RatingRound:
    require(actor, can_write_standards(actor, org))
    if not standard.org_path or not org.path.startswith(standard.org_path):
        raise RoundError(
            {"standard": _("Choose a standard issued by this organisation or above it.")},
            code="foreign_standard",
        )
    period_start = period_start or datetime.date(year, 1, 1)
    period_end = period_end or datetime.date(year, 12, 31)
    if period_end < period_start:
        raise RoundError({"period_end": _("The period ends before it starts.")}, code="period")
    if not 1 <= int(publicity_days) <= 30:
        raise RoundError({"publicity_days": _("Enter 1 to 30 working days.")}, code="out_of_range")
    branches = branches_under(org)
    if not branches:
        raise RoundError(_("There is no branch under this organisation to rate."), code="empty")
    round_ = RatingRound(
        org=org,
        org_path=org.path,
        standard=standard,
        year=year,
        title=(title or "").strip() or _("%(year)s branch star rating") % {"year": year},
        period_start=period_start,
        period_end=period_end,
        self_due=self_due,
        publicity_days=publicity_days,
        created_by=user_of(actor),
    )
    try:
        with transaction.atomic():
            round_.save()
    except IntegrityError:
        raise RoundError(
            {"year": _("This organisation already has a rating round for that year.")},
            code="duplicate",
        ) from None
    freeze(standard)
    assessments = Assessment.objects.bulk_create(
        [Assessment(round=round_, org=b, org_path=b.path) for b in branches]
    )
    criteria = list(standard.criteria.all())
    CriterionScore.objects.bulk_create(
        [CriterionScore(assessment=a, criterion=c) for a in assessments for c in criteria]
    )
    for a, b in zip(assessments, branches, strict=True):
        a.org = b
    scoring.measure(round_, assessments)
    # The judged criteria get the branch's records pre-linked; the secretaries are told.
    from .selfassess import opened  # selfassess reads this module's rows helper

    opened(round_)
    record(actor, "rating.round.open", round_, after=snapshot(round_, ROUND_FIELDS))
    return round_


def assessment_rows(assessment: Assessment) -> list[CriterionScore]:
    """The assessment's rows with their criteria and categories, in the standard's order."""
    return list(
        assessment.scores.select_related("criterion", "criterion__category").order_by(
            "criterion__category__order",
            "criterion__category_id",
            "criterion__order",
            "criterion_id",
        )
    )
