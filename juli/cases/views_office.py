"""Office pages of the case loop: case list, case detail with its actions, the map, points,
their spreadsheet import and export, and the working-time calendar.

Every page is for office roles (`orgs.access.is_office`): anyone else gets 404, as for an id
outside their scope. Lists start from `access.visible_*`; every write calls one function of
`actions` / `points`, which check rights and rules again.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from juli.core import exports, idempotency
from juli.core.models import ExportJob
from juli.orgs import access as org_access
from juli.orgs.forms import apply_errors

from . import access, actions, excel, forms, points, publication, queries
from . import exports as case_exports
from .models import CASE_OFFICE_ROLES, OPEN_STATUSES, CalendarDay, Case, Point
from .workflow import ACTION_LABELS, TransitionError

GET_POST = require_http_methods(["GET", "POST"])
POINT_PAGE = 50
MAP_LIMIT = 500
MAP_AREA_LIMIT = 500
MAP_POINT_LIMIT = 2000  # the points drawn on the map of open cases (squares, names from zoom 16)


def _office(request: HttpRequest) -> Any:
    """The user, when the office pages are theirs; 404 otherwise (as an unknown URL)."""
    if not org_access.is_office(request.user):
        raise Http404
    return request.user


def _partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _manages_points(user: Any) -> bool:
    scope = org_access.scope_of(user)
    return scope.superuser or bool(scope.roles & CASE_OFFICE_ROLES)


# --- Cases --------------------------------------------------------------------------------------


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user = _office(request)
    form = forms.CaseFilterForm(request.GET, user=user)
    page = queries.case_list(user, form.filters(), after=request.GET.get("after"))
    context = {"nav": "cases", "form": form, "page": page, "now": timezone.now()}
    template = (
        "cases/office/_case_rows.html" if _partial(request) else "cases/office/case_list.html"
    )
    return render(request, template, context)


# --- Background export of the case list (juli.core.exports) -------------------------------------


def _export_page(request: HttpRequest, job: ExportJob) -> HttpResponse:
    template = (
        "cases/office/_export_status.html" if _partial(request) else "cases/office/export.html"
    )
    return render(request, template, {"nav": "cases", "job": job})


@login_required
@require_POST
def case_export_start(request: HttpRequest) -> HttpResponse:
    """Queue the Excel export of the list's current filters: htmx sends the filter form in
    the body; the plain form (no JavaScript) keeps them in its query string."""
    user = _office(request)
    sent = [key for key in request.POST if key not in case_exports.NOT_FILTERS]
    params = case_exports.filter_params(request.POST if sent else request.GET)
    job, _created = exports.start_export(user, "cases.xlsx", params)
    if _partial(request):
        return _export_page(request, job)
    return redirect("case-export-status", pk=job.pk)


@login_required
@require_GET
def case_export_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The export's state; the htmx partial polls itself every 2 s until it is finished."""
    user = _office(request)
    return _export_page(request, exports.access_export(user, pk))


@login_required
@require_GET
def case_export_download(request: HttpRequest, pk: int) -> FileResponse:
    user = _office(request)
    job = exports.access_export(user, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)


#: How each step reads on its button: the loop's actions and the combined 立案并派遣.
STEP_LABELS = {**ACTION_LABELS, forms.ACCEPT_DISPATCH: gettext_lazy("accept and dispatch")}
#: Steps that refuse or undo work: never the open, primary choice of a page; they are
#: opened on purpose and need the reason.
CAUTIOUS_ACTIONS = frozenset({"reject", "send_back", "reopen"})
#: The verifier's two steps: in the verify panel, under what they are asked to judge.
VERIFY_ACTIONS = frozenset({"verify", "send_back"})


def _action_forms(user: Any, case: Case, bound: Any = None) -> list[Any]:
    """The forms of the steps the user may take now: the combined 立案并派遣 first (when the
    user may make both steps), then one per action of `TRANSITIONS`. Each form knows
    whether it opens (`open`), how its button looks (`button`) and whether it sits in the
    verify panel (`in_panel`)."""
    built = []
    if access.can_accept_and_dispatch(user, case):
        if bound is not None and bound.action == forms.ACCEPT_DISPATCH:
            built.append(bound)
        else:
            built.append(forms.AcceptDispatchForm(case=case, user=user))
    for action in access.available_actions(user, case):
        if bound is not None and bound.action == action:
            built.append(bound)
        else:
            built.append(forms.ACTION_FORMS[action](case=case, user=user))
    opened = False
    for form in [*built, bound] if bound is not None else built:
        form.label = STEP_LABELS[form.action]
        form.in_panel = case.status == Case.Status.RECTIFIED and form.action in VERIFY_ACTIONS
        cautious = form.action in CAUTIOUS_ACTIONS
        # The first safe step opens; a step that refuses or undoes work never does (unless
        # it comes back with its errors).
        form.open = form.is_bound or (not cautious and not opened)
        opened = opened or form.open
        form.button = (
            "primary" if not cautious else "secondary" if form.action == "reopen" else "danger"
        )
    return built


def _case_page(
    request: HttpRequest,
    case: Case,
    bound: Any = None,
    status: int = 200,
    *,
    published: forms.PublicationForm | None = None,
) -> Any:
    user = request.user
    timeline = _timeline(case)
    photos = queries.sort_photos(timeline, list(case.photos.all()))
    past = photos.by_event()
    for e in timeline:
        e.past_round = past.get(e.pk)  # type: ignore[attr-defined]
    forms_ = _action_forms(user, case, bound)
    if published is None and access.can_publish(user, case):
        published = forms.PublicationForm(case=case)
    context = {
        "nav": "cases",
        "case": case,
        "before": photos.before,
        "after": photos.after,
        "photos": photos,
        "verify_panel": queries.verification(case, photos),
        "outcome": _outcome(case, timeline),
        "timeline": timeline,
        "forms": forms_,
        "panel_forms": [f for f in forms_ if f.in_panel],
        "step_forms": [f for f in forms_ if not f.in_panel],
        # A refused step that is no longer offered (the case moved on): say why at the top.
        "refusal": None if bound is None or bound in forms_ else bound,
        "position": _position(case),
        "boundary": case.area.boundary,
        "map_area": {"name": case.area.name, "kind": case.area.kind},
        "map_point": _point_pin(case.point),
        "publication": published,
        # The reporter's contacts are for the office only; phones masked by role.
        "reporter_phone": access.reporter_phone_for(user, case),
    }
    return render(request, "cases/office/case_detail.html", context, status=status)


#: The steps that end a case, and so lead its page.
OUTCOME_ACTIONS = {Case.Status.CLOSED: "close", Case.Status.REJECTED: "reject"}


def _outcome(case: Case, timeline: list[Any]) -> dict[str, Any] | None:
    """How a closed or rejected case ended (the page leads with it): the closing or
    rejecting event, and for a closed case its last rectification and verification."""
    action = OUTCOME_ACTIONS.get(Case.Status(case.status))
    if action is None:
        return None

    def last(name: str) -> Any:
        return next((e for e in reversed(timeline) if e.action == name), None)

    closed = case.status == Case.Status.CLOSED
    return {
        "event": last(action),
        "rectified": last("rectify") if closed else None,
        "verified": last("verify") if closed else None,
    }


#: Steps whose name does not already say where the case went: "→ status" follows them.
ARROW_ACTIONS = frozenset({"report", "rectify", "send_back", "resume", "reopen"})


def _timeline(case: Case) -> list[Any]:
    events = queries.case_timeline(case)
    prefetch_related_objects(events, "actor__person")  # names without a query per row
    for e in events:
        e.show_to = (  # type: ignore[attr-defined]
            e.action in ARROW_ACTIONS
            and e.to_status != e.from_status
            and not (e.action == "report" and e.to_status == Case.Status.REPORTED)
        )
    return events


def _position(case: Case) -> dict[str, float] | None:
    lat, lng = case.lat, case.lng
    if (lat is None or lng is None) and case.point is not None:
        lat, lng = case.point.lat, case.point.lng
    if lat is None or lng is None:
        return None
    return {"lat": float(lat), "lng": float(lng)}


def _point_pin(point: Point | None) -> dict[str, Any] | None:
    """The case's point for the mini map's pin, when it has a position."""
    if point is None or point.lat is None or point.lng is None:
        return None
    return {"name": point.name, "lat": float(point.lat), "lng": float(point.lng)}


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _office(request)
    return _case_page(request, access.access_case(request.user, pk))


def _already_done(user: Any, case: Case, action: str, expected: str) -> bool:
    """Was a refused step this user's same step, already made from the state the form was
    drawn for (the same form posted again from another tab, or re-rendered with a new id)?"""
    last = case.events.order_by("-at", "-pk").first()
    if action == forms.ACCEPT_DISPATCH and expected == Case.Status.REPORTED:
        # The combined step ends on its dispatch, made from `accepted`.
        action, expected = "dispatch", Case.Status.ACCEPTED
    return (
        case.status != expected
        and last is not None
        and last.action == action
        and last.actor_id == user.pk
        and last.from_status == expected
    )


def _act(user: Any, case: Case, form: Any) -> Case:
    """Call the one action of `form.action`. Rectify takes its after-photo along: the action
    stores it in the step's own transaction, after every check."""
    note = form.cleaned_data.get("note", "")
    if form.action == "rectify":
        try:
            from juli.core.uploads import clean_image
        except ImportError:
            raise ValidationError(
                _("Photo uploads are not available yet on this server."), code="no_uploads"
            ) from None
        image = clean_image(form.cleaned_data["photo"])
        meta = {k: v for k, v in image.meta().items() if v is not None}
        photo = actions.PhotoUpload(image.content, meta)
        return actions.rectify_case(user, case, note=note, photos=[photo])
    if form.action == forms.ACCEPT_DISPATCH:
        return actions.accept_and_dispatch(user, case, note=note, **form.arguments())
    return actions.transition(user, case, form.action, note=note, **form.arguments())


def _submission(request: HttpRequest) -> dict[str, Any]:
    """What a form post is fingerprinted by (`juli.core.idempotency`): its fields without
    the CSRF token (masked anew on every page), and the names and sizes of its files."""
    body: dict[str, Any] = {
        key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"
    }
    body["files"] = {
        key: [[f.name, f.size] for f in request.FILES.getlist(key)] for key in request.FILES
    }
    return body


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step from its form. The form's hidden client UUID (drawn when the page was
    rendered) keys the step in `juli.core.idempotency`, as the API's Idempotency-Key does:
    the same form posted again is answered "already done" and makes nothing."""
    user = _office(request)
    case = access.access_case(user, pk)
    form_class = forms.ACTION_FORMS.get(action) or forms.COMBINED_FORMS.get(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, request.FILES, case=case, user=user)
    if not form.is_valid():
        return _case_page(request, case, form, status=400)

    def run() -> idempotency.Outcome:
        done = _act(user, case, form)
        return idempotency.Outcome(200, {"case": done.pk, "action": action})

    try:
        outcome = idempotency.run_once(
            user=user,
            key=form.cleaned_data["client_uuid"],
            method="POST",
            path=request.path,
            body=_submission(request),
            run=run,
        )
    except (ValidationError, PermissionDenied) as error:
        fresh = access.access_case(user, pk)
        if _already_done(user, fresh, action, form.cleaned_data["expected_status"]):
            messages.info(request, _("This step was already done."))
            return redirect("case-detail", case.pk)
        if isinstance(error, PermissionDenied):
            error = ValidationError(str(error) or _("Your posts do not allow this step."))
        apply_errors(form, error)
        return _case_page(request, fresh, form, status=409 if _illegal(error) else 400)
    if outcome.replayed or not outcome.ok:
        # A replay of this form (ok) or the same form id with other content (409): either
        # way this form's step was made once already.
        messages.info(request, _("This step was already done."))
    else:
        messages.success(request, _("Done: %(step)s.") % {"step": STEP_LABELS[action]})
    return redirect("case-detail", case.pk)


@login_required
@require_POST
def case_publication(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the case's public reply and public flag (the case office over its area)."""
    user = _office(request)
    case = access.access_case(user, pk)
    if not access.can_publish(user, case):
        raise PermissionDenied
    form = forms.PublicationForm(request.POST, case=case)
    if form.is_valid():
        try:
            publication.update_publication(user, case, **form.changes())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The public reply and listing are saved."))
            return redirect("case-detail", case.pk)
    return _case_page(request, case, status=400, published=form)


def _illegal(error: ValidationError) -> bool:
    return isinstance(error, TransitionError) and getattr(error, "code", "") == "illegal_state"


# --- Map ------------------------------------------------------------------------------------------


@login_required
@require_GET
def case_map(request: HttpRequest) -> HttpResponse:
    _office(request)
    return render(request, "cases/office/case_map.html", {"nav": "map", "limit": MAP_LIMIT})


def _map_cases(user: Any) -> QuerySet[Case]:
    return access.visible_cases(user).filter(status__in=OPEN_STATUSES)


@login_required
@require_GET
def case_map_data(request: HttpRequest) -> JsonResponse:
    """Open cases in scope (the `MAP_LIMIT` most recent) with counts, the grid polygons and
    the positioned active points (the first `MAP_POINT_LIMIT` by area and code)."""
    user = _office(request)
    now = timezone.now()
    open_cases = _map_cases(user)
    counts = dict(
        open_cases.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    overdue = open_cases.filter(status=Case.Status.DISPATCHED, deadline__lt=now).count()
    rows = list(
        open_cases.select_related("category", "area", "point").order_by("-reported_at", "-pk")[
            :MAP_LIMIT
        ]
    )
    cases = []
    for case in rows:
        position = _position(case)
        cases.append(
            {
                "id": case.pk,
                "number": case.number,
                "title": case.title,
                "status": case.status,
                "status_label": case.get_status_display(),
                "overdue": case.is_overdue,
                "category": case.category.name,
                "area": case.area.name,
                "url": reverse("case-detail", args=[case.pk]),
                "lat": position["lat"] if position else None,
                "lng": position["lng"] if position else None,
            }
        )
    areas = (
        org_access.visible_areas(user)
        .filter(boundary__isnull=False, is_active=True)
        .order_by("path")
        .values("pk", "name", "kind", "boundary")[:MAP_AREA_LIMIT]
    )
    map_points = (
        access.visible_points(user)
        .filter(is_active=True, lat__isnull=False, lng__isnull=False)
        .order_by("area_path", "code")
        .values("pk", "name", "lat", "lng")[:MAP_POINT_LIMIT]
    )
    # One reverse() for up to MAP_POINT_LIMIT links: the pk goes into the URL's slot.
    point_url = reverse("point-detail", args=[987654321]).replace("987654321", "{}")
    total = sum(counts.values())
    return JsonResponse(
        {
            "cases": cases,
            "points": [
                {
                    "id": p["pk"],
                    "name": p["name"],
                    "lat": float(p["lat"] or 0),  # never None: filtered above
                    "lng": float(p["lng"] or 0),
                    "url": point_url.format(p["pk"]),
                }
                for p in map_points
            ],
            "counts": {s: counts.get(s, 0) for s in Case.Status.values if s in OPEN_STATUSES},
            "labels": {s: str(Case.Status(s).label) for s in Case.Status.values},
            "total": total,
            "overdue": overdue,
            "shown": len(cases),
            "truncated": total > len(cases),
            "areas": [
                {"id": a["pk"], "name": a["name"], "kind": a["kind"], "boundary": a["boundary"]}
                for a in areas
            ],
        }
    )


# --- Points ---------------------------------------------------------------------------------------


def _encode(point: Point) -> str:
    raw = json.dumps([point.area_path, point.code])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str | None) -> tuple[str, str] | None:
    if not cursor:
        return None
    try:
        path, code = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    return (path, code) if isinstance(path, str) and isinstance(code, str) else None


def _filtered_points(user: Any, f: dict[str, Any]) -> QuerySet[Point]:
    qs = access.visible_points(user)
    if f.get("area"):
        qs = qs.filter(area_path__startswith=f["area"].path)
    if f.get("category"):
        qs = qs.filter(category=f["category"])
    if f.get("zero"):
        qs = qs.filter(zero_deduction=f["zero"] == "1")
    if f.get("unit"):
        qs = qs.filter(responsible_unit=f["unit"])
    return qs


@login_required
@require_GET
def point_list(request: HttpRequest) -> HttpResponse:
    """Points in scope, by area then code; keyset pages on (area_path, code) (code is unique)."""
    user = _office(request)
    form = forms.PointFilterForm(request.GET, user=user)
    qs = _filtered_points(user, form.filters()).select_related(
        "area", "category", "responsible_unit", "responsible_person"
    )
    cursor = _decode(request.GET.get("after"))
    if cursor is not None:
        path, code = cursor
        qs = qs.filter(Q(area_path__gt=path) | Q(area_path=path, code__gt=code))
    rows = list(qs.order_by("area_path", "code")[: POINT_PAGE + 1])
    next_cursor = _encode(rows[POINT_PAGE - 1]) if len(rows) > POINT_PAGE else None
    context = {
        "nav": "points",
        "form": form,
        "rows": rows[:POINT_PAGE],
        "next_cursor": next_cursor,
        "can_import": _manages_points(user),
    }
    template = (
        "cases/office/_point_rows.html" if _partial(request) else "cases/office/point_list.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _office(request)
    point = access.access_point(user, pk)
    context = {
        "nav": "points",
        "point": point,
        "items": point.category.items.filter(is_active=True).select_related("case_category"),
        "inspections": access.visible_inspections(user)
        .filter(point=point)
        .select_related("inspector__person")
        .order_by("-started_at", "-pk")[:10],
        "open_cases": access.visible_cases(user)
        .filter(point=point, status__in=OPEN_STATUSES)
        .select_related("category")
        .order_by("-reported_at", "-pk")[:50],
        "now": timezone.now(),
    }
    return render(request, "cases/office/point_detail.html", context)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=excel.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def point_export(request: HttpRequest) -> HttpResponse:
    """The points the user sees (with the list's filters) as .xlsx."""
    user = _office(request)
    form = forms.PointFilterForm(request.GET, user=user)
    rows = points.point_rows(_filtered_points(user, form.filters()))
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _xlsx(excel.export_points(rows), f"points-{stamp}.xlsx")


@login_required
@require_GET
def point_template(request: HttpRequest) -> HttpResponse:
    _office(request)
    return _xlsx(excel.template(), "points-template.xlsx")


@login_required
@GET_POST
def point_import(request: HttpRequest) -> HttpResponse:
    """Upload a sheet; nothing is written unless every row is good (`points.import_points`)."""
    user = _office(request)
    if not _manages_points(user):
        raise Http404
    form = forms.PointImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"nav": "points", "form": form, "headers": excel.HEADERS}
    if request.method == "POST" and form.is_valid():
        try:
            sheet = excel.read_points(form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error)  # everything read_points refuses is about the file
        else:
            report = points.import_points(user, sheet.rows, first_row=0)
            for bad in report.errors:  # import_points numbered them 0, 1, …: sheet rows
                bad.row = sheet.numbers[bad.row]
            context["report"] = report
            context["rows"] = len(sheet.rows)
    return render(request, "cases/office/point_import.html", context)


# --- The public feed's settings --------------------------------------------------------------------


@login_required
@GET_POST
def public_feed_settings(request: HttpRequest) -> HttpResponse:
    """District admins choose what their district's cases give the Open311 feed."""
    user = _office(request)
    districts = list(access.feed_districts(user))
    if not districts:
        raise Http404
    chosen = request.POST.get("district") or request.GET.get("district")
    district = access.access_feed_district(user, chosen) if chosen else districts[0]
    form = forms.FeedSettingsForm(
        request.POST or None, instance=publication.feed_settings_for(district)
    )
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in publication.FEED_FIELDS}
        try:
            publication.update_feed_settings(user, district, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The public feed settings are saved."))
            return redirect(f"{reverse('public-feed-settings')}?district={district.pk}")
    context = {"nav": "public_feed", "districts": districts, "district": district, "form": form}
    status = 400 if form.errors else 200
    return render(request, "cases/office/public_feed.html", context, status=status)


# --- Working-time calendar ----------------------------------------------------------------------


@login_required
@GET_POST
def calendar(request: HttpRequest) -> HttpResponse:
    """District admins list and edit the holidays and adjusted working days of a year."""
    user = _office(request)
    if not org_access.is_district_admin(user):
        raise Http404
    year = forms.YearForm(request.GET).chosen_year()
    form = forms.CalendarDayForm(request.POST or None)
    if request.method == "POST":
        try:
            if "clear" in request.POST:
                day = forms.CalendarDayForm.base_fields["date"].clean(request.POST.get("clear"))
                actions.clear_calendar_day(user, day)
                messages.success(request, _("%(d)s is an ordinary day again.") % {"d": day})
                return redirect(f"{request.path}?year={day.year}")
            if form.is_valid():
                d = form.cleaned_data
                actions.set_calendar_day(user, d["date"], d["kind"], d["name"])
                messages.success(request, _("%(d)s was saved.") % {"d": d["date"]})
                return redirect(f"{request.path}?year={d['date'].year}")
        except ValidationError as error:
            apply_errors(form, error)
    days = CalendarDay.objects.filter(date__year=year).order_by("date")
    context = {"nav": "calendar", "form": form, "days": days, "year": year}
    return render(request, "cases/office/calendar.html", context)
