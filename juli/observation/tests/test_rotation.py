"""The plan's rules (`rotation.py`): every branch hosts once, visitor counts differ by at most
one (a circulant plan: not at all), a host never visits itself, dates spread over working
days; and the plan a cycle gets from `create_cycle`."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from juli.observation import actions, rotation
from juli.observation.models import ObservationVisit, VisitEvent, VisitVisitor

from .conftest import make_cycle

START = datetime.date(2025, 3, 3)  # a Monday


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 60), k=st.integers(0, 59), weeks=st.integers(1, 60))
def test_it_plans_every_branch_hosting_once_and_visiting_equally(
    n: int, k: int, weeks: int
) -> None:
    k = min(k, n - 1)
    end = START + datetime.timedelta(weeks=weeks * 2)
    days = rotation.working_days(START, end)
    if len(days) < n:
        with pytest.raises(rotation.PlanError):
            rotation.plan(n, START, end, k)
        return
    slots = rotation.plan(n, START, end, k)
    assert sorted(s.host_index for s in slots) == list(range(n))
    visits = Counter(j for s in slots for j in s.visitor_indexes)
    wanted = k or n - 1
    assert all(len(s.visitor_indexes) == wanted for s in slots)
    assert all(s.host_index not in s.visitor_indexes for s in slots)
    assert max(visits.values()) - min(visits.values()) <= 1
    assert set(visits) == set(range(n))
    assert [s.day for s in slots] == sorted(s.day for s in slots)
    assert all(d.weekday() < 5 and START <= d <= end for d in (s.day for s in slots))
    assert len({s.day for s in slots}) == n


def test_it_spreads_42_branches_over_a_year_about_weekly() -> None:
    slots = rotation.plan(42, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31), 6)
    gaps = {(b.day - a.day).days for a, b in zip(slots, slots[1:], strict=False)}
    assert min(gaps) >= 5 and max(gaps) <= 11
    assert rotation.offsets(42, 6) == [6, 12, 18, 24, 30, 36]


def test_it_refuses_plans_that_cannot_be() -> None:
    with pytest.raises(rotation.PlanError) as e:
        rotation.plan(1, START, START, 0)
    assert e.value.code == "too_few_branches"
    with pytest.raises(rotation.PlanError) as e:
        rotation.plan(5, START, START + datetime.timedelta(days=2), 0)
    assert e.value.code == "too_short"
    with pytest.raises(rotation.PlanError) as e:
        rotation.plan(5, START, START + datetime.timedelta(days=30), 5)
    assert e.value.code == "too_many_visitors"


def test_it_creates_a_cycle_with_every_active_branch_hosting_once(ow: Any) -> None:
    c = ow.c
    cycle = make_cycle(c.putuo, per_visit=2, actor=c.bureau_secretary)
    visits = list(ObservationVisit.objects.filter(cycle=cycle).order_by("sequence"))
    assert [v.host_id for v in visits] == [c.branch1.pk, c.branch2.pk, ow.branch3.pk, ow.branch4.pk]
    guests = Counter(
        VisitVisitor.objects.filter(visit__cycle=cycle).values_list("org_id", flat=True)
    )
    assert set(guests.values()) == {2}
    for v in visits:
        assert v.host_id not in set(v.guests.values_list("org_id", flat=True))


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"per_visit": 4}, "visitors_per_visit", "too_many_visitors"),
        ({"days": 1, "start": datetime.date(2025, 3, 3)}, "ends_on", "too_short"),
        ({"days": -1}, "ends_on", "dates"),
    ],
)
def test_it_refuses_a_bad_cycle_and_writes_nothing(
    ow: Any, kwargs: dict[str, Any], field: str, code: str
) -> None:
    with pytest.raises(actions.ObservationError) as e:
        make_cycle(ow.c.putuo, actor=ow.c.bureau_secretary, **kwargs)
    assert e.value.code == code
    assert field in e.value.message_dict
    assert not ObservationVisit.objects.exists()


def test_it_refuses_a_cycle_from_a_branch_secretary(ow: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        make_cycle(ow.c.putuo, actor=ow.c.branch_secretary)


def test_it_swaps_two_slots_with_a_reason(ow: Any) -> None:
    c = ow.c
    cycle = make_cycle(c.putuo, actor=c.bureau_secretary, start=timezone.localdate())
    a, b = list(ObservationVisit.objects.filter(cycle=cycle).order_by("sequence"))[:2]
    days = (a.scheduled_on, b.scheduled_on)
    with pytest.raises(actions.ObservationError) as e:
        actions.swap_slots(c.bureau_secretary, a, b, reason=" ")
    assert e.value.code == "reason"
    actions.swap_slots(c.bureau_secretary, a, b, reason="书记外出学习")
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.scheduled_on, b.scheduled_on) == (days[1], days[0])
    assert (a.sequence, b.sequence) == (2, 1)
    assert VisitEvent.objects.filter(action="swap", note="书记外出学习").count() == 2
