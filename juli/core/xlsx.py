"""Excel workbooks the way every Juli export makes them.

Chinese headers in a bold, filled, frozen first row; column widths from the header and the
values (CJK characters count double); numbers stay numbers; every text a spreadsheet would
evaluate (starting with = + - @, a tab or a carriage return) is neutralised with a leading
apostrophe and stored as a string, so a formula typed into a case description arrives inert.

    book = Book()
    book.sheet("问题分类", [("category", "分类"), ("count", "数量")], rows)
    data = book.bytes()

Rows are dicts keyed by the column keys (or sequences in column order).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEAD_FILL = PatternFill("solid", fgColor="FDECEA")
MAX_WIDTH = 60


def neutralise(value: Any) -> Any:
    """A text a spreadsheet would evaluate gets a leading apostrophe: it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def display_width(value: Any) -> int:
    """How many narrow characters `value` takes in a cell (a CJK character counts 2)."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    longest = max(text.split("\n"), key=len) if text else ""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in longest)


def _cell_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, dt.date):
        return value
    return neutralise(str(value))


class Book:
    """A workbook built sheet by sheet; `bytes()` gives the .xlsx file."""

    def __init__(self) -> None:
        self.workbook = Workbook()
        self._first = True

    def sheet(
        self,
        title: str,
        columns: Sequence[tuple[str, str]],
        rows: Iterable[Mapping[str, Any] | Sequence[Any]],
        *,
        caption: str = "",
        number_formats: Mapping[str, str] | None = None,
    ) -> Any:
        """Add a sheet: `columns` are (key, Chinese header); `caption` is an optional title row.

        Returns the openpyxl worksheet for any extra touches.
        """
        if self._first:
            ws = self.workbook.active
            assert ws is not None
            ws.title = title[:31]
            self._first = False
        else:
            ws = self.workbook.create_sheet(title[:31])
        widths = [display_width(header) + 2 for _key, header in columns]
        header_row = 1
        if caption:
            ws.append([neutralise(caption)])
            ws.cell(row=1, column=1).font = Font(bold=True, size=13)
            header_row = 2
        ws.append([header for _key, header in columns])
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
            cell.fill = HEAD_FILL
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        formats = number_formats or {}
        keys = [key for key, _header in columns]
        for row in rows:
            values = (
                [row.get(key) for key in keys]
                if isinstance(row, Mapping)
                else list(row)[: len(keys)]
            )
            ws.append([_cell_value(v) for v in values])
            for index, cell in enumerate(ws[ws.max_row]):
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever it starts with
                elif isinstance(cell.value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                if index < len(keys) and keys[index] in formats:
                    cell.number_format = formats[keys[index]]
                widths[index] = max(widths[index], display_width(cell.value) + 2)
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = min(max(width, 8), MAX_WIDTH)
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1).coordinate
        return ws

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.workbook.save(out)
        return out.getvalue()
