"""The rollups: exact counters after a known story, incremental == rebuilt, reruns."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from juli.cases import actions
from juli.cases.models import CaseEvent
from juli.stats import rollups, tasks
from juli.stats.models import COUNTERS, CaseDaily, CaseOpen, CoarseDaily

pytestmark = pytest.mark.django_db


def _buckets() -> dict[tuple, dict]:
    out = {}
    for r in CaseDaily.objects.all():
        counters = {n: getattr(r, n) for n in COUNTERS if getattr(r, n)}
        if r.deduction_sum:
            counters["deduction_sum"] = r.deduction_sum
        out[(r.day, r.area_id, r.unit_id, r.category_id)] = counters
    return out


def test_it_counts_each_step_in_its_days_bucket(story):
    c, w = story.c, story.w
    d0 = timezone.localdate(story.base)
    d2 = d0 + datetime.timedelta(days=2)
    unit = c.property_co.pk
    assert _buckets() == {
        (d0, c.grid1.pk, None, w.hazard.pk): {"reported": 3, "rejected": 1},
        (d0, c.grid1.pk, unit, w.hazard.pk): {
            "dispatched": 2,
            "rectified": 1,
            "rectified_on_time": 1,
            "verified": 1,
            "closed": 1,
        },
        (d0, c.grid2.pk, None, w.road.pk): {"reported": 1},
        (d0, c.grid2.pk, unit, w.road.pk): {"dispatched": 1},
        (d2, c.grid2.pk, unit, w.road.pk): {
            "rectified": 2,
            "rectified_late": 2,
            "sent_back": 1,
            "verified": 1,
            "closed": 1,
        },
        (d0, c.huaihai.pk, None, w.hazard.pk): {"reported": 1},
        (d0, c.grid1.pk, None, w.litter.pk): {"reported": 1, "deduction_sum": Decimal("2.00")},
    }
    assert set(CaseDaily.objects.values_list("area_path", flat=True)) == {
        c.grid1.path,
        c.grid2.path,
        c.huaihai.path,
    }
    opened = {(o.area_id, o.category_id): o.open for o in CaseOpen.objects.all()}
    assert opened == {
        (c.grid1.pk, w.hazard.pk): 1,  # D (A closed, C rejected)
        (c.grid2.pk, w.road.pk): 0,  # B closed
        (c.huaihai.pk, w.hazard.pk): 1,  # E
        (c.grid1.pk, w.litter.pk): 1,  # F
    }


def test_it_rebuilds_exactly_what_the_events_made(story):
    incremental = rollups.rows_of(CaseDaily.objects.all())
    opened = sorted(CaseOpen.objects.values_list("area_id", "category_id", "open"))
    d0 = timezone.localdate(story.base)
    written = rollups.refresh(d0 - datetime.timedelta(days=1), timezone.localdate())
    assert written == 7
    assert rollups.rows_of(CaseDaily.objects.all()) == incremental
    rollups.refresh_open()
    assert sorted(
        (a, c, n) for a, c, n in CaseOpen.objects.values_list("area_id", "category_id", "open") if n
    ) == [t for t in opened if t[2]]
    # A rerun writes the same rows.
    rollups.refresh(d0 - datetime.timedelta(days=1), timezone.localdate())
    assert rollups.rows_of(CaseDaily.objects.all()) == incremental


def test_it_repairs_lost_and_damaged_buckets(story):
    expected = rollups.rows_of(CaseDaily.objects.all())
    d0 = timezone.localdate(story.base)
    CaseDaily.objects.filter(day=d0).update(reported=99)
    CaseDaily.objects.filter(day=d0 + datetime.timedelta(days=2)).delete()
    CaseOpen.objects.all().delete()
    rollups.refresh(d0, d0 + datetime.timedelta(days=2))
    rollups.refresh_open()
    assert rollups.rows_of(CaseDaily.objects.all()) == expected
    assert CaseOpen.objects.filter(open__gt=0).count() == 3


def test_it_refreshes_one_subtree_only(story):
    c = story.c
    d0 = timezone.localdate(story.base)
    CaseDaily.objects.filter(area=c.huaihai).update(reported=7)
    CaseDaily.objects.filter(area=c.grid1).update(reported=7)
    rollups.refresh(d0, d0, area=c.dapuqiao)
    assert CaseDaily.objects.get(area=c.huaihai).reported == 7  # outside: untouched
    assert sorted(
        CaseDaily.objects.filter(area=c.grid1, day=d0).values_list("reported", flat=True)
    ) == [0, 1, 3]


def test_it_keeps_later_steps_incremental_after_a_rebuild(story):
    c = story.c
    rollups.refresh(timezone.localdate() - datetime.timedelta(days=5), timezone.localdate())
    actions.transition(c.street_officer, story.a, "reopen", note="又脏了")
    expected = rollups.rows_of(CaseDaily.objects.all())
    rollups.refresh(timezone.localdate(), timezone.localdate())
    assert rollups.rows_of(CaseDaily.objects.all()) == expected
    assert CaseDaily.objects.get(day=timezone.localdate()).reopened == 1
    assert CaseOpen.objects.get(area=c.grid1, category=story.w.hazard).open == 2


def test_it_runs_the_hourly_task_twice_with_the_same_result(story):
    expected = rollups.rows_of(CaseDaily.objects.all())
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert timezone.localdate(story.h(50)) == yesterday
    CaseDaily.objects.filter(day=yesterday).delete()
    assert tasks.refresh_rollups.enqueue().return_value == 1  # B's bucket of day +2
    assert rollups.rows_of(CaseDaily.objects.all()) == expected
    assert tasks.refresh_rollups.enqueue().return_value == 1
    assert rollups.rows_of(CaseDaily.objects.all()) == expected


def test_it_counts_escalations(story):
    escalated = actions.escalate_overdue()
    assert [c.pk for c in escalated] == [story.d.pk]
    today = timezone.localdate()
    row = CaseDaily.objects.get(day=today, escalated=1)
    assert (row.area_id, row.unit_id) == (story.c.grid1.pk, story.c.property_co.pk)
    assert CaseEvent.objects.filter(action="escalate").count() == 1
    before = rollups.rows_of(CaseDaily.objects.all())
    rollups.refresh(today, today)
    assert rollups.rows_of(CaseDaily.objects.all()) == before


def _coarse() -> list[tuple]:
    return sorted(
        (r.day, r.area_path, r.category_id, *(getattr(r, n) for n in COUNTERS), r.deduction_sum)
        for r in CoarseDaily.objects.all()
    )


def _fine_summed() -> list[tuple]:
    sums: dict[tuple, list] = {}
    for r in CaseDaily.objects.all():
        key = (r.day, rollups.coarse_path(r.area_path), r.category_id)
        acc = sums.setdefault(key, [0] * len(COUNTERS) + [Decimal("0")])
        for i, n in enumerate(COUNTERS):
            acc[i] += getattr(r, n)
        acc[-1] += r.deduction_sum
    return sorted((*k, *v) for k, v in sums.items())


def test_it_keeps_the_community_rows_equal_to_the_grid_rows(story):
    c = story.c
    assert _coarse() == _fine_summed()
    assert {r.area_path for r in CoarseDaily.objects.all()} == {c.mengxi.path, c.huaihai.path}
    d0 = timezone.localdate(story.base)
    expected = _coarse()
    CoarseDaily.objects.update(reported=50)
    rollups.refresh(d0, d0 + datetime.timedelta(days=2))
    assert _coarse() == expected
    # A subtree below a community rebuilds its community's rows from all its grids.
    CoarseDaily.objects.update(reported=50)
    rollups.refresh(d0, d0 + datetime.timedelta(days=2), area=c.grid2)
    assert [r for r in _coarse() if r[1] == c.mengxi.path] == [
        r for r in expected if r[1] == c.mengxi.path
    ]
    assert CoarseDaily.objects.get(area_path=c.huaihai.path).reported == 50  # not asked
