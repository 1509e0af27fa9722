"""Shared builders of the results tests: six Putuo branches in a published 2026 round (and
five of them in a published 2025 round), scores set directly on the models because the
self-assessment (B1) and review (B2) actions are written alongside these tests."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from juli.orgs import actions as org_actions
from juli.rating import scoring
from juli.rating.actions.rounds import assessment_rows
from juli.rating.models import Assessment, RatingRound, VetoFinding

from .conftest import make_round, make_standard

D = Decimal


def set_judged(a: Assessment, first: str, second: str) -> None:
    rows = assessment_rows(a)
    for row, value in zip(rows[1:], (first, second), strict=True):
        row.self_points = D(value)
        row.self_note = f"note {value}"
        row.save(update_fields=["self_points", "self_note"])


def finish(a: Assessment, status: str = Assessment.Status.PUBLISHED) -> Assessment:
    """Store what review and publication would: self score, score, stars (veto caps)."""
    rows = assessment_rows(a)
    caps = [v.veto.cap_stars for v in VetoFinding.objects.filter(assessment=a)]
    a.self_score = scoring.total(rows, reviewed=False).score
    a.score = scoring.total(rows).score
    a.stars = scoring.stars_for(a.round.standard, a.score, caps)
    a.current_stars = a.stars if status == Assessment.Status.PUBLISHED else None
    a.status = status
    a.frozen_at = timezone.now() if status == Assessment.Status.PUBLISHED else None
    a.save()
    return a


def publish(round_: RatingRound) -> None:
    round_.status = RatingRound.Status.PUBLISHED
    round_.published_at = timezone.now()
    round_.save()


def build(c: Any, figures: dict[int, Decimal]) -> SimpleNamespace:
    """`c` the cast, `figures` the stub metric's figures (fixtures `cast`, `stub_metric`)."""
    w = SimpleNamespace(c=c)
    unit = c.putuo_unit
    b3 = org_actions.create_org(
        None, c.putuo, name="第三党支部", kind="branch", code="PT-B3", unit=unit
    )
    b4 = org_actions.create_org(
        None, c.putuo, name="第四党支部", kind="branch", code="PT-B4", unit=unit
    )
    b5 = org_actions.create_org(
        None, c.putuo, name="第五党支部", kind="branch", code="PT-B5", unit=unit
    )
    w.b = [c.branch1, c.branch2, b3, b4, b5]

    # Last year: five branches, published with scores 95 / 90 / 85 / 75 / 65.
    std25 = make_standard(c.putuo, 2025)
    w.last = make_round(c.putuo, std25, year=2025)
    for org, score in zip(w.b, ("95", "90", "85", "75", "65"), strict=True):
        a = w.last.assessments.get(org=org)
        a.score = a.self_score = D(score)
        a.stars = a.current_stars = scoring.stars_for(std25, D(score))
        a.status = Assessment.Status.PUBLISHED
        a.frozen_at = timezone.now()
        a.save()
    publish(w.last)

    # This year the sixth branch is founded mid-year: no meeting figure for it.
    b6 = org_actions.create_org(
        None, c.putuo, name="第六党支部", kind="branch", code="PT-B6", unit=unit
    )
    w.b.append(b6)
    for org, share in zip(w.b, ("0.81", "0.72", "0.9", "0.63", "0.45"), strict=False):
        figures[org.pk] = D(share)
    w.standard = make_standard(c.putuo, 2026)
    w.round = make_round(c.putuo, w.standard, year=2026)
    w.a = [w.round.assessments.get(org=o) for o in w.b]
    for a, judged in zip(
        w.a,
        [("28", "27"), ("25", "24"), ("30", "28"), ("25", "28"), ("20", "20"), ("27", "27")],
        strict=True,
    ):
        set_judged(a, *judged)
    # The reviewer cuts branch1's second judged criterion to 24, with a reason.
    row = assessment_rows(w.a[0])[2]
    row.review_points, row.review_reason = D("24"), "台账缺少群众评价"
    row.save(update_fields=["review_points", "review_reason"])
    # A veto found against branch 3 (caps at two stars).
    VetoFinding.objects.create(
        assessment=w.a[2], veto=w.standard.vetoes.get(), reason="支部书记受到党纪处分"
    )
    w.day = datetime.date(2027, 1, 15)
    return w
