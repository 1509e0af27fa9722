"""Points to and from .xlsx: the spreadsheet layer around `points.point_rows` / `import_points`.

Export: Chinese headers from `POINT_COLUMNS`, a frozen header row, column widths that fit,
coordinates as numbers, and every text that a spreadsheet would take for a formula
(`juli.core.xlsx.looks_like_formula`) neutralised with a leading apostrophe.
Import: only a real .xlsx under `MAX_UPLOAD_BYTES` and `MAX_ROWS`; headers are matched in
Chinese (or by their keys), the apostrophe added on export is taken off again, and rows
come back with their sheet row numbers so that every error names the row the user sees.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from juli.core.xlsx import XLSX_TYPE, looks_like_formula, neutralise

from .points import POINT_COLUMNS

__all__ = ["XLSX_TYPE", "neutralise", "export_points", "read_points", "template"]

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
HEADERS = dict(POINT_COLUMNS)
NUMERIC = {"lat", "lng"}
REQUIRED = ("code", "name", "area", "category")
WIDTHS = {"code": 16, "name": 28, "area": 22, "category": 16, "unit": 26, "person": 16}


def _restore(value: Any) -> Any:
    """Undo `neutralise` on import: the apostrophe it puts before a formula, and only that."""
    if isinstance(value, str) and value[:1] == "'" and looks_like_formula(value.lstrip("'")):
        return value[1:]
    return value


def _number(raw: str) -> Any:
    try:
        return Decimal(raw) if raw else None
    except ArithmeticError:
        return neutralise(raw)


def _workbook(rows: Iterable[dict[str, Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "点位"
    ws.append([header for _key, header in POINT_COLUMNS])
    head_fill = PatternFill("solid", fgColor="FDECEA")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = head_fill
        cell.alignment = Alignment(vertical="center")
    for row in rows:
        values = []
        for key, _header in POINT_COLUMNS:
            raw = row.get(key, "")
            values.append(_number(str(raw)) if key in NUMERIC else neutralise(raw))
        ws.append(values)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever it starts with
    for index, (key, header) in enumerate(POINT_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = WIDTHS.get(
            key, max(10, len(header) * 2 + 2)
        )
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_points(rows: Iterable[dict[str, Any]]) -> bytes:
    """An .xlsx of `points.point_rows(...)`."""
    return _workbook(rows)


def template() -> bytes:
    """The empty import template: the header row and one example row to overwrite."""
    example = {
        "code": "P-0001",
        "name": "示例菜场",
        "area": "3101010130010101",
        "category": "market",
        "lat": "31.200000",
        "lng": "121.470000",
        "unit": "",
        "person": "",
        "zero_deduction": "否",
        "active": "是",
    }
    return _workbook([example])


@dataclass
class SheetRows:
    """Rows keyed as `POINT_COLUMNS`, each with its row number on the sheet."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)


def _header_map(header: tuple[Any, ...]) -> dict[int, str]:
    by_text = {h: k for k, h in POINT_COLUMNS} | {k: k for k, _h in POINT_COLUMNS}
    found: dict[int, str] = {}
    for index, cell in enumerate(header):
        key = by_text.get(str(cell).strip()) if cell is not None else None
        if key is not None and key not in found.values():
            found[index] = key
    missing = [HEADERS[k] for k in REQUIRED if k not in found.values()]
    if missing:
        raise ValidationError(
            _("The first row must hold the column headers; missing: %(h)s.")
            % {"h": "、".join(missing)},
            code="headers",
        )
    return found


def read_points(upload: Any) -> SheetRows:
    """Read an uploaded .xlsx into rows; raise ValidationError for a file that is not one."""
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(".xlsx"):
        raise ValidationError(_("Upload an Excel workbook (.xlsx)."), code="type")
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
            code="size",
        )
    upload.seek(0)
    data = upload.read()
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValidationError(_("This file is not an Excel workbook (.xlsx)."), code="type")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a broken file: none means anything to a user
        raise _unreadable() from None
    try:
        return _rows(wb)
    except ValidationError:
        raise
    except Exception:  # read-only sheets are parsed while their rows are read
        raise _unreadable() from None
    finally:
        wb.close()


def _unreadable() -> ValidationError:
    return ValidationError(
        _(
            "This file cannot be read as an Excel workbook (.xlsx): it may be damaged or "
            "another kind of file. Open it in Excel or WPS, save it again as .xlsx and upload "
            "that."
        ),
        code="broken",
    )


def _rows(wb: Any) -> SheetRows:
    """The point rows of the first sheet, keyed as `POINT_COLUMNS`, with their row numbers."""
    ws = wb.worksheets[0] if wb.worksheets else None
    if ws is None:
        raise ValidationError(_("The workbook has no sheet."), code="empty")
    lines = ws.iter_rows(values_only=True)
    header = next(lines, None)
    if header is None:
        raise ValidationError(_("The sheet is empty."), code="empty")
    columns = _header_map(header)
    out = SheetRows()
    for number, line in enumerate(lines, start=2):
        if all(v is None or str(v).strip() == "" for v in line):
            continue
        if len(out.rows) >= MAX_ROWS:
            raise ValidationError(
                _("At most %(n)d points per file.") % {"n": MAX_ROWS}, code="rows"
            )
        out.rows.append({key: _restore(line[i]) for i, key in columns.items() if i < len(line)})
        out.numbers.append(number)
    if not out.rows:
        raise ValidationError(_("The sheet has no points under its header."), code="empty")
    return out
