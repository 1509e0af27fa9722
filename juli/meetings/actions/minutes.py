"""Writes of meetings: minutes in versions, their resolutions and attachments, confirmation
by a presider, revision with a reason, and the make-up items (补课) confirmation creates.

The life of a record:

- `start_minutes` after the meeting started: version 1, one item per agenda item; the
  meeting moves planned → held.
- `save_minutes` while the version is not confirmed: summary, items, resolutions numbered
  1..n in the order given. `add_minutes_document` / `remove_minutes_document` attach files.
- `submit_for_confirmation` tells the presiders (an event row `submit` marks it).
- `confirm_minutes` (a presider or a secretary, `access.can_confirm_minutes`) freezes the
  version, the meeting → confirmed, remaining expected attendees → absent
  (`attendance.close_attendance`), make-up items for the members absent or on leave from a
  kind in `MAKE_UP_KINDS`, owners of resolutions told.
- `revise_minutes(reason)` after confirmation: version n+1 as a copy, the meeting → held; the
  confirmed version stays as it was. A confirmed version is never written again.

Make-ups: the member submits (`submit_make_up`), the secretary confirms
(`confirm_make_up`) or returns it with a reason (`return_make_up`).

Every write runs in one transaction and is audited; a refusal writes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.attachments import AttachmentRefused, clean_attachment
from juli.core.audit import record, snapshot
from juli.core.types import Actor
from juli.core.workflow import append_event, check_move, lock
from juli.core.writes import require, user_of
from juli.notify.actions import notify
from juli.notify.text import lazy_format
from juli.orgs.access import scope_of
from juli.orgs.models import Person, User

from ..access import can_confirm_minutes, can_run_org
from ..models import (
    MAKE_UP_KINDS,
    TRANSITIONS,
    Attendee,
    MakeUp,
    Meeting,
    MeetingDocument,
    MeetingEvent,
    Minutes,
    MinutesItem,
    Resolution,
)
from ..notices import MAKE_UP_DUE, MINUTES_CONFIRMED, MINUTES_TO_CONFIRM
from .plan import MeetingError

MINUTES_FIELDS = ["version", "recorder", "summary", "change_reason", "confirmed_at"]
MAKE_UP_FIELDS = ["way", "note", "session", "status", "submitted_at", "confirmed_at"]
#: At most this many items and resolutions in one version (a form, not a bulk import).
MAX_ROWS = 100


class MinutesError(MeetingError):
    """A minutes or make-up write refused for a reason the user can fix."""


ACTION_LABELS = {
    "hold": gettext_lazy("start the minutes"),
    "confirm": gettext_lazy("confirm the minutes"),
    "revise": gettext_lazy("revise the minutes"),
}


# --- Reading helpers the writes (and the pages) share -----------------------------------------


def current_minutes(meeting: Meeting) -> Minutes | None:
    """The latest version of the meeting's minutes, or None before they were started."""
    return Minutes.objects.filter(meeting=meeting).order_by("-version").first()


def confirmed_minutes(meeting: Meeting) -> Minutes | None:
    """The latest confirmed version (the record that counts), or None."""
    return (
        Minutes.objects.filter(meeting=meeting, confirmed_at__isnull=False)
        .order_by("-version")
        .first()
    )


def owner_candidates(meeting: Meeting) -> Any:
    """The people a decision of this meeting may be given to: its roster and the people of
    its organisation's subtree."""
    return (
        Person.objects.filter(
            Q(org_path__startswith=meeting.org_path) | Q(meeting_roster__meeting=meeting),
            is_active=True,
        )
        .distinct()
        .order_by("name", "pk")
    )


def is_submitted(minutes: Minutes) -> bool:
    """Handed to the presiders for confirmation (an event `submit` of this version)."""
    return MeetingEvent.objects.filter(
        meeting_id=minutes.meeting_id, action="submit", at__gte=minutes.created_at
    ).exists()


def _users_of(people: Iterable[Person | int | None]) -> list[User]:
    ids = {p.pk if isinstance(p, Person) else p for p in people if p}
    return list(User.objects.filter(is_active=True, person_id__in=ids))


def _minutes_url(meeting: Meeting) -> str:
    return reverse("meetings-minutes", args=[meeting.pk])


def _check_editable(minutes: Minutes) -> None:
    if minutes.confirmed_at is not None:
        raise MinutesError(
            _(
                "These minutes were confirmed and are frozen. Revise them with a reason to "
                "change anything."
            ),
            code="confirmed",
        )
    latest = Minutes.objects.filter(meeting_id=minutes.meeting_id).order_by("-version").first()
    if latest is not None and latest.pk != minutes.pk:
        raise MinutesError(_("Only the latest version can be changed."), code="old_version")


def _lock_minutes(minutes: Minutes) -> Minutes:
    return lock(minutes, Minutes.objects.select_related("meeting", "meeting__org"))


def _minutes_snapshot(minutes: Minutes) -> dict[str, Any]:
    out = snapshot(minutes, MINUTES_FIELDS)
    out["items"] = [
        {"title": i.title, "summary": i.summary, "speakers": i.speakers}
        for i in minutes.items.all().order_by("order", "pk")
    ]
    out["resolutions"] = [
        {
            "number": r.number,
            "text": r.text,
            "owner": r.owner_id,
            "due_on": r.due_on,
            "item": r.item.order if r.item_id and r.item else None,
        }
        for r in minutes.resolutions.select_related("item").order_by("number")
    ]
    return out


# --- Start, save -------------------------------------------------------------------------------


@transaction.atomic
def start_minutes(
    actor: Actor, meeting: Meeting, *, now: datetime.datetime | None = None
) -> Minutes:
    """Version 1 of the minutes, pre-filled from the agenda (one item per agenda item); the
    recorder is the meeting's recorder or the actor's person. The meeting moves planned →
    held. Only after the meeting started. Starting again returns the current version."""
    now = now or timezone.now()
    locked = lock(meeting, Meeting.objects.select_related("org"))
    require(actor, can_run_org(actor, locked.org))
    existing = current_minutes(locked)
    if existing is not None:
        return existing
    if locked.status == Meeting.Status.CANCELLED:
        raise MinutesError(_("A cancelled meeting has no minutes."), code="illegal_state")
    if now < locked.starts_at:
        raise MinutesError(
            _("The minutes are written once the meeting has started."), code="not_started"
        )
    if locked.status == Meeting.Status.PLANNED:
        move = check_move(
            locked, "hold", table=TRANSITIONS, error=MinutesError, action_labels=ACTION_LABELS
        )
        locked.status = move.target
        locked.updated_at = now
        locked.save(update_fields=["status", "updated_at"])
        append_event(
            MeetingEvent,
            locked,
            actor=actor,
            action="hold",
            from_status=Meeting.Status.PLANNED,
            to_status=move.target,
            at=now,
        )
    recorder = locked.recorder
    if recorder is None:
        person_id = scope_of(actor).person_id if actor is not None else None
        recorder = Person.objects.filter(pk=person_id).first() if person_id else None
    minutes = Minutes.objects.create(
        meeting=locked,
        version=1,
        recorder=recorder,
        created_by=user_of(actor),
        created_at=now,
        updated_at=now,
    )
    MinutesItem.objects.bulk_create(
        [
            MinutesItem(minutes=minutes, agenda_item=a, order=n, title=a.title)
            for n, a in enumerate(locked.agenda.all().order_by("order", "pk"), start=1)
        ]
    )
    record(actor, "minutes.start", minutes, after=_minutes_snapshot(minutes), scope=_scope(locked))
    return minutes


def _scope(meeting: Meeting) -> tuple[str, str]:
    return ("org", meeting.org_path)


def _text(value: Any, limit: int) -> str:
    return str(value or "").strip()[:limit]


def _owner(meeting: Meeting, value: Any) -> Person | None:
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, Person) else value
    try:
        return owner_candidates(meeting).get(pk=int(pk))
    except (Person.DoesNotExist, TypeError, ValueError):
        raise MinutesError(
            {"resolutions": _("The owner of a decision must be a person of the organisation.")},
            code="invalid",
        ) from None


def _due(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise MinutesError(
            {"resolutions": _("Give the deadline as a date (YYYY-MM-DD).")}, code="invalid"
        ) from None


@transaction.atomic
def save_minutes(
    actor: Actor,
    minutes: Minutes,
    *,
    summary: str | None = None,
    items: Sequence[Mapping[str, Any]] | None = None,
    resolutions: Sequence[Mapping[str, Any]] | None = None,
    recorder: Person | None = None,
) -> Minutes:
    """Write the draft: the overall summary, the items (`{id?, title, summary, speakers}` in
    order; an item left out is removed) and the resolutions (`{item, text, owner, due_on}`,
    `item` the 1-based position of its item or None; numbered 1..n in the order given; the
    list replaces the version's resolutions). None leaves a part as it is. Refused once
    the version is confirmed."""
    locked = _lock_minutes(minutes)
    meeting = locked.meeting
    require(actor, can_run_org(actor, meeting.org))
    _check_editable(locked)
    before = _minutes_snapshot(locked)
    fields = ["updated_at"]
    if summary is not None:
        locked.summary = str(summary).strip()
        fields.append("summary")
    if recorder is not None:
        locked.recorder = recorder
        fields.append("recorder")
    by_order: dict[int, MinutesItem] = {
        i.order: i for i in locked.items.all().order_by("order", "pk")
    }
    if items is not None:
        if len(items) > MAX_ROWS:
            raise MinutesError(_("Too many items."), code="invalid")
        existing = {i.pk: i for i in locked.items.all()}
        kept: list[MinutesItem] = []
        for n, data in enumerate(items, start=1):
            title = _text(data.get("title"), 300)
            if not title:
                raise MinutesError({"items": _("Every agenda item needs a title.")}, code="invalid")
            raw_id = data.get("id")
            item = existing.pop(int(raw_id), None) if raw_id not in (None, "") else None
            if item is None:
                item = MinutesItem(minutes=locked)
            item.order = n
            item.title = title
            item.summary = str(data.get("summary") or "").strip()
            item.speakers = _text(data.get("speakers"), 300)
            item.save()
            kept.append(item)
        for gone in existing.values():
            gone.delete()
        by_order = {i.order: i for i in kept}
    if resolutions is not None:
        if len(resolutions) > MAX_ROWS:
            raise MinutesError(_("Too many decisions."), code="invalid")
        rows: list[Resolution] = []
        for data in resolutions:
            text = _text(data.get("text"), 500)
            if not text:
                raise MinutesError(
                    {"resolutions": _("Every decision needs its text.")}, code="invalid"
                )
            item_ref = data.get("item")
            item = None
            if isinstance(item_ref, MinutesItem):
                item = item_ref if item_ref.minutes_id == locked.pk else None
                if item is None:
                    raise MinutesError(
                        {"resolutions": _("A decision refers to an item of another record.")},
                        code="invalid",
                    )
            elif item_ref not in (None, ""):
                try:
                    item = by_order[int(item_ref)]
                except (KeyError, TypeError, ValueError):
                    raise MinutesError(
                        {
                            "resolutions": _(
                                "A decision refers to an agenda item that is not there."
                            )
                        },
                        code="invalid",
                    ) from None
            rows.append(
                Resolution(
                    minutes=locked,
                    item=item,
                    number=len(rows) + 1,
                    text=text,
                    owner=_owner(meeting, data.get("owner")),
                    due_on=_due(data.get("due_on")),
                )
            )
        locked.resolutions.all().delete()
        Resolution.objects.bulk_create(rows)
    locked.updated_at = timezone.now()
    locked.save(update_fields=fields)
    record(
        actor,
        "minutes.save",
        locked,
        before=before,
        after=_minutes_snapshot(locked),
        scope=_scope(meeting),
    )
    return locked


# --- Attachments ------------------------------------------------------------------------------


def clean_document_file(upload: Any) -> tuple[ContentFile[bytes], str, str]:
    """(content, stored name, content type) of an accepted attachment
    (`juli.core.attachments`), or a `MinutesError`."""
    try:
        return clean_attachment(upload)
    except AttachmentRefused as refused:
        raise MinutesError(refused.text, code=refused.code) from None


@transaction.atomic
def add_minutes_document(
    actor: Actor, minutes: Minutes, *, upload: Any, title: str = ""
) -> MeetingDocument:
    """Attach a file to the minutes (role `minutes`) while the version is a draft."""
    locked = _lock_minutes(minutes)
    require(actor, can_run_org(actor, locked.meeting.org))
    _check_editable(locked)
    content, name, content_type = clean_document_file(upload)
    document = MeetingDocument(
        meeting=locked.meeting,
        role=MeetingDocument.Role.MINUTES,
        title=_text(title, 200) or name[:200],
        content_type=content_type,
        size=content.size,
        added_by=user_of(actor),
    )
    document.file.save(name, content, save=False)
    document.save()
    record(
        actor,
        "minutes.attach",
        document,
        after={"title": document.title, "file": document.file.name, "size": document.size},
        scope=_scope(locked.meeting),
    )
    return document


@transaction.atomic
def remove_minutes_document(actor: Actor, document: MeetingDocument) -> None:
    """Remove an attachment of the minutes while the current version is a draft."""
    meeting = lock(document.meeting, Meeting.objects.select_related("org"))
    require(actor, can_run_org(actor, meeting.org))
    if document.role != MeetingDocument.Role.MINUTES:
        raise MinutesError(_("Only attachments of the minutes are removed here."), code="invalid")
    minutes = current_minutes(meeting)
    if minutes is None or minutes.confirmed_at is not None:
        raise MinutesError(
            _("The minutes are confirmed; their attachments stay."), code="confirmed"
        )
    record(
        actor,
        "minutes.detach",
        document,
        before={"title": document.title, "file": document.file.name},
        scope=_scope(meeting),
    )
    document.delete()


# --- Submit, confirm, revise -------------------------------------------------------------------


def _presider_users(meeting: Meeting) -> list[User]:
    return _users_of(meeting.parts.values_list("presider_id", flat=True))


@transaction.atomic
def submit_for_confirmation(actor: Actor, minutes: Minutes) -> Minutes:
    """Hand the draft to the presiders: they are told (MINUTES_TO_CONFIRM) once per version."""
    locked = _lock_minutes(minutes)
    meeting = locked.meeting
    require(actor, can_run_org(actor, meeting.org))
    _check_editable(locked)
    append_event(
        MeetingEvent,
        meeting,
        actor=actor,
        action="submit",
        from_status=meeting.status,
        to_status=meeting.status,
        data={"version": locked.version},
    )
    record(
        actor,
        "minutes.submit",
        locked,
        after={"version": locked.version},
        scope=_scope(meeting),
    )
    users = _presider_users(meeting)
    if users:
        notify(
            f"meetings.minutes:{locked.pk}:to_confirm",
            kind=MINUTES_TO_CONFIRM.key,
            title=lazy_format(gettext_lazy("Minutes to confirm: %(title)s"), title=meeting.title),
            text=lazy_format(
                gettext_lazy("%(org)s · version %(version)s"),
                org=meeting.org.name,
                version=locked.version,
            ),
            url=_minutes_url(meeting),
            users=users,
            org=meeting.org,
        )
    return locked


def _make_up_rows(meeting: Meeting) -> list[MakeUp]:
    """Make-up items for the members absent or on leave who have none yet."""
    if meeting.kind not in MAKE_UP_KINDS:
        return []
    owing = Attendee.objects.filter(
        meeting=meeting,
        source=Attendee.Source.MEMBER,
        counts=True,
        person__isnull=False,
        status__in=[Attendee.Status.ABSENT, Attendee.Status.LEAVE],
        make_up__isnull=True,
    )
    return MakeUp.objects.bulk_create(
        [
            MakeUp(attendee=a, meeting=meeting, person=a.person)
            for a in owing.select_related("person")
        ]
    )


def _close_attendance(meeting: Meeting, actor: Actor) -> None:
    """Remaining expected rows → absent (the sign-in part's `close_attendance`)."""
    from . import attendance

    close = getattr(attendance, "close_attendance", None)
    if close is not None:
        close(meeting, actor)
        return
    # The sign-in part has not written it yet: the same rule, here.
    Attendee.objects.filter(meeting=meeting, status=Attendee.Status.EXPECTED).update(
        status=Attendee.Status.ABSENT
    )


@transaction.atomic
def confirm_minutes(
    actor: Actor, minutes: Minutes, *, now: datetime.datetime | None = None
) -> Minutes:
    """A presider (or a secretary) confirms the latest version: it freezes, the meeting →
    confirmed, attendance closes, make-up items are created and their members told, owners
    of decisions told."""
    now = now or timezone.now()
    meeting = lock(minutes.meeting, Meeting.objects.select_related("org"))
    locked = _lock_minutes(minutes)
    require(actor, can_confirm_minutes(actor, meeting))
    _check_editable(locked)
    check_move(
        meeting, "confirm", table=TRANSITIONS, error=MinutesError, action_labels=ACTION_LABELS
    )
    if now < meeting.ends_at:
        raise MinutesError(
            _("The minutes are confirmed after the meeting has ended."), code="not_ended"
        )
    locked.confirmed_at = now
    locked.confirmed_by = user_of(actor)
    locked.updated_at = now
    locked.save(update_fields=["confirmed_at", "confirmed_by", "updated_at"])
    before = meeting.status
    meeting.status = Meeting.Status.CONFIRMED
    meeting.confirmed_at = now
    meeting.updated_at = now
    meeting.save(update_fields=["status", "confirmed_at", "updated_at"])
    append_event(
        MeetingEvent,
        meeting,
        actor=actor,
        action="confirm",
        from_status=before,
        to_status=meeting.status,
        data={"version": locked.version},
        at=now,
    )
    _close_attendance(meeting, actor)
    make_ups = _make_up_rows(meeting)
    record(
        actor,
        "minutes.confirm",
        locked,
        before={"status": before},
        after={
            "status": meeting.status,
            "version": locked.version,
            "confirmed_at": now,
            "make_ups": [m.person_id for m in make_ups],
        },
        scope=_scope(meeting),
    )
    when = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d")
    if make_ups:
        notify(
            f"meetings.meeting:{meeting.pk}:make_up:v{locked.version}",
            kind=MAKE_UP_DUE.key,
            title=lazy_format(
                gettext_lazy("Make-up due: %(title)s (%(when)s)"), title=meeting.title, when=when
            ),
            text=gettext_lazy(
                "Read the materials, write a short note or attend a make-up session."
            ),
            url=reverse("meetings-makeups"),
            users=_users_of(m.person_id for m in make_ups),
        )
    owners = _users_of(locked.resolutions.values_list("owner_id", flat=True))
    if owners:
        notify(
            f"meetings.minutes:{locked.pk}:confirmed",
            kind=MINUTES_CONFIRMED.key,
            title=lazy_format(gettext_lazy("Minutes confirmed: %(title)s"), title=meeting.title),
            text=gettext_lazy("A decision of this meeting names you as its owner."),
            url=reverse("meetings-detail", args=[meeting.pk]),
            users=owners,
            org=meeting.org,
        )
    return locked


@transaction.atomic
def revise_minutes(actor: Actor, meeting: Meeting, *, reason: str) -> Minutes:
    """Start version n+1 of confirmed minutes, a copy of version n with its items and
    decisions, for the reason given (required). The meeting goes back to held until the
    new version is confirmed; version n stays exactly as it was."""
    reason = (reason or "").strip()
    if not reason:
        raise MinutesError(_("Say why the confirmed minutes are changed."), code="reason_required")
    locked = lock(meeting, Meeting.objects.select_related("org"))
    require(actor, can_run_org(actor, locked.org) or can_confirm_minutes(actor, locked))
    check_move(locked, "revise", table=TRANSITIONS, error=MinutesError, action_labels=ACTION_LABELS)
    old = current_minutes(locked)
    if old is None or old.confirmed_at is None:
        raise MinutesError(_("There are no confirmed minutes to revise."), code="illegal_state")
    now = timezone.now()
    new = Minutes.objects.create(
        meeting=locked,
        version=old.version + 1,
        recorder=old.recorder,
        summary=old.summary,
        change_reason=reason[:500],
        created_by=user_of(actor),
        created_at=now,
        updated_at=now,
    )
    copies: dict[int, MinutesItem] = {}
    for item in old.items.all().order_by("order", "pk"):
        copies[item.pk] = MinutesItem.objects.create(
            minutes=new,
            agenda_item_id=item.agenda_item_id,
            order=item.order,
            title=item.title,
            summary=item.summary,
            speakers=item.speakers,
        )
    Resolution.objects.bulk_create(
        [
            Resolution(
                minutes=new,
                item=copies.get(r.item_id) if r.item_id else None,
                number=r.number,
                text=r.text,
                owner_id=r.owner_id,
                due_on=r.due_on,
            )
            for r in old.resolutions.all().order_by("number")
        ]
    )
    locked.status = Meeting.Status.HELD
    locked.updated_at = now
    locked.save(update_fields=["status", "updated_at"])
    append_event(
        MeetingEvent,
        locked,
        actor=actor,
        action="revise",
        from_status=Meeting.Status.CONFIRMED,
        to_status=Meeting.Status.HELD,
        note=reason,
        data={"version": new.version},
        at=now,
    )
    record(
        actor,
        "minutes.revise",
        new,
        before={"version": old.version, "status": Meeting.Status.CONFIRMED},
        after={"version": new.version, "status": Meeting.Status.HELD},
        note=reason,
        scope=_scope(locked),
    )
    return new


# --- Make-ups ------------------------------------------------------------------------------------


def _lock_make_up(make_up: MakeUp) -> MakeUp:
    return lock(make_up, MakeUp.objects.select_related("meeting", "meeting__org", "person"))


@transaction.atomic
def submit_make_up(
    actor: Actor,
    make_up: MakeUp,
    *,
    way: str,
    note: str = "",
    session: Meeting | None = None,
) -> MakeUp:
    """The member reports their make-up done: read the materials, a short note (its text
    required) or a make-up session. Refused once confirmed."""
    locked = _lock_make_up(make_up)
    require(actor, actor is None or scope_of(actor).person_id == locked.person_id)
    if locked.status == MakeUp.Status.CONFIRMED:
        raise MinutesError(_("This make-up was already confirmed."), code="illegal_state")
    if way not in MakeUp.Way.values:
        raise MinutesError({"way": _("Choose how you made it up.")}, code="invalid")
    note = (note or "").strip()
    if way == MakeUp.Way.NOTE and not note:
        raise MinutesError({"note": _("Write your note.")}, code="invalid")
    if session is not None and session.org_id != locked.meeting.org_id:
        raise MinutesError(
            {"session": _("The make-up session must be a meeting of the same organisation.")},
            code="invalid",
        )
    before = snapshot(locked, MAKE_UP_FIELDS)
    locked.way = way
    locked.note = note[:5000]
    locked.session = session if way == MakeUp.Way.SESSION else None
    locked.status = MakeUp.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["way", "note", "session", "status", "submitted_at"])
    record(
        actor,
        "makeup.submit",
        locked,
        before=before,
        after=snapshot(locked, MAKE_UP_FIELDS),
        scope=_scope(locked.meeting),
    )
    return locked


@transaction.atomic
def confirm_make_up(actor: Actor, make_up: MakeUp) -> MakeUp:
    """The secretary confirms a submitted make-up."""
    locked = _lock_make_up(make_up)
    require(actor, can_run_org(actor, locked.meeting.org))
    if locked.status != MakeUp.Status.SUBMITTED:
        raise MinutesError(
            _("Only a make-up the member reported done can be confirmed."), code="illegal_state"
        )
    before = snapshot(locked, MAKE_UP_FIELDS)
    locked.status = MakeUp.Status.CONFIRMED
    locked.confirmed_at = timezone.now()
    locked.confirmed_by = user_of(actor)
    locked.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    record(
        actor,
        "makeup.confirm",
        locked,
        before=before,
        after=snapshot(locked, MAKE_UP_FIELDS),
        scope=_scope(locked.meeting),
    )
    return locked


@transaction.atomic
def return_make_up(actor: Actor, make_up: MakeUp, *, reason: str) -> MakeUp:
    """The secretary returns a submitted make-up with a reason: it is open again and the
    member is told why (the reason is kept in the audit row and the notification)."""
    reason = (reason or "").strip()
    if not reason:
        raise MinutesError(_("Say why the make-up is returned."), code="reason_required")
    locked = _lock_make_up(make_up)
    require(actor, can_run_org(actor, locked.meeting.org))
    if locked.status != MakeUp.Status.SUBMITTED:
        raise MinutesError(
            _("Only a make-up the member reported done can be returned."), code="illegal_state"
        )
    before = snapshot(locked, MAKE_UP_FIELDS)
    locked.status = MakeUp.Status.OPEN
    locked.save(update_fields=["status"])
    record(
        actor,
        "makeup.return",
        locked,
        before=before,
        after=snapshot(locked, MAKE_UP_FIELDS),
        note=reason[:500],
        scope=_scope(locked.meeting),
    )
    users = _users_of([locked.person_id])
    if users:
        notify(
            f"meetings.makeup:{locked.pk}:returned:{timezone.now().isoformat()}",
            kind=MAKE_UP_DUE.key,
            title=lazy_format(
                gettext_lazy("Make-up returned: %(title)s"), title=locked.meeting.title
            ),
            text=reason,
            url=reverse("meetings-makeups"),
            users=users,
        )
    return locked


def return_reason(make_up: MakeUp) -> str:
    """Why the make-up was last returned (from its audit row), or ""."""
    from juli.core.models import AuditLog

    row = (
        AuditLog.objects.filter(
            object_type=MakeUp._meta.label_lower, object_id=str(make_up.pk), verb="makeup.return"
        )
        .order_by("-pk")
        .values_list("note", flat=True)
        .first()
    )
    return row or ""
