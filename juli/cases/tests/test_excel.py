"""Points to and from Excel through the office pages: export, template, import."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from juli.cases import excel, points
from juli.cases.models import Point
from juli.core.models import AuditLog

HEADERS = [h for _k, h in points.POINT_COLUMNS]


def _sheet(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX_TYPE
    return load_workbook(io.BytesIO(response.content)).active


def _xlsx(rows: list[list[object]], headers: list[str] | None = None) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(headers or HEADERS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("points.xlsx", out.getvalue(), content_type=excel.XLSX_TYPE)


def test_it_exports_the_visible_points_with_chinese_headers(client, world):
    client.force_login(world.c.street_officer)
    ws = _sheet(client.get(reverse("point-export")))
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == 28
    assert [r[0] for r in rows[1:]] == ["P-A", "P-B", "P-C"]
    assert list(rows[1]) == [
        "P-A",
        "菜场A",
        "3101010130010101",
        "market",
        31.2,
        121.47,
        "蒙西物业公司",
        None,
        "是",
        "是",
    ]


def test_it_exports_only_the_scope_of_the_user(client, world):
    client.force_login(world.c.district_admin)
    assert len(list(_sheet(client.get(reverse("point-export"))).iter_rows())) == 4
    client.force_login(world.c.street_officer)
    filtered = client.get(reverse("point-export"), {"area": world.c.grid2.pk})
    assert [r[0] for r in _sheet(filtered).iter_rows(min_row=2, values_only=True)] == ["P-C"]


@pytest.mark.parametrize(
    "payload", ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-SUM(A1)+1", "@SUM(A1)"]
)
def test_it_neutralises_formulas_in_exported_text(client, world, payload):
    Point.objects.filter(pk=world.point_b.pk).update(name=payload)
    client.force_login(world.c.street_officer)
    ws = _sheet(client.get(reverse("point-export")))
    cell = ws["B3"]
    assert cell.value == "'" + payload
    assert cell.data_type == "s"


@pytest.mark.parametrize("name", ["-2+3", "+86 13800000000", "@张三", "- 项目", "'-2+3", "'=1"])
def test_it_exports_harmless_text_as_typed_and_reads_it_back(world, name):
    Point.objects.filter(pk=world.point_b.pk).update(name=name)
    content = excel.export_points(points.point_rows(Point.objects.filter(pk=world.point_b.pk)))
    cell = load_workbook(io.BytesIO(content)).active["B2"]  # type: ignore[index]
    expected = "'" + name if name == "'=1" else name  # "'=1" gets one more, taken off again
    assert (cell.value, cell.data_type) == (expected, "s")
    assert excel.read_points(SimpleUploadedFile("p.xlsx", content)).rows[0]["name"] == name


def test_it_exports_names_without_bidi_controls(client, world):
    Point.objects.filter(pk=world.point_b.pk).update(name="菜场\u202eB 北门\u202c")
    client.force_login(world.c.street_officer)
    cell = _sheet(client.get(reverse("point-export")))["B3"]
    assert (cell.value, cell.data_type) == ("菜场B 北门", "s")


def test_it_reads_a_neutralised_name_back_unchanged(world):
    Point.objects.filter(pk=world.point_b.pk).update(name="=1+2")
    content = excel.export_points(points.point_rows(Point.objects.filter(pk=world.point_b.pk)))
    upload = SimpleUploadedFile("p.xlsx", content)
    sheet = excel.read_points(upload)
    assert sheet.rows[0]["name"] == "=1+2"
    assert sheet.numbers == [2]


def test_it_serves_the_template(client, world):
    client.force_login(world.c.street_officer)
    ws = _sheet(client.get(reverse("point-template")))
    assert [c.value for c in ws[1]] == HEADERS
    assert ws["A2"].value == "P-0001"


def test_it_imports_a_clean_file(client, world):
    client.force_login(world.c.street_officer)
    upload = _xlsx(
        [
            ["N-1", "新菜场", "3101010130010101", "market", 31.21, 121.48, "", "", "是", "是"],
            [
                "P-B",
                "菜场B（改名）",
                "3101010130010101",
                "market",
                None,
                None,
                None,
                None,
                "否",
                "",
            ],
        ]
    )
    response = client.post(reverse("point-import"), {"file": upload})
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.created, report.updated, report.errors) == (1, 1, [])
    new = Point.objects.get(code="N-1")
    assert (new.name, str(new.lat), new.zero_deduction) == ("新菜场", "31.210000", True)
    assert Point.objects.get(code="P-B").name == "菜场B（改名）"
    assert "1 points created, 1 updated." in response.content.decode()


def test_it_imports_nothing_from_a_file_with_bad_rows_and_names_each(client, world):
    client.force_login(world.c.street_officer)
    before = (Point.objects.count(), AuditLog.objects.count())
    upload = _xlsx(
        [
            ["N-1", "好的", "3101010130010101", "market", None, None, None, None, None, None],
            [None, None, None, None, None, None, None, None, None, None],  # blank: skipped
            ["N-2", "", "3101010130010101", "market", None, None, None, None, None, None],
            ["N-3", "区外", "310101014000", "market", None, None, None, None, None, None],
            ["N-4", "坐标", "3101010130010101", "nope", 95, None, None, None, "也许", None],
        ]
    )
    response = client.post(reverse("point-import"), {"file": upload})
    report = response.context["report"]
    assert [(e.row, e.column) for e in report.errors] == [
        (4, "name"),
        (5, "area"),
        (6, "category"),
        (6, "lat"),
        (6, "zero_deduction"),
    ]
    assert (Point.objects.count(), AuditLog.objects.count()) == before
    body = response.content.decode()
    assert "Nothing was imported." in body
    assert "The name is missing." in body


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("points.csv", b"code,name\n", "Upload an Excel workbook (.xlsx)."),
        ("points.xlsx", b"<html>not a workbook</html>", "This file is not an Excel workbook"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_workbook(client, world, name, content, message):
    client.force_login(world.c.street_officer)
    response = client.post(reverse("point-import"), {"file": SimpleUploadedFile(name, content)})
    assert message in response.content.decode()
    assert "report" not in response.context
    assert Point.objects.count() == 3


def test_it_refuses_an_oversized_file(client, world, monkeypatch):
    monkeypatch.setattr(excel, "MAX_UPLOAD_BYTES", 100)
    client.force_login(world.c.street_officer)
    response = client.post(reverse("point-import"), {"file": _xlsx([])})
    assert "The file is larger than 0 MB." in response.content.decode()
    assert Point.objects.count() == 3


def test_it_refuses_a_sheet_without_the_headers(client, world):
    client.force_login(world.c.street_officer)
    upload = _xlsx([["N-1", "x"]], headers=["编号", "名字"])
    body = client.post(reverse("point-import"), {"file": upload}).content.decode()
    assert "The first row must hold the column headers; missing: 点位编码、点位名称" in body


@pytest.mark.parametrize(
    ("viewer", "status"),
    [("branch_secretary", 404), ("grid_worker", 404), ("outsider", 404), ("inspector", 404)],
)
def test_it_keeps_the_import_from_other_roles(client, world, viewer, status):
    client.force_login(getattr(world.c, viewer))
    upload = _xlsx([["N-1", "新", "3101010130010101", "market"]])
    assert client.post(reverse("point-import"), {"file": upload}).status_code == status
    assert not Point.objects.filter(code="N-1").exists()


def test_it_refuses_points_outside_the_street_officers_area(client, world):
    from juli.orgs import actions as org_actions

    other = org_actions.create_area(
        None, world.c.huaihai, name="淮海社区", kind="community", code="310101014001"
    )
    org_actions.create_area(None, other, name="淮海网格", kind="micro_grid", code="HH-G1")
    client.force_login(world.c.street_officer)
    upload = _xlsx([["N-9", "别处", "HH-G1", "market"]])
    report = client.post(reverse("point-import"), {"file": upload}).context["report"]
    assert [(e.row, e.message) for e in report.errors] == [
        (2, "This area is outside what you manage.")
    ]
    assert not Point.objects.filter(code="N-9").exists()
