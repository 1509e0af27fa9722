"""Pages of attendance: the presider's QR screen (rotating code, live count), the printable
code, the attendance card of the meeting page (proxy sign-in, leave), and the attendee's
phone pages under /m/meetings/ (my meetings, sign in by code, leave request).

The phone pages write nothing themselves: their forms go through the offline outbox
(`outbox.py`) to the REST endpoints of `api_signin.py`. They live under /m/ so that the
field pages' service worker keeps them for use without a network; the sign-in page's HTML
does not depend on the code (the script reads it from the URL), so the cached copy serves
any code.
"""

from __future__ import annotations

from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from juli.core import outbox
from juli.orgs.access import SignedInRequest, scope_of

from . import signin
from .access import access_meeting, can_run_meeting, is_presider, my_meetings
from .actions import attendance
from .models import Attendee, Meeting

#: How often the QR screen asks for a fresh code and count (seconds).
SCREEN_POLL_SECONDS = 5
#: Past meetings listed on the phone.
PAST_ON_PHONE = 20


def _screen_meeting(request: HttpRequest, pk: int) -> Meeting:
    """The meeting if the user may show its code: those who run it and its presiders."""
    meeting = access_meeting(request.user, pk)
    if not (can_run_meeting(request.user, meeting) or is_presider(request.user, meeting)):
        raise PermissionDenied
    return meeting


def _qr_svg(text: str) -> str:
    image = qrcode.make(
        text,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=4,
    )
    return image.to_string(encoding="unicode")


def _screen_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    now = timezone.now()
    opens, closes = signin.window(meeting)
    is_open = opens <= now <= closes and meeting.status in (
        Meeting.Status.PLANNED,
        Meeting.Status.HELD,
    )
    context: dict[str, Any] = {
        "meeting": meeting,
        "opens": opens,
        "closes": closes,
        "is_open": is_open,
        "counts": attendance.counts(meeting, now),
        "signed": Attendee.objects.filter(meeting=meeting, status__in=attendance.ATTENDED).order_by(
            "-signed_in_at", "-pk"
        )[:200],
        "poll": SCREEN_POLL_SECONDS,
        "can_run": can_run_meeting(request.user, meeting),
    }
    if is_open:
        code = signin.screen_code(meeting, now)
        url = request.build_absolute_uri(signin.sign_url(code))
        context.update(code=code, sign_url=url, qr=mark_safe(_qr_svg(url)))  # noqa: S308
    return context


@login_required
def signin_screen(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _screen_meeting(request, pk)
    return render(request, "meetings/signin_screen.html", _screen_context(request, meeting))


@login_required
@never_cache
def signin_screen_part(request: HttpRequest, pk: int) -> HttpResponse:
    """The part of the screen htmx polls: the current code and the count."""
    meeting = _screen_meeting(request, pk)
    return render(request, "meetings/signin_qr.html", _screen_context(request, meeting))


@login_required
def signin_print(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _screen_meeting(request, pk)
    url = request.build_absolute_uri(signin.sign_url(signin.print_code(meeting)))
    opens, closes = signin.window(meeting)
    context = {
        "meeting": meeting,
        "sign_url": url,
        "qr": mark_safe(_qr_svg(url)),  # noqa: S308 - our own SVG of our own URL
        "opens": opens,
        "closes": closes,
        "presiders": [p.presider_label for p in meeting.parts.all() if p.presider_label],
    }
    return render(request, "meetings/signin_print.html", context)


@login_required
@require_POST
def signin_rotate(request: SignedInRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk, write=True)
    attendance.rotate_codes(request.user, meeting)
    return redirect("meetings-signin-screen", pk=meeting.pk)


# --- The attendance card of the meeting page ----------------------------------------------


def _card_context(request: HttpRequest, meeting: Meeting, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    can_run = can_run_meeting(request.user, meeting)
    rows = list(Attendee.objects.filter(meeting=meeting).select_related("person"))
    for row in rows:
        row.final = attendance.final_status(row, now)  # type: ignore[attr-defined]
    return {
        "meeting": meeting,
        "counts": attendance.counts(meeting, now),
        "rows": rows,
        "can_run": can_run,
        "can_screen": can_run or is_presider(request.user, meeting),
        "open_for_records": meeting.status in (Meeting.Status.PLANNED, Meeting.Status.HELD),
        "started": now >= meeting.starts_at,
        **extra,
    }


@login_required
def attendance_card(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk)
    return render(request, "meetings/signin_card.html", _card_context(request, meeting))


def _card_after(request: HttpRequest, meeting: Meeting, error: str = "") -> HttpResponse:
    if request.headers.get("HX-Request"):
        context = _card_context(request, meeting, card_error=error)
        return render(request, "meetings/signin_card.html", context)
    return redirect("meetings-detail", pk=meeting.pk)


@login_required
@require_POST
def attendance_record(request: SignedInRequest, pk: int) -> HttpResponse:
    """The card's form: sign someone in on their behalf, record or take back a leave."""
    meeting = access_meeting(request.user, pk, write=True)
    aid = request.POST.get("attendee", "")
    row = Attendee.objects.filter(meeting=meeting, pk=int(aid) if aid.isdigit() else 0).first()
    if row is None:
        return _card_after(request, meeting, _("Choose the attendee."))
    action = request.POST.get("action", "proxy")
    reason = request.POST.get("reason", "")
    try:
        if action == "leave":
            attendance.record_leave(request.user, row, reason=reason)
        elif action == "undo":
            attendance.undo_leave(request.user, row)
        else:
            late = request.POST.get("late") == "1"
            attendance.proxy_sign_in(request.user, row, reason=reason, late=late)
    except attendance.AttendanceError as error:
        return _card_after(request, meeting, " ".join(error.messages))
    return _card_after(request, meeting)


# --- Phone pages ------------------------------------------------------------------------


def _phone_messages() -> dict[str, str]:
    return {
        "no_code": _("Scan the meeting's QR code first."),
        "no_camera": _("The camera cannot be used here; type the code instead."),
        "scanning": _("Point the camera at the QR code."),
        "code_read": _("Code read."),
    }


def _person_or_404(request: HttpRequest) -> int:
    person_id = scope_of(request.user).person_id
    if not person_id:
        raise Http404
    return int(person_id)


@login_required
@require_GET
def field_home(request: HttpRequest) -> HttpResponse:
    """今日会议 and my meetings: today's and upcoming first, then the past with my status."""
    person_id = _person_or_404(request)
    now = timezone.now()
    mine = my_meetings(request.user).exclude(status=Meeting.Status.CANCELLED)
    upcoming = list(
        mine.filter(ends_at__gte=now).order_by("starts_at", "pk")[:50].prefetch_related("parts")
    )
    past = list(mine.filter(ends_at__lt=now).order_by("-starts_at", "-pk")[:PAST_ON_PHONE])
    rows = {
        a.meeting_id: a
        for a in Attendee.objects.filter(
            person_id=person_id, meeting__in=[m.pk for m in upcoming + past]
        ).select_related("meeting")
    }
    today = timezone.localdate()
    for m in upcoming + past:
        row = rows.get(m.pk)
        m.my_status = attendance.final_status(row, now) if row else ""  # type: ignore[attr-defined]
        m.my_row = row  # type: ignore[attr-defined]
        m.is_today = timezone.localtime(m.starts_at).date() == today  # type: ignore[attr-defined]
        m.leave_open = now < m.starts_at  # type: ignore[attr-defined]
    context = {
        "nav": "field",
        "upcoming": upcoming,
        "past": past,
        "now": now,
        **outbox.page_context(**_phone_messages()),
    }
    return render(request, "meetings/field_home.html", context)


@login_required
@require_GET
def field_sign(request: HttpRequest) -> HttpResponse:
    """签到: the code comes from the URL (`?c=`), the camera, or typed. Checked here when the
    page is loaded online (`code_problem`, shown only for the very code in the URL: the
    service worker may serve this page for another code from its cache)."""
    _person_or_404(request)
    code = request.GET.get("c", "")[:80]
    problem: dict[str, str] = {}
    meeting = None
    if code:
        problem, meeting = _precheck(request, code)
    context = {
        "nav": "field",
        "code": code,
        "problem": problem,
        "checked_meeting": meeting,
        **outbox.page_context(**_phone_messages()),
    }
    return render(request, "meetings/field_sign.html", context)


def _precheck(request: HttpRequest, code: str) -> tuple[dict[str, str], Meeting | None]:
    """What the server would answer to this code scanned now (nothing is written)."""
    try:
        meeting, parsed = attendance.meeting_of_code(code)
    except attendance.AttendanceError as error:
        return {"code": error.code or "invalid", "message": " ".join(error.messages)}, None
    person_id = int(scope_of(request.user).person_id or 0)
    on_roster = Attendee.objects.filter(meeting=meeting, person_id=person_id).exists()
    if not on_roster and not attendance.is_member(person_id, meeting):
        message = _("This sign-in code is not for a meeting of yours.")
        return {"code": "not_found", "message": message}, None
    try:
        signin.check(meeting, parsed, timezone.now())
    except signin.CodeError as error:
        return {"code": error.code, "message": error.message}, meeting
    return {}, meeting


@login_required
@require_GET
def field_leave(request: HttpRequest, pk: int) -> HttpResponse:
    _person_or_404(request)
    meeting = get_object_or_404(my_meetings(request.user), pk=pk)
    context = {
        "nav": "field",
        "meeting": meeting,
        "started": timezone.now() >= meeting.starts_at,
        **outbox.page_context(**_phone_messages()),
    }
    return render(request, "meetings/field_leave.html", context)
