"""Who may see and act on points, inspections and cases.

Scope comes from `juli.orgs.access.scope_of` (the union of the user's current posts):

- **Area grants** (area posts, and organisation posts whose organisation has an area) see
  the points, inspections and cases whose `area_path` lies under the granted area: one
  indexed prefix scan on that table.
- **Unit staff** (`unit_staff` posts) also see the cases that were dispatched to their unit
  (`dispatched_at` set), whatever the area, and the points their unit is responsible for.
- The superuser sees everything.

`access_*` return one object or raise Http404 outside scope (an id's existence is never
revealed); `write=True` raises PermissionDenied when the object is visible but the user
may do nothing to it. Role rights for the case workflow are `can_act` / `available_actions`,
read from the `TRANSITIONS` table; `actions.transition` uses the same functions.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from juli.orgs.access import Scope, one_or_404, prefix_q, scope_of
from juli.orgs.models import Area, mask_phone
from juli.orgs.roles import PHONE_ROLES, Role

from .models import (
    CASE_OFFICE_ROLES,
    INSPECT_ROLES,
    REPORT_ROLES,
    TRANSITIONS,
    Case,
    Inspection,
    InspectionAssignment,
    Point,
)

CASE_UNIT_ROLES = frozenset({Role.UNIT_STAFF})


def holds(scope: Scope, roles: frozenset[str], *, area_path: str, unit_id: int | None) -> bool:
    """Does the scope hold one of `roles` over this area path (area grants) or unit?"""
    if scope.superuser:
        return True
    for g in scope.grants:
        if g.role not in roles:
            continue
        if g.kind == "area" and area_path and area_path.startswith(g.path):
            return True
        if g.kind == "unit" and unit_id is not None and g.unit_id == unit_id:
            return True
    return False


# --- Cases ------------------------------------------------------------------------------------


def _case_q(scope: Scope) -> Q:
    q = prefix_q("area_path", scope.paths("area"))
    units = scope.unit_ids(CASE_UNIT_ROLES)
    if units:
        q |= Q(unit_id__in=units, dispatched_at__isnull=False)
    return q


def visible_cases(user: Any) -> QuerySet[Case]:
    scope = scope_of(user)
    if scope.superuser:
        return Case.objects.all()
    return Case.objects.filter(_case_q(scope))


def can_see_case(user: Any, case: Case) -> bool:
    """The Python twin of `visible_cases` for one loaded case (no query once scope is known)."""
    scope = scope_of(user)
    if scope.superuser or scope.covers("area", case.area_path):
        return True
    return case.dispatched_at is not None and case.unit_id in scope.unit_ids(CASE_UNIT_ROLES)


def can_act(user: Any, case: Case, action: str) -> bool:
    """May `user` make `action` on `case` now? Role, scope, state and the four-eyes rules.

    Rules needing arguments (an after-photo, a note, a deferral's requester) are checked by
    `workflow.check_transition` only.
    """
    move = TRANSITIONS.get(action)
    if move is None or case.status not in move.sources or not can_see_case(user, case):
        return False
    if not holds(scope_of(user), move.roles, area_path=case.area_path, unit_id=case.unit_id):
        return False
    return not (action in {"verify", "send_back"} and case.rectified_by_id == user.pk)


def can_accept_and_dispatch(user: Any, case: Case) -> bool:
    """May `user` accept `case` and dispatch it in one step (立案并派遣,
    `actions.accept_and_dispatch`)? A reported case, and the user may make both steps."""
    if not can_act(user, case, "accept"):
        return False
    dispatch = TRANSITIONS["dispatch"]
    return holds(scope_of(user), dispatch.roles, area_path=case.area_path, unit_id=case.unit_id)


def available_actions(user: Any, case: Case) -> list[str]:
    """The actions of `TRANSITIONS` the user may take on `case` now, in table order."""
    return [action for action in TRANSITIONS if can_act(user, case, action)]


def access_case(user: Any, pk: Any, *, write: bool = False) -> Case:
    """One visible case (404 otherwise); `write=True`: the user must have an action now."""
    case: Case = one_or_404(
        visible_cases(user).select_related("category", "area", "unit", "point", "reporter"), pk
    )
    if write and not available_actions(user, case):
        raise PermissionDenied
    return case


def can_report(user: Any, area_path: str) -> bool:
    return holds(scope_of(user), REPORT_ROLES, area_path=area_path, unit_id=None)


# --- What the public sees: the public feed and the reporter's contacts -------------------------


def can_publish(user: Any, case: Case) -> bool:
    """May `user` write the case's public reply and list it in the public feed? The case
    office over its area (the roles that accept and close it)."""
    return can_see_case(user, case) and holds(
        scope_of(user), CASE_OFFICE_ROLES, area_path=case.area_path, unit_id=None
    )


def can_see_reporter_phone(user: Any, case: Case) -> bool:
    """Full numbers for roles whose work is contacting people in the case's area (as for
    people's phones, `orgs.access.can_see_phone`); masked for everyone else."""
    scope = scope_of(user)
    return scope.superuser or scope.covers("area", case.area_path, PHONE_ROLES)


def reporter_phone_for(user: Any, case: Case) -> str:
    if not case.reporter_phone:
        return ""
    if can_see_reporter_phone(user, case):
        return case.reporter_phone
    return mask_phone(case.reporter_phone)


def feed_districts(user: Any) -> QuerySet[Area]:
    """The districts whose public-feed settings `user` may change: their district admins."""
    qs = Area.objects.filter(kind=Area.Kind.DISTRICT, is_active=True).order_by("path")
    scope = scope_of(user)
    if scope.superuser:
        return qs
    return qs.filter(prefix_q("path", scope.paths("area", {Role.DISTRICT_ADMIN})))


def access_feed_district(user: Any, pk: Any) -> Area:
    """One district whose feed settings `user` may change (404 otherwise)."""
    district: Area = one_or_404(feed_districts(user), pk)
    return district


# --- Points and inspections --------------------------------------------------------------------


def visible_points(user: Any) -> QuerySet[Point]:
    scope = scope_of(user)
    if scope.superuser:
        return Point.objects.all()
    q = prefix_q("area_path", scope.paths("area"))
    units = scope.unit_ids(CASE_UNIT_ROLES)
    if units:
        q |= Q(responsible_unit_id__in=units)
    return Point.objects.filter(q)


def can_manage_point(user: Any, area_path: str) -> bool:
    return holds(scope_of(user), CASE_OFFICE_ROLES, area_path=area_path, unit_id=None)


def can_inspect(user: Any, point: Point) -> bool:
    return holds(scope_of(user), INSPECT_ROLES, area_path=point.area_path, unit_id=None)


def access_point(user: Any, pk: Any, *, write: bool = False) -> Point:
    point: Point = one_or_404(
        visible_points(user).select_related("area", "category", "responsible_unit"), pk
    )
    if write and not can_manage_point(user, point.area_path):
        raise PermissionDenied
    return point


def visible_inspections(user: Any) -> QuerySet[Inspection]:
    scope = scope_of(user)
    if scope.superuser:
        return Inspection.objects.all()
    return Inspection.objects.filter(prefix_q("area_path", scope.paths("area")))


def access_inspection(user: Any, pk: Any) -> Inspection:
    inspection: Inspection = one_or_404(
        visible_inspections(user).select_related("point", "inspector"), pk
    )
    return inspection


def visible_assignments(user: Any) -> QuerySet[InspectionAssignment]:
    """Office roles see the plan of their areas; everyone sees their own assignments."""
    scope = scope_of(user)
    if scope.superuser:
        return InspectionAssignment.objects.all()
    q = prefix_q("point__area_path", scope.paths("area", CASE_OFFICE_ROLES))
    if getattr(user, "pk", None):
        q |= Q(inspector_id=user.pk)
    return InspectionAssignment.objects.filter(q)


def access_assignment(user: Any, pk: Any, *, write: bool = False) -> InspectionAssignment:
    assignment: InspectionAssignment = one_or_404(
        visible_assignments(user).select_related("point", "inspector"), pk
    )
    if write and not can_manage_point(user, assignment.point.area_path):
        raise PermissionDenied
    return assignment
