"""Read side of the loop: the office case list, phone lists, today's points, the timeline.

Everything starts from `access.visible_*`, so no list can show more than the user's scope.
Lists run a fixed number of queries whatever their length (select_related, no per-row
queries) and page by keyset on indexed columns (no OFFSET, no COUNT).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from juli.orgs.access import scope_of
from juli.orgs.models import Area, Unit
from juli.orgs.roles import Role

from . import access
from .models import (
    CASE_OFFICE_ROLES,
    Case,
    CaseCategory,
    CaseEvent,
    Inspection,
    InspectionAssignment,
    Point,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass
class CaseFilters:
    """The office list's filters; every one is optional and they combine with AND.

    `area` keeps its subtree; `status` and `source` take one value or several; `overdue`
    keeps dispatched cases past their deadline; `reported_from`/`reported_to` are local
    dates, both ends included, as are `due_from`/`due_to` (the deadline) and
    `verified_from`/`verified_to` (the verification). `point` keeps the cases of one point;
    `not_rejected` leaves out rejected reports (the weekly ranking's links use these).
    """

    area: Area | None = None
    category: CaseCategory | int | None = None
    status: str | list[str] | None = None
    unit: Unit | int | None = None
    source: str | list[str] | None = None
    overdue: bool = False
    reported_from: datetime.date | None = None
    reported_to: datetime.date | None = None
    point: Point | int | None = None
    due_from: datetime.date | None = None
    due_to: datetime.date | None = None
    verified_from: datetime.date | None = None
    verified_to: datetime.date | None = None
    not_rejected: bool = False


@dataclass
class CasePage:
    rows: list[Case] = field(default_factory=list)
    #: Opaque cursor for the next page (None on the last page): pass it as `after`.
    next_cursor: str | None = None


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _many(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def filter_cases(qs: QuerySet[Case], filters: CaseFilters | None) -> QuerySet[Case]:
    """Apply `filters` to a case queryset (already scoped by the caller)."""
    f = filters or CaseFilters()
    if f.area is not None:
        qs = qs.filter(area_path__startswith=f.area.path)
    if f.category is not None:
        qs = qs.filter(category_id=_pk(f.category))
    if f.status:
        qs = qs.filter(status__in=_many(f.status))
    if f.unit is not None:
        qs = qs.filter(unit_id=_pk(f.unit))
    if f.source:
        qs = qs.filter(source__in=_many(f.source))
    if f.overdue:
        qs = qs.filter(status=Case.Status.DISPATCHED, deadline__lt=timezone.now())
    if f.reported_from is not None:
        qs = qs.filter(reported_at__gte=_local_midnight(f.reported_from))
    if f.reported_to is not None:
        qs = qs.filter(reported_at__lt=_local_midnight(f.reported_to + datetime.timedelta(days=1)))
    if f.point is not None:
        qs = qs.filter(point_id=_pk(f.point))
    if f.due_from is not None:
        qs = qs.filter(deadline__gte=_local_midnight(f.due_from))
    if f.due_to is not None:
        qs = qs.filter(deadline__lt=_local_midnight(f.due_to + datetime.timedelta(days=1)))
    if f.verified_from is not None:
        qs = qs.filter(verified_at__gte=_local_midnight(f.verified_from))
    if f.verified_to is not None:
        qs = qs.filter(verified_at__lt=_local_midnight(f.verified_to + datetime.timedelta(days=1)))
    if f.not_rejected:
        qs = qs.exclude(status=Case.Status.REJECTED)
    return qs


def _encode(case: Case) -> str:
    raw = json.dumps([case.reported_at.isoformat(), case.pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str | None) -> tuple[datetime.datetime, int] | None:
    """The cursor's (reported_at, id), or None for none or a tampered one (= page one)."""
    if not cursor:
        return None
    try:
        at, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        when = datetime.datetime.fromisoformat(at)
        if timezone.is_naive(when) or isinstance(pk, bool) or not isinstance(pk, int):
            return None
        return when, pk
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None


#: Columns no list shows (the long text, the area's outline, the search keys): not read.
LIST_DEFERRED = ("description", "area__boundary", "area__search_key", "unit__search_key")


def case_list(
    user: Any,
    filters: CaseFilters | None = None,
    *,
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> CasePage:
    """One page of the cases the user can see, newest report first ((-reported_at, -id)).

    One query for the page (plus the user's scope, computed once per request), whatever the
    page size: category, area, unit and point come joined. `after` is the `next_cursor` of
    the previous page.
    """
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    qs = (
        filter_cases(access.visible_cases(user), filters)
        .select_related("category", "area", "unit", "point")
        .defer(*LIST_DEFERRED)
    )
    cursor = _decode(after)
    if cursor is not None:
        at, pk = cursor
        # The lone `reported_at <= at` is what PostgreSQL can start the index scan at; with
        # only the OR it scans from the newest row and filters: page 1,000 read 50,000 rows.
        qs = qs.filter(reported_at__lte=at).filter(
            Q(reported_at__lt=at) | Q(reported_at=at, pk__lt=pk)
        )
    rows = list(qs.order_by("-reported_at", "-pk")[: limit + 1])
    page = CasePage(rows=rows[:limit])
    if len(rows) > limit:
        page.next_cursor = _encode(rows[limit - 1])
    return page


def case_timeline(case: Case) -> list[CaseEvent]:
    """The case's history from its event rows (the caller has checked access), oldest first."""
    return list(case.events.select_related("actor").order_by("at", "pk"))


def cases_to_rectify(user: Any) -> QuerySet[Case]:
    """Unit staff's phone list: dispatched cases of their units, nearest deadline first."""
    units = scope_of(user).unit_ids({Role.UNIT_STAFF})
    return (
        Case.objects.filter(status=Case.Status.DISPATCHED, unit_id__in=units)
        .select_related("category", "area", "point")
        .order_by("deadline", "pk")
    )


def cases_to_verify(user: Any) -> QuerySet[Case]:
    """Inspectors' and officers' phone list: rectified cases in their areas that someone
    else rectified, oldest rectification first."""
    from juli.orgs.access import prefix_q

    paths = scope_of(user).paths("area", CASE_OFFICE_ROLES | {Role.INSPECTOR})
    qs = access.visible_cases(user).filter(status=Case.Status.RECTIFIED)
    if not scope_of(user).superuser:
        qs = qs.filter(prefix_q("area_path", paths))
    return (
        qs.exclude(rectified_by_id=getattr(user, "pk", None))
        .select_related("category", "area", "point", "unit")
        .order_by("rectified_at", "pk")
    )


class TodaysPoint(TypedDict):
    """What `todays_points` annotates each assignment with."""

    inspected: bool


def todays_points(
    user: Any, date: datetime.date | None = None
) -> QuerySet[WithAnnotations[InspectionAssignment, TodaysPoint]]:
    """The user's assignments for `date` (default today), in walking order.

    Ordered by the plan's `order`, which `plan_day` hands out in (area path, point name)
    order: the points of one micro-grid come together, alphabetically within it; an
    officer's reassignment puts a point last. Each row has `inspected` (the user already
    submitted an inspection of it that day) and its point, area and category joined.
    """
    date = date or timezone.localdate()
    start = datetime.datetime.combine(
        date, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    done = Inspection.objects.filter(
        point_id=OuterRef("point_id"),
        inspector_id=getattr(user, "pk", None),
        started_at__gte=start,
        started_at__lt=start + datetime.timedelta(days=1),
    )
    return (
        InspectionAssignment.objects.filter(inspector_id=getattr(user, "pk", None), date=date)
        .select_related("point__area", "point__category")
        .annotate(inspected=Exists(done))
        .order_by("order", "point__area_path", "point__name", "pk")
    )
