"""The figures of a daily bulletin, computed from the case records (`Case`, `CaseEvent`,
`Inspection`) of one street or district for one local day.

Definitions (the day D is a local date in settings.TIME_ZONE; its window is
[S, E) with S = D 00:00 local and E = (D+1) 00:00 local; "in the area" means the case's or
inspection's `area_path` lies in the area's subtree):

- **found / reported** (新发现): cases in the area whose `reported_at` lies in [S, E),
  whatever happened to them since. The sections *by category*, *by child area*
  (communities of a street, streets of a district; a case hanging directly on the area
  itself is counted under "directly under" the area), *by source* and *by responsible unit*
  split these cases.
- **responsible unit** of a found case: the unit of the last `dispatch`/`resume` event of
  the case before E (the unit it was working for at the end of the day); a case not
  dispatched by E counts as "not dispatched yet".
- **rectified / verified / closed**: distinct cases in the area with a `rectify` /
  `verify` / `close` event in [S, E) (a case rectified twice that day counts once).
- **overdue** (超期): cases in the area that, at the instant E, were in status
  `dispatched` (the `to_status` of their last event before E) and whose deadline (set by
  their last `dispatch`/`resume` event before E; a send-back keeps it) lay before E.
- **inspections**: `Inspection` rows in the area started in [S, E); the points they
  covered and the sum of their deductions.
- **zero-deduction points that lost points**: points currently marked `zero_deduction`
  with at least one found case carrying `deduction > 0`; per point the number of such cases
  and their total deduction.
- **cases** (问题清单): the found cases with number, title, category, area, point, their
  unit (as above) and their status at E (the `to_status` of their last event before E).
- **worst points**: points with found cases, ranked by total deduction of those cases, then
  by their number, then by point code; the first N (the district's setting) with the ids
  of up to three before-photos of those cases (thumbnails are chosen when rendering).

Only records dated before E enter the figures, and nothing in them depends on when they
are computed: computing a past day again from the same records gives identical figures.
Deductions are strings with two decimals ("3.50"), so the JSON snapshot is exact.

Every row carries `link`: the office case list's filters that show the cases behind it
(`case-list` query parameters), or for the event-based counts (rectified, verified,
closed, overdue at E, which the case list cannot filter by) the case ids themselves in
`summary_ids`, shown by the bulletin's own drill-down page.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from juli.cases.models import Case, CaseCategory, CaseEvent, CasePhoto, Inspection, Point
from juli.orgs.models import Area, Unit

FIGURES_VERSION = 1
PHOTOS_PER_POINT = 3
#: Summary figures backed by case ids rather than case-list filters.
EVENT_FIGURES = ("rectified", "verified", "closed", "overdue")
SUMMARY_KEYS = ("found", "rectified", "verified", "closed", "overdue")


def window(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of the local day as aware datetimes."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def _points(value: Decimal | None) -> str:
    return str((value or Decimal("0")).quantize(Decimal("0.01")))


def _in_area(qs: QuerySet[Any], area: Area, field: str = "area_path") -> QuerySet[Any]:
    return qs.filter(**{f"{field}__startswith": area.path})


def _last_dispatch(end: datetime.datetime) -> Subquery:
    return Subquery(
        CaseEvent.objects.filter(
            case_id=OuterRef("pk"), at__lt=end, action__in=("dispatch", "resume")
        )
        .order_by("-at", "-pk")
        .values("data")[:1]
    )


def _unit_of(data: Any) -> int | None:
    if isinstance(data, str):  # some backends return the JSON of a subquery as text
        import json

        data = json.loads(data)
    unit = (data or {}).get("unit")
    return int(unit) if unit is not None else None


def _deadline_of(data: Any) -> datetime.datetime | None:
    if isinstance(data, str):
        import json

        data = json.loads(data)
    raw = (data or {}).get("deadline")
    return parse_datetime(raw) if isinstance(raw, str) else None


def _base_link(area: Area, day: datetime.date) -> dict[str, Any]:
    iso = day.isoformat()
    return {"area": area.pk, "reported_from": iso, "reported_to": iso}


def compute(area: Area, day: datetime.date, *, worst_points: int) -> dict[str, Any]:
    """The figures of `area` (a street or a district) for the local day `day` (see above)."""
    start, end = window(day)
    link = _base_link(area, day)

    found = list(
        _in_area(Case.objects.all(), area)
        .filter(reported_at__gte=start, reported_at__lt=end)
        .annotate(last_dispatch=_last_dispatch(end), status_at_end=_last_status(end))
        .values(
            "pk",
            "number",
            "title",
            "reported_at",
            "category_id",
            "category__name",
            "area__name",
            "area_path",
            "source",
            "point_id",
            "point__name",
            "deduction",
            "last_dispatch",
            "status_at_end",
        )
        .order_by("pk")
    )

    summary_ids: dict[str, list[int]] = {}
    for key, action in (("rectified", "rectify"), ("verified", "verify"), ("closed", "close")):
        summary_ids[key] = sorted(
            set(
                _in_area(CaseEvent.objects.all(), area, "case__area_path")
                .filter(at__gte=start, at__lt=end, action=action)
                .values_list("case_id", flat=True)
            )
        )
    summary_ids["overdue"] = _overdue_ids(area, end)

    summary = {
        "found": len(found),
        **{key: len(summary_ids[key]) for key in EVENT_FIGURES},
        "deduction": _points(sum((row["deduction"] for row in found), Decimal("0"))),
        **_inspections(area, start, end),
    }
    return {
        "version": FIGURES_VERSION,
        "area": {"id": area.pk, "code": area.code, "name": area.name, "kind": area.kind},
        "date": day.isoformat(),
        "worst_points_count": worst_points,
        "summary": summary,
        "summary_ids": summary_ids,
        "links": {"found": link},
        "by_category": _by_category(found, link),
        "by_area": _by_child_area(area, found, day),
        "by_source": _by_source(found, link),
        "by_unit": _by_unit(found, link),
        "zero_points": _zero_points(found, link),
        "worst_points": _worst_points(found, link, worst_points),
        "cases": _case_rows(found),
    }


def _last_status(end: datetime.datetime) -> Subquery:
    return Subquery(
        CaseEvent.objects.filter(case_id=OuterRef("pk"), at__lt=end)
        .exclude(to_status="")
        .order_by("-at", "-pk")
        .values("to_status")[:1]
    )


def _overdue_ids(area: Area, end: datetime.datetime) -> list[int]:
    candidates = (
        _in_area(Case.objects.all(), area)
        .filter(reported_at__lt=end, dispatched_at__isnull=False)
        .annotate(status_at_end=_last_status(end), last_dispatch=_last_dispatch(end))
        .filter(status_at_end=Case.Status.DISPATCHED)
        .values_list("pk", "last_dispatch")
        .order_by("pk")
    )
    out = []
    for pk, data in candidates:
        deadline = _deadline_of(data)
        if deadline is not None and deadline < end:
            out.append(pk)
    return out


def _inspections(area: Area, start: datetime.datetime, end: datetime.datetime) -> dict[str, Any]:
    qs = _in_area(Inspection.objects.all(), area).filter(started_at__gte=start, started_at__lt=end)
    agg = qs.aggregate(total=Sum("deduction"))
    return {
        "inspections": qs.count(),
        "points_inspected": qs.values("point_id").distinct().count(),
        "inspection_deduction": _points(agg["total"]),
    }


def _count_rows(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    out: dict[Any, dict[str, Any]] = defaultdict(lambda: {"count": 0, "deduction": Decimal("0")})
    for row in rows:
        bucket = out[row[key]]
        bucket["count"] += 1
        bucket["deduction"] += row["deduction"]
    return out


def _by_category(found: list[dict[str, Any]], link: dict[str, Any]) -> list[dict[str, Any]]:
    counts = _count_rows(found, "category_id")
    categories = CaseCategory.objects.filter(pk__in=counts).order_by("code")
    return [
        {
            "id": c.pk,
            "code": c.code,
            "name": c.name,
            "count": counts[c.pk]["count"],
            "deduction": _points(counts[c.pk]["deduction"]),
            "link": {**link, "category": c.pk},
        }
        for c in sorted(categories, key=lambda c: (-counts[c.pk]["count"], c.code))
    ]


def _by_child_area(
    area: Area, found: list[dict[str, Any]], day: datetime.date
) -> list[dict[str, Any]]:
    children = list(
        Area.objects.filter(
            path__startswith=area.path, depth=area.depth + 1, kind__in=Area.CHILD_KINDS[area.kind]
        ).order_by("path")
    )
    counts: dict[int | None, dict[str, Any]] = {
        child.pk: {"count": 0, "deduction": Decimal("0")} for child in children
    }
    counts[None] = {"count": 0, "deduction": Decimal("0")}
    for row in found:
        owner = next((c.pk for c in children if row["area_path"].startswith(c.path)), None)
        counts[owner]["count"] += 1
        counts[owner]["deduction"] += row["deduction"]
    rows = [
        {
            "id": child.pk,
            "code": child.code,
            "name": child.name,
            "count": counts[child.pk]["count"],
            "deduction": _points(counts[child.pk]["deduction"]),
            "link": _base_link(child, day),
        }
        for child in children
        # A retired child stays listed only on the days it still had cases.
        if child.is_active or counts[child.pk]["count"]
    ]
    if counts[None]["count"]:
        rows.append(
            {
                "id": None,
                "code": "",
                "name": "",  # rendered as "directly under <area>"
                "count": counts[None]["count"],
                "deduction": _points(counts[None]["deduction"]),
                "link": None,
            }
        )
    return rows


def _case_rows(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The found cases themselves (问题清单), as they stood at the end of the day."""
    units = dict(
        Unit.objects.filter(
            pk__in={u for u in (_unit_of(r["last_dispatch"]) for r in found) if u}
        ).values_list("pk", "name")
    )
    return [
        {
            "id": r["pk"],
            "number": r["number"],
            "title": r["title"],
            "reported_at": timezone.localtime(r["reported_at"]).strftime("%H:%M"),
            "category": r["category__name"],
            "area": r["area__name"],
            "point": r["point__name"] or "",
            "unit": units.get(_unit_of(r["last_dispatch"]) or 0, ""),
            "source": r["source"],
            "status": r["status_at_end"] or "",
            "deduction": _points(r["deduction"]),
        }
        for r in sorted(found, key=lambda r: (r["reported_at"], r["pk"]))
    ]


def _by_source(found: list[dict[str, Any]], link: dict[str, Any]) -> list[dict[str, Any]]:
    counts = _count_rows(found, "source")
    return [
        {
            "code": code,
            "count": counts[code]["count"],
            "deduction": _points(counts[code]["deduction"]),
            "link": {**link, "source": code},
        }
        for code in Case.Source.values
        if code in counts
    ]


def _by_unit(found: list[dict[str, Any]], link: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [{**row, "unit_id": _unit_of(row["last_dispatch"])} for row in found]
    counts = _count_rows(rows, "unit_id")
    names = dict(Unit.objects.filter(pk__in=[k for k in counts if k]).values_list("pk", "name"))
    out = [
        {
            "id": pk,
            "name": names.get(pk, ""),
            "count": counts[pk]["count"],
            "deduction": _points(counts[pk]["deduction"]),
            "link": {**link, "unit": pk},
        }
        for pk in sorted(
            (k for k in counts if k), key=lambda k: (-counts[k]["count"], names.get(k, ""))
        )
    ]
    if None in counts:
        out.append(
            {
                "id": None,
                "name": "",  # rendered as "not dispatched yet"
                "count": counts[None]["count"],
                "deduction": _points(counts[None]["deduction"]),
                "link": None,
            }
        )
    return out


def _point_rows(found: list[dict[str, Any]]) -> tuple[dict[int, dict[str, Any]], dict[int, Point]]:
    counts = _count_rows([r for r in found if r["point_id"]], "point_id")
    points = {
        p.pk: p
        for p in Point.objects.filter(pk__in=counts).select_related("area", "responsible_unit")
    }
    return counts, points


def _point_dict(p: Point, bucket: dict[str, Any], link: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "area": p.area.name,
        "unit": p.responsible_unit.name if p.responsible_unit else "",
        "count": bucket["count"],
        "deduction": _points(bucket["deduction"]),
        "link": {**link, "point": p.pk},
    }


def _zero_points(found: list[dict[str, Any]], link: dict[str, Any]) -> list[dict[str, Any]]:
    losing = [r for r in found if r["point_id"] and r["deduction"] > 0]
    counts, points = _point_rows(losing)
    rows = [_point_dict(p, counts[p.pk], link) for p in points.values() if p.zero_deduction]
    return sorted(rows, key=lambda r: (-Decimal(r["deduction"]), -r["count"], r["code"]))


def _worst_points(
    found: list[dict[str, Any]], link: dict[str, Any], limit: int
) -> list[dict[str, Any]]:
    counts, points = _point_rows(found)
    ranked = sorted(
        points.values(),
        key=lambda p: (-counts[p.pk]["deduction"], -counts[p.pk]["count"], p.code),
    )[:limit]
    case_ids = [r["pk"] for r in found if r["point_id"] in {p.pk for p in ranked}]
    photos: dict[int, list[int]] = defaultdict(list)
    for photo_id, point_id in (
        CasePhoto.objects.filter(case_id__in=case_ids, kind=CasePhoto.Kind.BEFORE)
        .order_by("case__reported_at", "case_id", "created_at", "pk")
        .values_list("pk", "case__point_id")
    ):
        if len(photos[point_id]) < PHOTOS_PER_POINT:
            photos[point_id].append(photo_id)
    return [
        {**_point_dict(p, counts[p.pk], link), "rank": rank, "photos": photos.get(p.pk, [])}
        for rank, p in enumerate(ranked, start=1)
    ]
