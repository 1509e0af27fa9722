"""A bulletin's figures laid out as sections, and the sections as a page, a PDF and a workbook.

The figures (see `figures.py`) are the single source; `sections()` turns them into tables
with the same rows everywhere. The PDF and the workbook are Chinese documents (their
headings are the document's text, as in the point spreadsheet); the web page shows the
translated labels.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from juli.cases.models import Case, CasePhoto
from juli.core.pdf import media_uri, render_pdf
from juli.core.xlsx import Book
from juli.orgs.models import Area

SOURCE_NAMES = {
    "inspection": "督查发现",
    "grid_worker": "网格员上报",
    "public": "群众反映",
    "hotline": "热线转办",
    "referral": "上级交办",
}

STATUS_NAMES = {
    "reported": "已上报",
    "accepted": "已立案",
    "rejected": "不予立案",
    "dispatched": "已派遣",
    "rectified": "已整改",
    "verified": "已核查",
    "closed": "已结案",
    "deferred": "挂账",
}
CASE_COLUMNS = [
    ("number", "案件编号"),
    ("reported_at", "发现时间"),
    ("title", "问题描述"),
    ("category", "问题类别"),
    ("area", "所在区域"),
    ("point", "点位"),
    ("unit", "责任单位"),
    ("source", "来源"),
    ("status", "日终状态"),
    ("deduction", "扣分"),
]


class Column(NamedTuple):
    key: str
    zh: str
    label: Promise
    numeric: bool = False


@dataclass
class Section:
    key: str
    zh: str
    label: Promise
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)


def title_for(area: Area | dict[str, Any], day: datetime.date) -> str:
    """打浦桥街道 日通报 2026年11月21日."""
    name = area["name"] if isinstance(area, dict) else area.name
    return f"{name} 日通报 {day.year}年{day.month}月{day.day}日"


COUNT = Column("count", "问题数", _("Problems"), True)
DEDUCTION = Column("deduction", "扣分", _("Deduction"), True)

SUMMARY_ITEMS = [
    ("found", "新发现问题", _("Problems found (reported)")),
    ("rectified", "整改完成", _("Rectified")),
    ("verified", "核查通过", _("Verified")),
    ("closed", "结案", _("Closed")),
    ("overdue", "超期未整改（日终）", _("Overdue at the end of the day")),
    ("deduction", "问题扣分合计", _("Deduction of the problems found")),
    ("inspections", "督查次数", _("Inspections")),
    ("points_inspected", "督查点位数", _("Points inspected")),
    ("inspection_deduction", "督查扣分合计", _("Deduction in inspections")),
]


def sections(figures: dict[str, Any]) -> list[Section]:
    """The bulletin's tables in document order (empty tables included: "none" is news too)."""
    kind = figures["area"]["kind"]
    summary = figures["summary"]
    overview = Section(
        "summary",
        "总体情况",
        _("Overview"),
        [Column("item", "项目", _("Figure")), Column("value", "数值", _("Value"), True)],
    )
    for key, zh, label in SUMMARY_ITEMS:
        row: dict[str, Any] = {"key": key, "item": zh, "label": label, "value": summary[key]}
        if key == "found":
            row["link"] = figures["links"]["found"]
        elif key in figures.get("summary_ids", {}):
            row["drill"] = key
        overview.rows.append(row)

    category = Section(
        "by_category",
        "问题分类",
        _("Problems by category"),
        [Column("name", "问题类别", _("Category")), COUNT, DEDUCTION],
        [dict(r) for r in figures["by_category"]],
    )
    child_zh, child_label = (
        ("街道", _("Street")) if kind == Area.Kind.DISTRICT else ("社区", _("Community"))
    )
    by_area = Section(
        "by_area",
        f"按{child_zh}",
        _("Problems by street") if kind == Area.Kind.DISTRICT else _("Problems by community"),
        [Column("name", child_zh, child_label), COUNT, DEDUCTION],
    )
    for r in figures["by_area"]:
        by_area.rows.append(
            {**r, "name": r["name"] or f"{figures['area']['name']}（直属）", "direct": not r["id"]}
        )
    unit = Section(
        "by_unit",
        "责任单位",
        _("Problems by responsible unit"),
        [Column("name", "责任单位", _("Responsible unit")), COUNT, DEDUCTION],
    )
    for r in figures["by_unit"]:
        unit.rows.append({**r, "name": r["name"] or "尚未派遣", "undispatched": not r["id"]})
    source = Section(
        "by_source",
        "问题来源",
        _("Problems by source"),
        [Column("name", "来源", _("Source")), COUNT, DEDUCTION],
        [
            {
                **r,
                "name": SOURCE_NAMES.get(r["code"], r["code"]),
                "label": Case.Source(r["code"]).label,
            }
            for r in figures["by_source"]
        ],
    )
    point_columns = [
        Column("code", "点位编码", _("Code")),
        Column("name", "点位", _("Point")),
        Column("area", "所在网格", _("Area")),
        Column("unit", "责任单位", _("Responsible unit")),
        COUNT,
        DEDUCTION,
    ]
    zero = Section(
        "zero_points",
        "零扣分点位失分",
        _("Zero-deduction points that lost points"),
        point_columns,
        [dict(r) for r in figures["zero_points"]],
    )
    worst = Section(
        "worst_points",
        "问题突出点位",
        _("Worst points of the day"),
        [Column("rank", "排名", _("Rank"), True), *point_columns],
        [dict(r) for r in figures["worst_points"]],
    )
    return [overview, category, by_area, unit, source, zero, worst]


def worst_photos(figures: dict[str, Any]) -> dict[int, CasePhoto]:
    """The before-photos the worst points list, by id (one query)."""
    ids = [pk for row in figures.get("worst_points", []) for pk in row.get("photos", [])]
    return {p.pk: p for p in CasePhoto.objects.filter(pk__in=ids)}


def _image(photo: CasePhoto) -> Any:
    return photo.thumbnail if photo.thumbnail else photo.file


def pdf_bytes(
    figures: dict[str, Any],
    *,
    notes: str = "",
    status_line: str = "",
) -> bytes:
    day = datetime.date.fromisoformat(figures["date"])
    photos = worst_photos(figures)
    parts = sections(figures)
    worst = parts[-1]
    for row in worst.rows:
        row["images"] = [
            uri
            for uri in (media_uri(_image(photos[pk])) for pk in row["photos"] if pk in photos)
            if uri
        ]
    return render_pdf(
        "bulletins/pdf.html",
        {
            "sections": parts[:-1],
            "worst": worst,
            "figures": figures,
            "notes": notes,
            "status_line": status_line,
            "day": day,
        },
        issuer=figures["area"]["name"],
        title=title_for(figures["area"], day),
    )


def _number(value: Any) -> Any:
    """Deductions travel as "3.50" in the snapshot: in a spreadsheet they are numbers."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


def xlsx_bytes(figures: dict[str, Any], *, notes: str = "") -> bytes:
    day = datetime.date.fromisoformat(figures["date"])
    title = title_for(figures["area"], day)
    book = Book()
    for part in sections(figures):
        columns = [(c.key, c.zh) for c in part.columns]
        numeric = {c.key for c in part.columns if c.numeric}
        rows = [{k: _number(v) if k in numeric else v for k, v in r.items()} for r in part.rows]
        book.sheet(part.zh, columns, rows, caption=f"{title} · {part.zh}")
    cases = [
        {
            **r,
            "source": SOURCE_NAMES.get(r["source"], r["source"]),
            "status": STATUS_NAMES.get(r["status"], r["status"]),
            "deduction": _number(r["deduction"]),
        }
        for r in figures.get("cases", [])
    ]
    book.sheet("问题清单", CASE_COLUMNS, cases, caption=f"{title} · 问题清单")
    book.sheet(
        "备注", [("notes", "备注")], [{"notes": line} for line in notes.splitlines()], caption=title
    )
    return book.bytes()


def person_name(user: Any) -> str:
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


def status_line(bulletin: Any) -> str:
    """The state printed under the PDF's title (a document line, in Chinese)."""
    if bulletin is None or bulletin.status != "published" or bulletin.published_at is None:
        return "草稿（未发布）"
    when = timezone.localtime(bulletin.published_at).strftime("%Y-%m-%d %H:%M")
    who = person_name(bulletin.published_by) or "系统自动发布"
    return f"已发布 {when} · {who}"
