"""Excel workbooks the way every Juli export makes them.

Chinese headers in a bold, filled, frozen first row; column widths from the header and the
values (CJK characters count double); numbers stay numbers. Every text is stored as a string
cell, which a spreadsheet shows and never evaluates; a text that would run as a formula if it
were typed again or passed through CSV (`looks_like_formula`: "=…", or "+ - @" before a
function call, a DDE link or a sheet reference) also gets a leading apostrophe, so a formula
typed into a case description arrives inert, while "-2+3", "+86 138…" or "@张三" stay as
typed. Bidirectional controls are taken out of every text (`juli.core.bidi`).

    book = Book()
    book.sheet("问题分类", [("category", "分类"), ("count", "数量")], rows)
    data = book.bytes()

Rows are dicts keyed by the column keys (or sequences in column order).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .bidi import strip_bidi

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEAD_FILL = PatternFill("solid", fgColor="FDECEA")
MAX_WIDTH = 60

#: After a leading + - or @, what a spreadsheet would run rather than show: a function call
#: (SUM(, HYPERLINK(, cmd (), a DDE link (cmd|' /C calc'), a reference into another sheet
#: (Sheet1!A1). Sums of numbers ("-2+3") and phone numbers ("+86 …") compute nothing.
_ACTIVE = re.compile(r"[A-Za-z_][\w.]*\s*\(|\||![$]?[A-Za-z]{1,3}[$]?\d")


def looks_like_formula(text: str) -> bool:
    """Whether `text`, typed into a spreadsheet or read from CSV, would be run as a formula.

    Leading blanks are skipped (CSV readers trim them) and full-width forms count as their
    ASCII twins (＝ is = to an input method)."""
    plain = unicodedata.normalize("NFKC", text).lstrip(" \t\r\n")
    if plain.startswith("="):
        return True
    return plain[:1] in ("+", "-", "@") and _ACTIVE.search(plain, 1) is not None


def neutralise(value: Any) -> Any:
    """A text without bidi controls; one a spreadsheet would run gets a leading apostrophe."""
    if not isinstance(value, str):
        return value
    value = strip_bidi(value)
    # Apostrophes already in front count too ("'=1" becomes "''=1"), so that the import
    # (the cases app's `excel.py`) takes off exactly the one added here.
    return "'" + value if looks_like_formula(value.lstrip("'")) else value


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
            ws.title = strip_bidi(title)[:31]
            self._first = False
        else:
            ws = self.workbook.create_sheet(strip_bidi(title)[:31])
        widths = [display_width(header) + 2 for _key, header in columns]
        header_row = 1
        if caption:
            ws.append([neutralise(caption)])
            ws.cell(row=1, column=1).font = Font(bold=True, size=13)
            header_row = 2
        # Headers can be typed too (a rating standard's category names): neutralised as cells.
        ws.append([neutralise(str(header)) for _key, header in columns])
        for cell in ws[header_row]:
            cell.data_type = "s"
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
