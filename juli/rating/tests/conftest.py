"""Rating test world: the cast plus a standard with one computed criterion of each metric
kind used in tests (a stub metric whose figures a test sets) and judged criteria, and a
helper that opens a round through the action."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from juli.core import metrics
from juli.core.metrics import Figure, Metric, Source
from juli.rating.actions import rounds, standards
from juli.rating.models import RatingRound, RatingStandard

#: Figures the stub metric answers: {org_id: share}; a test sets them.
STUB_FIGURES: dict[int, Decimal] = {}


def _stub(orgs: Any, start: datetime.date, end: datetime.date) -> dict[int, Figure]:
    return {
        o.pk: Figure(
            share=STUB_FIGURES[o.pk],
            text=f"stub {STUB_FIGURES[o.pk]}",
            sources=[Source(label=f"record of {o.pk}", url="/x/", record=f"test.x:{o.pk}")],
        )
        for o in orgs
        if o.pk in STUB_FIGURES
    }


STUB = Metric("test.stub", "Stub figure", _stub)


@pytest.fixture
def stub_metric() -> Iterator[dict[int, Decimal]]:
    metrics.register(STUB)
    STUB_FIGURES.clear()
    yield STUB_FIGURES
    STUB_FIGURES.clear()
    metrics.unregister(STUB.key)


def standard_spec() -> dict[str, Any]:
    """Two categories: 组织生活 (a computed criterion of 40 points, full at 90 %) and
    作用发挥 (two judged criteria, 30 + 30 points); one veto capping at two stars."""
    return {
        "categories": [
            {
                "name": "组织生活",
                "criteria": [
                    {
                        "title": "三会一课按时召开",
                        "points": "40",
                        "method": "computed",
                        "metric": STUB.key,
                        "full_share": "0.9",
                    }
                ],
            },
            {
                "name": "作用发挥",
                "criteria": [
                    {"title": "党员先锋作用", "points": "30", "method": "judged"},
                    {"title": "服务群众成效", "points": "30", "method": "judged"},
                ],
            },
        ],
        "vetoes": [{"title": "发生严重违纪案件", "cap_stars": 2}],
    }


def make_standard(org: Any, year: int = 2026, **kwargs: Any) -> RatingStandard:
    spec = standard_spec() | kwargs
    return standards.create_standard(
        None, org, year=year, title=f"{year}年五星级党支部标准", **spec
    )


def make_round(org: Any, standard: RatingStandard, year: int = 2026, **kwargs: Any) -> RatingRound:
    kwargs.setdefault("self_due", datetime.date(year, 12, 20))
    return rounds.open_round(None, org, standard, year=year, **kwargs)


@pytest.fixture
def rw(cast: Any, stub_metric: dict[int, Decimal]) -> SimpleNamespace:
    """The cast, the Putuo party group's standard (stub metric) and its 2026 round over
    branch1 and branch2, the stub giving branch1 0.81 and branch2 nothing."""
    w = SimpleNamespace(c=cast, figures=stub_metric)
    stub_metric[cast.branch1.pk] = Decimal("0.81")
    w.standard = make_standard(cast.putuo)
    w.round = make_round(cast.putuo, w.standard)
    w.a1 = w.round.assessments.get(org=cast.branch1)
    w.a2 = w.round.assessments.get(org=cast.branch2)
    return w
