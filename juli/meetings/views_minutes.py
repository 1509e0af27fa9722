"""Desk pages of the minutes and the make-up pages (phone-light).

- `/meetings/<pk>/minutes/`: the record. Who runs the meeting writes the draft in one form
  (summary, per item summary and speakers, decisions with owner and deadline; a blank row
  at the end adds one, a "remove" box takes one out: no script), attaches files and hands
  it over; a presider (or a secretary) confirms; after that, "revise" with a reason.
- `/meetings/<pk>/minutes/v<n>/`: an older version, read-only.
- `/meetings/<pk>/minutes.pdf`: the A4 record (`?version=n` for an older one).
- `/meetings/<pk>/minutes/card/`: the card on the meeting page (htmx fragment).
- `/meetings/makeups/` and `/meetings/makeups/<pk>/`: the member's make-ups and the
  secretary's list to confirm; submit, confirm, return.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from juli.orgs.access import require_login_user, scope_of

from . import documents
from .access import (
    access_make_up,
    access_meeting,
    can_confirm_minutes,
    can_run_meeting,
    runnable_paths_q,
)
from .actions import minutes as actions
from .models import MakeUp, Meeting, MeetingDocument, Minutes


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _version(meeting: Meeting, version: Any) -> Minutes:
    try:
        return Minutes.objects.get(meeting=meeting, version=int(version))
    except (Minutes.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def _rights(request: HttpRequest, meeting: Meeting, minutes: Minutes | None) -> dict[str, Any]:
    runs = can_run_meeting(request.user, meeting)
    draft = minutes is not None and minutes.confirmed_at is None
    confirms = can_confirm_minutes(request.user, meeting)
    return {
        "can_edit": runs and draft,
        "can_start": runs and minutes is None and meeting.status != Meeting.Status.CANCELLED,
        "can_confirm": confirms and draft and meeting.status == Meeting.Status.HELD,
        "can_revise": (runs or confirms) and meeting.status == Meeting.Status.CONFIRMED,
        "submitted": bool(draft and minutes and actions.is_submitted(minutes)),
    }


# --- The form of the draft -----------------------------------------------------------------------


def _rows(post: Any, prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """The numbered rows `prefix-<n>-<field>` of the form, in order."""
    try:
        total = min(int(post.get(f"{prefix}-total", "0")), actions.MAX_ROWS + 5)
    except ValueError:
        total = 0
    return [{f: post.get(f"{prefix}-{n}-{f}", "") for f in fields} for n in range(total)]


def parse_draft(post: Any) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """(summary, items, resolutions) as `save_minutes` takes them: rows ticked "remove" and
    blank new rows left out; a decision's item given by the item's new position."""
    items: list[dict[str, Any]] = []
    position: dict[str, int] = {}
    for n, row in enumerate(_rows(post, "item", ("id", "title", "summary", "speakers", "remove"))):
        blank = not (row["title"].strip() or row["summary"].strip() or row["speakers"].strip())
        if row["remove"] or (blank and not row["id"]):
            continue
        items.append(row)
        position[str(n + 1)] = len(items)
    resolutions: list[dict[str, Any]] = []
    for row in _rows(post, "res", ("item", "text", "owner", "due_on", "remove")):
        if row["remove"] or not (row["text"].strip() or row["owner"] or row["due_on"]):
            continue
        resolutions.append({**row, "item": position.get(row["item"])})
    return post.get("summary", ""), items, resolutions


@login_required
@require_http_methods(["GET", "POST"])
def minutes_page(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk)
    minutes = actions.current_minutes(meeting)
    if request.method == "POST":
        return _post(request, meeting, minutes)
    return _render_editor(request, meeting, minutes)


def _render_editor(
    request: HttpRequest,
    meeting: Meeting,
    minutes: Minutes | None,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = documents.record_context(meeting, minutes)
    context.update(_rights(request, meeting, minutes))
    context.update(
        {
            "nav": "meetings",
            "error": error,
            "versions": list(Minutes.objects.filter(meeting=meeting).order_by("-version")),
            "owners": list(actions.owner_candidates(meeting)) if minutes else [],
            "blank_items": range(1),
            "blank_resolutions": range(2),
            "item_total": len(context["items"]) + 1,
            "res_total": len(context["resolutions"]) + 2,
        }
    )
    return render(request, "meetings/minutes_edit.html", context, status=status)


def _post(request: HttpRequest, meeting: Meeting, minutes: Minutes | None) -> HttpResponse:
    verb = request.POST.get("action", "save")
    user = require_login_user(request.user)
    back = reverse("meetings-minutes", args=[meeting.pk])
    try:
        if verb == "start":
            actions.start_minutes(user, meeting)
            messages.success(request, _("The minutes were started from the agenda."))
        elif minutes is None:
            raise Http404
        elif verb in ("save", "submit"):
            summary, items, resolutions = parse_draft(request.POST)
            actions.save_minutes(
                user, minutes, summary=summary, items=items, resolutions=resolutions
            )
            if verb == "submit":
                actions.submit_for_confirmation(user, minutes)
                messages.success(request, _("Saved and handed to the presiders to confirm."))
            else:
                messages.success(request, _("The draft was saved."))
        elif verb == "attach":
            upload = request.FILES.get("file")
            if upload is None:
                raise actions.MinutesError(_("Choose a file to attach."), code="invalid")
            actions.add_minutes_document(
                user, minutes, upload=upload, title=request.POST.get("title", "")
            )
            messages.success(request, _("The file was attached."))
        elif verb == "detach":
            document = MeetingDocument.objects.filter(
                meeting=meeting, pk=request.POST.get("document") or 0
            ).first()
            if document is None:
                raise Http404
            actions.remove_minutes_document(user, document)
            messages.success(request, _("The attachment was removed."))
        elif verb == "confirm":
            actions.confirm_minutes(user, minutes)
            messages.success(request, _("The minutes were confirmed and are now frozen."))
        elif verb == "revise":
            actions.revise_minutes(user, meeting, reason=request.POST.get("reason", ""))
            messages.success(request, _("A new version was started for your change."))
        else:
            raise Http404
    except ValidationError as exc:
        return _render_editor(request, meeting, minutes, error=_error_text(exc), status=400)
    return redirect(back)


@login_required
def minutes_version(request: HttpRequest, pk: int, version: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk)
    minutes = _version(meeting, version)
    context = documents.record_context(meeting, minutes)
    current = actions.current_minutes(meeting)
    previous = Minutes.objects.filter(meeting=meeting, version=minutes.version - 1).first()
    context.update(
        {
            "nav": "meetings",
            "versions": list(Minutes.objects.filter(meeting=meeting).order_by("-version")),
            "is_current": current is not None and current.pk == minutes.pk,
            "previous": previous,
            "changes": changes(previous, minutes) if previous else [],
        }
    )
    return render(request, "meetings/minutes_version.html", context)


def _lines(minutes: Minutes) -> dict[str, str]:
    """The version as labelled lines, for comparing two versions."""
    out = {str(_("Overall summary")): minutes.summary}
    for item in minutes.items.all().order_by("order", "pk"):
        label = _("Item %(n)s") % {"n": item.order}
        out[label] = item.title
        out[f"{label} · {_('speakers')}"] = item.speakers
        out[f"{label} · {_('summary')}"] = item.summary
    for r in minutes.resolutions.select_related("owner").order_by("number"):
        owner = r.owner.name if r.owner else ""
        due = r.due_on.isoformat() if r.due_on else ""
        out[_("Decision %(n)s") % {"n": r.number}] = " · ".join(
            x for x in (r.text, owner, due) if x
        )
    return out


def changes(old: Minutes, new: Minutes) -> list[tuple[str, str, str]]:
    """(what, before, after) for every line that differs between two versions."""
    before, after = _lines(old), _lines(new)
    keys = list(dict.fromkeys([*before, *after]))
    return [
        (k, before.get(k, ""), after.get(k, ""))
        for k in keys
        if before.get(k, "") != after.get(k, "")
    ]


@login_required
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk)
    version = request.GET.get("version")
    minutes = _version(meeting, version) if version else actions.current_minutes(meeting)
    if minutes is None:
        raise Http404
    data = documents.minutes_pdf(meeting, minutes)
    response = HttpResponse(data, content_type="application/pdf")
    name = f"minutes-{meeting.pk}-v{minutes.version}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
def minutes_card(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk)
    minutes = actions.current_minutes(meeting)
    context = documents.record_context(meeting, minutes)
    context.update(_rights(request, meeting, minutes))
    return render(request, "meetings/minutes_card_body.html", context)


# --- Make-ups -------------------------------------------------------------------------------------


@login_required
def make_up_list(request: HttpRequest) -> HttpResponse:
    person_id = scope_of(request.user).person_id
    mine = (
        MakeUp.objects.filter(person_id=person_id).select_related("meeting", "meeting__org")
        if person_id
        else MakeUp.objects.none()
    )
    # The page lists every submitted make-up of the meetings the user runs (the subtree);
    # the work-bench only those of the user's own organisations (`todos_minutes`).
    to_confirm = (
        MakeUp.objects.filter(runnable_paths_q(request.user, "meeting__org_path"))
        .filter(status=MakeUp.Status.SUBMITTED)
        .order_by("submitted_at", "pk")
        .select_related("meeting", "meeting__org", "person")
    )
    return render(
        request,
        "meetings/makeup_list.html",
        {
            "nav": "meetings",
            "mine": list(mine.order_by("status", "-created_at")[:100]),
            "to_confirm": list(to_confirm[:100]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def make_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    make_up = access_make_up(request.user, pk)
    error = ""
    if request.method == "POST":
        try:
            _make_up_post(request, make_up)
            return redirect("meetings-makeup", pk=make_up.pk)
        except ValidationError as exc:
            error = _error_text(exc)
            make_up.refresh_from_db()
    person_id = scope_of(request.user).person_id
    return render(
        request,
        "meetings/makeup_detail.html",
        {
            "nav": "meetings",
            "make_up": make_up,
            "error": error,
            "is_mine": person_id == make_up.person_id,
            "can_confirm": can_run_meeting(request.user, make_up.meeting),
            "returned_because": actions.return_reason(make_up)
            if make_up.status == MakeUp.Status.OPEN
            else "",
            "ways": MakeUp.Way.choices,
            "materials": make_up.meeting.documents.filter(role=MeetingDocument.Role.MATERIAL),
        },
        status=400 if error else 200,
    )


def _make_up_post(request: HttpRequest, make_up: MakeUp) -> None:
    verb = request.POST.get("action", "")
    user = require_login_user(request.user)
    if verb == "submit":
        actions.submit_make_up(
            user,
            make_up,
            way=request.POST.get("way", ""),
            note=request.POST.get("note", ""),
        )
        messages.success(request, _("Reported done; the secretary will confirm it."))
    elif verb == "confirm":
        actions.confirm_make_up(user, make_up)
        messages.success(request, _("The make-up was confirmed."))
    elif verb == "return":
        actions.return_make_up(user, make_up, reason=request.POST.get("reason", ""))
        messages.success(request, _("The make-up was returned to the member."))
    else:
        raise Http404


@login_required
@require_POST
def make_up_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm from the secretary's list (one button per row)."""
    user = require_login_user(request.user)
    make_up = access_make_up(user, pk)
    try:
        actions.confirm_make_up(user, make_up)
        messages.success(request, _("The make-up was confirmed."))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("meetings-makeups")
