"""The daily inspection plan (日调度) for officers.

`/plan/` is for the office roles that plan (district administrator, street officer: an area
grant of `CASE_OFFICE_ROLES`) and the superuser; anyone else gets 404. It reads the plan of
one day through `access.visible_assignments`, makes it with `inspections.plan_day` and moves
a point with `inspections.reassign`, which check rights and rules again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from juli.orgs.access import prefix_q, scope_of
from juli.orgs.models import Area, Post, User
from juli.orgs.roles import Role

from . import access, inspections
from .models import CASE_OFFICE_ROLES, Inspection, InspectionAssignment, Point


def can_plan(user: Any) -> bool:
    """Does the user plan inspections: an office role over an area, or the superuser?"""
    scope = scope_of(user)
    return scope.superuser or bool(scope.paths("area", CASE_OFFICE_ROLES))


def _planner(request: HttpRequest) -> Any:
    if not can_plan(request.user):
        raise Http404
    return request.user


def _day(raw: str | None) -> datetime.date:
    try:
        return (raw and parse_date(raw)) or timezone.localdate()
    except ValueError:  # well-formed but impossible, e.g. 2025-02-30
        return timezone.localdate()


@dataclass
class InspectorDay:
    user_id: int
    name: str
    rows: list[InspectionAssignment] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for a in self.rows if getattr(a, "inspected", False))


def _inspector_posts(user: Any) -> list[tuple[int, str, str]]:
    """(user id, area path, name) of the current inspector posts over or under the user's
    planning areas, held by active accounts: who may be given a point of this plan."""
    scope = scope_of(user)
    today = timezone.localdate()
    posts = Post.objects.filter(
        role=Role.INSPECTOR, area__isnull=False, area__is_active=True, started_on__lte=today
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today), person__user__is_active=True)
    if not scope.superuser:
        paths = scope.paths("area", CASE_OFFICE_ROLES)
        step = Area.steplen
        ancestors = {p[:n] for p in paths for n in range(step, len(p), step)}
        posts = posts.filter(prefix_q("area__path", paths) | Q(area__path__in=ancestors))
    rows = posts.values_list("person__user__id", "area__path", "person__name")
    return sorted(set(rows), key=lambda r: (r[2], r[0], r[1]))


def _eligible(posts: list[tuple[int, str, str]], point: Point) -> list[tuple[int, str]]:
    seen: dict[int, str] = {}
    for uid, path, name in posts:
        if point.area_path.startswith(path):
            seen.setdefault(uid, name)
    return list(seen.items())


def _plan_context(user: Any, date: datetime.date, errors: dict[int, str]) -> dict[str, Any]:
    start = datetime.datetime.combine(
        date, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )
    inspected = Inspection.objects.filter(
        point_id=OuterRef("point_id"),
        started_at__gte=start,
        started_at__lt=start + datetime.timedelta(days=1),
    )
    assignments = list(
        access.visible_assignments(user)
        .filter(date=date)
        .select_related("point__area", "point__category", "inspector__person")
        .annotate(inspected=Exists(inspected))
        .order_by("inspector_id", "order", "point__area_path", "point__name", "pk")
    )
    posts = _inspector_posts(user)
    groups: dict[int, InspectorDay] = {}
    for a in assignments:
        person = a.inspector.person
        name = person.name if person else a.inspector.get_username()
        day = groups.setdefault(a.inspector_id, InspectorDay(a.inspector_id, name))
        day.rows.append(a)
        a.choices = _eligible(posts, a.point)  # type: ignore[attr-defined]
        a.error = errors.get(a.pk, "")  # type: ignore[attr-defined]
    # Due points of the day that nobody has yet: planning will give them out, except those
    # with no inspector post above them (someone must appoint one first).
    planned = {a.point_id for a in assignments}
    scope = scope_of(user)
    points = Point.objects.select_related("area")
    if not scope.superuser:
        points = points.filter(prefix_q("area_path", scope.paths("area", CASE_OFFICE_ROLES)))
    due = [p for p in inspections.due_points(date, points) if p.pk not in planned]
    covered = {p.pk for p in due if _eligible(posts, p)}
    return {
        "nav": "plan",
        "date": date,
        "today": timezone.localdate(),
        "prev": date - datetime.timedelta(days=1),
        "next": date + datetime.timedelta(days=1),
        "inspectors": sorted(groups.values(), key=lambda d: (d.name, d.user_id)),
        "count": len(assignments),
        "unplanned": [p for p in due if p.pk in covered],
        "no_inspector": [p for p in due if p.pk not in covered],
    }


def _plan_page(
    request: HttpRequest,
    date: datetime.date,
    errors: dict[int, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _plan_context(request.user, date, errors or {})
    return render(request, "cases/plan/plan.html", context, status=status)


@login_required
@require_GET
def plan(request: HttpRequest) -> HttpResponse:
    _planner(request)
    return _plan_page(request, _day(request.GET.get("date")))


def _to_plan(date: datetime.date, anchor: str = "") -> HttpResponse:
    return redirect(f"{reverse('plan')}?date={date.isoformat()}{anchor}")


@login_required
@require_POST
def plan_make(request: HttpRequest) -> HttpResponse:
    user = _planner(request)
    date = _day(request.POST.get("date"))
    if date < timezone.localdate():
        messages.error(request, _("A day that is over cannot be planned any more."))
        return _to_plan(date)
    report = inspections.plan_day(date, actor=user)
    messages.success(
        request,
        _(
            "Plan for %(date)s: %(created)d points assigned now, %(already)d already planned, "
            "%(unassigned)d due points without an inspector."
        )
        % {
            "date": date.isoformat(),
            "created": len(report.created),
            "already": report.already_planned,
            "unassigned": len(report.unassigned),
        },
    )
    return _to_plan(date)


@login_required
@require_POST
def plan_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    user = _planner(request)
    assignment = access.access_assignment(user, pk, write=True)
    choices = dict(_eligible(_inspector_posts(user), assignment.point))
    try:
        chosen = int(request.POST.get("inspector", ""))
    except ValueError:
        chosen = 0
    try:
        if chosen not in choices:
            raise ValidationError(_("Choose one of the inspectors of this point's area."))
        inspector = User.objects.get(pk=chosen)
        moved = inspections.reassign(user, assignment, inspector)
    except (ValidationError, PermissionDenied) as error:
        text = " ".join(getattr(error, "messages", [str(error)]))
        messages.error(
            request,
            _("%(point)s was not moved: %(why)s") % {"point": assignment.point.name, "why": text},
        )
        return _plan_page(request, assignment.date, {assignment.pk: text}, status=400)
    if moved.inspector_id != assignment.inspector_id:
        messages.success(
            request,
            _("%(point)s now goes to %(name)s.")
            % {"point": assignment.point.name, "name": choices[chosen]},
        )
    return _to_plan(assignment.date, f"#assignment-{assignment.pk}")
