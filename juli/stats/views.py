"""The dashboard page (/dashboard/): figures of an area and period from the rollups.

For office roles with an area in their scope; anyone else gets 404 as on the other office
pages. Switching area or period is an htmx GET that swaps the body (the URL follows).
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from juli.orgs import access as org_access
from juli.orgs.models import Area

from . import queries

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30


def period_of(value: Any) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


#: A case id no table reaches: reversed once, then replaced by each real id (the map draws up
#: to 2,000 open cases; a `reverse()` per dot was a tenth of the page's time).
_SENTINEL = 987654321987


def _links(data: dict[str, Any], day_from: datetime.date, day_to: datetime.date) -> None:
    """Add to every figure the office case list behind it (same filters)."""
    list_base = reverse("case-list")
    detail_base = reverse("case-detail", args=[_SENTINEL])

    def _list_url(**params: Any) -> str:
        return list_base + "?" + urlencode({k: v for k, v in params.items() if v != ""})

    def _detail_url(pk: int) -> str:
        return detail_base.replace(str(_SENTINEL), str(int(pk)))

    area_id = data["area"]["id"]
    span = {"reported_from": day_from.isoformat(), "reported_to": day_to.isoformat()}
    data["links"] = {
        "reported": _list_url(area=area_id, **span),
        "closed": _list_url(area=area_id, status="closed", **span),
        "rejected": _list_url(area=area_id, status="rejected", **span),
        "open": reverse("case-map"),
        "all": _list_url(area=area_id),
        "overdue": _list_url(area=area_id, overdue="on"),
    }
    for day in data["trend"]:
        day["url"] = _list_url(area=area_id, reported_from=day["day"], reported_to=day["day"])
    for cat in data["categories"]:
        cat["url"] = _list_url(area=area_id, category=cat["id"], **span)
    for row in data["children"] + data["cells"]:
        row["url"] = _list_url(area=row["id"], **span)
    for case in data["overdue"]:
        case["url"] = _detail_url(case["id"])
        case["deadline_label"] = (case["deadline"] or "")[:16].replace("T", " ")
        hours = case["hours_overdue"]
        case["overdue_label"] = (
            ngettext("%(n)d day", "%(n)d days", hours // 24) % {"n": hours // 24}
            if hours >= 24
            else ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
        )
    data["case_url"] = detail_base.replace(str(_SENTINEL), "{id}")


def _summary(user: Any, area: Area, day_from: datetime.date, day_to: datetime.date) -> Any:
    """The figures of the area and period, computed at most once per
    JULI_DASHBOARD_CACHE_SECONDS (60; 0: every time) and shared by everyone who may read
    this area's dashboard (`area_by_code` has checked that): at 10M cases one computation
    sums tens of thousands of rollup rows, and a dashboard is looked at by many at once
    (the morning meeting). The page says when the figures were computed."""
    ttl = settings.JULI_DASHBOARD_CACHE_SECONDS
    key = f"juli:dashboard:{area.pk}:{day_from.isoformat()}:{day_to.isoformat()}"
    data = cache.get(key) if ttl > 0 else None
    if data is None:
        data = queries.summary(user, area, day_from, day_to)
        data["as_of"] = timezone.localtime().strftime("%H:%M:%S")
        if ttl > 0:
            cache.set(key, data, ttl)
    return data


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not org_access.is_office(user):
        raise Http404
    tops = queries.top_areas(user)
    code = request.GET.get("area", "").strip()
    days = period_of(request.GET.get("days"))
    context: dict[str, Any] = {"nav": "dashboard", "periods": PERIODS, "days": days}
    if not tops and not code:
        return render(request, "stats/dashboard.html", {**context, "area": None})
    area = queries.area_by_code(user, code)
    day_to = timezone.localdate()
    day_from = day_to - datetime.timedelta(days=days - 1)
    data = _summary(user, area, day_from, day_to)
    _links(data, day_from, day_to)
    choices = queries.area_choices(user, tops)
    if area.pk not in {a.pk for a in choices}:
        choices.append(area)
    # The way up to the user's top area, for drilling back out.
    trail = [
        a
        for a in Area.objects.get_ancestors(area).only("pk", "code", "name", "path")
        if queries.can_read(user, a)
    ]
    context.update(
        area=area,
        data=data,
        totals=data["totals"],
        choices=choices,
        trail=trail,
        charts={
            "trend": data["trend"],
            "categories": data["categories"][:15],
            "cells": data["cells"],
            # Up to 2,000 dots: compact rows [id, lng, lat, overdue, number, title] and one
            # URL pattern, not an object and a URL per dot (a third of the page's bytes).
            "points": [
                [p["id"], p["lng"], p["lat"], 1 if p["overdue"] else 0, p["number"], p["title"]]
                for p in data["points"]
            ],
            "case_url": data["case_url"],
        },
        labels={
            "reported": _("Reported"),
            "closed": _("Closed"),
            "open": _("Open"),
            "overdue": _("Overdue"),
            "onTime": _("On time"),
            "cases": _("cases"),
        },
        day_from=day_from,
        day_to=day_to,
    )
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    template = "stats/_dashboard_body.html" if partial else "stats/dashboard.html"
    return render(request, template, context)
