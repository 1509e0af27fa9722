"""Writes of meetings: attendance. Signing in by code (the attendee's phone), signing in on
someone's behalf (the secretary, with a reason), leave before the meeting, revoking all
sign-in codes, and closing the attendance when the minutes are confirmed.

One attendance row per person and meeting (`Attendee`, unique on (meeting, person)): a
second sign-in, a replay of the same submission, or two racing ones find the row and write
nothing. Absence is computed on read (`final_status`) until `close_attendance` writes it.
Every write is audited (no meeting event per sign-in: the audit row is the trace).
"""

from __future__ import annotations

import datetime
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from juli.core.audit import record, snapshot
from juli.core.types import Actor
from juli.core.writes import require, user_of
from juli.orgs.access import scope_of

from .. import signin
from ..access import can_run_meeting
from ..models import Attendee, Meeting
from ..roster import members_for

SIGNIN_FIELDS = ["status", "signed_in_at", "signed_in_by", "proxy_reason", "client_uuid"]
LEAVE_FIELDS = ["status", "leave_reason", "leave_at"]
ATTENDED = (Attendee.Status.PRESENT, Attendee.Status.LATE)


class AttendanceError(ValidationError):
    """An attendance write refused for a reason the user is told (400, or 409 for
    `closed`); `code` says which: invalid, expired, not_open, clock, closed, cancelled,
    started, reason, signed_in, conflict."""

    def __init__(self, message: Any, code: str | None = None, params: Any = None) -> None:
        super().__init__(message, code=code, params=params)
        # Django keeps `code` only for a single message; a refusal naming its field keeps
        # it too, so callers read one attribute whatever the shape.
        self.code = code


@dataclass
class SignInResult:
    attendee: Attendee
    #: False when the person had already signed in (a replay or a second scan): nothing
    #: was written.
    created: bool

    @property
    def already(self) -> bool:
        return not self.created


def final_status(attendee: Attendee, now: datetime.datetime | None = None) -> str:
    """The attendance as it reads at `now`: an expected person after the meeting's end is
    absent (written by `close_attendance` when the minutes are confirmed)."""
    now = now or timezone.now()
    if attendee.status == Attendee.Status.EXPECTED and now > attendee.meeting.ends_at:
        return Attendee.Status.ABSENT
    return attendee.status


def counts(meeting: Meeting, now: datetime.datetime | None = None) -> dict[str, int]:
    """应到 / 实到 / 迟到 / 请假 / 缺席 (and those still expected) of the whole roster, with
    absence computed on read. One query."""
    now = now or timezone.now()
    out = {"expected": 0, "present": 0, "late": 0, "leave": 0, "absent": 0, "waiting": 0}
    ended = now > meeting.ends_at
    for status in Attendee.objects.filter(meeting=meeting).values_list("status", flat=True):
        out["expected"] += 1
        if status in ATTENDED:
            out["present"] += 1
            if status == Attendee.Status.LATE:
                out["late"] += 1
        elif status == Attendee.Status.LEAVE:
            out["leave"] += 1
        elif status == Attendee.Status.ABSENT or ended:
            out["absent"] += 1
        else:
            out["waiting"] += 1
    return out


def _open_for_attendance(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise AttendanceError(_("This meeting was cancelled."), code="cancelled")
    if meeting.status == Meeting.Status.CONFIRMED:
        raise AttendanceError(
            _("The minutes of this meeting are confirmed; its attendance is closed."),
            code="closed",
        )


def is_member(person_id: int, meeting: Meeting) -> bool:
    """A member of the meeting's organisation at its date (on the roster or not)."""
    day = timezone.localtime(meeting.starts_at).date()
    return members_for(meeting.org, day).filter(pk=person_id).exists()


def _row_for(meeting: Meeting, person_id: int) -> Attendee | None:
    """The person's row, locked; for a member of the organisation who joined after the
    meeting was planned, one is added. None: neither on the roster nor a member."""
    row = Attendee.objects.select_for_update().filter(meeting=meeting, person_id=person_id).first()
    if row is not None:
        return row
    if not is_member(person_id, meeting):
        return None
    from juli.orgs.models import Person

    person = Person.objects.get(pk=person_id)
    try:
        with transaction.atomic():
            Attendee.objects.create(
                meeting=meeting,
                person=person,
                name=person.name[:60],
                category=Attendee.Category.ATTEND,
                source=Attendee.Source.MEMBER,
                counts=True,
            )
    except IntegrityError:
        pass  # a racing twin added it: read theirs
    return Attendee.objects.select_for_update().get(meeting=meeting, person_id=person_id)


def meeting_of_code(code: str) -> tuple[Meeting, signin.ParsedCode]:
    """The meeting a code names, its signature checked; AttendanceError("invalid") for a
    code that is not one, of no meeting, or not signed with the meeting's current key."""
    try:
        parsed = signin.parse(code)
        meeting = Meeting.objects.select_related("org").filter(pk=parsed.meeting_id).first()
        if meeting is None:
            raise signin.CodeError(_("This sign-in code is not valid."), "invalid")
        signin.verify_signature(meeting, parsed)
    except signin.CodeError as error:
        raise AttendanceError(error.message, code=error.code) from None
    return meeting, parsed


@transaction.atomic
def sign_in(
    actor: Any,
    meeting: Meeting | None,
    code: str,
    *,
    client_uuid: uuid.UUID | None = None,
    scanned_at: datetime.datetime | None = None,
    sent_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> SignInResult:
    """Sign the actor's person in with a code scanned at `scanned_at` and sent at
    `sent_at` (both by the phone's clock; see `signin.scan_time`).

    Refused, writing nothing: a code that is not one or not signed with the meeting's key
    ("invalid"), a scan outside the code's validity ("expired", "not_open"), a cancelled
    meeting or one whose minutes are confirmed, and (Http404) a person neither on the
    roster nor a member of the organisation. A second sign-in (a replay, or another scan)
    finds the row and writes nothing."""
    now = now or timezone.now()
    found, parsed = meeting_of_code(code)
    if meeting is not None and meeting.pk != found.pk:
        raise AttendanceError(_("This sign-in code is not valid."), code="invalid")
    person_id = scope_of(actor).person_id
    if not person_id:
        raise Http404
    # Who may use the code is checked before its times: someone of another organisation
    # learns nothing about the meeting, not even that its code expired.
    locked = Meeting.objects.select_for_update().select_related("org").get(pk=found.pk)
    row = _row_for(locked, person_id)
    if row is None:
        raise Http404
    if client_uuid is not None and row.client_uuid == client_uuid:
        return SignInResult(row, created=False)
    if row.status in ATTENDED:
        return SignInResult(row, created=False)
    _open_for_attendance(locked)
    try:
        scanned = signin.scan_time(scanned_at, sent_at, now)
        signin.check(locked, parsed, scanned)
    except signin.CodeError as error:
        raise AttendanceError(error.message, code=error.code) from None
    if client_uuid is not None and Attendee.objects.filter(client_uuid=client_uuid).exists():
        raise AttendanceError(
            _("This submission id was already used for another sign-in."), code="conflict"
        )
    before = snapshot(row, SIGNIN_FIELDS)
    late_after = locked.starts_at + datetime.timedelta(minutes=locked.late_after_minutes)
    row.status = Attendee.Status.LATE if scanned > late_after else Attendee.Status.PRESENT
    row.signed_in_at = scanned
    row.signed_in_by = user_of(actor)
    row.proxy_reason = ""
    row.client_uuid = client_uuid
    row.save(
        update_fields=["status", "signed_in_at", "signed_in_by", "proxy_reason", "client_uuid"]
    )
    record(
        actor,
        "meeting.sign_in",
        row,
        before=before,
        after=snapshot(row, SIGNIN_FIELDS),
        note=f"meeting {locked.pk}" + (" (printed code)" if parsed.printable else ""),
        scope=locked.audit_scope(),
    )
    return SignInResult(row, created=True)


def _locked_row(attendee: Attendee) -> tuple[Meeting, Attendee]:
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=attendee.meeting_id)
    row = Attendee.objects.select_for_update().get(pk=attendee.pk)
    return meeting, row


@transaction.atomic
def proxy_sign_in(
    actor: Actor,
    attendee: Attendee,
    *,
    reason: str,
    late: bool = False,
    now: datetime.datetime | None = None,
) -> SignInResult:
    """The secretary signs `attendee` in on their behalf (an elderly member without a
    phone, a guest), with the reason kept. From the opening of sign-in until the minutes
    are confirmed; someone already signed in stays as they are."""
    now = now or timezone.now()
    meeting, row = _locked_row(attendee)
    require(actor, can_run_meeting(actor, meeting))
    reason = (reason or "").strip()
    if not reason:
        raise AttendanceError(
            {"reason": [_("Say why you sign this person in on their behalf.")]}, code="reason"
        )
    _open_for_attendance(meeting)
    if now < signin.window(meeting)[0]:
        raise AttendanceError(_("Sign-in for this meeting has not opened yet."), code="not_open")
    if row.status in ATTENDED:
        return SignInResult(row, created=False)
    before = snapshot(row, SIGNIN_FIELDS)
    row.status = Attendee.Status.LATE if late else Attendee.Status.PRESENT
    row.signed_in_at = now
    row.signed_in_by = user_of(actor)
    row.proxy_reason = reason[:300]
    row.save(update_fields=["status", "signed_in_at", "signed_in_by", "proxy_reason"])
    record(
        actor,
        "meeting.proxy_sign_in",
        row,
        before=before,
        after=snapshot(row, SIGNIN_FIELDS),
        note=row.proxy_reason,
        scope=meeting.audit_scope(),
    )
    return SignInResult(row, created=True)


def _set_leave(actor: Actor, meeting: Meeting, row: Attendee, reason: str, verb: str) -> Attendee:
    reason = (reason or "").strip()
    if not reason:
        raise AttendanceError({"reason": [_("Give the reason for the leave.")]}, code="reason")
    if row.status in ATTENDED:
        raise AttendanceError(
            _("This person has already signed in to the meeting."), code="signed_in"
        )
    before = snapshot(row, LEAVE_FIELDS)
    row.status = Attendee.Status.LEAVE
    row.leave_reason = reason[:300]
    row.leave_at = timezone.now()
    row.save(update_fields=LEAVE_FIELDS)
    record(
        actor,
        verb,
        row,
        before=before,
        after=snapshot(row, LEAVE_FIELDS),
        note=row.leave_reason,
        scope=meeting.audit_scope(),
    )
    return row


@transaction.atomic
def request_leave(
    actor: Any, meeting: Meeting, *, reason: str, now: datetime.datetime | None = None
) -> Attendee:
    """The actor asks for leave (请假) from `meeting`, with a reason, before it starts."""
    now = now or timezone.now()
    person_id = scope_of(actor).person_id
    if not person_id:
        raise Http404
    locked = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    row = _row_for(locked, person_id)
    if row is None:
        raise Http404
    _open_for_attendance(locked)
    if now >= locked.starts_at:
        raise AttendanceError(
            _("The meeting has started: leave is asked for before it starts."), code="started"
        )
    return _set_leave(actor, locked, row, reason, "meeting.request_leave")


@transaction.atomic
def record_leave(actor: Actor, attendee: Attendee, *, reason: str) -> Attendee:
    """The secretary records someone's leave (they phoned in), until the minutes are
    confirmed."""
    meeting, row = _locked_row(attendee)
    require(actor, can_run_meeting(actor, meeting))
    _open_for_attendance(meeting)
    return _set_leave(actor, meeting, row, reason, "meeting.record_leave")


@transaction.atomic
def undo_leave(actor: Any, attendee: Attendee, *, now: datetime.datetime | None = None) -> Attendee:
    """Take a leave back before the meeting starts: the person themself or the
    secretary."""
    now = now or timezone.now()
    meeting, row = _locked_row(attendee)
    own = row.person_id is not None and row.person_id == scope_of(actor).person_id
    if not own and not can_run_meeting(actor, meeting):
        raise PermissionDenied(_("Your posts do not allow this change."))
    _open_for_attendance(meeting)
    if now >= meeting.starts_at:
        raise AttendanceError(
            _("The meeting has started: leave can no longer be taken back."), code="started"
        )
    if row.status != Attendee.Status.LEAVE:
        return row
    before = snapshot(row, LEAVE_FIELDS)
    row.status = Attendee.Status.EXPECTED
    row.leave_reason = ""
    row.leave_at = None
    row.save(update_fields=LEAVE_FIELDS)
    record(
        actor,
        "meeting.undo_leave",
        row,
        before=before,
        after=snapshot(row, LEAVE_FIELDS),
        scope=meeting.audit_scope(),
    )
    return row


@transaction.atomic
def rotate_codes(actor: Actor, meeting: Meeting) -> Meeting:
    """作废所有签到码: a new signing key, so every code drawn or printed so far is refused."""
    locked = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    require(actor, can_run_meeting(actor, locked))
    locked.signin_key = secrets.token_hex(16)
    locked.save(update_fields=["signin_key"])
    record(actor, "meeting.rotate_signin_codes", locked, scope=locked.audit_scope())
    return locked


@transaction.atomic
def close_attendance(meeting: Meeting, actor: Actor = None) -> int:
    """Write ABSENT for everyone still expected (`minutes.confirm_minutes` calls this when
    the minutes are confirmed). Returns how many rows changed; audited once."""
    rows = Attendee.objects.filter(meeting=meeting, status=Attendee.Status.EXPECTED)
    ids = list(rows.values_list("pk", flat=True))
    if not ids:
        return 0
    changed = Attendee.objects.filter(pk__in=ids).update(status=Attendee.Status.ABSENT)
    record(
        actor,
        "meeting.close_attendance",
        meeting,
        after={"absent": ids},
        note=f"{changed} absent",
    )
    return changed
