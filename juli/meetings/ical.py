"""A person's meetings as an iCalendar feed (RFC 5545), written with `icalendar`.

One VEVENT per meeting the person is on the roster of: UID stable per meeting (so a moved
meeting moves in the calendar instead of appearing twice), DTSTART/DTEND in UTC, SEQUENCE
growing with each change, SUMMARY, LOCATION (the place, else the online link), URL (the
meeting's page), DESCRIPTION (organisation, kind, agenda). A cancelled meeting stays in the
feed with STATUS:CANCELLED, so calendars that already hold it remove it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import icalendar
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Meeting

PRODID = "-//Juli//meetings//ZH"


def uid_of(meeting: Meeting, domain: str) -> str:
    return f"meeting-{meeting.pk}@{domain}"


def _utc(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(datetime.UTC)


def description_of(meeting: Meeting) -> str:
    lines = [f"{meeting.org.name} · {meeting.get_kind_display()}"]
    agenda = list(meeting.agenda.all())
    if agenda:
        lines.append(_("Agenda:"))
        lines += [f"{n}. {a.title}" for n, a in enumerate(agenda, start=1)]
    if meeting.description:
        lines += ["", meeting.description]
    if meeting.status == Meeting.Status.CANCELLED and meeting.cancel_reason:
        lines += ["", _("Cancelled: %(reason)s") % {"reason": meeting.cancel_reason}]
    return "\n".join(lines)


def calendar(meetings: Iterable[Meeting], *, base_url: str, domain: str, name: str = "") -> bytes:
    """The feed's bytes. `base_url` is the site's origin ("https://juli.example"), for the
    meetings' links."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    stamp = _utc(timezone.now()).replace(microsecond=0)
    for meeting in meetings:
        event = icalendar.Event()
        event.add("uid", uid_of(meeting, domain))
        event.add("dtstamp", stamp)
        event.add("last-modified", _utc(meeting.updated_at).replace(microsecond=0))
        # Seconds since creation: grows with every change, as RFC 5545 wants of SEQUENCE.
        event.add(
            "sequence", max(0, int((meeting.updated_at - meeting.created_at).total_seconds()))
        )
        event.add("dtstart", _utc(meeting.starts_at))
        event.add("dtend", _utc(meeting.ends_at))
        event.add("summary", meeting.title)
        location = meeting.place or meeting.online_link
        if location:
            event.add("location", location)
        event.add("url", base_url + reverse("meetings-detail", args=[meeting.pk]))
        event.add("description", description_of(meeting))
        event.add(
            "status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED"
        )
        cal.add_component(event)
    return bytes(cal.to_ical())
