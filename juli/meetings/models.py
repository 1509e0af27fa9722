"""Meetings of a party organisation (三会一课 and the others): their parts, agenda, roster
and attendance, minutes in versions, resolutions, make-up items, the frequency rules that
compliance is computed against, and each person's calendar feed token.

A meeting is recorded once; attendance, minutes, compliance, evidence and news are all read
from these rows.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.workflow import AbstractEvent, Move
from juli.orgs.models import PartyOrg, Person


def _signin_key() -> str:
    return secrets.token_hex(16)


def _feed_token() -> str:
    return secrets.token_urlsafe(24)


class MeetingKind(models.TextChoices):
    BRANCH_ASSEMBLY = "branch_assembly", _("Branch members' assembly")  # 支部党员大会
    BRANCH_COMMITTEE = "branch_committee", _("Branch committee meeting")  # 支委会
    GROUP_MEETING = "group_meeting", _("Party group meeting")  # 党小组会
    PARTY_LECTURE = "party_lecture", _("Party lecture")  # 党课
    THEME_DAY = "theme_day", _("Theme party day")  # 主题党日
    ORG_LIFE = "org_life", _("Organisational life meeting")  # 组织生活会
    APPRAISAL = "appraisal", _("Democratic appraisal of members")  # 民主评议党员
    WORK_CONFERENCE = "work_conference", _("Work conference")  # 工作会议
    PLENARY = "plenary", _("Plenary session")  # 全体会议
    OTHER = "other", _("Other meeting")


#: The four kinds of 三会一课.
THREE_AND_ONE = frozenset(
    {
        MeetingKind.BRANCH_ASSEMBLY,
        MeetingKind.BRANCH_COMMITTEE,
        MeetingKind.GROUP_MEETING,
        MeetingKind.PARTY_LECTURE,
    }
)

#: Kinds whose absent or excused members owe a make-up item (补课).
MAKE_UP_KINDS = frozenset({MeetingKind.BRANCH_ASSEMBLY, MeetingKind.PARTY_LECTURE})


class MeetingSeries(models.Model):
    """A numbered series: 第N次全体会议 of a congress, or an alliance's plenary sessions."""

    org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="meeting_series",
        verbose_name=_("organisation"),
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    name = models.CharField(_("series name"), max_length=120)
    #: how a member of the series is called, with {n} for its number: "第{n}次全体会议".
    number_format = models.CharField(_("numbering"), max_length=60, default="第{n}次全体会议")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["org_path", "name"]
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="meeting_series_org_name_uniq")
        ]

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.org_path)

    def numbered(self, n: int | None) -> str:
        return self.number_format.replace("{n}", str(n)) if n else ""


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held, minutes in draft")
        CONFIRMED = "confirmed", _("Minutes confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    org = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("organisation")
    )
    #: a copy of the organisation's path, for the subtree filters of `access`.
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), max_length=500, blank=True)
    series = models.ForeignKey(
        MeetingSeries,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("series"),
    )
    series_no = models.PositiveIntegerField(_("number in the series"), null=True, blank=True)
    description = models.TextField(_("notes for the invitees"), blank=True)
    #: sign-ins later than this many minutes after the start are marked late.
    late_after_minutes = models.PositiveSmallIntegerField(_("late after (minutes)"), default=10)
    #: the sign-in code is valid from this many minutes before the start until the end.
    signin_opens_minutes = models.PositiveSmallIntegerField(
        _("sign-in opens (minutes before)"), default=30
    )
    #: the secret the rotating sign-in codes are signed with (rotated to revoke all codes).
    signin_key = models.CharField(max_length=64, default=_signin_key, editable=False)
    recorder = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorder"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    #: the confirmed minutes that count (the latest confirmed version).
    confirmed_at = models.DateTimeField(_("minutes confirmed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [
            models.Index(fields=["org_path", "starts_at"], name="meeting_path_start_idx"),
            models.Index(fields=["org", "kind", "starts_at"], name="meeting_org_kind_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "series_no"],
                condition=Q(series__isnull=False),
                name="meeting_series_no_uniq",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.org_path)

    @property
    def is_three_and_one(self) -> bool:
        return self.kind in THREE_AND_ONE


TRANSITIONS: dict[str, Move] = {
    "hold": Move(frozenset({Meeting.Status.PLANNED}), Meeting.Status.HELD),
    "confirm": Move(frozenset({Meeting.Status.HELD}), Meeting.Status.CONFIRMED),
    "revise": Move(frozenset({Meeting.Status.CONFIRMED}), Meeting.Status.HELD),
    "cancel": Move(frozenset({Meeting.Status.PLANNED}), Meeting.Status.CANCELLED),
}


class MeetingEvent(AbstractEvent):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")

    class Meta(AbstractEvent.Meta):
        verbose_name = _("meeting event")
        verbose_name_plural = _("meeting events")


class MeetingPart(models.Model):
    """A half or session of a meeting, with its own presider (seed 000: two halves)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="parts")
    order = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(_("part"), max_length=120, blank=True)
    presider = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("presider"),
    )
    #: for a presider who is not in the directory (a guest leader).
    presider_name = models.CharField(_("presider (name)"), max_length=60, blank=True)

    class Meta:
        ordering = ["meeting", "order", "id"]
        verbose_name = _("meeting part")
        verbose_name_plural = _("meeting parts")

    def __str__(self) -> str:
        return self.title or str(self.order)

    @property
    def presider_label(self) -> str:
        return self.presider.name if self.presider_id and self.presider else self.presider_name


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    part = models.ForeignKey(
        MeetingPart, on_delete=models.CASCADE, null=True, blank=True, related_name="agenda"
    )
    order = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(_("agenda item"), max_length=300)
    #: who presents it, as printed ("局党组书记 王某某").
    presenter = models.CharField(_("presented by"), max_length=120, blank=True)

    class Meta:
        ordering = ["meeting", "order", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title


class Attendee(models.Model):
    """One person expected at a meeting (or who came): the roster and its attendance.

    Members are computed from the organisation's membership at the meeting's date when the
    meeting is planned; invited people and guests by name are added by hand."""

    class Category(models.TextChoices):
        ATTEND = "attend", _("Attends (出席)")
        SIT_IN = "sit_in", _("Sits in (列席)")
        TAKE_PART = "take_part", _("Takes part (参加)")

    class Source(models.TextChoices):
        MEMBER = "member", _("Member")
        INVITED = "invited", _("Invited")
        GUEST = "guest", _("Guest")

    class Status(models.TextChoices):
        EXPECTED = "expected", _("Expected")
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        LEAVE = "leave", _("On leave")
        ABSENT = "absent", _("Absent")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="meeting_roster"
    )
    #: a guest's name (and the person's name when the row was made, for the record).
    name = models.CharField(_("name"), max_length=60)
    #: a guest's unit or title as printed ("区委组织部").
    affiliation = models.CharField(_("unit or title"), max_length=120, blank=True)
    category = models.CharField(
        _("category"), max_length=10, choices=Category.choices, default=Category.ATTEND
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    #: counted in the attendance rate (the organisation's own members).
    counts = models.BooleanField(_("counted in attendance"), default=True)
    status = models.CharField(
        _("attendance"), max_length=10, choices=Status.choices, default=Status.EXPECTED
    )
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    #: who recorded the sign-in: the attendee themself or the secretary on their behalf.
    signed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proxy_reason = models.CharField(
        _("signed in on their behalf because"), max_length=300, blank=True
    )
    leave_reason = models.CharField(_("reason for leave"), max_length=300, blank=True)
    leave_at = models.DateTimeField(_("leave asked at"), null=True, blank=True)
    #: the phone's id of the sign-in submission (a replay finds the row and writes nothing).
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["meeting", "category", "source", "id"]
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(person__isnull=False),
                name="attendee_meeting_person_uniq",
            )
        ]
        indexes = [models.Index(fields=["person", "meeting"], name="attendee_person_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def attended(self) -> bool:
        return self.status in (self.Status.PRESENT, self.Status.LATE)


class MeetingDocument(models.Model):
    """A file of the meeting: materials before it, attachments of the minutes after."""

    class Role(models.TextChoices):
        MATERIAL = "material", _("Material")
        MINUTES = "minutes", _("Attachment to the minutes")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MATERIAL)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="meetings/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "role", "id"]
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")

    def __str__(self) -> str:
        return self.title


class Minutes(models.Model):
    """One version of a meeting's minutes. Version 1 is written after the meeting; a change
    after confirmation starts the next version with its reason; confirmed versions never
    change."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes")
    version = models.PositiveSmallIntegerField(default=1)
    recorder = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(_("overall summary"), blank=True)
    #: why this version replaces the previous confirmed one (required from version 2).
    change_reason = models.CharField(_("reason for the change"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "-version"]
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="minutes_version_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} v{self.version}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class MinutesItem(models.Model):
    """The record of one agenda item in one version of the minutes."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="items")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(_("agenda item"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    speakers = models.CharField(_("speakers"), max_length=300, blank=True)

    class Meta:
        ordering = ["minutes", "order", "id"]
        verbose_name = _("minutes item")
        verbose_name_plural = _("minutes items")

    def __str__(self) -> str:
        return self.title


class Resolution(models.Model):
    """A numbered decision of one version of the minutes; with an owner and a deadline
    where it creates work."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="resolutions")
    item = models.ForeignKey(
        MinutesItem, on_delete=models.CASCADE, null=True, blank=True, related_name="resolutions"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.CharField(_("decision"), max_length=500)
    owner = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_resolutions",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)

    class Meta:
        ordering = ["minutes", "number"]
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        constraints = [
            models.UniqueConstraint(fields=["minutes", "number"], name="resolution_number_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"


class MakeUp(models.Model):
    """补课: what a member absent or on leave from a party lecture or a branch assembly
    owes, until the secretary confirms it."""

    class Way(models.TextChoices):
        READ = "read", _("Read the materials")
        NOTE = "note", _("Write a short note")
        SESSION = "session", _("Attend a make-up session")

    class Status(models.TextChoices):
        OPEN = "open", _("To do")
        SUBMITTED = "submitted", _("Done, awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")

    attendee = models.OneToOneField(Attendee, on_delete=models.CASCADE, related_name="make_up")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="make_ups")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="make_ups")
    way = models.CharField(_("how"), max_length=10, choices=Way.choices, default=Way.READ)
    note = models.TextField(_("note"), blank=True)
    #: the make-up session it was done in, when `way` is a session.
    session = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "created_at"]
        verbose_name = _("make-up item")
        verbose_name_plural = _("make-up items")

    def __str__(self) -> str:
        return f"{self.person} · {self.meeting}"


class ComplianceRule(models.Model):
    """How often a kind of meeting is required of a kind of organisation in a year.

    Rows with no organisation are the defaults; a row for an organisation overrides them in
    its subtree (the nearest ancestor's row wins). With no row at all for a year, the
    built-in defaults in `compliance.DEFAULT_RULES` apply."""

    class Period(models.TextChoices):
        MONTH = "month", _("Monthly")
        QUARTER = "quarter", _("Quarterly")
        HALF = "half", _("Half-yearly")
        YEAR = "year", _("Yearly")

    year = models.PositiveSmallIntegerField(_("year"))
    org = models.ForeignKey(
        PartyOrg,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("for the subtree of"),
    )
    org_path = models.CharField(max_length=255, blank=True, editable=False)
    org_kind = models.CharField(
        _("organisation kind"), max_length=20, choices=PartyOrg.Kind.choices
    )
    meeting_kind = models.CharField(_("meeting kind"), max_length=20, choices=MeetingKind.choices)
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    times = models.PositiveSmallIntegerField(_("times per period"), default=1)
    is_active = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["year", "org_path", "org_kind", "meeting_kind"]
        verbose_name = _("frequency rule")
        verbose_name_plural = _("frequency rules")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "org", "org_kind", "meeting_kind"],
                condition=Q(org__isnull=False),
                name="compliance_rule_org_uniq",
            ),
            models.UniqueConstraint(
                fields=["year", "org_kind", "meeting_kind"],
                condition=Q(org__isnull=True),
                name="compliance_rule_default_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.org_kind} {self.meeting_kind}"

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.org_path)


class CalendarFeed(models.Model):
    """A person's private iCalendar feed: the token in its URL. Revoking replaces the token,
    so the old URL answers 404 from then on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=_feed_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user}"
