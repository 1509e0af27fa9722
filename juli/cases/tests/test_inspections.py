"""日调度 and 日督查: the daily plan, today's points, and checklists that turn into cases."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from juli.cases import actions, inspections, points, queries
from juli.cases.models import Case, CaseEvent, Inspection, InspectionAssignment
from juli.orgs import actions as org_actions

from .conftest import photo


def _inspect(world, *, failed=(), lat="31.200000", lng="121.470000", point=None, key=None):  # type: ignore[no-untyped-def]
    w = world
    results = [
        (
            w.item_clean,
            w.item_clean not in failed,
            "地面有垃圾" if w.item_clean in failed else "",
            [photo((1, 1, 1))] if w.item_clean in failed else [],
        ),
        (w.item_facility, w.item_facility not in failed, "", []),
    ]
    return inspections.submit_inspection(
        w.c.inspector,
        client_uuid=key or uuid.uuid4(),
        point=point or w.point_a,
        results=results,
        lat=Decimal(lat),
        lng=Decimal(lng),
        started_at=timezone.now() - datetime.timedelta(minutes=5),
    )


def test_it_turns_one_failed_item_into_exactly_one_case_with_its_photo(world, settings):
    w = world
    inspection = _inspect(w, failed=[w.item_clean])
    assert inspection.results.count() == 2
    assert inspection.deduction == Decimal("2.00")
    case = Case.objects.get()
    assert (case.status, case.source, case.category, case.point, case.area, case.unit) == (
        "accepted",
        "inspection",
        w.litter,
        w.point_a,
        w.c.grid1,
        w.c.property_co,
    )
    assert (case.deduction, case.inspection, case.checklist_item, case.reporter) == (
        Decimal("2.00"),
        inspection,
        w.item_clean,
        w.c.inspector,
    )
    assert case.title == "菜场A：地面无垃圾" and case.description == "地面有垃圾"
    assert case.accepted_at is not None and case.dispatched_at is None
    [before] = case.photos.all()
    assert before.kind == "before" and before.width == 1 and before.uploaded_by == w.c.inspector
    assert before.file.name is not None
    assert Path(settings.MEDIA_ROOT, before.file.name).read_bytes().startswith(b"\x89PNG")
    assert list(CaseEvent.objects.filter(case=case).values_list("action", "to_status")) == [
        ("report", "accepted")
    ]


def test_it_makes_no_case_when_everything_passes(world):
    inspection = _inspect(world)
    assert inspection.deduction == 0 and not Case.objects.exists()


def test_it_flags_a_far_fix_but_keeps_the_inspection(world):
    far = _inspect(world, lat="31.205000")  # about 556 m north
    near = _inspect(world, lat="31.201000")  # about 111 m
    assert (far.far_from_point, far.distance_m) == (True, 556)
    assert (near.far_from_point, near.distance_m) == (False, 111)


def test_it_leaves_the_distance_unknown_without_a_point_location(world):
    inspection = _inspect(world, point=world.point_b)
    assert (inspection.distance_m, inspection.far_from_point) == (None, False)


def test_it_takes_a_retry_as_the_same_inspection(world):
    key = uuid.uuid4()
    first = _inspect(world, failed=[world.item_clean], key=key)
    again = _inspect(world, failed=[world.item_clean], key=key)
    assert first == again
    assert Inspection.objects.count() == 1 and Case.objects.count() == 1
    with pytest.raises(actions.ConflictError):
        _inspect(world, key=key, point=world.point_b)


def test_it_refuses_foreign_items_duplicates_and_out_of_area_inspectors(world):
    w = world
    other = actions.create_point_category(None, code="toilet", name="公厕")
    foreign = actions.create_checklist_item(None, other, text="无异味", case_category=w.litter)
    base = {"client_uuid": uuid.uuid4(), "point": w.point_a, "started_at": timezone.now()}
    with pytest.raises(ValidationError):
        inspections.submit_inspection(w.c.inspector, results=[(foreign, True)], **base)
    with pytest.raises(ValidationError):
        inspections.submit_inspection(
            w.c.inspector, results=[(w.item_clean, True), (w.item_clean, False)], **base
        )
    with pytest.raises(PermissionDenied):
        inspections.submit_inspection(w.c.grid_worker, results=[(w.item_clean, True)], **base)
    assert not Inspection.objects.exists() and not Case.objects.exists()


def test_it_writes_nothing_and_leaves_no_file_when_a_case_cannot_be_made(
    world, monkeypatch, settings
):
    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database gone")

    monkeypatch.setattr(inspections, "_event", boom)  # fails after the photo was stored
    with pytest.raises(RuntimeError):
        _inspect(world, failed=[world.item_clean])
    assert not Inspection.objects.exists() and not Case.objects.exists()
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []


# --- The daily plan ---------------------------------------------------------------------------


@pytest.fixture
def second_inspector(world):  # type: ignore[no-untyped-def]
    person = org_actions.create_person(None, name="陈督查", phone="13900000002")
    org_actions.appoint(
        None, person, "inspector", area=world.c.dapuqiao, started_on=datetime.date(2024, 1, 1)
    )
    return org_actions.create_account(None, person, "inspector2", "x", validate_password=False)


def test_it_plans_every_due_point_once_and_balanced(world, second_inspector):
    w = world
    today = timezone.localdate()
    weekly = actions.create_point_category(None, code="toilet", name="公厕", frequency_days=7)
    recent = points.create_point(None, code="P-W", name="公厕W", area=w.c.grid2, category=weekly)
    Inspection.objects.create(
        client_uuid=uuid.uuid4(),
        point=recent,
        area_path=recent.area_path,
        inspector=w.c.inspector,
        started_at=timezone.now() - datetime.timedelta(days=2),
    )
    points.create_point(
        None, code="P-X", name="停用点", area=w.c.grid2, category=w.market, is_active=False
    )
    extra = points.create_point(None, code="P-D", name="菜场D", area=w.c.grid2, category=w.market)
    report = inspections.plan_day(today)
    planned = {a.point.code: a.inspector.username for a in report.created}
    assert set(planned) == {"P-A", "P-B", "P-C", "P-D"}
    # Consecutive runs in (area path, name) order: grid 1 with one inspector, grid 2 the other.
    assert planned == {
        "P-A": "inspector",
        "P-B": "inspector",
        "P-C": "inspector2",
        "P-D": "inspector2",
    }
    assert report.unassigned == []
    again = inspections.plan_day(today)
    assert again.created == [] and again.already_planned == 4
    assert InspectionAssignment.objects.filter(date=today).count() == 4
    # A point inspected today still counts as planned today (same-day inspections do not count).
    _inspect(w, point=extra)
    assert inspections.plan_day(today).created == []


def test_it_reports_points_without_an_inspector(world):
    w = world
    huaihai_grid = org_actions.create_area(
        None,
        org_actions.create_area(
            None, w.c.huaihai, name="某居委", kind="community", code="310101014001"
        ),
        name="某网格",
        kind="micro_grid",
        code="3101010140010101",
    )
    lonely = points.create_point(
        None, code="P-H", name="淮海点", area=huaihai_grid, category=w.market
    )
    report = inspections.plan_day(timezone.localdate())
    assert report.unassigned == [lonely]
    out = StringIO()
    call_command("plan_day", stdout=out)
    assert "0 points assigned, 3 already planned, 1 without an inspector." in out.getvalue()


def test_it_lists_todays_points_in_walking_order_and_lets_an_officer_reassign(
    world, second_inspector
):
    w = world
    today = timezone.localdate()
    inspections.plan_day(today)
    rows = list(queries.todays_points(w.c.inspector, today))
    assert [(r.point.code, r.inspected) for r in rows] == [("P-A", False), ("P-B", False)]
    _inspect(w)
    assert [r.inspected for r in queries.todays_points(w.c.inspector, today)] == [True, False]
    with pytest.raises(PermissionDenied):
        inspections.reassign(w.c.inspector, rows[0], second_inspector)
    with pytest.raises(ValidationError):
        inspections.reassign(w.c.street_officer, rows[0], w.c.grid_worker)
    moved = inspections.reassign(w.c.street_officer, rows[0], second_inspector)
    assert [r.point.code for r in queries.todays_points(second_inspector, today)] == ["P-C", "P-A"]
    assert moved.order == 1
    assert [r.point.code for r in queries.todays_points(w.c.inspector, today)] == ["P-B"]


def test_it_plans_only_the_actors_areas(world, second_inspector):
    report = inspections.plan_day(timezone.localdate(), actor=world.c.street_officer)
    assert len(report.created) == 3
    with pytest.raises(PermissionDenied):
        inspections.plan_day(timezone.localdate(), actor=world.c.grid_worker)
