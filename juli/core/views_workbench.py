"""The work-bench (工作台): every signed-in user's home page, `/`.

What waits for the user now, from the to-do registry (`juli.core.todos`): groups of kinds,
each with its count and first items, most urgent first. The items of one kind page through
`/workbench/<key>/?page=N` (an htmx fragment appended below the first items, or a page of
its own without JavaScript). Core knows no app: the page reads only the registry and the
menu (the empty state offers the user's menu entries as their main actions).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import menu, todos

#: Pages past this are refused (404): a bench is not an archive; the "see all" lists are.
MAX_PAGE = 200


def _greeting_hour() -> int:
    return timezone.localtime().hour


def _main_actions(user: Any) -> list[menu.MenuEntry]:
    """The user's menu entries other than the bench itself, flattened (for the empty state)."""
    entries: list[menu.MenuEntry] = []
    for item in menu.menu_for(user):
        for entry in [item.entry] if item.entry else item.entries:
            if entry.key != "home" and not entry.url_name.startswith("admin:"):
                entries.append(entry)
    return entries[:8]


@login_required
@require_GET
def workbench(request: HttpRequest) -> HttpResponse:
    user = request.user
    groups = todos.for_user(user)
    hour = _greeting_hour()
    context: dict[str, Any] = {
        "nav": "home",
        "groups": groups,
        "total": sum(g.total for g in groups),
        "part_of_day": (
            "evening" if hour < 5 or hour >= 18 else ("morning" if hour < 12 else "afternoon")
        ),
        "today": timezone.localdate(),
        "per_page": todos.DEFAULT_LIMIT,
    }
    if not groups:
        context["actions"] = _main_actions(user)
    return render(request, "core/workbench.html", context)


def _page_number(raw: str | None) -> int:
    if raw is None or raw == "":
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise Http404
    return int(raw)


@login_required
@require_GET
def workbench_kind(request: HttpRequest, key: str) -> HttpResponse:
    """One kind's items, page `page` (from 1; the bench's "More" asks for 2). 404 for a kind
    the user cannot have, as for anything outside their scope, and for a page number that
    is not one."""
    user = request.user
    kind = todos.kind_for(user, key)
    if kind is None:
        raise Http404
    page = _page_number(request.GET.get("page"))
    items, more = todos.page_of(user, kind, page)
    context = {
        "nav": "home",
        "kind": kind,
        "items": items,
        "page": page,
        "next_page": page + 1 if more else None,
        "previous_page": page - 1 if page > 1 else None,
        "see_all": kind.url_for(user),
    }
    if request.headers.get("HX-Request"):
        return render(request, "core/_workbench_items.html", context)
    return render(request, "core/workbench_kind.html", context)
