"""The bulletin's figures for the known day (see conftest.py), section by section, exactly."""

from __future__ import annotations

import datetime

import pytest

from juli.bulletins import actions, figures
from juli.bulletins.models import Bulletin
from juli.cases.models import Case, CasePhoto

from .conftest import D, at, report, step


def _link(area, **extra):  # type: ignore[no-untyped-def]
    return {"area": area.pk, "reported_from": "2026-11-18", "reported_to": "2026-11-18", **extra}


@pytest.fixture
def street(day):  # type: ignore[no-untyped-def]
    return figures.compute(day.c.dapuqiao, D, worst_points=5)


def test_it_counts_the_summary_of_the_street(day, street):
    assert street["summary"] == {
        "found": 5,
        "rectified": 2,
        "verified": 1,
        "closed": 1,
        "overdue": 3,
        "deduction": "5.00",
        "inspections": 3,
        "points_inspected": 3,
        "inspection_deduction": "5.00",
    }
    assert street["summary_ids"] == {
        "rectified": sorted([day.a1.pk, day.o3.pk]),
        "verified": [day.a1.pk],
        "closed": [day.a1.pk],
        "overdue": sorted([day.o1.pk, day.o2.pk, day.o4.pk]),
    }
    assert street["links"] == {"found": _link(day.c.dapuqiao)}
    assert street["area"] == {
        "id": day.c.dapuqiao.pk,
        "code": "310101013000",
        "name": "打浦桥街道",
        "kind": "street",
    }
    assert street["date"] == "2026-11-18"


def test_it_splits_the_found_problems_by_category(day, street):
    w, area = day.w, day.c.dapuqiao
    assert street["by_category"] == [
        {
            "id": w.facility.pk,
            "code": "facility",
            "name": "设施破损",
            "count": 2,
            "deduction": "3.00",
            "link": _link(area, category=w.facility.pk),
        },
        {
            "id": w.litter.pk,
            "code": "litter",
            "name": "暴露垃圾",
            "count": 2,
            "deduction": "2.00",
            "link": _link(area, category=w.litter.pk),
        },
        {
            "id": w.hazard.pk,
            "code": "hazard",
            "name": "安全隐患",
            "count": 1,
            "deduction": "0.00",
            "link": _link(area, category=w.hazard.pk),
        },
    ]


def test_it_splits_the_found_problems_by_community_source_and_unit(day, street):
    c = day.c
    assert street["by_area"] == [
        {
            "id": c.mengxi.pk,
            "code": "310101013001",
            "name": "蒙西居民区",
            "count": 4,
            "deduction": "5.00",
            "link": _link(c.mengxi),
        },
        {
            "id": day.jianyi.pk,
            "code": "310101013002",
            "name": "建一居民区",
            "count": 1,
            "deduction": "0.00",
            "link": _link(day.jianyi),
        },
    ]
    assert [(r["code"], r["count"], r["deduction"]) for r in street["by_source"]] == [
        ("inspection", 3, "5.00"),
        ("grid_worker", 1, "0.00"),
        ("hotline", 1, "0.00"),
    ]
    assert street["by_source"][2]["link"] == _link(c.dapuqiao, source="hotline")
    assert street["by_unit"] == [
        {
            "id": c.property_co.pk,
            "name": "蒙西物业公司",
            "count": 3,
            "deduction": "3.50",
            "link": _link(c.dapuqiao, unit=c.property_co.pk),
        },
        {"id": None, "name": "", "count": 2, "deduction": "1.50", "link": None},
    ]


def test_it_lists_zero_deduction_points_that_lost_points(day, street):
    w = day.w
    assert street["zero_points"] == [
        {
            "id": w.point_a.pk,
            "code": "P-A",
            "name": "菜场A",
            "area": "蒙西第一微网格",
            "unit": "蒙西物业公司",
            "count": 2,
            "deduction": "3.50",
            "link": _link(day.c.dapuqiao, point=w.point_a.pk),
        }
    ]


def test_it_ranks_the_worst_points_with_their_before_photos(day, street):
    photos_a = list(
        CasePhoto.objects.filter(case__in=[day.a1, day.a2], kind="before")
        .order_by("case_id", "pk")
        .values_list("pk", flat=True)
    )
    photo_b = CasePhoto.objects.get(case=day.b1, kind="before").pk
    assert [(r["rank"], r["code"], r["count"], r["deduction"]) for r in street["worst_points"]] == [
        (1, "P-A", 2, "3.50"),
        (2, "P-B", 1, "1.50"),
    ]
    assert street["worst_points"][0]["photos"] == photos_a
    assert street["worst_points"][1]["photos"] == [photo_b]
    assert street["worst_points"][1]["unit"] == ""
    top = figures.compute(day.c.dapuqiao, D, worst_points=1)["worst_points"]
    assert [r["code"] for r in top] == ["P-A"]


def test_it_lists_the_found_cases_as_they_stood_at_the_end_of_the_day(day, street):
    assert [(r["number"], r["reported_at"], r["status"], r["unit"]) for r in street["cases"]] == [
        (day.g1.number, "08:00", "dispatched", "蒙西物业公司"),
        (day.a1.number, "09:00", "closed", "蒙西物业公司"),
        (day.a2.number, "09:00", "dispatched", "蒙西物业公司"),
        (day.b1.number, "10:00", "accepted", ""),
        (day.h1.number, "23:30", "reported", ""),
    ]


def test_it_counts_the_district_with_its_streets(day):
    c = day.c
    district = figures.compute(c.huangpu, D, worst_points=5)
    assert district["summary"]["found"] == 6
    assert district["summary"]["overdue"] == 3
    assert [(r["name"], r["count"], r["deduction"]) for r in district["by_area"]] == [
        ("打浦桥街道", 5, "5.00"),
        ("淮海中路街道", 1, "0.00"),
    ]
    assert district["by_area"][1]["link"] == _link(c.huaihai)
    hazard = next(r for r in district["by_category"] if r["code"] == "hazard")
    assert hazard["count"] == 2


def test_it_counts_a_case_directly_on_the_street_under_its_own_row(day):
    c = day.c
    report(c.street_officer, at(0, 13), category=day.w.litter, area=c.dapuqiao)
    rows = figures.compute(c.dapuqiao, D, worst_points=5)["by_area"]
    assert rows[-1] == {
        "id": None,
        "code": "",
        "name": "",
        "count": 1,
        "deduction": "0.00",
        "link": None,
    }


def test_it_counts_an_empty_day_as_zeros(day):
    empty = figures.compute(day.c.dapuqiao, D - datetime.timedelta(days=10), worst_points=5)
    assert empty["summary"] == {
        "found": 0,
        "rectified": 0,
        "verified": 0,
        "closed": 0,
        "overdue": 0,
        "deduction": "0.00",
        "inspections": 0,
        "points_inspected": 0,
        "inspection_deduction": "0.00",
    }
    assert [r["count"] for r in empty["by_area"]] == [0, 0]
    assert empty["by_category"] == empty["worst_points"] == empty["zero_points"] == []


def test_it_computes_identical_figures_again_after_later_records(day):
    c = day.c
    first = figures.compute(c.dapuqiao, D, worst_points=5)
    # The next day the loop goes on: o1 is finally rectified, a2 too, g1 reopened later.
    step(c.unit_staff, day.o1, "rectify", at(1, 9))
    step(c.unit_staff, day.a2, "rectify", at(1, 10))
    step(c.inspector, day.a2, "verify", at(1, 11))
    report(c.grid_worker, at(1, 8), category=day.w.litter, area=c.grid1)
    again = figures.compute(c.dapuqiao, D, worst_points=5)
    assert again == first
    assert Case.objects.get(pk=day.o1.pk).status == "rectified"


def test_it_keeps_a_published_snapshot_when_the_records_change(day):
    c = day.c
    bulletin = actions.generate_bulletin(c.street_officer, c.dapuqiao, D)
    actions.publish_bulletin(c.street_officer, bulletin)
    frozen = Bulletin.objects.get(pk=bulletin.pk).figures
    # A late entry backdated into D changes what the records say about D …
    report(c.grid_worker, at(0, 12), category=day.w.litter, area=c.grid1, title="补录")
    assert figures.compute(c.dapuqiao, D, worst_points=5)["summary"]["found"] == 6
    # … but the published bulletin is frozen, and regenerating it is refused.
    with pytest.raises(actions.BulletinError) as refused:
        actions.generate_bulletin(c.street_officer, c.dapuqiao, D)
    assert refused.value.code == "illegal_state"
    actions.ensure_bulletin(c.dapuqiao, D)
    assert Bulletin.objects.get(pk=bulletin.pk).figures == frozen
    assert frozen["summary"]["found"] == 5


def test_it_recomputes_a_draft_when_regenerated(day):
    c = day.c
    bulletin = actions.generate_bulletin(c.street_officer, c.dapuqiao, D)
    assert bulletin.figures["summary"]["found"] == 5
    report(c.grid_worker, at(0, 12), category=day.w.litter, area=c.grid1, title="补录")
    again = actions.generate_bulletin(c.street_officer, c.dapuqiao, D)
    assert again.pk == bulletin.pk
    assert Bulletin.objects.get(pk=bulletin.pk).figures["summary"]["found"] == 6
    assert list(again.events.values_list("action", flat=True)) == ["generate", "regenerate"]
