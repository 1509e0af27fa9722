"""Writes of meetings: planning one (its parts, agenda and roster), changing it before it is
held, inviting people and guests, documents, cancelling.

Every write checks the actor's right (`access.can_run_org`), runs in one transaction and is
audited; planning and moving a meeting tell its invitees (bell) and the organisation's
channels once per version of the time and place.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.attachments import AttachmentRefused, clean_attachment
from juli.core.audit import record, snapshot
from juli.core.types import Actor
from juli.core.writes import require, user_of
from juli.notify.actions import notify
from juli.notify.text import lazy_format
from juli.orgs.models import PartyOrg, Person, User

from ..access import can_run_org
from ..models import (
    AgendaItem,
    Attendee,
    CalendarFeed,
    Meeting,
    MeetingDocument,
    MeetingKind,
    MeetingPart,
    MeetingSeries,
)
from ..notices import MEETING_CANCELLED, MEETING_PLANNED
from ..roster import members_for

FIELDS = [
    "org",
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "online_link",
    "series",
    "series_no",
    "late_after_minutes",
    "status",
]


class MeetingError(ValidationError):
    """A meeting write refused for a reason the user can fix (400 / the form's error)."""


@dataclass
class PartSpec:
    """One part of a meeting as planned: its title, presider and agenda items
    (title, presenter)."""

    title: str = ""
    presider: Person | None = None
    presider_name: str = ""
    agenda: Sequence[tuple[str, str]] = field(default_factory=list)


@dataclass
class Invitee:
    """Someone invited by hand: a person of the directory or a guest by name."""

    category: str = Attendee.Category.ATTEND
    person: Person | None = None
    name: str = ""
    affiliation: str = ""
    counts: bool = False


def _validate_times(starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    if ends_at <= starts_at:
        raise MeetingError({"ends_at": _("The meeting must end after it starts.")}, code="invalid")
    if ends_at - starts_at > datetime.timedelta(days=3):
        raise MeetingError({"ends_at": _("A meeting lasts at most three days.")}, code="invalid")


def _next_series_no(series: MeetingSeries) -> int:
    last = (
        Meeting.objects.select_for_update()
        .filter(series=series)
        .order_by("-series_no")
        .values_list("series_no", flat=True)
        .first()
    )
    return (last or 0) + 1


def _member_rows(meeting: Meeting) -> list[Attendee]:
    day = timezone.localtime(meeting.starts_at).date()
    return [
        Attendee(
            meeting=meeting,
            person=person,
            name=person.name,
            category=Attendee.Category.ATTEND,
            source=Attendee.Source.MEMBER,
            counts=True,
        )
        for person in members_for(meeting.org, day)
    ]


def _invitee_row(meeting: Meeting, invitee: Invitee) -> Attendee:
    if invitee.person is None and not invitee.name.strip():
        raise MeetingError({"attendees": _("A guest needs a name.")}, code="invalid")
    return Attendee(
        meeting=meeting,
        person=invitee.person,
        name=(invitee.person.name if invitee.person else invitee.name.strip())[:60],
        affiliation=invitee.affiliation.strip()[:120],
        category=invitee.category,
        source=Attendee.Source.INVITED if invitee.person else Attendee.Source.GUEST,
        counts=invitee.counts,
    )


def _write_parts(meeting: Meeting, parts: Sequence[PartSpec]) -> None:
    """The meeting's parts (one untitled part when none is given) and their agenda items,
    numbered through the whole meeting."""
    order = 0
    for n, spec in enumerate(list(parts) or [PartSpec()], start=1):
        part = MeetingPart.objects.create(
            meeting=meeting,
            order=n,
            title=spec.title.strip()[:120],
            presider=spec.presider,
            presider_name=spec.presider_name.strip()[:60],
        )
        for item_title, presenter in spec.agenda:
            order += 1
            AgendaItem.objects.create(
                meeting=meeting,
                part=part,
                order=order,
                title=item_title.strip()[:300],
                presenter=presenter.strip()[:120],
            )


def invited_users(meeting: Meeting) -> list[User]:
    """The accounts of the people on the roster (guests by name have none)."""
    return list(
        User.objects.filter(
            is_active=True,
            person__meeting_roster__meeting=meeting,
        ).distinct()
    )


def _announce_planned(meeting: Meeting, *, moved: bool) -> None:
    when = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
    title = (
        gettext_lazy("Meeting moved: %(title)s, %(when)s")
        if moved
        else gettext_lazy("Meeting planned: %(title)s, %(when)s")
    )
    text = lazy_format(
        gettext_lazy("%(org)s · %(when)s · %(place)s"),
        org=meeting.org.name,
        when=when,
        place=meeting.place or meeting.online_link,
    )
    notify(
        f"meetings.meeting:{meeting.pk}:planned:{meeting.starts_at.isoformat()}",
        kind=MEETING_PLANNED.key,
        title=lazy_format(title, title=meeting.title, when=when),
        text=text,
        url=reverse("meetings-detail", args=[meeting.pk]),
        users=list(invited_users(meeting)),
        org=meeting.org,
    )


@transaction.atomic
def plan_meeting(
    actor: Actor,
    org: PartyOrg,
    *,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str = "",
    online_link: str = "",
    description: str = "",
    parts: Sequence[PartSpec] = (),
    invitees: Iterable[Invitee] = (),
    with_members: bool = True,
    series: MeetingSeries | None = None,
    late_after_minutes: int = 10,
    recorder: Person | None = None,
    announce: bool = True,
) -> Meeting:
    """Plan a meeting of `org`: its parts (at least one, untitled when not given), agenda,
    the members at the meeting's date (`with_members`) and the invitees. A meeting of a
    series takes the series' next number. Announced to everyone on the roster and the
    organisation's channels; audited `meeting.plan`."""
    require(actor, can_run_org(actor, org))
    if kind not in MeetingKind.values:
        raise MeetingError({"kind": _("Choose a kind of meeting.")}, code="invalid")
    if not title.strip():
        raise MeetingError({"title": _("Give the meeting a title.")}, code="invalid")
    if not org.is_active:
        raise MeetingError(
            {"org": _("This organisation has ended; it holds no more meetings.")}, code="invalid"
        )
    if series is not None and series.org_id != org.pk:
        raise MeetingError({"series": _("The series belongs to another organisation.")})
    _validate_times(starts_at, ends_at)
    meeting = Meeting(
        org=org,
        org_path=org.path,
        kind=kind,
        title=title.strip()[:200],
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip()[:200],
        online_link=online_link.strip(),
        description=description.strip(),
        series=series,
        series_no=_next_series_no(series) if series else None,
        late_after_minutes=late_after_minutes,
        recorder=recorder,
        created_by=user_of(actor),
    )
    meeting.save()
    _write_parts(meeting, parts)
    rows = _member_rows(meeting) if with_members else []
    seen = {r.person_id for r in rows}
    for invitee in invitees:
        if invitee.person is not None and invitee.person.pk in seen:
            continue
        row = _invitee_row(meeting, invitee)
        rows.append(row)
        if row.person_id:
            seen.add(row.person_id)
    Attendee.objects.bulk_create(rows)
    record(actor, "meeting.plan", meeting, after=snapshot(meeting, FIELDS))
    if announce:
        _announce_planned(meeting, moved=False)
    return meeting


@transaction.atomic
def cancel_meeting(actor: Actor, meeting: Meeting, *, reason: str) -> Meeting:
    """Cancel a planned meeting with a reason; the invitees are told. A meeting already held
    cannot be cancelled (its record stays)."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require(actor, can_run_org(actor, locked.org))
    if not reason.strip():
        raise MeetingError({"reason": _("Say why the meeting is cancelled.")}, code="invalid")
    if locked.status != Meeting.Status.PLANNED:
        raise MeetingError(
            _("Only a planned meeting can be cancelled; this one was already held."),
            code="illegal_state",
        )
    before = snapshot(locked, FIELDS)
    locked.status = Meeting.Status.CANCELLED
    locked.cancel_reason = reason.strip()[:500]
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "cancel_reason", "updated_at"])
    from ..models import MeetingEvent

    MeetingEvent.objects.create(
        meeting=locked,
        actor=user_of(actor),
        action="cancel",
        from_status=Meeting.Status.PLANNED,
        to_status=Meeting.Status.CANCELLED,
        note=locked.cancel_reason,
    )
    record(actor, "meeting.cancel", locked, before=before, after=snapshot(locked, FIELDS))
    notify(
        f"meetings.meeting:{locked.pk}:cancelled",
        kind=MEETING_CANCELLED.key,
        title=lazy_format(gettext_lazy("Meeting cancelled: %(title)s"), title=locked.title),
        text=locked.cancel_reason,
        url=reverse("meetings-detail", args=[locked.pk]),
        users=invited_users(locked),
        org=locked.org,
    )
    return locked


# --- Changing a planned meeting -------------------------------------------------------------

#: What `update_meeting` may change; the rest is fixed once planned (org, kind, series).
EDITABLE = [
    "title",
    "starts_at",
    "ends_at",
    "place",
    "online_link",
    "description",
    "late_after_minutes",
    "recorder",
]


def _locked_planned(actor: Actor, meeting: Meeting) -> Meeting:
    """The meeting's row, locked, if the actor runs it and it is still planned."""
    locked = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    require(actor, can_run_org(actor, locked.org))
    if locked.status != Meeting.Status.PLANNED:
        raise MeetingError(
            _("Only a planned meeting can be changed; this one is “%(status)s”.")
            % {"status": locked.get_status_display()},
            code="illegal_state",
        )
    return locked


def _event(meeting: Meeting, actor: Actor, action: str, note: str = "") -> None:
    from ..models import MeetingEvent

    MeetingEvent.objects.create(
        meeting=meeting,
        actor=user_of(actor),
        action=action,
        from_status=meeting.status,
        to_status=meeting.status,
        note=note[:500],
    )


def _replace_parts(meeting: Meeting, parts: Sequence[PartSpec]) -> None:
    """The parts and agenda as given (the agenda is numbered across parts)."""
    meeting.agenda.all().delete()
    meeting.parts.all().delete()
    _write_parts(meeting, parts)


def _recompute_members(meeting: Meeting) -> tuple[int, int]:
    """The members' rows for the meeting's (new) date: members who left the organisation by
    then drop out unless they asked for leave; new members join. Invited people and guests
    stay as they are. Returns (added, removed)."""
    day = timezone.localtime(meeting.starts_at).date()
    members = {p.pk: p for p in members_for(meeting.org, day)}
    rows = list(meeting.attendees.filter(source=Attendee.Source.MEMBER))
    have = {r.person_id for r in rows}
    gone = [
        r.pk for r in rows if r.person_id not in members and r.status == Attendee.Status.EXPECTED
    ]
    Attendee.objects.filter(pk__in=gone).delete()
    on_roster = set(meeting.attendees.exclude(person=None).values_list("person_id", flat=True))
    new = [
        Attendee(
            meeting=meeting,
            person=person,
            name=person.name,
            category=Attendee.Category.ATTEND,
            source=Attendee.Source.MEMBER,
            counts=True,
        )
        for pk, person in members.items()
        if pk not in have and pk not in on_roster
    ]
    Attendee.objects.bulk_create(new)
    return len(new), len(gone)


@transaction.atomic
def update_meeting(
    actor: Actor,
    meeting: Meeting,
    *,
    parts: Sequence[PartSpec] | None = None,
    **changes: object,
) -> Meeting:
    """Change a planned meeting: any of `EDITABLE` (keyword arguments) and, when given, its
    parts and agenda (replaced as a whole). A new date recomputes the members on the roster
    (invited people, guests and leave rows stay). Moving the start re-announces the meeting
    to everyone on the roster (the notice's key holds the start, so once per new time).
    Audited `meeting.update`; a held, confirmed or cancelled meeting is refused."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"update_meeting cannot change {sorted(unknown)}")
    locked = _locked_planned(actor, meeting)
    before = snapshot(locked, FIELDS + ["description", "recorder"])
    old_start = locked.starts_at
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(locked, name, value)
    if not str(locked.title).strip():
        raise MeetingError({"title": _("Give the meeting a title.")}, code="invalid")
    _validate_times(locked.starts_at, locked.ends_at)
    locked.updated_at = timezone.now()
    locked.save()
    if parts is not None:
        _replace_parts(locked, parts)
    moved = locked.starts_at != old_start
    note = ""
    if timezone.localtime(locked.starts_at).date() != timezone.localtime(old_start).date():
        added, removed = _recompute_members(locked)
        note = f"+{added} -{removed}"
    _event(locked, actor, "update", note)
    record(
        actor,
        "meeting.update",
        locked,
        before=before,
        after=snapshot(locked, FIELDS + ["description", "recorder"]),
        note=note,
    )
    if moved:
        _announce_planned(locked, moved=True)
    return locked


@transaction.atomic
def add_invitees(actor: Actor, meeting: Meeting, invitees: Iterable[Invitee]) -> list[Attendee]:
    """Add people of the directory or guests by name to a planned meeting's roster. A person
    already on it is skipped. The new people are told (bell). Audited `meeting.invite`."""
    locked = _locked_planned(actor, meeting)
    seen = set(locked.attendees.exclude(person=None).values_list("person_id", flat=True))
    rows: list[Attendee] = []
    for invitee in invitees:
        if invitee.person is not None and invitee.person.pk in seen:
            continue
        row = _invitee_row(locked, invitee)
        rows.append(row)
        if row.person_id:
            seen.add(row.person_id)
    if not rows:
        return []
    Attendee.objects.bulk_create(rows)
    record(
        actor,
        "meeting.invite",
        locked,
        after={"attendees": [[r.name, r.category, r.source] for r in rows]},
    )
    users = list(
        User.objects.filter(is_active=True, person__in=[r.person_id for r in rows if r.person_id])
    )
    if users:
        when = timezone.localtime(locked.starts_at).strftime("%Y-%m-%d %H:%M")
        notify(
            f"meetings.meeting:{locked.pk}:planned:{locked.starts_at.isoformat()}",
            kind=MEETING_PLANNED.key,
            title=lazy_format(
                gettext_lazy("Meeting planned: %(title)s, %(when)s"),
                title=locked.title,
                when=when,
            ),
            text=lazy_format(
                gettext_lazy("%(org)s · %(when)s · %(place)s"),
                org=locked.org.name,
                when=when,
                place=locked.place or locked.online_link,
            ),
            url=reverse("meetings-detail", args=[locked.pk]),
            users=users,
        )
    return rows


@transaction.atomic
def remove_attendee(actor: Actor, attendee: Attendee) -> None:
    """Take an invited person or a guest off a planned meeting's roster. Members are on it
    by membership: one who cannot come asks for leave. Audited `meeting.uninvite`."""
    locked = _locked_planned(actor, attendee.meeting)
    row = Attendee.objects.filter(pk=attendee.pk, meeting=locked).first()
    if row is None:
        raise MeetingError(_("This person is not on the roster."), code="invalid")
    if row.source == Attendee.Source.MEMBER:
        raise MeetingError(
            _("Members are on the roster by membership; a member who cannot come asks for leave."),
            code="member_row",
        )
    record(
        actor,
        "meeting.uninvite",
        locked,
        before={"attendee": [row.name, row.category, row.source, row.person_id]},
    )
    row.delete()


# --- Series ---------------------------------------------------------------------------------


@transaction.atomic
def create_series(
    actor: Actor, org: PartyOrg, *, name: str, number_format: str = "第{n}次全体会议"
) -> MeetingSeries:
    """A numbered series of `org`'s meetings (the same name twice gives the existing one).
    Audited `meeting_series.create`."""
    require(actor, can_run_org(actor, org))
    name = name.strip()[:120]
    if not name:
        raise MeetingError({"new_series": _("Give the series a name.")}, code="invalid")
    number_format = number_format.strip()[:60] or "第{n}次全体会议"
    if "{n}" not in number_format:
        raise MeetingError(
            {"new_series": _("The numbering must contain {n} for the number.")}, code="invalid"
        )
    series, created = MeetingSeries.objects.get_or_create(
        org=org, name=name, defaults={"org_path": org.path, "number_format": number_format}
    )
    if created:
        record(actor, "meeting_series.create", series, after=snapshot(series))
    return series


# --- Documents ------------------------------------------------------------------------------


def clean_document(upload: object) -> tuple[ContentFile[bytes], str, str]:
    """(content, file name, content type) of an accepted meeting document
    (`juli.core.attachments`), else a `MeetingError` at the file field."""
    try:
        return clean_attachment(upload)
    except AttachmentRefused as refused:
        raise MeetingError({"file": refused.text}, code=refused.code) from None
    except ValidationError as exc:
        raise MeetingError({"file": exc.messages}, code="invalid_image") from exc


@transaction.atomic
def add_document(
    actor: Actor, meeting: Meeting, *, upload: object, title: str = ""
) -> MeetingDocument:
    """Attach a material to a meeting that is planned or held (the minutes' attachments are
    the minutes' business). Audited `meeting.document_add` on the meeting."""
    locked = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    require(actor, can_run_org(actor, locked.org))
    if locked.status not in (Meeting.Status.PLANNED, Meeting.Status.HELD):
        raise MeetingError(
            _("Materials can be added only before the minutes are confirmed."),
            code="illegal_state",
        )
    content, name, content_type = clean_document(upload)
    doc = MeetingDocument(
        meeting=locked,
        role=MeetingDocument.Role.MATERIAL,
        title=(title.strip() or name)[:200],
        content_type=content_type,
        size=content.size,
        added_by=user_of(actor),
    )
    doc.file.save(name, content, save=False)
    doc.save()
    record(
        actor,
        "meeting.document_add",
        locked,
        after={"document": doc.pk, "title": doc.title, "size": doc.size, "type": content_type},
    )
    return doc


@transaction.atomic
def remove_document(actor: Actor, document: MeetingDocument) -> None:
    """Remove a material before the meeting starts. Audited `meeting.document_remove`."""
    locked = _locked_planned(actor, document.meeting)
    if locked.starts_at <= timezone.now():
        raise MeetingError(
            _("The meeting has started; its materials stay on the record."), code="illegal_state"
        )
    doc = MeetingDocument.objects.filter(
        pk=document.pk, meeting=locked, role=MeetingDocument.Role.MATERIAL
    ).first()
    if doc is None:
        raise MeetingError(_("This document is not a material of the meeting."), code="invalid")
    record(
        actor,
        "meeting.document_remove",
        locked,
        before={"document": doc.pk, "title": doc.title, "size": doc.size},
    )
    stored = doc.file
    doc.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


# --- Calendar feeds ----------------------------------------------------------------------


@transaction.atomic
def create_feed(actor: Actor, user: User) -> CalendarFeed:
    """The user's private calendar feed (the existing one if there is one). Only the user
    creates their own. Audited `calendar_feed.create`."""
    require(actor, actor is None or getattr(actor, "pk", None) == user.pk)
    feed, created = CalendarFeed.objects.get_or_create(user=user)
    if created:
        record(actor, "calendar_feed.create", feed, after={"user": user.pk})
    return feed


@transaction.atomic
def revoke_feed(actor: Actor, user: User) -> CalendarFeed | None:
    """Replace the user's feed token: the old URL answers 404 from now on, the new one
    works at once. None when the user had no feed. Audited `calendar_feed.revoke` (the
    tokens themselves are never written to the log)."""
    require(actor, actor is None or getattr(actor, "pk", None) == user.pk)
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        return None
    feed.token = secrets.token_urlsafe(24)
    feed.created_at = timezone.now()
    feed.save(update_fields=["token", "created_at"])
    record(actor, "calendar_feed.revoke", feed, after={"user": user.pk})
    return feed
