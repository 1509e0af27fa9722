"""Read side of the phone report (`/m/report/`, `/m/reports/`, `/api/v1/cases/nearby/`).

- `frequent_categories`: the categories most reported at the user's places lately, offered
  as big buttons before the full list (no default: the reporter taps one).
- `suggest_place`: where a GPS fix most likely is among the places the user reports in: the
  nearest active point within `POINT_RADIUS_M`, else the deepest reporting area whose GeoJSON
  boundary contains the fix, else the reporting area with the nearest centre within
  `AREA_RADIUS_M`; the page still lists every place to change it.
- `nearby_open_cases`: open cases the user can see near a fix, at the same point or in the
  same grid ("already reported?"), nearest first.
- `outcomes`: what the reporter reads of a finished case in 我的上报.

Everything starts from `access.visible_*` and the user's reporting scope; every function
runs a fixed number of queries.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from juli.orgs.access import prefix_q, scope_of, visible_areas
from juli.orgs.models import Area

from . import access
from .inspections import distance_m
from .models import (
    OPEN_STATUSES,
    POINT_AREA_KINDS,
    REPORT_ROLES,
    Case,
    CaseCategory,
    CaseEvent,
    CasePhoto,
    Point,
)
from .open311 import _in_boundary

#: Area kinds offered as "where" on the report page (a point is better when there is one).
REPORT_AREA_KINDS = (Area.Kind.COMMUNITY, *POINT_AREA_KINDS)
#: A GPS fix this close to a point is taken to be at the point (a city fix is ±30–50 m).
POINT_RADIUS_M = 150
#: Beyond this from every area's centre the phone suggests no area at all.
AREA_RADIUS_M = 3000
#: "Already reported?": open cases within this distance of the fix.
NEARBY_RADIUS_M = 150
NEARBY_LIMIT = 10
#: The window and size of the "most used here" categories.
FREQUENT_DAYS = 90
FREQUENT_MOST = 6
FREQUENT_LEAST = 4


def report_paths(user: Any) -> list[str]:
    """The area paths where `user` may report (their reporting roles' areas)."""
    return sorted(scope_of(user).paths("area", REPORT_ROLES))


def report_areas(user: Any) -> QuerySet[Area]:
    """The areas the report page offers: communities, grids, building groups in scope."""
    return (
        visible_areas(user)
        .filter(prefix_q("path", report_paths(user)), kind__in=REPORT_AREA_KINDS, is_active=True)
        .order_by("path")
    )


def report_points(user: Any) -> QuerySet[Point]:
    """The active points the report page offers (in the user's reporting areas)."""
    return (
        access.visible_points(user)
        .filter(prefix_q("area_path", report_paths(user)), is_active=True)
        .select_related("area")
        .order_by("area_path", "name")
    )


def frequent_categories(
    user: Any, *, days: int = FREQUENT_DAYS, most: int = FREQUENT_MOST, least: int = FREQUENT_LEAST
) -> list[CaseCategory]:
    """The active categories of the cases reported in the user's reporting areas in the last
    `days` days, most reported first (ties by code), at most `most`. Fewer than `least` (a
    new place, a quiet grid): filled up to `least` with the other active categories by code,
    so the page always offers a first row of buttons. Two queries."""
    since = timezone.now() - datetime.timedelta(days=days)
    counted = (
        Case.objects.filter(
            prefix_q("area_path", report_paths(user)),
            reported_at__gte=since,
            category__is_active=True,
        )
        .values("category_id")
        .annotate(n=Count("id"))
        .order_by("-n", "category__code")[:most]
    )
    order = [row["category_id"] for row in counted]
    active = list(CaseCategory.objects.filter(is_active=True).order_by("code"))
    by_id = {c.pk: c for c in active}
    chosen = [by_id[pk] for pk in order if pk in by_id]
    for category in active:
        if len(chosen) >= least:
            break
        if category not in chosen:
            chosen.append(category)
    return chosen


@dataclass(frozen=True)
class Place:
    """A suggested place: a point or an area, with its distance from the fix when known."""

    kind: str  # "point" | "area"
    id: int
    name: str
    distance_m: int | None

    @property
    def value(self) -> str:
        """The report form's `where` value ("point:12", "area:3")."""
        return f"{self.kind}:{self.id}"


def _box(lat: Decimal, lng: Decimal, radius_m: int) -> tuple[Decimal, Decimal]:
    """Half the side of a lat/lng box around a fix that holds a circle of `radius_m`."""
    dlat = Decimal(radius_m / 111_000)
    dlng = Decimal(radius_m / (111_000 * max(math.cos(math.radians(float(lat))), 0.01)))
    return dlat, dlng


def suggest_place(user: Any, lat: Decimal, lng: Decimal) -> Place | None:
    """Where the fix (lat, lng) most likely is among the user's reporting places (module
    doc); None when nowhere near. Three queries at most."""
    dlat, dlng = _box(lat, lng, POINT_RADIUS_M)
    near = report_points(user).filter(
        lat__range=(lat - dlat, lat + dlat), lng__range=(lng - dlng, lng + dlng)
    )
    best = min(
        ((distance_m(lat, lng, p.lat, p.lng), p.name, p.pk, p) for p in near),  # type: ignore[arg-type]
        default=None,
    )
    if best is not None and best[0] <= POINT_RADIUS_M:
        return Place("point", best[2], best[3].name, best[0])
    areas = list(
        report_areas(user).only(
            "pk", "name", "path", "depth", "centre_lat", "centre_lng", "boundary"
        )
    )
    inside = [a for a in areas if a.boundary and _in_boundary(a.boundary, float(lng), float(lat))]
    if inside:
        area = max(inside, key=lambda a: (a.depth, -a.pk))
        return Place("area", area.pk, area.name, None)
    centred = [
        (distance_m(lat, lng, a.centre_lat, a.centre_lng), -a.depth, a.pk, a)
        for a in areas
        if a.centre_lat is not None and a.centre_lng is not None
    ]
    nearest = min(centred, default=None)
    if nearest is not None and nearest[0] <= AREA_RADIUS_M:
        return Place("area", nearest[3].pk, nearest[3].name, nearest[0])
    return None


def _position(case: Case) -> tuple[Decimal, Decimal] | None:
    if case.lat is not None and case.lng is not None:
        return case.lat, case.lng
    point = case.point
    if point is not None and point.lat is not None and point.lng is not None:
        return point.lat, point.lng
    return None


def nearby_open_cases(
    user: Any,
    *,
    lat: Decimal | None = None,
    lng: Decimal | None = None,
    point: Point | None = None,
    area: Area | None = None,
    radius_m: int = NEARBY_RADIUS_M,
    limit: int = NEARBY_LIMIT,
) -> list[Case]:
    """Open cases the user can see within `radius_m` of the fix, at `point`, or in `area`
    (its subtree for a grid or a building group, the area itself for a community), nearest
    first, then newest; each with `distance_m` (None without positions) and `before_photos`.
    The caller has checked `point` and `area` are in scope. Two queries."""
    where = Q()
    if point is not None:
        where |= Q(point_id=point.pk)
    if area is not None:
        where |= (
            Q(area_path__startswith=area.path)
            if area.kind in POINT_AREA_KINDS
            else Q(area_id=area.pk)
        )
    if lat is not None and lng is not None:
        dlat, dlng = _box(lat, lng, radius_m)
        lat_range, lng_range = (lat - dlat, lat + dlat), (lng - dlng, lng + dlng)
        where |= Q(lat__range=lat_range, lng__range=lng_range) | Q(
            lat__isnull=True, point__lat__range=lat_range, point__lng__range=lng_range
        )
    if not where:
        return []
    before = CasePhoto.objects.filter(kind=CasePhoto.Kind.BEFORE).order_by("created_at", "pk")
    candidates = list(
        access.visible_cases(user)
        .filter(where, status__in=OPEN_STATUSES)
        .select_related("category", "area", "point")
        .defer("description", "area__boundary", "area__search_key")
        .prefetch_related(Prefetch("photos", queryset=before, to_attr="before_photos"))
        .order_by("-reported_at", "-pk")[: limit * 5]
    )
    found: list[tuple[int, int, Case]] = []
    for rank, case in enumerate(candidates):
        here = _position(case) if lat is not None and lng is not None else None
        distance = distance_m(lat, lng, *here) if here is not None else None  # type: ignore[arg-type]
        same_place = (point is not None and case.point_id == point.pk) or (
            area is not None
            and (
                case.area_id == area.pk
                or (area.kind in POINT_AREA_KINDS and case.area_path.startswith(area.path))
            )
        )
        if not same_place and (distance is None or distance > radius_m):
            continue
        case.distance_m = distance  # type: ignore[attr-defined]
        found.append((distance if distance is not None else 0, rank, case))
    return [case for _d, _r, case in sorted(found, key=lambda t: (t[0], t[1]))][:limit]


def outcomes(cases: list[Case]) -> dict[int, str]:
    """What the reporter reads of each closed or rejected case: the reason of a rejection;
    for a closed case the closing note, else the rectification's note. One query."""
    finished = [c.pk for c in cases if c.status in {Case.Status.CLOSED, Case.Status.REJECTED}]
    if not finished:
        return {}
    notes: dict[int, dict[str, str]] = {}
    events = (
        CaseEvent.objects.filter(case_id__in=finished, action__in=["reject", "close", "rectify"])
        .exclude(note="")
        .order_by("at", "pk")
        .values_list("case_id", "action", "note")
    )
    for case_id, action, note in events:
        notes.setdefault(case_id, {})[action] = note  # the latest of each action wins
    result: dict[int, str] = {}
    for case in cases:
        by_action = notes.get(case.pk, {})
        if case.status == Case.Status.REJECTED:
            text = by_action.get("reject", "")
        elif case.status == Case.Status.CLOSED:
            text = by_action.get("close") or by_action.get("rectify", "")
        else:
            continue
        if text:
            result[case.pk] = text
    return result
