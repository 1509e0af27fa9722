"""A point import that cannot be read says so plainly, at the file field: never the name of
the parser's exception (ParseError, KeyError, BadZipFile …), never a server error."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from juli.cases import excel, points
from juli.cases.models import Point

UNREADABLE = (
    "This file cannot be read as an Excel workbook (.xlsx): it may be damaged or another kind "
    "of file. Open it in Excel or WPS, save it again as .xlsx and upload that."
)


def _workbook(rows: int = 1) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([header for _key, header in points.POINT_COLUMNS])
    for n in range(rows):
        ws.append([f"N-{n}", "新菜场", "3101010130010101", "market"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rebuilt(replace: dict[str, Any], rows: int = 1) -> bytes:
    """A workbook with some of its parts replaced (bytes, or a function of the old bytes)."""
    source = zipfile.ZipFile(io.BytesIO(_workbook(rows)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            old = source.read(name)
            new = replace.get(name, old)
            target.writestr(name, new(old) if callable(new) else new)
    return out.getvalue()


def _zip_of(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr(name, content)
    return out.getvalue()


BROKEN = {
    # A .docx (or any zip) renamed to .xlsx: openpyxl raises KeyError.
    "another_zip": _zip_of("word/document.xml", b"<w:document/>"),
    # A damaged workbook part: ParseError when the workbook is opened.
    "broken_workbook": _rebuilt({"xl/workbook.xml": b"<workbook><sheets"}),
    # A damaged sheet start: ParseError when the workbook is opened.
    "broken_sheet_start": _rebuilt(
        {
            "xl/worksheets/sheet1.xml": b"<worksheet xmlns='http://schemas.openxmlformats.org/"
            b"spreadsheetml/2006/main'><sheetData><row r='1'><c r='A1' t='inlineStr'><is><t>x"
        }
    ),
    # A sheet cut in half: ParseError only while the rows are read (read-only mode is lazy).
    "truncated_sheet": _rebuilt(
        {"xl/worksheets/sheet1.xml": lambda old: old[: len(old) // 2]}, rows=300
    ),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_it_says_at_the_field_that_a_file_is_not_a_readable_workbook(
    client: Any, world: Any, kind: str
) -> None:
    client.force_login(world.c.street_officer)
    upload = SimpleUploadedFile("points.xlsx", BROKEN[kind], content_type=excel.XLSX_TYPE)
    response = client.post(reverse("point-import"), {"file": upload})
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [UNREADABLE]}
    body = response.content.decode()
    for name in ("ParseError", "KeyError", "BadZipFile", "InvalidFileException", "Error:"):
        assert name not in body
    assert "report" not in response.context
    assert Point.objects.count() == 3


def test_the_other_refusals_are_at_the_field_too(client: Any, world: Any) -> None:
    client.force_login(world.c.street_officer)
    upload = SimpleUploadedFile("points.csv", b"code,name\n")
    response = client.post(reverse("point-import"), {"file": upload})
    assert response.context["form"].errors == {"file": ["Upload an Excel workbook (.xlsx)."]}
