"""The arithmetic of a rating, in one place: measured figures → points → score → stars →
rank. Pages, the API, exports and the dossier read these functions; nothing else computes.

**Points of a criterion.**
- Computed: `points × min(1, share / full_share)`, rounded half-up to 0.01. A criterion
  whose metric has no data for the branch (a branch with no areas has no cases; a branch
  founded after the period) does not apply: it counts neither in the score nor in the
  maximum.
- Judged: the branch's self score, in [0, points].
- A reviewer's adjusted score (with its reason) replaces either.

**Score** of an assessment: `100 × Σ points / Σ points of the applicable criteria`, rounded
half-up to 0.01 (so a branch that cannot be measured on one criterion is not punished for
it, and every branch is on the same 100 scale the star thresholds speak).

**Stars**: the highest n whose threshold `star<n>` the score reaches (0 below `star1`),
then capped by the lowest `cap_stars` of the veto items found.

**Rank** inside a round: by score, highest first; equal scores share a rank and the next
rank skips ("1, 2, 2, 4"). Only assessments with a score are ranked. The top three and the
bottom three are marked by rank, so a tie at the edge marks every tied branch.

**Measuring** (`measure`): while an assessment is not frozen, its computed rows follow the
records: each call measures every computed criterion of the round's standard for the given
assessments, one `core.metrics` call per metric for all of them. Once the round is
published (`frozen_at` set), rows are never measured again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from juli.core import metrics

from .models import Assessment, Criterion, CriterionScore, RatingRound, RatingStandard

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def q2(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def computed_points(criterion: Criterion, share: Decimal | None) -> Decimal | None:
    """The points a measured share earns; None when there is no data."""
    if share is None:
        return None
    ratio = min(Decimal(1), Decimal(share) / Decimal(criterion.full_share))
    return q2(Decimal(criterion.points) * ratio)


@dataclass(frozen=True)
class Total:
    points: Decimal  # Σ final points of the applicable criteria
    maximum: Decimal  # Σ points of the applicable criteria
    score: Decimal | None  # normalised to 100; None when nothing applies
    missing: int  # applicable criteria with no score yet (judged, not filled)


def total(scores: Iterable[CriterionScore], *, reviewed: bool = True) -> Total:
    """The total of one assessment's rows (with `criterion` loaded). `reviewed=False` reads
    the branch's own figures only (the self-assessed score)."""
    points = maximum = ZERO
    missing = 0
    for row in scores:
        if not row.applicable:
            continue
        maximum += Decimal(row.criterion.points)
        value = row.final_points if reviewed else row.self_points
        if value is None:
            missing += 1
            continue
        points += Decimal(value)
    score = q2(HUNDRED * points / maximum) if maximum else None
    return Total(points=q2(points), maximum=q2(maximum), score=score, missing=missing)


def stars_for(standard: RatingStandard, score: Decimal | None, caps: Iterable[int] = ()) -> int:
    if score is None:
        return 0
    stars = 0
    for n, threshold in enumerate(standard.thresholds, start=1):
        if score >= threshold:
            stars = n
    for cap in caps:
        stars = min(stars, cap)
    return stars


def ranks(scores: Sequence[tuple[int, Decimal | None]]) -> dict[int, int]:
    """Competition ranks of (key, score) pairs: highest first, ties share, next skips."""
    ranked = sorted((s, k) for k, s in scores if s is not None)
    ranked.reverse()
    out: dict[int, int] = {}
    previous: Decimal | None = None
    rank = 0
    for position, (score, key) in enumerate(ranked, start=1):
        if score != previous:
            rank, previous = position, score
        out[key] = rank
    return out


def edges(rank_of: dict[int, int], n: int = 3) -> tuple[set[int], set[int]]:
    """The keys marked top-n and bottom-n by rank: every key whose rank is at most the n-th
    best's rank, and every key whose rank is at least the n-th worst's (ties at an edge are
    all marked). A key is never both: with few branches the top wins."""
    if not rank_of:
        return set(), set()
    best = sorted(rank_of.values())
    worst = sorted(rank_of.values(), reverse=True)
    top_cut = best[min(n, len(best)) - 1]
    bottom_cut = worst[min(n, len(worst)) - 1]
    top = {k for k, r in rank_of.items() if r <= top_cut}
    bottom = {k for k, r in rank_of.items() if r >= bottom_cut} - top
    return top, bottom


def measure(round_: RatingRound, assessments: Sequence[Assessment] | None = None) -> int:
    """Re-measure the computed rows of the round's unfrozen assessments (all of them, or
    those given). Returns the number of rows changed. A fixed number of queries per metric."""
    if round_.is_frozen:
        return 0
    if assessments is None:
        assessments = list(round_.assessments.filter(frozen_at__isnull=True).select_related("org"))
    else:
        assessments = [a for a in assessments if a.frozen_at is None]
    if not assessments:
        return 0
    criteria = list(
        round_.standard.criteria.filter(method=Criterion.Method.COMPUTED).order_by("id")
    )
    if not criteria:
        return 0
    orgs = [a.org for a in assessments]
    by_pk = {a.pk: a for a in assessments}
    figures = {
        key: metrics.measure(key, orgs, round_.period_start, round_.period_end)
        for key in {c.metric for c in criteria}
    }
    rows = list(
        CriterionScore.objects.filter(
            assessment__in=assessments, criterion__in=criteria
        ).select_related("criterion")
    )
    now = timezone.now()
    changed: list[CriterionScore] = []
    for row in rows:
        assessment = by_pk[row.assessment_id]
        figure = figures[row.criterion.metric].get(assessment.org_id)
        share = None if figure is None else Decimal(figure.share).quantize(Decimal("0.0001"))
        text = "" if figure is None else str(figure.text)[:300]
        sources = [] if figure is None else [s.as_dict() for s in figure.sources][:50]
        points = computed_points(row.criterion, share)
        applicable = figure is not None
        if (row.share, row.figure_text, row.sources, row.self_points, row.applicable) != (
            share,
            text,
            sources,
            points,
            applicable,
        ):
            row.share, row.figure_text, row.sources = share, text, sources
            row.self_points, row.applicable = points, applicable
            changed.append(row)
        row.measured_at = now
    with transaction.atomic():
        CriterionScore.objects.bulk_update(
            changed, ["share", "figure_text", "sources", "self_points", "applicable", "measured_at"]
        )
        # the rows that did not change were measured all the same
        changed_pks = {row.pk for row in changed}
        unchanged = [row.pk for row in rows if row.pk not in changed_pks]
        CriterionScore.objects.filter(pk__in=unchanged).update(measured_at=now)
    return len(changed)
