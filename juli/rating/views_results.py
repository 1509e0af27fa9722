"""Results pages of rating rounds: the ranking with its charts, the exports, a branch's
history. Read only; figures from `results`, scope from `access`.

Who sees a round's results (`results_round`): those who run the round, always (every row,
self scores until reviewed); everyone else inside the round's subtree only once it is on
public notice or published, and then only the rows on notice or published (403 before;
404 outside the subtree). A branch's history (`history_assessments`): the assessments the
reader sees of that branch (`access.visible_assessments`); a branch outside the reader's
scope with none of them visible is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from juli.core.pdf import PDF_TYPE
from juli.core.xlsx import XLSX_TYPE
from juli.orgs.access import visible_orgs
from juli.orgs.models import PartyOrg

from . import exports, results
from .access import access_assessment, access_round, can_run_round, visible_assessments
from .models import Assessment, RatingRound


def results_round(user: Any, pk: Any) -> tuple[RatingRound, bool]:
    """The round and whether the reader sees only the public figures (see the docstring)."""
    round_ = access_round(user, pk)
    if can_run_round(user, round_):
        return round_, False
    if round_.status == RatingRound.Status.OPEN:
        raise PermissionDenied
    return round_, True


def history_assessments(user: Any, org_id: Any) -> tuple[PartyOrg, list[Assessment]]:
    try:
        org = PartyOrg.objects.filter(pk=int(org_id)).first()
    except (TypeError, ValueError):
        org = None
    if org is None:
        raise Http404
    items = list(visible_assessments(user).filter(org=org))
    if not items and not visible_orgs(user).filter(pk=org.pk).exists():
        raise Http404
    return org, items


def _attachment(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def results_page(request: HttpRequest, pk: int) -> HttpResponse:
    round_, public_only = results_round(request.user, pk)
    table = results.round_table(round_, public_only=public_only)
    trend = results.trend(round_.org, public_only=public_only)
    context = {
        "nav": "rating",
        "round": round_,
        "table": table,
        "public_only": public_only,
        "dist_chart": results.distribution_chart(table.distribution),
        "trend": trend,
        "trend_chart": results.trend_chart([(s.year, s.average) for s in trend.summary]),
    }
    return render(request, "rating/results/round.html", context)


@login_required
@require_GET
def results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    round_, public_only = results_round(request.user, pk)
    table = results.round_table(round_, public_only=public_only)
    name = f"rating-{round_.year}-{round_.org.code}.xlsx"
    return _attachment(exports.round_xlsx(table), XLSX_TYPE, name)


@login_required
@require_GET
def results_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    round_, public_only = results_round(request.user, pk)
    table = results.round_table(round_, public_only=public_only)
    name = f"rating-{round_.year}-{round_.org.code}.pdf"
    return _attachment(exports.round_pdf(table), PDF_TYPE, name)


@login_required
@require_GET
def assessment_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access_assessment(request.user, pk)
    name = f"rating-{assessment.round.year}-{assessment.org.code}.pdf"
    public_only = not can_run_round(request.user, assessment.round)
    return _attachment(exports.assessment_pdf(assessment, public_only=public_only), PDF_TYPE, name)


@login_required
@require_GET
def branch_history(request: HttpRequest, org_id: int) -> HttpResponse:
    org, items = history_assessments(request.user, org_id)
    run = {a.round_id for a in items if can_run_round(request.user, a.round)}
    lines = results.branch_history(items, run)
    chart = results.trend_chart([(line.round.year, line.figure.score) for line in lines])
    context = {"nav": "rating", "org": org, "lines": lines, "chart": chart}
    return render(request, "rating/results/history.html", context)
