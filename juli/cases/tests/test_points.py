"""Points: leaves of the area tree, created by office roles, imported all-or-nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from juli.cases import access, points
from juli.cases.models import Point
from juli.core.models import AuditLog


def _row(**kw):  # type: ignore[no-untyped-def]
    row = {
        "code": "IM-1",
        "name": "导入点1",
        "area": "3101010130010101",
        "category": "market",
        "lat": "31.2",
        "lng": "121.47",
        "unit": "蒙西物业公司",
        "person": "13800000006",
        "zero_deduction": "是",
        "active": "",
    }
    row.update(kw)
    return row


def test_it_puts_points_in_leaf_areas_only(world):
    with pytest.raises(ValidationError):
        points.create_point(
            None, code="P-M", name="社区点", area=world.c.mengxi, category=world.market
        )
    point = points.create_point(
        None, code="P-L", name="楼组点", area=world.c.building1, category=world.market
    )
    assert point.area_path == world.c.building1.path


def test_it_lets_only_office_roles_over_the_area_create_points(world):
    with pytest.raises(PermissionDenied):
        points.create_point(
            world.c.grid_worker, code="P-G", name="x", area=world.c.grid1, category=world.market
        )
    point = points.create_point(
        world.c.street_officer, code="P-S", name="街道点", area=world.c.grid1, category=world.market
    )
    point = points.update_point(world.c.street_officer, point, name="街道点2", area=world.c.grid2)
    assert (point.name, point.area_path) == ("街道点2", world.c.grid2.path)


def test_it_scopes_points(world):
    assert set(access.visible_points(world.c.grid_worker).values_list("code", flat=True)) == {
        "P-A",
        "P-B",
    }
    assert set(access.visible_points(world.c.unit_staff).values_list("code", flat=True)) == {
        "P-A",
        "P-C",
    }
    assert not access.visible_points(world.c.outsider).exists()


def test_it_reports_every_bad_row_and_writes_nothing(world):
    audits = AuditLog.objects.count()
    rows = [
        _row(),
        _row(code="IM-2", name=""),
        _row(code="IM-3", area="310101013001"),  # a community, not a leaf
        _row(code="IM-4", area="NOPE"),
        _row(code="IM-5", lat="north", lng="200"),
        _row(code="IM-1"),  # duplicate of row 2
        _row(
            code="IM-7",
            category="zoo",
            unit="无此单位",
            person="13999999999",
            zero_deduction="maybe",
        ),
    ]
    report = points.import_points(world.c.street_officer, rows)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "name"),
        (4, "area"),
        (5, "area"),
        (6, "lat"),
        (6, "lng"),
        (7, "code"),
        (8, "category"),
        (8, "unit"),
        (8, "person"),
        (8, "zero_deduction"),
    ]
    assert report.errors[5].message == "The same code is on row 2."
    assert (report.created, report.updated) == (0, 0)
    assert not Point.objects.filter(code__startswith="IM-").exists()
    assert AuditLog.objects.count() == audits


def test_it_refuses_rows_outside_the_importers_areas(world):
    report = points.import_points(world.c.grid_worker, [_row()])
    assert [(e.row, e.column) for e in report.errors] == [(2, "area")]


def test_it_imports_clean_rows_and_updates_by_code(world):
    report = points.import_points(
        world.c.street_officer,
        [_row(), _row(code="IM-2", area="3101010130010102", unit="", person="")],
    )
    assert (report.ok, report.created, report.updated) == (True, 2, 0)
    point = Point.objects.get(code="IM-1")
    assert (
        point.area,
        point.responsible_unit,
        point.responsible_person,
        point.zero_deduction,
        point.is_active,
    ) == (
        world.c.grid1,
        world.c.property_co,
        world.c.unit_staff_person,
        True,
        True,
    )
    report = points.import_points(world.c.street_officer, [_row(name="改名", active="否")])
    assert (report.created, report.updated) == (0, 1)
    point.refresh_from_db()
    assert (point.name, point.is_active) == ("改名", False)


def test_it_exports_rows_that_import_back(world):
    rows = points.point_rows(Point.objects.filter(code="P-A"))
    assert rows == [
        {
            "code": "P-A",
            "name": "菜场A",
            "area": "3101010130010101",
            "category": "market",
            "lat": "31.200000",
            "lng": "121.470000",
            "unit": "蒙西物业公司",
            "person": "",
            "zero_deduction": "是",
            "active": "是",
        }
    ]
    report = points.import_points(None, rows)
    assert (report.ok, report.created, report.updated) == (True, 0, 1)
    assert [key for key, _label in points.POINT_COLUMNS] == list(rows[0])
