"""Writes of meetings: planning one (its parts, agenda and roster), changing it before it is
held, inviting people and guests, documents, cancelling.

Every write checks the actor's right (`access.can_run_org`), runs in one transaction and is
audited; planning and moving a meeting tell its invitees (bell) and the organisation's
channels once per version of the time and place.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.audit import record, snapshot
from juli.core.types import Actor
from juli.core.writes import require, user_of
from juli.notify.actions import notify
from juli.notify.text import lazy_format
from juli.orgs.models import PartyOrg, Person, User

from ..access import can_run_org
from ..models import AgendaItem, Attendee, Meeting, MeetingKind, MeetingPart, MeetingSeries
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
    specs = list(parts) or [PartSpec()]
    order = 0
    for n, spec in enumerate(specs, start=1):
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
