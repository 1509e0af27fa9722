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

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from juli.core import outbox
from juli.orgs.access import prefix_q, scope_of, visible_areas
from juli.orgs.models import Area
from juli.orgs.roles import FIELD_ROLES, Role

from . import access, queries
from .models import POINT_AREA_KINDS, REPORT_ROLES, Case, CaseCategory, ChecklistItem

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
)
#: Area kinds offered as "where" on the report page (a point is better when there is one).
REPORT_AREA_KINDS = (Area.Kind.COMMUNITY, *POINT_AREA_KINDS)


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
    user = _field_user(request)
    paths = scope_of(user).paths("area", REPORT_ROLES)
    if not paths:
        raise Http404
    areas = (
        visible_areas(user)
        .filter(prefix_q("path", paths), kind__in=REPORT_AREA_KINDS, is_active=True)
        .order_by("path")
    )
    points = (
        access.visible_points(user)
        .filter(prefix_q("area_path", paths), is_active=True)
        .select_related("area")
        .order_by("area_path", "name")
    )
    categories = CaseCategory.objects.filter(is_active=True).order_by("code")
    return render(
        request,
        "cases/field/report.html",
        _base(request, areas=list(areas), points=list(points), categories=list(categories)),
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _field_user(request)
    case = access.access_case(user, pk)
    actions = [a for a in access.available_actions(user, case) if a in FIELD_ACTIONS]
    photos = list(case.photos.order_by("created_at", "pk"))
    return render(
        request,
        "cases/field/case.html",
        _base(
            request,
            case=case,
            actions=actions,
            before=[p for p in photos if p.kind == "before"],
            after=[p for p in photos if p.kind == "after"],
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
