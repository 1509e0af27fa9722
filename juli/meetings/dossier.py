"""Meetings in a branch's year-end dossier (`juli.core.dossier`, order 20).

For one organisation and one year, read from what the meetings app holds:

- **Compliance per rule** (`compliance.org_years`, the same rules and counting as the
  compliance table: confirmed minutes only): for the organisation and its party groups, each
  active rule with its requirement, the periods done and overdue, the meetings held, the
  worst state; and the year's attendance rate.
- **The meetings held** (held or confirmed; planned and cancelled ones are not): date, kind,
  title, attendance (应到 / 实到 / 请假 / 缺席 over the rows that count), whether the minutes
  were confirmed and when.
- **Make-ups** (补课) of those meetings: who, for which meeting, how, and their state.

Files for the zip: the A4 record of each confirmed meeting (`documents.minutes_pdf` of the
latest confirmed version, rendered only when the zip is built), and every meeting document
(materials and attachments of the minutes).

Meetings are read through `access.visible_meetings(user)`: the dossier shows what its
producer may see.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from pathlib import PurePosixPath
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from juli.core.dossier import Block, DossierFile, Section, SectionKind, register
from juli.orgs.models import PartyOrg

from . import compliance, documents
from .access import visible_meetings
from .compliance import State
from .models import Attendee, MakeUp, Meeting, MeetingDocument, MeetingKind, Minutes


def _kind_label(kind: str) -> str:
    return str(MeetingKind(kind).label) if kind in MeetingKind.values else kind


def _groups(org: PartyOrg) -> list[PartyOrg]:
    return list(
        PartyOrg.objects.filter(
            path__startswith=org.path, depth=org.depth + 1, kind=PartyOrg.Kind.GROUP
        ).order_by("path")
    )


def _compliance_rows(orgs: list[PartyOrg], year: int, today: datetime.date) -> list[list[Any]]:
    years = compliance.org_years(orgs, year)
    rows = []
    for org in orgs:
        oy = years[org.pk]
        for rule in oy.rules:
            figures = oy.figures(rule, today)
            owed = [f for f in figures if f.state in (State.DONE, State.DUE, State.OVERDUE)]
            rows.append(
                [
                    org.name,
                    rule.kind_label,
                    ngettext(
                        "%(period)s, %(times)s time", "%(period)s, %(times)s times", rule.times
                    )
                    % {"times": rule.times, "period": rule.period_label},
                    sum(1 for f in owed if f.state == State.DONE),
                    sum(1 for f in owed if f.state == State.OVERDUE),
                    len(owed),
                    sum(f.held for f in figures),
                    compliance.STATE_LABELS[compliance.worst(f.state for f in figures)],
                ]
            )
    return rows


def _attendance(meetings: list[Meeting]) -> dict[int, dict[str, int]]:
    """应到 / 实到 / 请假 / 缺席 per meeting over the rows that count, in one query."""
    rows = (
        Attendee.objects.filter(meeting__in=meetings, counts=True)
        .values("meeting_id")
        .annotate(
            expected=Count("id"),
            present=Count(
                "id", filter=Q(status__in=[Attendee.Status.PRESENT, Attendee.Status.LATE])
            ),
            leave=Count("id", filter=Q(status=Attendee.Status.LEAVE)),
        )
    )
    return {
        r["meeting_id"]: {
            "expected": r["expected"],
            "present": r["present"],
            "leave": r["leave"],
            "absent": r["expected"] - r["present"] - r["leave"],
        }
        for r in rows
    }


def _day(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d")


def _minutes_file(meeting: Meeting, minutes: Minutes) -> Any:
    def render() -> bytes:
        return documents.minutes_pdf(meeting, minutes)

    return render


def build(org: Any, year: int, user: Any) -> Section | None:
    today = timezone.localdate()
    orgs = [org, *_groups(org)]
    start = compliance.local_midnight(datetime.date(year, 1, 1))
    end = compliance.local_midnight(datetime.date(year + 1, 1, 1))
    meetings = list(
        visible_meetings(user)
        .filter(
            org_id__in=[o.pk for o in orgs],
            starts_at__gte=start,
            starts_at__lt=end,
            status__in=[Meeting.Status.HELD, Meeting.Status.CONFIRMED],
        )
        .order_by("starts_at", "id")
    )
    rule_rows = _compliance_rows(orgs, year, today)
    if not meetings and not any(row[5] for row in rule_rows):
        return None  # no meeting held and none owed (a year before the branch existed)
    section = Section(title=str(gettext_lazy("Meetings and compliance")))
    blocks = section.blocks
    figures_of = compliance.attendance(
        orgs, datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    ).values()
    rate = compliance.rate(sum(a for a, _c in figures_of), sum(c for _a, c in figures_of))
    blocks.append(
        Block.facts(
            [
                (_("Meetings held"), len(meetings)),
                (
                    _("With confirmed minutes"),
                    sum(1 for m in meetings if m.confirmed_at is not None),
                ),
                (_("Attendance rate"), "—" if rate is None else f"{rate}%"),
                (_("As of"), min(today, datetime.date(year, 12, 31)).isoformat()),
            ]
        )
    )
    blocks.append(Block.heading(_("Compliance with the frequency rules")))
    if rule_rows:
        blocks.append(
            Block.table(
                [
                    _("Organisation"),
                    _("Meeting kind"),
                    _("Required"),
                    _("Periods done"),
                    _("Periods overdue"),
                    _("Periods owed"),
                    _("Held"),
                    _("State"),
                ],
                rule_rows,
            )
        )
        blocks.append(
            Block.paragraph(
                _(
                    "Counted from meetings with confirmed minutes only; a period still running "
                    "is owed once it is over."
                )
            )
        )
    else:
        blocks.append(Block.paragraph(_("No frequency rule applies to this organisation.")))

    blocks.append(Block.heading(_("Meetings held")))
    files: list[DossierFile] = []
    if meetings:
        figures = _attendance(meetings)
        confirmed = _confirmed_minutes(meetings)
        rows = []
        for m in meetings:
            f = figures.get(m.pk, {})
            rows.append(
                [
                    timezone.localtime(m.starts_at).strftime("%Y-%m-%d %H:%M"),
                    _kind_label(m.kind),
                    m.title,
                    f.get("expected", 0),
                    f.get("present", 0),
                    f.get("leave", 0),
                    f.get("absent", 0),
                    (
                        timezone.localtime(m.confirmed_at).strftime("%Y-%m-%d")
                        if m.confirmed_at
                        else _("No")
                    ),
                ]
            )
            minutes = confirmed.get(m.pk)
            label = f"{_day(m.starts_at)} {m.title}"
            if minutes is not None:
                files.append(
                    DossierFile(
                        f"{label} 会议记录 v{minutes.version}.pdf",
                        _minutes_file(m, minutes),
                        source=_("Meeting %(id)s, confirmed minutes version %(version)s")
                        % {"id": m.pk, "version": minutes.version},
                    )
                )
        blocks.append(
            Block.table(
                [
                    _("Date"),
                    _("Kind"),
                    _("Title"),
                    _("Expected"),
                    _("Present"),
                    _("On leave"),
                    _("Absent"),
                    _("Minutes confirmed"),
                ],
                rows,
            )
        )
        files += _documents(meetings)
    else:
        blocks.append(Block.paragraph(_("No meeting was held this year.")))

    make_ups = list(
        MakeUp.objects.filter(meeting__in=meetings)
        .select_related("person", "meeting")
        .order_by("meeting__starts_at", "person__name", "pk")
    )
    if make_ups:
        blocks.append(Block.heading(_("Make-ups")))
        blocks.append(
            Block.table(
                [_("Member"), _("Meeting"), _("How"), _("State"), _("Confirmed at")],
                [
                    [
                        mu.person.name,
                        f"{_day(mu.meeting.starts_at)} {mu.meeting.title}",
                        mu.get_way_display() if mu.status != MakeUp.Status.OPEN else "—",
                        mu.get_status_display(),
                        _day(mu.confirmed_at) if mu.confirmed_at else "—",
                    ]
                    for mu in make_ups
                ],
            )
        )
    section.files = files
    return section


def _confirmed_minutes(meetings: list[Meeting]) -> dict[int, Minutes]:
    """The latest confirmed version of each meeting's minutes (one query)."""
    out: dict[int, Minutes] = {}
    rows = Minutes.objects.filter(meeting__in=meetings, confirmed_at__isnull=False).order_by(
        "meeting_id", "-version"
    )
    for minutes in rows:
        out.setdefault(minutes.meeting_id, minutes)
    by_pk = {m.pk: m for m in meetings}
    for pk, minutes in out.items():
        minutes.meeting = by_pk[pk]  # the PDF reads the meeting: no query per record
    return out


def _documents(meetings: list[Meeting]) -> list[DossierFile]:
    by_meeting: dict[int, list[MeetingDocument]] = defaultdict(list)
    for doc in MeetingDocument.objects.filter(meeting__in=meetings).order_by("role", "pk"):
        by_meeting[doc.meeting_id].append(doc)
    files = []
    for meeting in meetings:
        for doc in by_meeting[meeting.pk]:
            suffix = PurePosixPath(str(doc.file.name)).suffix
            title = doc.title if doc.title.endswith(suffix) else f"{doc.title}{suffix}"
            files.append(
                DossierFile(
                    f"{_day(meeting.starts_at)} {meeting.title} {title}",
                    doc.file,
                    source=_("Meeting %(id)s, document “%(title)s” (%(role)s)")
                    % {"id": meeting.pk, "title": doc.title, "role": doc.get_role_display()},
                )
            )
    return files


register(SectionKind("meetings", gettext_lazy("Meetings and compliance"), build, order=20))
