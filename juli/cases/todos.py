"""What the case loop puts on people's work-benches (`juli.core.todos`).

Who gets what (every kind reads the same queryset for its count and its items):

- street officers, over the areas of their posts: reports to accept (`reported`), cases to
  dispatch (`accepted`), cases to close (`verified`);
- district administrators, over the district: 督办, escalated cases still not rectified
  (dispatched, past the deadline, escalated) and reports waiting more than one working day
  to be accepted; not the street's daily work, which is the street officers';
- unit staff: cases to rectify (dispatched to their unit, `queries.cases_to_rectify`);
- inspectors and street officers: cases to verify that someone else rectified
  (`queries.cases_to_verify`);
- inspectors: today's planned points not yet inspected (`queries.todays_points`).

Counts use the indexes on `status` (`case_status_deadline_idx`), `area_path`, (`unit`,
`status`) and the plan's (`inspector`, `date`). Deadlines are told in working time
(`worktime`): "剩 1 个工作日 3 小时", "逾期 2 小时". Items link to the phone page for field
roles (inspector, unit staff …) and to the office case page for the others.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from juli.core.todos import Todo, TodoKind, register
from juli.orgs.access import prefix_q, scope_of
from juli.orgs.models import Area, Post
from juli.orgs.roles import FIELD_ROLES, Role

from . import access, queries, worktime
from .models import CASE_OFFICE_ROLES, Case

S = Case.Status
#: Columns a to-do never shows (as the case list: the long text, outlines, search keys).
DEFERRED = ("description", "area__boundary", "area__search_key")


# --- Working time left ---------------------------------------------------------------------


def working_time_text(seconds: int) -> str:
    """ "2 个工作日 3 小时", "3 小时", "40 分钟": whole working days of the calendar's length,
    then hours; minutes only under an hour."""
    day = int(worktime.hours_per_day() * 3600)
    days, rest = divmod(max(0, seconds), day)
    hours, rest = divmod(rest, 3600)
    parts = []
    if days:
        parts.append(ngettext("%(n)s working day", "%(n)s working days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours})
    if not parts:
        minutes = max(1, rest // 60)
        parts.append(ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes})
    return " ".join(parts)


def countdown(
    deadline: datetime.datetime | None, now: datetime.datetime, calendar: worktime.Calendar
) -> tuple[str, bool]:
    """The working time left to `deadline` ("剩 3 小时") or past it ("逾期 1 个工作日"), and
    whether it is past."""
    if deadline is None:
        return "", False
    if deadline <= now:
        late = worktime.working_seconds(deadline, now, calendar)
        return _("%(time)s overdue") % {"time": working_time_text(late)}, True
    left = worktime.working_seconds(now, deadline, calendar)
    return _("%(time)s left") % {"time": working_time_text(left)}, False


def calendar_of(user: Any) -> worktime.Calendar:
    """One working calendar per request (cached on the user, as the scope is): the counts
    and the items of every kind read its holidays once."""
    cached = getattr(user, "_juli_work_calendar", None)
    if cached is None:
        cached = worktime.Calendar()
        user._juli_work_calendar = cached
    return cached


# --- Who ----------------------------------------------------------------------------------------


def _roles(user: Any) -> frozenset[str]:
    return scope_of(user).roles


def is_street_officer(user: Any) -> bool:
    return Role.STREET_OFFICER in _roles(user)


def is_district_admin(user: Any) -> bool:
    return Role.DISTRICT_ADMIN in _roles(user)


def is_unit_staff(user: Any) -> bool:
    return Role.UNIT_STAFF in _roles(user)


def is_inspector(user: Any) -> bool:
    return Role.INSPECTOR in _roles(user)


def verifies(user: Any) -> bool:
    return bool(_roles(user) & {Role.INSPECTOR, Role.STREET_OFFICER})


def on_phone(user: Any) -> bool:
    """Field roles without an office role over cases do their work on the phone pages."""
    roles = _roles(user)
    return bool(roles & FIELD_ROLES) and not roles & CASE_OFFICE_ROLES


def case_url(user: Any, case: Case) -> str:
    if on_phone(user):
        return reverse("field-case", args=[case.pk])
    return reverse("case-detail", args=[case.pk])


# --- The querysets (one per kind: its count and its items) --------------------------------------


def _in_areas(user: Any, roles: Iterable[str], status: str) -> QuerySet[Case]:
    paths = scope_of(user).paths("area", roles)
    return access.visible_cases(user).filter(prefix_q("area_path", paths), status=status)


def to_accept(user: Any) -> QuerySet[Case]:
    return _in_areas(user, {Role.STREET_OFFICER}, S.REPORTED).order_by("reported_at", "pk")


def to_dispatch(user: Any) -> QuerySet[Case]:
    return _in_areas(user, {Role.STREET_OFFICER}, S.ACCEPTED).order_by("accepted_at", "pk")


def to_close(user: Any) -> QuerySet[Case]:
    return _in_areas(user, {Role.STREET_OFFICER}, S.VERIFIED).order_by("verified_at", "pk")


def to_supervise(user: Any) -> QuerySet[Case]:
    """督办: escalated cases past their deadline that the unit has still not rectified."""
    return (
        _in_areas(user, {Role.DISTRICT_ADMIN}, S.DISPATCHED)
        .filter(deadline__lt=timezone.now(), escalated_at__isnull=False)
        .order_by("deadline", "pk")
    )


def _street_has_officer() -> Exists:
    """The case's street has someone to accept it: a current street_officer post with an
    active account on a street above the case's area (as `handover.acceptors` looks)."""
    today = timezone.localdate()
    return Exists(
        Post.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=today),
            role=Role.STREET_OFFICER,
            area__kind=Area.Kind.STREET,
            started_on__lte=today,
            person__user__is_active=True,
            area__path=Substr(OuterRef("area_path"), 1, Length("area__path")),
        )
    )


def waiting_reports(user: Any, now: datetime.datetime | None = None) -> QuerySet[Case]:
    """Reports nobody accepts, in the district admin's areas: those of a street with no
    street officer in Juli (the district is told of them when they arrive), and those not
    accepted within one working day."""
    now = now or timezone.now()
    cutoff = worktime.working_hours_before(now, int(worktime.hours_per_day()), calendar_of(user))
    return (
        _in_areas(user, {Role.DISTRICT_ADMIN}, S.REPORTED)
        .filter(Q(reported_at__lt=cutoff) | ~_street_has_officer())
        .order_by("reported_at", "pk")
    )


def to_rectify(user: Any) -> QuerySet[Case]:
    return queries.cases_to_rectify(user)  # nearest (and so overdue) deadline first


def to_verify(user: Any) -> QuerySet[Case]:
    return queries.cases_to_verify(user)  # oldest rectification first


def points_to_inspect(user: Any) -> Any:
    return queries.todays_points(user).filter(inspected=False)


# --- Items ------------------------------------------------------------------------------------


def _case_items(
    qs: Callable[[Any], QuerySet[Case]], since: str, *, deadline: bool = False
) -> Callable[[Any, int, int], list[Todo]]:
    """The `items` of a case kind: `since` names the case's field the wait started at;
    `deadline` adds the working-time countdown to the case's deadline."""

    def items(user: Any, limit: int, offset: int) -> list[Todo]:
        rows = list(
            qs(user)
            .select_related("category", "area", "unit")
            .defer(*DEFERRED)[offset : offset + limit]
        )
        now, calendar = timezone.now(), calendar_of(user)
        out = []
        for case in rows:
            text, late = countdown(case.deadline, now, calendar) if deadline else ("", False)
            where = case.area.name
            if case.unit_id and case.unit:
                where = f"{where} · {case.unit.name}"
            out.append(
                Todo(
                    title=case.title,
                    url=case_url(user, case),
                    subtitle=f"{case.number} · {case.category.name} · {where}",
                    since=getattr(case, since),
                    due=case.deadline if deadline else None,
                    countdown=text,
                    overdue=late,
                )
            )
        return out

    return items


def _point_items(user: Any, limit: int, offset: int) -> list[Todo]:
    rows = list(points_to_inspect(user)[offset : offset + limit])
    return [
        Todo(
            title=a.point.name,
            url=reverse("field-inspect", args=[a.point.pk]),
            subtitle=f"{a.point.area.name} · {a.point.category.name}",
        )
        for a in rows
    ]


def case_list_url(**filters: str) -> Callable[[Any], str]:
    return lambda user: f"{reverse('case-list')}?{urlencode(filters)}"


def field_home(user: Any) -> str:
    return reverse("field-home") if on_phone(user) else ""


def verify_list(user: Any) -> str:
    if on_phone(user):
        return reverse("field-home")
    return case_list_url(status=S.RECTIFIED)(user)


def _count(qs: Callable[[Any], QuerySet[Any]]) -> Callable[[Any], int]:
    return lambda user: qs(user).count()


register(
    TodoKind(
        "cases.accept",
        gettext_lazy("Reports to accept"),
        "cases",
        count=_count(to_accept),
        items=_case_items(to_accept, "reported_at"),
        url=case_list_url(status=S.REPORTED),
        visible=is_street_officer,
        order=10,
    ),
    TodoKind(
        "cases.dispatch",
        gettext_lazy("Cases to dispatch"),
        "cases",
        count=_count(to_dispatch),
        items=_case_items(to_dispatch, "accepted_at"),
        url=case_list_url(status=S.ACCEPTED),
        visible=is_street_officer,
        order=20,
    ),
    TodoKind(
        "cases.rectify",
        gettext_lazy("Cases to rectify"),
        "cases",
        count=_count(to_rectify),
        items=_case_items(to_rectify, "dispatched_at", deadline=True),
        url=field_home,
        visible=is_unit_staff,
        order=30,
    ),
    TodoKind(
        "cases.verify",
        gettext_lazy("Rectifications to verify"),
        "cases",
        count=_count(to_verify),
        items=_case_items(to_verify, "rectified_at"),
        url=verify_list,
        visible=verifies,
        order=40,
    ),
    TodoKind(
        "cases.close",
        gettext_lazy("Cases to close"),
        "cases",
        count=_count(to_close),
        items=_case_items(to_close, "verified_at"),
        url=case_list_url(status=S.VERIFIED),
        visible=is_street_officer,
        order=50,
    ),
    TodoKind(
        "cases.supervise",
        gettext_lazy("Overdue cases under supervision"),
        "cases",
        count=_count(to_supervise),
        items=_case_items(to_supervise, "dispatched_at", deadline=True),
        url=case_list_url(overdue="on"),
        visible=is_district_admin,
        order=60,
    ),
    TodoKind(
        "cases.waiting",
        gettext_lazy("Reports nobody has accepted"),
        "cases",
        count=_count(waiting_reports),
        items=_case_items(waiting_reports, "reported_at"),
        url=case_list_url(status=S.REPORTED),
        visible=is_district_admin,
        order=70,
    ),
    TodoKind(
        "cases.inspect",
        gettext_lazy("Points to inspect today"),
        "inspections",
        count=_count(points_to_inspect),
        items=_point_items,
        url=lambda user: reverse("field-home"),
        visible=is_inspector,
        order=10,
    ),
)
