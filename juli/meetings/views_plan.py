"""Desk pages of meetings: the list, planning and changing a meeting, its page (roster,
documents, history, evidence uses, and the attendance / minutes / publicity cards of the other
parts), invitees, materials, cancelling, and "my meetings".

Views check access, validate a form, call one action from `actions.plan`, then redirect.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.utils import ErrorDict
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from juli.orgs.access import SignedInRequest, one_or_404
from juli.orgs.forms import apply_errors

from . import queries
from .access import access_meeting, can_run_meeting, runnable_orgs, shows_meetings
from .actions import plan
from .forms import CancelForm, DocumentForm, FilterForm, InviteForm, MeetingForm
from .models import Attendee, CalendarFeed, Meeting, MeetingDocument

GET_POST = require_http_methods(["GET", "POST"])


def _refusal(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --- List -------------------------------------------------------------------------------------


@login_required
@require_GET
def meeting_list(request: SignedInRequest) -> HttpResponse:
    """Every meeting the user sees, upcoming first, then past; filters by organisation
    subtree, kind, status and month. Anyone signed in gets the page (empty without scope)."""
    user = request.user
    form = FilterForm(request.GET or None, orgs=queries.filter_orgs(user))
    values: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if v}
    qs = queries.filtered(
        user,
        org=values.get("org"),
        kind=values.get("kind", ""),
        status=values.get("status", ""),
        month=values.get("month"),
    )
    listing = queries.meeting_list(user, qs)
    context = {
        "nav": "meetings",
        "form": form,
        "listing": listing,
        "can_plan": shows_meetings(user) and runnable_orgs(user).exists(),
        "status_choices": Meeting.Status.choices,
    }
    template = (
        "meetings/_list_rows.html" if getattr(request, "htmx", False) else "meetings/list.html"
    )
    return render(request, template, context)


# --- Plan and change --------------------------------------------------------------------------


def _without_errors(form: MeetingForm) -> MeetingForm:
    """A bound form shown again as typed, without validating it ("add a part")."""
    form._errors = ErrorDict()  # type: ignore[attr-defined]
    return form


@login_required
@GET_POST
def meeting_new(request: SignedInRequest) -> HttpResponse:
    user = request.user
    orgs = runnable_orgs(user).order_by("path")
    org_id = request.GET.get("org", "")
    if not org_id:
        choices = list(orgs[:300])
        if not choices:
            raise Http404
        if len(choices) > 1:
            return render(request, "meetings/choose_org.html", {"nav": "meetings", "orgs": choices})
        org = choices[0]
    else:
        org = one_or_404(orgs, org_id)
    if request.method == "GET":
        form = MeetingForm(
            org=org, initial={"late_after_minutes": 10, "with_members": True, "part_count": 1}
        )
        return _plan_page(request, form, org)
    form = MeetingForm(request.POST, org=org)
    if "add_part" in request.POST or "remove_part" in request.POST:
        return _plan_page(request, _without_errors(form), org)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                series = data["series"]
                if not series and data["new_series"].strip():
                    series = plan.create_series(user, org, name=data["new_series"])
                meeting = plan.plan_meeting(
                    user,
                    org,
                    kind=data["kind"],
                    title=data["title"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    place=data["place"],
                    online_link=data["online_link"],
                    description=data["description"],
                    parts=form.part_specs(),
                    invitees=form.invitees(),
                    with_members=data["with_members"],
                    series=series,
                    late_after_minutes=data["late_after_minutes"],
                    recorder=data["recorder"],
                )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The meeting is planned and the invitees are told."))
            return redirect("meetings-detail", pk=meeting.pk)
    return _plan_page(request, form, org, status=400)


def _plan_page(
    request: HttpRequest,
    form: MeetingForm,
    org: Any,
    *,
    meeting: Meeting | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {"nav": "meetings", "form": form, "org": org, "meeting": meeting}
    return render(request, "meetings/plan.html", context, status=status)


@login_required
@GET_POST
def meeting_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk, write=True)
    if meeting.status != Meeting.Status.PLANNED:
        messages.error(
            request,
            _("Only a planned meeting can be changed; this one is “%(status)s”.")
            % {"status": meeting.get_status_display()},
        )
        return redirect("meetings-detail", pk=meeting.pk)
    if request.method == "GET":
        form = MeetingForm(org=meeting.org, edit=meeting, initial=MeetingForm.initial_for(meeting))
        return _plan_page(request, form, meeting.org, meeting=meeting)
    form = MeetingForm(request.POST, org=meeting.org, edit=meeting)
    if "add_part" in request.POST or "remove_part" in request.POST:
        return _plan_page(request, _without_errors(form), meeting.org, meeting=meeting)
    if form.is_valid():
        data = form.cleaned_data
        try:
            plan.update_meeting(
                request.user,
                meeting,
                parts=form.part_specs(),
                **{name: data[name] for name in plan.EDITABLE},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The meeting is changed."))
            return redirect("meetings-detail", pk=meeting.pk)
    return _plan_page(request, form, meeting.org, meeting=meeting, status=400)


@login_required
@require_POST
def meeting_cancel(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk, write=True)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("meetings-detail", pk=meeting.pk)
    try:
        plan.cancel_meeting(request.user, meeting, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("The meeting is cancelled and the invitees are told."))
    return redirect("meetings-detail", pk=meeting.pk)


# --- The meeting's page -----------------------------------------------------------------------


@login_required
@require_GET
def meeting_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk)
    return render(request, "meetings/detail.html", _detail_context(request, meeting))


def _detail_context(request: SignedInRequest, meeting: Meeting, **forms: Any) -> dict[str, Any]:
    can_run = can_run_meeting(request.user, meeting)
    planned = meeting.status == Meeting.Status.PLANNED
    before_start = meeting.starts_at > timezone.now()
    return {
        "nav": "meetings",
        "meeting": meeting,
        "series_label": meeting.series.numbered(meeting.series_no) if meeting.series else "",
        "parts": queries.parts_of(meeting),
        "roster": queries.roster(meeting),
        "documents": list(meeting.documents.order_by("role", "pk")),
        "history": queries.history(meeting) if can_run else [],
        "can_run": can_run,
        "can_edit": can_run and planned,
        "can_add_documents": can_run
        and meeting.status in (Meeting.Status.PLANNED, Meeting.Status.HELD),
        "can_remove_documents": can_run and planned and before_start,
        "invite_form": forms.get("invite_form") or InviteForm(org=meeting.org),
        "document_form": forms.get("document_form") or DocumentForm(),
        "cancel_form": CancelForm(),
    }


@login_required
@require_POST
def meeting_invite(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk, write=True)
    form = InviteForm(request.POST, org=meeting.org)
    if form.is_valid():
        try:
            rows = plan.add_invitees(request.user, meeting, form.invitees())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if rows:
                messages.success(request, _("Added to the roster."))
            else:
                messages.info(request, _("Already on the roster."))
            return redirect(reverse("meetings-detail", args=[meeting.pk]) + "#roster")
    context = _detail_context(request, meeting, invite_form=form)
    return render(request, "meetings/detail.html", context, status=400)


@login_required
@require_POST
def meeting_uninvite(request: SignedInRequest, pk: int, attendee: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk, write=True)
    row = one_or_404(Attendee.objects.filter(meeting=meeting), attendee)
    try:
        plan.remove_attendee(request.user, row)
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Removed from the roster."))
    return redirect(reverse("meetings-detail", args=[meeting.pk]) + "#roster")


# --- Documents --------------------------------------------------------------------------------


@login_required
@require_POST
def document_add(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk, write=True)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            plan.add_document(
                request.user,
                meeting,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The document is attached."))
            return redirect(reverse("meetings-detail", args=[meeting.pk]) + "#documents")
    context = _detail_context(request, meeting, document_form=form)
    return render(request, "meetings/detail.html", context, status=400)


def _access_document(user: Any, pk: int) -> MeetingDocument:
    doc = one_or_404(MeetingDocument.objects.select_related("meeting"), pk)
    access_meeting(user, doc.meeting_id)  # 404 outside the user's meetings
    return doc


@login_required
@require_GET
def document_file(request: SignedInRequest, pk: int) -> FileResponse:
    doc = _access_document(request.user, pk)
    name = (doc.file.name or "file").rsplit("/", 1)[-1]
    response = FileResponse(
        doc.file.open("rb"), content_type=doc.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def document_remove(request: SignedInRequest, pk: int) -> HttpResponse:
    doc = _access_document(request.user, pk)
    access_meeting(request.user, doc.meeting_id, write=True)
    try:
        plan.remove_document(request.user, doc)
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("The document is removed."))
    return redirect(reverse("meetings-detail", args=[doc.meeting_id]) + "#documents")


# --- My meetings ------------------------------------------------------------------------------


@login_required
@require_GET
def meetings_mine(request: SignedInRequest) -> HttpResponse:
    upcoming, past = queries.my_rows(request.user)
    feed = CalendarFeed.objects.filter(user=request.user).first()
    feed_url = (
        request.build_absolute_uri(reverse("meetings-feed", args=[feed.token])) if feed else ""
    )
    context = {
        "nav": "meetings_mine",
        "upcoming": upcoming,
        "past": past,
        "has_person": bool(request.user.person_id),
        "feed": feed,
        "feed_url": feed_url,
    }
    return render(request, "meetings/mine.html", context)
