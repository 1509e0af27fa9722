"""`cases.on_time`: the share of the cases closed in the period in the branch's areas that
were rectified by their deadline.

蒙西居民区党总支 answers for 蒙西 (grid 1, grid 2 below it); 打浦桥街道党工委 for the whole
street. Closed in March 2026: grid 1 on time, grid 1 late, grid 2 on time, grid 2 without a
deadline (on time); 淮海 (another street) on time. Not counted: a grid-1 case closed in April,
a grid-1 case rectified but not closed.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from juli.cases import actions
from juli.cases.models import Case
from juli.cases.tests.conftest import new_case
from juli.core import metrics

D = datetime.date
MARCH = (D(2026, 3, 1), D(2026, 3, 31))


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def closed(
    w: Any,
    area: Any,
    day: datetime.date,
    *,
    late: bool = False,
    deadline: bool = True,
    status: str = "closed",
) -> Case:
    case = new_case(w, area=area, actor=w.c.district_admin)
    due = at(day, 12) if deadline else None
    Case.objects.filter(pk=case.pk).update(
        status=status,
        dispatched_at=at(day, 8),
        deadline=due,
        rectified_at=at(day, 15 if late else 11),
        closed_at=at(day, 17) if status == "closed" else None,
    )
    return case


@pytest.fixture
def world(cast: Any) -> Any:
    w = SimpleNamespace(c=cast)
    w.litter = actions.create_case_category(
        None, code="litter", name="暴露垃圾", time_limit=4, time_unit="hours"
    )
    c = cast
    w.late = closed(w, c.grid1, D(2026, 3, 5), late=True)
    closed(w, c.grid1, D(2026, 3, 6))
    closed(w, c.grid2, D(2026, 3, 7))
    closed(w, c.grid2, D(2026, 3, 8), deadline=False)
    closed(w, c.huaihai, D(2026, 3, 9))
    closed(w, c.grid1, D(2026, 4, 2))
    closed(w, c.grid1, D(2026, 3, 10), status="rectified")
    return w


def test_it_measures_the_share_closed_on_time_in_the_branchs_areas(world: Any) -> None:
    c = world.c
    figures = metrics.measure("cases.on_time", [c.mengxi_org, c.dpq_committee, c.branch1], *MARCH)
    # branch1 has no area: no figure
    assert set(figures) == {c.mengxi_org.pk, c.dpq_committee.pk}
    mengxi = figures[c.mengxi_org.pk]
    assert mengxi.share == 0.75
    assert mengxi.text == "3 of 4 cases closed on time"
    # the late case is listed first
    assert mengxi.sources[0].record == f"cases.case:{world.late.pk}"
    assert mengxi.sources[0].note == "Late"
    assert mengxi.sources[0].url == f"/cases/{world.late.pk}/"
    assert len(mengxi.sources) == 4
    assert figures[c.dpq_committee.pk].share == 0.75


def test_no_case_closed_is_no_figure(world: Any) -> None:
    c = world.c
    assert metrics.measure("cases.on_time", [c.mengxi_org], D(2026, 5, 1), D(2026, 5, 31)) == {}


def test_it_costs_the_same_queries_for_more_organisations(world: Any) -> None:
    c = world.c
    with CaptureQueriesContext(connection) as one:
        metrics.measure("cases.on_time", [c.mengxi_org], *MARCH)
    with CaptureQueriesContext(connection) as many:
        metrics.measure("cases.on_time", [c.mengxi_org, c.dpq_committee, c.branch1], *MARCH)
    assert len(one) == len(many)
