"""Background exports of the inspection loop (registered with `juli.core.exports`).

`cases.xlsx`: every case of the office list's current filters within the owner's scope, as
one sheet streamed by openpyxl's write-only mode (constant memory, 100k+ rows). Chinese
headers, a frozen header row, dates as dates, and every text a spreadsheet would evaluate
neutralised (`juli.core.xlsx.neutralise`) and stored as text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from juli.core.exports import ExportError, exporter, progress, set_rows, temp_path
from juli.core.xlsx import HEAD_FILL, neutralise

from . import access, forms, queries
from .models import Case

MAX_ROWS = 1_000_000  # an .xlsx sheet holds 1,048,576 rows

# (header, width): the order of the columns.
CASE_COLUMNS = [
    ("编号", 16),
    ("标题", 30),
    ("问题描述", 50),
    ("问题分类", 14),
    ("状态", 10),
    ("来源", 10),
    ("辖区", 18),
    ("点位编号", 14),
    ("点位", 24),
    ("责任单位", 24),
    ("扣分", 8),
    ("上报时间", 18),
    ("派遣时间", 18),
    ("整改期限", 18),
    ("整改时间", 18),
    ("核查时间", 18),
    ("办结时间", 18),
    ("超期升级", 10),
]


NOT_FILTERS = {"after", "csrfmiddlewaretoken"}


def filter_params(query: MultiValueDict[str, Any]) -> dict[str, Any]:
    """The list's filters as the JSON params of an export (paging and the CSRF token left out).

    The values are kept as sent; `CaseFilterForm` reads them again when the file is made.
    """
    return {
        "filters": {
            key: [str(v) for v in query.getlist(key)]
            for key in sorted(query)
            if key not in NOT_FILTERS
        }
    }


def _filters(params: dict[str, Any], owner: Any) -> queries.CaseFilters:
    raw = params.get("filters") or {}
    data = MultiValueDict(
        {str(k): [str(v) for v in (vs if isinstance(vs, list) else [vs])] for k, vs in raw.items()}
    )
    return forms.CaseFilterForm(data, user=owner).filters()


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _text(ws: Any, value: str) -> Any:
    cell = WriteOnlyCell(ws, value=neutralise(value))
    cell.data_type = "s"  # never a formula, whatever it starts with
    return cell


def _date(ws: Any, value: dt.datetime | None) -> Any:
    cell = WriteOnlyCell(ws, value=_local(value))
    if value:
        cell.number_format = "yyyy-mm-dd hh:mm"
    return cell


@exporter("cases.xlsx")
def cases_xlsx(params: dict[str, Any], owner: Any) -> tuple[str, Any]:
    """The office case list (filters in `params["filters"]`) as .xlsx, in the owner's scope."""
    qs = (
        queries.filter_cases(access.visible_cases(owner), _filters(params, owner))
        .select_related("category", "area", "unit", "point")
        .order_by("-reported_at", "-pk")
    )
    statuses = dict(Case.Status.choices)
    sources = dict(Case.Source.choices)
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("问题清单")
    for index, (_header, width) in enumerate(CASE_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    head = []
    for header, _width in CASE_COLUMNS:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(vertical="center")
        head.append(cell)
    ws.append(head)
    rows = 0
    for case in qs.iterator(chunk_size=2000):
        if rows >= MAX_ROWS:
            raise ExportError(
                _("More than %(n)s cases match: narrow the filters (e.g. by date).")
                % {"n": MAX_ROWS}
            )
        ws.append(
            [
                _text(ws, case.number),
                _text(ws, case.title),
                _text(ws, case.description),
                _text(ws, case.category.name),
                _text(ws, str(statuses.get(case.status, case.status))),
                _text(ws, str(sources.get(case.source, case.source))),
                _text(ws, case.area.name),
                _text(ws, case.point.code if case.point else ""),
                _text(ws, case.point.name if case.point else ""),
                _text(ws, case.unit.name if case.unit else ""),
                case.deduction,
                _date(ws, case.reported_at),
                _date(ws, case.dispatched_at),
                _date(ws, case.deadline),
                _date(ws, case.rectified_at),
                _date(ws, case.verified_at),
                _date(ws, case.closed_at),
                _text(ws, "是" if case.escalated_at else ""),
            ]
        )
        rows += 1
        progress(rows)
    set_rows(rows)
    path = temp_path(".xlsx")
    workbook.save(path)
    return f"cases-{timezone.localdate():%Y%m%d}.xlsx", path
