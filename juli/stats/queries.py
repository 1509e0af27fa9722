"""Read side of the dashboards: every figure of a period comes from the rollups.

`summary()` runs a fixed number of queries whatever the number of cases: two on the daily
rollups (grouped by cell and category; by day; `CoarseDaily` for a district, `CaseDaily`
below), one on `CaseOpen`, one for the areas drawn, one for the category names, and three small indexed ones on `Case` (the overdue
count and the 20 most overdue, on the (status, deadline) index; the newest open cases with
a position, capped at `POINT_LIMIT`).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from juli.cases.models import OPEN_STATUSES, Case, CaseCategory
from juli.orgs.access import scope_of
from juli.orgs.models import Area
from juli.orgs.roles import OFFICE_ROLES

from .models import COARSE_DEPTH, COUNTERS, CaseDaily, CaseOpen, CoarseDaily

OVERDUE_LIMIT = 20
POINT_LIMIT = 2000
KIND_ORDER = [k.value for k in Area.Kind]
#: Which cells the density map of an area is drawn with.
MAP_KIND: dict[str, str] = {
    Area.Kind.DISTRICT: Area.Kind.COMMUNITY,
    Area.Kind.STREET: Area.Kind.MICRO_GRID,
    Area.Kind.COMMUNITY: Area.Kind.MICRO_GRID,
    Area.Kind.MICRO_GRID: Area.Kind.MICRO_GRID,
    Area.Kind.BUILDING_GROUP: Area.Kind.BUILDING_GROUP,
}


# --- Scope -------------------------------------------------------------------------------------


def dashboard_paths(user: Any) -> list[str] | None:
    """The area subtrees whose dashboards `user` reads (office posts over areas); None = all."""
    scope = scope_of(user)
    if scope.superuser:
        return None
    return scope.paths("area", OFFICE_ROLES)


def can_read(user: Any, area: Area) -> bool:
    paths = dashboard_paths(user)
    return paths is None or any(area.path.startswith(p) for p in paths)


def top_areas(user: Any) -> list[Area]:
    """The outermost areas of the user's dashboard scope (districts, streets …)."""
    paths = dashboard_paths(user)
    qs = Area.objects.filter(is_active=True)
    if paths is None:
        qs = qs.filter(depth=1)
    elif not paths:
        return []
    else:
        qs = qs.filter(path__in=paths)
    return list(qs.order_by("path"))


def area_choices(user: Any, tops: list[Area]) -> list[Area]:
    """The top areas and their children: what the selector offers (deeper areas by link)."""
    if not tops:
        return []
    q = Q(pk__in=[a.pk for a in tops])
    for top in tops:
        q |= Q(path__startswith=top.path, depth=top.depth + 1)
    return list(
        Area.objects.filter(q, is_active=True)
        .only("pk", "code", "name", "kind", "path", "depth")
        .order_by("path")
    )


def area_by_code(user: Any, code: str | None) -> Area:
    """The area `code` when the user may read its dashboard; the first top area when no code
    is given; Http404 otherwise (an area outside the scope looks like an unknown one)."""
    if not code:
        tops = top_areas(user)
        if not tops:
            raise Http404
        return tops[0]
    area = Area.objects.filter(code=code).first()
    if area is None or not can_read(user, area):
        raise Http404
    return area


# --- Figures -----------------------------------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _depth_of(area: Area, kind: str) -> int:
    return int(area.depth) + KIND_ORDER.index(kind) - KIND_ORDER.index(area.kind)


def _zero() -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(COUNTERS, 0)
    out["deduction_sum"] = Decimal("0")
    return out


def _add(into: dict[str, Any], row: dict[str, Any]) -> None:
    for name in (*COUNTERS, "deduction_sum"):
        into[name] += row[name] or 0


def _rates(fig: dict[str, Any]) -> dict[str, Any]:
    fig["on_time_rate"] = _rate(fig["rectified_on_time"], fig["rectified"])
    fig["pass_rate"] = _rate(fig["verified"], fig["verified"] + fig["sent_back"])
    return fig


def summary(
    user: Any, area: Area, day_from: datetime.date, day_to: datetime.date
) -> dict[str, Any]:
    """The dashboard figures of `area`'s subtree for the local days `day_from`..`day_to`.

    `user` (or None for the system) must be allowed the area's dashboard, else Http404.
    Returns a JSON-ready dict: totals (counters, rates, open and overdue now), trend (per
    day), categories, children (per child area), cells (per map cell, with boundary),
    overdue (the 20 most overdue cases) and points (open cases with a position).
    """
    if user is not None and not can_read(user, area):
        raise Http404
    if day_to < day_from:
        day_from, day_to = day_to, day_from
    now = timezone.now()
    child_depth = int(area.depth) + 1
    cell_depth = _depth_of(area, MAP_KIND[area.kind])
    deep = max(child_depth, cell_depth) * Area.steplen
    in_period = Q(area_path__startswith=area.path, day__gte=day_from, day__lte=day_to)
    # A district's streets and communities come from the per-community rows.
    daily: Any = CoarseDaily if deep <= COARSE_DEPTH * Area.steplen else CaseDaily
    sums = {name: Sum(name) for name in (*COUNTERS, "deduction_sum")}

    # 1. The period by (deepest prefix, category): totals, categories, children and cells.
    by_cell: list[Any] = list(
        daily.objects.filter(in_period)
        .annotate(prefix=Substr("area_path", 1, deep))
        .order_by()
        .values("prefix", "category_id")
        .annotate(**sums)
    )
    # 2. The period by day: the trend.
    by_day: dict[datetime.date, Any] = {
        row["day"]: row
        for row in daily.objects.filter(in_period)
        .order_by()
        .values("day")
        .annotate(reported=Sum("reported"), closed=Sum("closed"), rectified=Sum("rectified"))
    }
    # 3. Open now, by the same prefix and category.
    open_rows: list[Any] = list(
        CaseOpen.objects.filter(area_path__startswith=area.path)
        .annotate(prefix=Substr("area_path", 1, deep))
        .order_by()
        .values("prefix", "category_id")
        .annotate(n=Sum("open"))
    )
    # 4. The areas drawn: children (table) and cells (map).
    areas = list(
        Area.objects.filter(path__startswith=area.path, depth__in={child_depth, cell_depth})
        .only("pk", "code", "name", "kind", "path", "depth", "boundary", "is_active")
        .order_by("path")
    )
    names = dict(CaseCategory.objects.values_list("pk", "name"))  # 5. small table

    totals = _zero()
    per_category: dict[int, dict[str, Any]] = {}
    per_prefix: dict[str, dict[str, Any]] = {}
    for row in by_cell:
        _add(totals, row)
        _add(per_category.setdefault(row["category_id"], _zero()), row)
        _add(per_prefix.setdefault(row["prefix"], _zero()), row)
    open_total = 0
    open_category: dict[int, int] = {}
    open_prefix: dict[str, int] = {}
    for row in open_rows:
        n = row["n"] or 0
        open_total += n
        open_category[row["category_id"]] = open_category.get(row["category_id"], 0) + n
        open_prefix[row["prefix"]] = open_prefix.get(row["prefix"], 0) + n

    def under(path: str, table: dict[str, Any], zero: Any, add: Any) -> Any:
        acc = zero()
        for prefix, value in table.items():
            if prefix.startswith(path):
                add(acc, value)
        return acc

    def fig_of(a: Area) -> dict[str, Any]:
        fig = under(a.path, per_prefix, _zero, _add)
        opened = sum(v for p, v in open_prefix.items() if p.startswith(a.path))
        return {
            "id": a.pk,
            "code": a.code,
            "name": a.name,
            "kind": a.kind,
            "reported": fig["reported"],
            "closed": fig["closed"],
            "rectified": fig["rectified"],
            "rectified_on_time": fig["rectified_on_time"],
            "on_time_rate": _rate(fig["rectified_on_time"], fig["rectified"]),
            "pass_rate": _rate(fig["verified"], fig["verified"] + fig["sent_back"]),
            "open": opened,
        }

    children, cells = [], []
    for a in areas:
        if a.depth == child_depth:
            fig = fig_of(a)
            if a.is_active or fig["reported"] or fig["open"]:
                children.append(fig)
        if a.depth == cell_depth and a.boundary:
            fig = fig_of(a)
            fig["boundary"] = a.boundary
            cells.append(fig)
    if cell_depth == int(area.depth) and area.boundary:  # a micro-grid maps itself
        cells.append({**fig_of(area), "boundary": area.boundary})

    overdue_q = Case.objects.filter(
        area_path__startswith=area.path, status=Case.Status.DISPATCHED, deadline__lt=now
    )
    overdue_count = overdue_q.count()  # 6.
    overdue = [  # 7.
        {
            "id": c.pk,
            "number": c.number,
            "title": c.title,
            "area": c.area.name,
            "category": c.category.name,
            "unit": c.unit.name if c.unit else "",
            "deadline": timezone.localtime(c.deadline).isoformat() if c.deadline else None,
            "hours_overdue": int((now - c.deadline).total_seconds() // 3600) if c.deadline else 0,
        }
        for c in overdue_q.select_related("area", "category", "unit").order_by("deadline", "pk")[
            :OVERDUE_LIMIT
        ]
    ]
    points = [  # 8.
        {
            "id": pk,
            "number": number,
            "title": title,
            "status": status,
            "lat": float(lat or 0),
            "lng": float(lng or 0),
            "overdue": status == Case.Status.DISPATCHED and deadline is not None and deadline < now,
        }
        for pk, number, title, status, lat, lng, deadline in Case.objects.filter(
            area_path__startswith=area.path,
            status__in=list(OPEN_STATUSES),
            lat__isnull=False,
            lng__isnull=False,
        )
        .order_by("-reported_at", "-id")
        .values_list("pk", "number", "title", "status", "lat", "lng", "deadline")[:POINT_LIMIT]
    ]

    _rates(totals)
    totals["deduction_sum"] = str(Decimal(totals["deduction_sum"]).quantize(Decimal("0.01")))
    totals["open"] = open_total
    totals["overdue"] = overdue_count
    days = (day_to - day_from).days + 1
    trend = []
    for i in range(days):
        day = day_from + datetime.timedelta(days=i)
        got = by_day.get(day) or {}
        trend.append(
            {
                "day": day.isoformat(),
                "reported": got.get("reported") or 0,
                "closed": got.get("closed") or 0,
                "rectified": got.get("rectified") or 0,
            }
        )
    categories = sorted(
        (
            {
                "id": pk,
                "name": names.get(pk, str(pk)),
                "reported": fig["reported"],
                "closed": fig["closed"],
                "on_time_rate": _rate(fig["rectified_on_time"], fig["rectified"]),
                "open": open_category.get(pk, 0),
            }
            for pk, fig in per_category.items()
        ),
        key=lambda c: (-c["reported"], -c["open"], c["name"]),
    )
    for pk, n in open_category.items():
        if pk not in per_category and n:
            categories.append(
                {
                    "id": pk,
                    "name": names.get(pk, str(pk)),
                    "reported": 0,
                    "closed": 0,
                    "on_time_rate": None,
                    "open": n,
                }
            )
    return {
        "area": {"id": area.pk, "code": area.code, "name": area.name, "kind": area.kind},
        "period": {"from": day_from.isoformat(), "to": day_to.isoformat(), "days": days},
        "totals": totals,
        "trend": trend,
        "categories": categories,
        "children": children,
        "cells": cells,
        "overdue": overdue,
        "points": points,
    }
