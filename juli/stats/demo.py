"""Demo step of the stats app: grid boundaries and the rollups of the demo's 90 days.

The demo areas come without polygons; their points and areas have positions. Each street
with positions gets its bounding box (with a margin), tiled into adjacent rectangles, one
per community, placed where the community's positions lie; each community's rectangle is
tiled the same way into its micro-grids. The result reads as a map of adjacent cells: no
gaps, no overlaps. Boundaries are written through `orgs.actions.update_area` (the system
as actor, audited). Then the rollups are rebuilt from the event log for the whole demo.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from juli.cases.models import CaseEvent, Point
from juli.core.demo import DemoRun, demo_step
from juli.orgs import actions as org_actions
from juli.orgs.models import Area

from . import rollups

Box = tuple[float, float, float, float]  # west, south, east, north
MARGIN = 0.0008  # degrees around a street's outermost positions (~80 m)


def _positions() -> dict[str, list[tuple[float, float]]]:
    """(lng, lat) of every point and every area centre, keyed by the area path they sit at."""
    out: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for path, lat, lng in Point.objects.filter(lat__isnull=False, lng__isnull=False).values_list(
        "area_path", "lat", "lng"
    ):
        if lat is not None and lng is not None:
            out[path].append((float(lng), float(lat)))
    for path, lat, lng in Area.objects.filter(
        centre_lat__isnull=False, centre_lng__isnull=False
    ).values_list("path", "centre_lat", "centre_lng"):
        out[path].append((float(lng), float(lat)))
    return out


def _under(path: str, positions: dict[str, list[tuple[float, float]]]) -> list[tuple[float, float]]:
    return [xy for p, xys in positions.items() if p.startswith(path) for xy in xys]


def _centroid(xys: list[tuple[float, float]], box: Box) -> tuple[float, float]:
    w, s, e, n = box
    inside = [(x, y) for x, y in xys if w <= x <= e and s <= y <= n] or xys
    if not inside:
        return ((w + e) / 2, (s + n) / 2)
    return (sum(x for x, _ in inside) / len(inside), sum(y for _, y in inside) / len(inside))


def _cuts(values: list[float], low: float, high: float) -> list[float]:
    """Edges between consecutive sorted centres: midpoints, kept strictly inside low..high
    with every slice at least a fifth of an even share wide."""
    k = len(values)
    least = (high - low) / k / 5
    edges = [low]
    for i in range(1, k):
        mid = (values[i - 1] + values[i]) / 2
        top = high - least * (k - i)
        edges.append(min(max(mid, edges[-1] + least), top))
    edges.append(high)
    return edges


def tile(box: Box, centres: dict[int, tuple[float, float]]) -> dict[int, Box]:
    """Split `box` into adjacent rectangles, one per key, near each key's centre: columns by
    longitude, then rows by latitude inside each column."""
    if not centres:
        return {}
    w, s, e, n = box
    keys = sorted(centres, key=lambda k: (centres[k][0], k))
    ncols = max(1, round(math.sqrt(len(keys) * (e - w) / max(n - s, 1e-9))))
    ncols = min(ncols, len(keys))
    per = math.ceil(len(keys) / ncols)
    columns = [keys[i : i + per] for i in range(0, len(keys), per)]
    col_centres = [sum(centres[k][0] for k in col) / len(col) for col in columns]
    xs = _cuts(col_centres, w, e)
    out: dict[int, Box] = {}
    for c, col in enumerate(columns):
        col = sorted(col, key=lambda k: (centres[k][1], k))
        ys = _cuts([centres[k][1] for k in col], s, n)
        for r, key in enumerate(col):
            out[key] = (xs[c], ys[r], xs[c + 1], ys[r + 1])
    return out


def polygon(box: Box) -> dict[str, Any]:
    w, s, e, n = (round(v, 6) for v in box)
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def draw_boundaries() -> int:
    """Give every street with positions, its communities and their micro-grids a polygon.
    Returns the number of areas whose boundary changed (a rerun changes none)."""
    positions = _positions()
    areas = list(
        Area.objects.filter(
            kind__in=[Area.Kind.STREET, Area.Kind.COMMUNITY, Area.Kind.MICRO_GRID], is_active=True
        ).order_by("path")
    )
    children: dict[str, list[Area]] = defaultdict(list)
    for a in areas:
        children[a.path[: -Area.steplen]].append(a)
    boxes: dict[int, Box] = {}
    for street in (a for a in areas if a.kind == Area.Kind.STREET):
        xys = _under(street.path, positions)
        if not xys:
            continue
        box = (
            min(x for x, _ in xys) - MARGIN,
            min(y for _, y in xys) - MARGIN,
            max(x for x, _ in xys) + MARGIN,
            max(y for _, y in xys) + MARGIN,
        )
        boxes[street.pk] = box
        stack = [(street, box)]
        while stack:
            parent, parent_box = stack.pop()
            kids = children.get(parent.path, [])
            centres = {k.pk: _centroid(_under(k.path, positions), parent_box) for k in kids}
            for kid in kids:
                if not _under(kid.path, positions):  # no position: spread evenly by order
                    i = kids.index(kid)
                    w, s, e, n = parent_box
                    centres[kid.pk] = (w + (e - w) * (i + 0.5) / len(kids), (s + n) / 2)
            tiles = tile(parent_box, centres)
            for kid in kids:
                boxes[kid.pk] = tiles[kid.pk]
                stack.append((kid, tiles[kid.pk]))
    changed = 0
    by_pk = {a.pk: a for a in areas}
    for pk, box in sorted(boxes.items()):
        area = by_pk[pk]
        shape = polygon(box)
        if area.boundary != shape:
            org_actions.update_area(None, area, boundary=shape)
            changed += 1
    return changed


def rebuild_rollups() -> int:
    """Rebuild every daily bucket of the demo's days and the open stock."""
    span = CaseEvent.objects.aggregate(first=Min("at"), last=Max("at"))
    if span["first"] is None:
        rollups.refresh_open()
        return 0
    first = timezone.localdate(span["first"])
    last = max(timezone.localdate(span["last"]), timezone.localdate())
    written = 0
    day = first
    while day <= last:  # a month at a time keeps each transaction short
        end = min(day + datetime.timedelta(days=30), last)
        written += rollups.refresh(day, end)
        day = end + datetime.timedelta(days=1)
    rollups.refresh_open()
    return written


def build_demo(stdout: Any = None) -> dict[str, int]:
    """Boundaries for the demo grids, then the rollups of the demo period. Idempotent."""
    with transaction.atomic():
        drawn = draw_boundaries()
    if stdout is not None:
        stdout.write(f"Stats: {drawn} grid boundaries drawn; rebuilding the rollups …\n")
    buckets = rebuild_rollups()
    return {"boundaries": drawn, "daily_buckets": buckets}


@demo_step("stats", after=("cases",))
def build_stats_step(run: DemoRun) -> dict[str, int]:
    """This app's step of `juli demo` (see `juli.core.demo`)."""
    return build_demo(stdout=run.stdout)
