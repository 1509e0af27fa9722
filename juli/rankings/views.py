"""Ranking pages: a district's ranking of a week, its settings, compute/publish, downloads.

Readers and managers are defined in `access.py`; anyone else gets 404. Every figure of a
row links to the case list (or the point list) filtered to exactly the cases behind it,
where the reader's case scope covers the row.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from juli.core.pdf import PDF_TYPE
from juli.core.xlsx import XLSX_TYPE
from juli.orgs.access import SignedInRequest
from juli.orgs.forms import apply_errors
from juli.orgs.models import Area

from . import access, actions, exports, queries, scoring
from .forms import SettingsForm
from .models import Ranking, RankingRow

#: How many repeat-problem points a row lists on the page (the worst ones).
REPEATS_SHOWN = 10


def _links(row: RankingRow, ranking: Ranking, district: Area) -> dict[str, Any]:
    """URLs of the cases (and points) behind each figure of `row`."""
    start = ranking.week_start
    end = start + datetime.timedelta(days=6)
    window = start - datetime.timedelta(days=scoring.LOOKBACK_DAYS)
    if row.level == RankingRow.Level.UNIT:
        where = {"area": district.pk, "unit": row.subject_id}
    else:
        where = {"area": row.subject_id}
    cases = reverse("case-list")

    def url(base: str, **params: Any) -> str:
        return f"{base}?{urlencode({**where, **params})}"

    week = {"reported_from": start, "reported_to": end}
    return {
        "cases": url(cases, **week, not_rejected=1),
        "on_time": url(cases, due_from=start, due_to=end, reported_from=window, reported_to=end),
        "verification": url(
            cases, verified_from=start, verified_to=end, reported_from=window, reported_to=end
        ),
        "zero": url(reverse("point-list"), zero=1),
        # The worst first (they are sorted by cases); a street at 10M cases repeats at
        # hundreds of points, and every one of them on the page made it megabytes long.
        "repeats": [
            (p, url(cases, point=p["point"], **week, not_rejected=1))
            for p in row.repeat_points[:REPEATS_SHOWN]
        ],
        "repeats_more": max(0, len(row.repeat_points) - REPEATS_SHOWN),
    }


def _week(request: HttpRequest, district: Area, rankings: Any) -> str:
    raw = request.GET.get("week")
    if raw:
        try:
            return scoring.week_label(scoring.parse_week(raw))
        except scoring.WeekError:
            raise Http404 from None
    latest = rankings.filter(district=district).order_by("-week_start").first()
    return latest.week if latest else queries.recent_weeks()[0]


@login_required
@require_GET
def ranking_index(request: HttpRequest) -> HttpResponse:
    districts = list(access.visible_districts(request.user).order_by("path"))
    if not districts:
        raise Http404
    if len(districts) == 1:
        return redirect("ranking-district", pk=districts[0].pk)
    return render(request, "rankings/index.html", {"nav": "rankings", "districts": districts})


@login_required
@require_GET
def ranking_district(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    district = access.access_district(user, pk)
    rankings = access.visible_rankings(user)
    week = _week(request, district, rankings)
    ranking = rankings.filter(district=district, week=week).first()
    conf = actions.settings_of(district)
    manage = access.can_manage(user, district)
    tables = queries.tables(ranking, repeats=False) if ranking else []
    scope = access.links_for(user, district)
    unfolded = request.GET.get("all", "")
    for table in tables:
        if table.level != unfolded:
            table.fold()
    queries.attach_repeats(tables)
    for table in tables:
        for row in table.shown:
            row.links = _links(row, ranking, district) if access.row_linkable(scope, row) else None  # type: ignore[attr-defined,arg-type]
    weeks = queries.recent_weeks()
    if week not in weeks:
        weeks = [week, *weeks]
    week_start = scoring.parse_week(week)
    context = {
        "nav": "rankings",
        "district": district,
        "week": week,
        "week_end": week_start + datetime.timedelta(days=6),
        "week_start": week_start,
        "weeks": weeks,
        "ranking": ranking,
        "tables": tables,
        "weights": queries.weights_used(ranking) if ranking else [],
        "conf": conf,
        "enabled": bool(conf and conf.enabled),
        "manage": manage,
        "can_compute": manage
        and bool(conf and conf.enabled)
        and (ranking is None or not ranking.is_published)
        and week in queries.recent_weeks(),
        "districts": access.visible_districts(user).order_by("path"),
    }
    return render(request, "rankings/district.html", context)


@login_required
@require_POST
def ranking_compute(request: SignedInRequest, pk: int) -> HttpResponse:
    district = access.access_district(request.user, pk, manage=True)
    week = request.POST.get("week", "")
    try:
        ranking = actions.compute_ranking(request.user, district, week)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if ranking.is_published:
            messages.success(request, _("The ranking was computed and published."))
        else:
            messages.success(request, _("The ranking was computed; publish it when it is right."))
    url = reverse("ranking-district", args=[district.pk])
    valid = scoring.WEEK_RE.match(week) is not None
    return redirect(f"{url}?{urlencode({'week': week})}" if valid else url)


@login_required
@require_POST
def ranking_publish(request: SignedInRequest, pk: int) -> HttpResponse:
    ranking = access.access_ranking(request.user, pk)
    if not access.can_manage(request.user, ranking.district):
        raise Http404
    if ranking.is_published:
        messages.info(request, _("This ranking is already published."))
    else:
        actions.publish_ranking(request.user, ranking)
        messages.success(request, _("The ranking is published."))
    url = reverse("ranking-district", args=[ranking.district_id])
    return redirect(f"{url}?{urlencode({'week': ranking.week})}")


@login_required
@require_http_methods(["GET", "POST"])
def ranking_settings(request: SignedInRequest, pk: int) -> HttpResponse:
    district = access.access_district(request.user, pk, manage=True)
    current = actions.settings_of(district)
    form = SettingsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_settings(
                request.user,
                district,
                enabled=form.cleaned_data["enabled"],
                auto_publish=form.cleaned_data["auto_publish"],
                weights=form.weights(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The ranking settings are saved."))
            return redirect("ranking-settings", pk=district.pk)
    status = 400 if request.method == "POST" else 200
    context = {"nav": "rankings", "district": district, "form": form, "conf": current}
    return render(request, "rankings/settings.html", context, status=status)


def _download(ranking: Ranking, data: bytes, content_type: str, ext: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    name = f"ranking-{ranking.district.code}-{ranking.week}.{ext}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def ranking_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    ranking = access.access_ranking(request.user, pk)
    return _download(ranking, exports.ranking_pdf(ranking), PDF_TYPE, "pdf")


@login_required
@require_GET
def ranking_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    ranking = access.access_ranking(request.user, pk)
    return _download(ranking, exports.ranking_xlsx(ranking), XLSX_TYPE, "xlsx")
