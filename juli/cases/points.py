"""Points (点位): create, change, import from and export to spreadsheets.

Writes of the points sub-workflow (split from `actions.py` by STYLE's 800-line rule); the
conventions are those of `actions.py`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from juli.core.audit import record, snapshot
from juli.core.types import Actor
from juli.core.writes import apply_fields, require
from juli.orgs.models import Area, Person, Unit

from . import access
from .models import POINT_AREA_KINDS, Point, PointCategory, check_position, position_errors

# --- Points ---------------------------------------------------------------------------------------

POINT_FIELDS = [
    "code",
    "name",
    "area",
    "category",
    "lat",
    "lng",
    "responsible_unit",
    "responsible_person",
    "zero_deduction",
    "is_active",
]


def _check_point(actor: Actor, point: Point) -> None:
    if point.area_id is None:
        raise ValidationError({"area": _("Choose the area of the point.")})
    if point.area.kind not in POINT_AREA_KINDS:
        raise ValidationError({"area": _("A point lies in a micro-grid or a building group.")})
    require(actor, access.can_manage_point(actor, point.area.path))
    point.area_path = point.area.path
    check_position(point.lat, point.lng)  # before full_clean, whose range checks fail on NaN
    point.full_clean()


@transaction.atomic
def create_point(actor: Actor, **data: Any) -> Point:
    """Create a point in a micro-grid or building group the actor manages (office roles)."""
    point = Point()
    apply_fields(point, POINT_FIELDS, data)
    _check_point(actor, point)
    point.save()
    record(actor, "point.create", point, after=snapshot(point))
    return point


@transaction.atomic
def update_point(actor: Actor, point: Point, **data: Any) -> Point:
    """Change a point; moving it to another area needs rights over both areas."""
    point = Point.objects.select_for_update().get(pk=point.pk)
    require(actor, access.can_manage_point(actor, point.area_path))
    before = snapshot(point)
    apply_fields(point, POINT_FIELDS, data)
    _check_point(actor, point)
    point.save()
    record(actor, "point.update", point, before=before, after=snapshot(point))
    return point


#: Columns of the point import/export, in order: (key, header). The spreadsheet layer puts
#: the headers (Chinese through i18n) on the first row and maps them back to the keys.
POINT_COLUMNS: list[tuple[str, str]] = [
    ("code", "点位编码"),
    ("name", "点位名称"),
    ("area", "所属网格编码"),
    ("category", "点位类别编码"),
    ("lat", "纬度"),
    ("lng", "经度"),
    ("unit", "包联单位"),
    ("person", "责任人手机号"),
    ("zero_deduction", "零扣分点位"),
    ("active", "启用"),
]
_TRUE = {"1", "true", "yes", "y", "是", "√", "✓", "x"}
_FALSE = {"0", "false", "no", "n", "否", ""}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    """What an import did, or why it did nothing: every bad row with its number and reason."""

    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets hand over 1310000 as 1310000.0
    return str(value).strip()


def _decimal(raw: str, low: int, high: int) -> Decimal | None:
    if raw == "":
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(_("not a number")) from None
    if not value.is_finite():  # "NaN", "inf": a number to Decimal, not a place on earth
        raise ValueError(_("not a number"))
    if not Decimal(low) <= value <= Decimal(high):
        raise ValueError(_("out of range"))
    return value.quantize(Decimal("0.000001"))


def _flag(raw: str, default: bool) -> bool:
    low = raw.lower()
    if raw == "":
        return default
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError(_("write 是 or 否"))


def import_points(
    actor: Actor, rows: Sequence[dict[str, Any]], *, first_row: int = 2
) -> ImportReport:
    """Create or update points from spreadsheet rows (keys as in `POINT_COLUMNS`).

    Every row is checked first; if any is bad, nothing is written and the report lists each
    bad row (numbered from `first_row`, the row under the header) with the column and the
    reason. Otherwise all rows are written in one transaction. A row whose code exists
    updates that point. Area, category and unit are given by code (a unit also by its exact
    name), the responsible person by mobile number.
    """
    report = ImportReport()
    codes = [_text(r, "code") for r in rows]
    areas = {a.code: a for a in Area.objects.filter(code__in={_text(r, "area") for r in rows})}
    categories = {
        c.code: c
        for c in PointCategory.objects.filter(code__in={_text(r, "category") for r in rows})
    }
    unit_keys = {_text(r, "unit") for r in rows} - {""}
    units: dict[str, list[Unit]] = defaultdict(list)
    for unit in Unit.objects.filter(Q(code__in=unit_keys) | Q(name__in=unit_keys)):
        if unit.code:
            units[unit.code].append(unit)
        if unit.name != unit.code:
            units[unit.name].append(unit)
    people = {
        p.phone: p
        for p in Person.objects.filter(phone__in={_text(r, "person") for r in rows} - {""})
    }
    existing = {p.code: p for p in Point.objects.filter(code__in=codes).select_related("area")}
    seen: dict[str, int] = {}
    plans: list[tuple[Point | None, dict[str, Any]]] = []
    for index, row in enumerate(rows):
        number = first_row + index
        errors: list[RowError] = []

        def bad(
            column: str, message: str, number: int = number, errors: list[RowError] = errors
        ) -> None:
            errors.append(RowError(number, column, message))

        code, name = _text(row, "code"), _text(row, "name")
        if not code:
            bad("code", _("The code is missing."))
        elif code in seen:
            bad("code", _("The same code is on row %(n)d.") % {"n": seen[code]})
        else:
            seen[code] = number
            try:
                Point._meta.get_field("code").run_validators(code)
            except ValidationError as e:
                bad("code", " ".join(e.messages))
        if not name:
            bad("name", _("The name is missing."))
        elif len(name) > 120:
            bad("name", _("The name is longer than 120 characters."))
        area = areas.get(_text(row, "area"))
        if area is None:
            bad("area", _("No area has the code “%(c)s”.") % {"c": _text(row, "area")})
        elif area.kind not in POINT_AREA_KINDS:
            bad("area", _("A point lies in a micro-grid or a building group."))
        elif actor is not None and not access.can_manage_point(actor, area.path):
            bad("area", _("This area is outside what you manage."))
        category = categories.get(_text(row, "category"))
        if category is None:
            bad(
                "category",
                _("No point category has the code “%(c)s”.") % {"c": _text(row, "category")},
            )
        values: dict[str, Any] = {"code": code, "name": name, "area": area, "category": category}
        position_ok = True
        for key, low, high in (("lat", -90, 90), ("lng", -180, 180)):
            try:
                values[key] = _decimal(_text(row, key), low, high)
            except ValueError as e:
                bad(key, str(e))
                position_ok = False
        if position_ok:
            for key, message in position_errors(values["lat"], values["lng"]).items():
                bad(key, message)
        unit_key = _text(row, "unit")
        values["responsible_unit"] = None
        if unit_key:
            found = units.get(unit_key, [])
            if len(found) != 1:
                bad(
                    "unit",
                    (
                        _("No unit is called “%(u)s”.")
                        if not found
                        else _("Several units are called “%(u)s”: use its code.")
                    )
                    % {"u": unit_key},
                )
            else:
                values["responsible_unit"] = found[0]
        phone = _text(row, "person")
        values["responsible_person"] = None
        if phone:
            if phone not in people:
                bad("person", _("No person has the mobile number %(p)s.") % {"p": phone})
            else:
                values["responsible_person"] = people[phone]
        for key, attr, default in (
            ("zero_deduction", "zero_deduction", False),
            ("active", "is_active", True),
        ):
            try:
                values[attr] = _flag(_text(row, key), default)
            except ValueError as e:
                bad(key, str(e))
        old = existing.get(code)
        if (
            old is not None
            and actor is not None
            and not access.can_manage_point(actor, old.area_path)
        ):
            bad("code", _("This point exists outside what you manage."))
        report.errors.extend(errors)
        plans.append((old, values))
    if report.errors:
        return report
    with transaction.atomic():
        for old, values in plans:
            if old is None:
                point = Point(**values)
                point.area_path = point.area.path
                point.full_clean()
                point.save()
                record(actor, "point.import", point, after=snapshot(point))
                report.created += 1
            else:
                point = Point.objects.select_for_update().get(pk=old.pk)
                before = snapshot(point)
                apply_fields(point, POINT_FIELDS, values)
                point.area_path = point.area.path
                point.full_clean()
                point.save()
                record(actor, "point.import", point, before=before, after=snapshot(point))
                report.updated += 1
    return report


def point_rows(queryset: QuerySet[Point]) -> list[dict[str, str]]:
    """Points as rows with the keys of `POINT_COLUMNS` (what `import_points` reads back)."""
    rows = []
    for p in queryset.select_related(
        "area", "category", "responsible_unit", "responsible_person"
    ).order_by("area_path", "code"):
        unit = p.responsible_unit
        rows.append(
            {
                "code": p.code,
                "name": p.name,
                "area": p.area.code,
                "category": p.category.code,
                "lat": "" if p.lat is None else str(p.lat),
                "lng": "" if p.lng is None else str(p.lng),
                "unit": (unit.code or unit.name) if unit else "",
                "person": (p.responsible_person.phone or "") if p.responsible_person else "",
                "zero_deduction": "是" if p.zero_deduction else "否",
                "active": "是" if p.is_active else "否",
            }
        )
    return rows
