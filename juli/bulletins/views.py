"""Pages of the daily bulletins: the list per area, one bulletin (notes, publish), its PDF
and workbook, the cases behind a figure, and the district's settings.

Office roles only (anyone else gets 404, as for an id outside their scope); every object
comes through `access`, every write through one function of `actions`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from juli.cases import access as case_access
from juli.core.pdf import PDF_TYPE
from juli.core.xlsx import XLSX_TYPE
from juli.orgs import access as org_access
from juli.orgs.access import one_or_404

from . import access, actions, documents, forms
from .figures import EVENT_FIGURES
from .models import Bulletin

LIST_DAYS = 31


def _office(request: HttpRequest) -> Any:
    if not org_access.is_office(request.user):
        raise Http404
    return request.user


def _partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
@require_GET
def bulletin_list(request: HttpRequest) -> HttpResponse:
    user = _office(request)
    areas = list(access.visible_bulletin_areas(user).filter(is_active=True))
    area = (
        access.access_bulletin_area(user, request.GET["area"])
        if request.GET.get("area")
        else (areas[0] if areas else None)
    )
    rows: list[Bulletin] = []
    before = None
    if area is not None:
        qs = access.visible_bulletins(user).filter(area=area)
        try:
            before = datetime.date.fromisoformat(request.GET.get("before", ""))
            qs = qs.filter(date__lt=before)
        except ValueError:
            before = None
        rows = list(qs.select_related("published_by__person").order_by("-date")[: LIST_DAYS + 1])
    context = {
        "nav": "bulletins",
        "areas": areas,
        "area": area,
        "rows": rows[:LIST_DAYS],
        "next_before": rows[LIST_DAYS - 1].date.isoformat() if len(rows) > LIST_DAYS else None,
        "paged": before is not None,
        "can_write": area is not None and access.can_write(user, area),
        "can_configure": access.configurable_districts(user).exists(),
        "form": forms.GenerateForm(),
    }
    return render(request, "bulletins/list.html", context)


@login_required
@require_POST
def bulletin_generate(request: HttpRequest) -> HttpResponse:
    user = _office(request)
    area = access.access_bulletin_area(user, request.POST.get("area"))
    back = reverse("bulletin-list") + f"?area={area.pk}"
    if not access.can_write(user, area):
        raise PermissionDenied
    form = forms.GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid date."))
        return redirect(back)
    try:
        bulletin = actions.generate_bulletin(user, area, form.cleaned_data["date"])
    except ValidationError as error:
        messages.error(request, _message(error))
        return redirect(back)
    messages.success(request, _("Bulletin generated from the current records."))
    return redirect("bulletin-detail", bulletin.pk)


def _detail_context(request: HttpRequest, bulletin: Bulletin, **extra: Any) -> dict[str, Any]:
    user = request.user
    parts = documents.sections(bulletin.figures)
    photos = documents.worst_photos(bulletin.figures)
    worst = parts[-1]
    for row in worst.rows:
        row["photo_objects"] = [photos[pk] for pk in row.get("photos", []) if pk in photos]
    editable = bulletin.status == Bulletin.Status.DRAFT and access.can_write(user, bulletin.area)
    return {
        "nav": "bulletins",
        "bulletin": bulletin,
        "sections": parts[:-1],
        "worst": worst,
        "editable": editable,
        "notes_form": forms.NotesForm(initial={"notes": bulletin.notes}),
        "events": list(bulletin.events.select_related("actor__person").order_by("at", "pk")),
        "published_by": documents.person_name(bulletin.published_by),
        **extra,
    }


@login_required
@require_GET
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = access.access_bulletin(_office(request), pk)
    return render(request, "bulletins/detail.html", _detail_context(request, bulletin))


@login_required
@require_POST
def bulletin_notes(request: HttpRequest, pk: int) -> HttpResponse:
    user = _office(request)
    bulletin = access.access_bulletin(user, pk, write=True)
    form = forms.NotesForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            bulletin = actions.set_notes(user, bulletin, form.cleaned_data["notes"])
            saved = True
        except ValidationError as error:
            form.add_error(None, error)
    if _partial(request):
        context = {"bulletin": bulletin, "notes_form": form, "editable": True, "saved": saved}
        return render(request, "bulletins/_notes.html", context, status=200 if saved else 400)
    if not saved:
        messages.error(request, " ".join(str(e) for e in form.errors.values()))
    return redirect("bulletin-detail", bulletin.pk)


@login_required
@require_POST
def bulletin_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = _office(request)
    bulletin = access.access_bulletin(user, pk, write=True)
    try:
        actions.publish_bulletin(user, bulletin)
        messages.success(request, _("The bulletin is published."))
    except ValidationError as error:
        messages.error(request, _message(error))
    return redirect("bulletin-detail", bulletin.pk)


@login_required
@require_POST
def bulletin_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _office(request)
    bulletin = access.access_bulletin(user, pk, write=True)
    try:
        actions.generate_bulletin(user, bulletin.area, bulletin.date)
        messages.success(request, _("The figures were recomputed from the current records."))
    except ValidationError as error:
        messages.error(request, _message(error))
    return redirect("bulletin-detail", bulletin.pk)


@login_required
@require_GET
def bulletin_cases(request: HttpRequest, pk: int, figure: str) -> HttpResponse:
    """The cases behind an event-based figure (rectified, verified, closed, overdue)."""
    user = _office(request)
    bulletin = access.access_bulletin(user, pk)
    if figure not in EVENT_FIGURES:
        raise Http404
    ids = bulletin.figures.get("summary_ids", {}).get(figure, [])
    rows = list(
        case_access.visible_cases(user)
        .filter(pk__in=ids)
        .select_related("category", "area", "unit", "point")
        .order_by("-reported_at", "-pk")
    )
    label = {k: text for k, _zh, text in documents.SUMMARY_ITEMS}[figure]
    context = {
        "nav": "bulletins",
        "bulletin": bulletin,
        "figure": label,
        "page": {"rows": rows},
        "hidden": len(ids) - len(rows),
    }
    return render(request, "bulletins/cases.html", context)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_GET
def bulletin_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = access.access_bulletin(_office(request), pk)
    content = documents.pdf_bytes(
        bulletin.figures, notes=bulletin.notes, status_line=documents.status_line(bulletin)
    )
    return _download(content, PDF_TYPE, f"{bulletin.title}.pdf")


@login_required
@require_GET
def bulletin_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    bulletin = access.access_bulletin(_office(request), pk)
    content = documents.xlsx_bytes(bulletin.figures, notes=bulletin.notes)
    return _download(content, XLSX_TYPE, f"{bulletin.title}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def bulletin_settings(request: HttpRequest) -> HttpResponse:
    user = _office(request)
    districts = list(access.configurable_districts(user))
    if not districts:
        raise Http404
    chosen = request.POST.get("district") or request.GET.get("district")
    district = one_or_404(access.configurable_districts(user), chosen) if chosen else districts[0]
    current = actions.settings_for(district)
    form = forms.SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in actions.SETTINGS_FIELDS}
        try:
            actions.update_settings(user, district, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Bulletin settings saved."))
            return redirect(reverse("bulletin-settings") + f"?district={district.pk}")
    context = {"nav": "bulletins", "districts": districts, "district": district, "form": form}
    return render(request, "bulletins/settings.html", context, status=400 if form.errors else 200)
