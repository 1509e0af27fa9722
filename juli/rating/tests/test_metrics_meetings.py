"""`meetings.compliance` against meetings counted by hand (year 2024, long past).

Defaults: a branch owes its assembly and a lecture each quarter, its committee and a theme
day each month; a party group its group meeting each month. Measured period: 2024 H1.

- 第一党支部 (with 第一党小组): owes 2 + 6 + 2 + 6 = 16, its group 6 → 22. Held (confirmed):
  committee Jan–Jun (6), assembly Q1 (1), lectures Q1 Q2 (2), theme day Jan Feb (2), group
  Jan–Mar (3) → 14. Not counted: an April theme day whose minutes are not confirmed, a
  cancelled one in May, a July committee (outside the period).
- 第二党支部: owes 16, held nothing → 0.
- 第三党支部, founded 10 May 2024: owes June's committee and theme day only (Q2 and May began
  before it existed); held the committee → 1 of 2.
- The Putuo party group (a leading group): no rule → no figure.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from juli.core import metrics
from juli.meetings.models import Meeting
from juli.meetings.tests.conftest import at, make_meeting
from juli.orgs import actions as org_actions
from juli.orgs.models import PartyOrg

D = datetime.date
H1 = (D(2024, 1, 1), D(2024, 6, 30))


def held(org: PartyOrg, kind: str, day: datetime.date, status: str = "confirmed") -> Meeting:
    m = make_meeting(org, kind, starts_at=at(day), with_members=False, announce=False)
    Meeting.objects.filter(pk=m.pk).update(status=status)
    return m


@pytest.fixture
def world(cast: Any) -> Any:
    c = cast
    PartyOrg.objects.filter(pk__in=[c.putuo.pk, c.branch1.pk, c.branch2.pk, c.group1.pk]).update(
        founded_on=D(2000, 7, 1)
    )
    c.branch3 = org_actions.create_org(
        None, c.putuo, name="第三党支部", kind="branch", code="PT-B3", founded_on=D(2024, 5, 10)
    )
    for name in ("putuo", "branch1", "branch2", "group1"):
        setattr(c, name, PartyOrg.objects.get(pk=getattr(c, name).pk))
    b1, g1 = c.branch1, c.group1
    for month in range(1, 7):
        held(b1, "branch_committee", D(2024, month, 8))
    held(b1, "branch_assembly", D(2024, 2, 20))
    held(b1, "party_lecture", D(2024, 3, 15))
    c.last_lecture = held(b1, "party_lecture", D(2024, 6, 14))
    held(b1, "theme_day", D(2024, 1, 10))
    held(b1, "theme_day", D(2024, 2, 10))
    held(b1, "theme_day", D(2024, 4, 10), status="held")  # minutes not confirmed
    held(b1, "theme_day", D(2024, 5, 10), status="cancelled")
    held(b1, "branch_committee", D(2024, 7, 8))  # outside the period
    for month in (1, 2, 3):
        held(g1, "group_meeting", D(2024, month, 3))
    held(c.branch3, "branch_committee", D(2024, 5, 20))  # May: not owed, not counted
    held(c.branch3, "branch_committee", D(2024, 6, 20))
    return c


def measure(orgs: list[Any], start: datetime.date = H1[0], end: datetime.date = H1[1]) -> Any:
    return metrics.measure("meetings.compliance", orgs, start, end)


def test_it_measures_the_share_of_required_periods_held(world: Any) -> None:
    c = world
    figures = measure([c.branch1, c.branch2, c.branch3, c.putuo])
    assert set(figures) == {c.branch1.pk, c.branch2.pk, c.branch3.pk}
    assert figures[c.branch1.pk].share == Decimal(14) / Decimal(22)
    assert figures[c.branch1.pk].text == "14 of 22 required periods held"
    assert figures[c.branch2.pk].share == Decimal(0)
    assert figures[c.branch3.pk].share == Decimal("0.5")


def test_it_links_the_counted_meetings(world: Any) -> None:
    c = world
    figure = measure([c.branch1])[c.branch1.pk]
    # the 14 confirmed meetings of H1, the group's included, latest first
    assert len(figure.sources) == 14
    first = figure.sources[0]
    assert first.record == f"meetings.meeting:{c.last_lecture.pk}"
    assert first.url == f"/meetings/{c.last_lecture.pk}/"
    assert first.label.startswith("2024-06-14 ")
    assert all(s.record.startswith("meetings.meeting:") for s in figure.sources)


def test_it_has_no_figure_without_a_required_period(world: Any) -> None:
    c = world
    # before 第三党支部 existed: nothing owed
    assert measure([c.branch3], D(2024, 1, 1), D(2024, 4, 30)) == {}


def test_it_costs_the_same_queries_for_more_organisations(world: Any) -> None:
    c = world
    with CaptureQueriesContext(connection) as one:
        measure([c.branch1])
    with CaptureQueriesContext(connection) as many:
        measure([c.branch1, c.branch2, c.branch3, c.putuo])
    assert len(one) == len(many)
