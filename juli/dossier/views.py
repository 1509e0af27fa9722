"""The dossier pages: pick a branch and a year; the dossier on screen; PDF and zip.

`/dossier/` lists the branches the user may produce (`access.dossier_orgs`) with the years;
`/dossier/<org>/<year>/` renders every registered section in order; the PDF and zip
buttons POST to start a background export (`exports.py`) and land on the core's export page,
which polls until the file is ready. Nothing is typed: the only choice is branch and year.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from juli.core.exports import start_export

from . import access, assemble, exports


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    if not access.produces_dossiers(request.user):
        raise PermissionDenied
    orgs = list(access.dossier_orgs(request.user)[:2000])
    years = access.years()
    chosen = request.GET.get("org", "")
    year = request.GET.get("year", "")
    if chosen and year:
        org = access.access_dossier_org(request.user, chosen)
        return redirect("dossier", org_id=org.pk, year=access.check_year(year))
    context = {"nav": "dossier", "orgs": orgs, "years": years}
    return render(request, "dossier/index.html", context)


@login_required
@require_GET
def page(request: HttpRequest, org_id: int, year: int) -> HttpResponse:
    org = access.access_dossier_org(request.user, org_id)
    year = access.check_year(year)
    dossier = assemble.assemble(org, year, request.user)
    context = {"nav": "dossier", "dossier": dossier, "years": access.years()}
    return render(request, "dossier/dossier.html", context)


def _start(request: HttpRequest, org_id: int, year: int, kind: str) -> HttpResponse:
    org = access.access_dossier_org(request.user, org_id)
    year = access.check_year(year)
    back = reverse("dossier", args=[org.pk, year])
    job, _created = start_export(request.user, kind, {"org": org.pk, "year": year, "back": back})
    return redirect("export-status", pk=job.pk)


@login_required
@require_POST
def pdf(request: HttpRequest, org_id: int, year: int) -> HttpResponse:
    return _start(request, org_id, year, exports.PDF_KIND)


@login_required
@require_POST
def zip_file(request: HttpRequest, org_id: int, year: int) -> HttpResponse:
    return _start(request, org_id, year, exports.ZIP_KIND)
