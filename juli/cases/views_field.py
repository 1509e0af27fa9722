"""Phone pages of the inspection loop: today's points, a checklist, a new case, one case.

For the field roles only (inspector, grid leader, grid worker, mobile grid worker, unit
staff); everyone else gets 404, as for anything outside their scope. The pages write
nothing themselves: their script keeps every submission in the phone's outbox (IndexedDB)
and sends it to the REST API (`/api/v1/…`) when the network is there, so a form that was
filled offline is sent exactly like one filled online. What the pages show is read through
`access` and `queries`, the same functions as the office pages and the API.

`/m/sw.js` is the service worker (scope `/m/`): it keeps the app shell and the pages listed
on `/m/` so that they open without a network.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from juli.core import outbox
from juli.orgs.access import scope_of
from juli.orgs.roles import FIELD_ROLES, Role

from . import access, queries, reporting
from .models import REPORT_ROLES, Case, CaseCategory, ChecklistItem

#: Case actions a phone offers (the office pages do the rest).
FIELD_ACTIONS = ("rectify", "verify", "send_back")
#: Static files of the app shell, precached by the service worker.
SHELL_STATIC = (
    "css/juli.css",
    "vendor/htmx/htmx.min.js",
    "js/nav.js",
    "js/forms.js",
    "js/field/outbox.js",
    "js/field/field.js",
    "js/field/report.js",
)
#: Rows per page of 我的上报.
MY_REPORTS_PAGE = 20


def _field_user(request: HttpRequest) -> Any:
    """The signed-in user if they hold a field role now; 404 for everyone else."""
    user = request.user
    if not scope_of(user).roles & FIELD_ROLES:
        raise Http404
    return user


def _messages() -> dict[str, str]:
    """What the cases pages' own builders say (the outbox's texts come from core)."""
    return {
        "note_needed": _("Describe the problem of each failed item."),
        "reason_needed": _("Give the reason."),
        "photo_needed": _("Add at least one photo."),
        "where_needed": _("Choose the point or the area."),
        "category_needed": _("Choose the category."),
    }


def _base(request: HttpRequest, **context: Any) -> dict[str, Any]:
    return {"nav": "field", **outbox.page_context(**_messages()), **context}


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = _field_user(request)
    roles = scope_of(user).roles
    inspector = Role.INSPECTOR in roles
    context = _base(
        request,
        inspector=inspector,
        points=list(queries.todays_points(user)) if inspector else [],
        to_verify=list(queries.cases_to_verify(user)[:50]) if inspector else [],
        to_rectify=(list(queries.cases_to_rectify(user)[:50]) if Role.UNIT_STAFF in roles else []),
        unit_staff=Role.UNIT_STAFF in roles,
        can_report=bool(roles & REPORT_ROLES),
        today=timezone.localdate(),
    )
    return render(request, "cases/field/home.html", context)


@login_required
@require_GET
def inspect(request: HttpRequest, pk: int) -> HttpResponse:
    user = _field_user(request)
    point = access.access_point(user, pk)
    # Only an inspector over the point fills its checklist here (office roles have no /m/).
    if not access.holds(
        scope_of(user), frozenset({Role.INSPECTOR}), area_path=point.area_path, unit_id=None
    ):
        raise Http404
    items = ChecklistItem.objects.filter(point_category=point.category_id, is_active=True)
    return render(
        request,
        "cases/field/inspect.html",
        _base(request, point=point, items=list(items.select_related("case_category"))),
    )


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """Photo, category (the most used here first), place (suggested from GPS), send."""
    user = _field_user(request)
    if not reporting.report_paths(user):
        raise Http404
    points = list(reporting.report_points(user).defer("area__boundary", "area__search_key"))
    categories = list(CaseCategory.objects.filter(is_active=True).order_by("code"))
    config = {
        "nearby_url": reverse("api-case-nearby"),
        "case_url": reverse("field-case", args=[0]).replace("/0/", "/{id}/"),
        "point_radius_m": reporting.POINT_RADIUS_M,
        "points": [
            {"value": f"point:{p.pk}", "name": p.name, "lat": str(p.lat), "lng": str(p.lng)}
            for p in points
            if p.lat is not None and p.lng is not None
        ],
        "messages": {
            "locating": _("Finding where you are…"),
            "no_fix": _("Your position is unknown: choose the place below."),
            "suggested": _("Located: %(place)s (tap to use)"),
            "metres": _("about %(m)s m"),
            "nearby_none": _("No open case nearby."),
            "open_case": pgettext("a case in the list of cases nearby", "View"),
            "sent_number": _("Case %(number)s is reported."),
            "chars": _("%(n)s / %(max)s characters"),
        },
    }
    context = _base(
        request,
        areas=list(reporting.report_areas(user).defer("boundary", "search_key")),
        points=points,
        categories=categories,
        frequent=reporting.frequent_categories(user),
        report_config=config,
        max_upload_bytes=settings.JULI_MAX_UPLOAD_BYTES,
    )
    return render(request, "cases/field/report.html", context)


@login_required
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    """我的上报: the cases the user reported, newest first, keyset pages of 20."""
    user = _field_user(request)
    after = request.GET.get("after") or None
    page = queries.case_list(
        user, queries.CaseFilters(reporter=user), after=after, limit=MY_REPORTS_PAGE
    )
    outcomes = reporting.outcomes(page.rows)
    for case in page.rows:
        case.outcome = outcomes.get(case.pk, "")  # type: ignore[attr-defined]
    return render(
        request,
        "cases/field/my_reports.html",
        _base(
            request,
            cases=page.rows,
            next_cursor=page.next_cursor,
            first_page=after is None,
            can_report=bool(scope_of(user).roles & REPORT_ROLES),
            statuses=Case.Status,
        ),
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _field_user(request)
    case = access.access_case(user, pk)
    actions = [a for a in access.available_actions(user, case) if a in FIELD_ACTIONS]
    # The rounds of rectification: the current round's photos, a send-back's reason, the
    # rejected rounds' photos in the history (`queries.sort_photos`).
    events = queries.case_timeline(case)
    prefetch_related_objects(events, "actor__person")
    photos = queries.sort_photos(events, list(case.photos.order_by("created_at", "pk")))
    past = photos.by_event()
    for e in events:
        e.past_round = past.get(e.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "cases/field/case.html",
        _base(
            request,
            case=case,
            actions=actions,
            before=photos.before,
            after=photos.after,
            photos=photos,
            verify_panel=queries.verification(case, photos),
            sent_back=photos.sent_back if case.status == Case.Status.DISPATCHED else None,
            history=events,
            statuses=Case.Status,
        ),
    )


@lru_cache(maxsize=1)
def _shell_version() -> str:
    """A digest of the shell's files: a new deployment installs a new service worker."""
    digest = hashlib.sha256()
    for name in SHELL_STATIC:
        found = finders.find(name)
        if isinstance(found, str):
            with open(found, "rb") as fh:
                digest.update(fh.read())
    return digest.hexdigest()[:12]


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served under /m/ so that its scope is /m/ without extra headers.

    Public on purpose (the browser fetches it to check for updates, also when signed out);
    it names static files and /m/ only.
    """
    return render(
        request,
        "cases/field/sw.js",
        {
            "version": _shell_version(),
            "shell_json": json.dumps([static(name) for name in SHELL_STATIC]),
        },
        content_type="text/javascript; charset=utf-8",
    )


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: the phone pages can be added to the home screen."""
    home = reverse("field-home")
    data = {
        "name": _("Juli field work"),
        "short_name": _("Juli"),
        "start_url": home,
        "scope": home,
        "display": "standalone",
        "background_color": "#f5f6f8",
        "theme_color": "#b71c1c",
        "icons": [{"src": static("js/field/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return JsonResponse(
        data,
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
