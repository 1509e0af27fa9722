"""Points, inspections and the case loop (创城督导: 日调度、日督查、发现、派遣、整改、核查、结案).

The case state machine is data: `Case.Status` and `TRANSITIONS` below. `actions.transition`
is the only code that moves a case between states; `workflow.py` holds the rules it checks.
Every scoped table carries a copy of its area's materialised path (`area_path`) so that
"what I can see" is one indexed prefix scan on that table, as for `orgs.Person`.

Photos are `ImageField`s holding files the photo pipeline (`juli.core.uploads`) has already
sniffed, capped and re-encoded; thumbnails are made in the background (`juli.core.tasks`).
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.workflow import AbstractEvent, Move
from juli.orgs.models import Area, Person, Unit, code_validator
from juli.orgs.roles import Role

from .search import SEARCH_FIELDS, case_search_key

#: Area kinds a point may hang under: the leaves of the territorial tree.
POINT_AREA_KINDS = (Area.Kind.MICRO_GRID, Area.Kind.BUILDING_GROUP)

LAT_VALIDATORS = [MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))]
LNG_VALIDATORS = [MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))]


def _lat(**kw: Any) -> Any:
    return models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, validators=LAT_VALIDATORS, **kw
    )


def _lng(**kw: Any) -> Any:
    return models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, validators=LNG_VALIDATORS, **kw
    )


def position_errors(lat: Decimal | None, lng: Decimal | None) -> dict[str, str]:
    """What is wrong with a position, by field: {} when it is both halves or neither, each a
    finite number in range. Half a position places nothing, and NaN or Infinity would break
    every comparison that the range checks, distances and maps make."""
    errors: dict[str, str] = {}
    halves = (
        (
            "lat",
            lat,
            90,
            _("The latitude is not a number."),
            _("The latitude lies from -90 to 90."),
        ),
        (
            "lng",
            lng,
            180,
            _("The longitude is not a number."),
            _("The longitude lies from -180 to 180."),
        ),
    )
    for name, value, bound, not_a_number, out_of_range in halves:
        if value is None:
            continue
        if not Decimal(value).is_finite():
            errors[name] = str(not_a_number)
        elif abs(Decimal(value)) > bound:
            errors[name] = str(out_of_range)
    if (lat is None) != (lng is None):
        errors["lng" if lng is None else "lat"] = str(
            _("Give the latitude and the longitude together, or neither.")
        )
    return errors


def check_position(lat: Decimal | None, lng: Decimal | None) -> None:
    """Raise a ValidationError at the field for a broken position (see `position_errors`)."""
    errors = position_errors(lat, lng)
    if errors:
        raise ValidationError({name: [message] for name, message in errors.items()})


# --- Categories and checklists ---------------------------------------------------------------


class PointCategory(models.Model):
    """点位类别: market, back street, public toilet, residential compound, bus stop …"""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=60)
    frequency_days = models.PositiveSmallIntegerField(
        _("inspect every (days)"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("1 = daily; 7 = weekly. Counted from the last inspection."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("point category")
        verbose_name_plural = _("point categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CaseCategory(models.Model):
    """案件类别 with its time limit (处置时限), counted from dispatch."""

    class TimeUnit(models.TextChoices):
        HOURS = "hours", _("hours")
        DAYS = "days", _("days")

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=60)
    time_limit = models.PositiveIntegerField(
        _("time limit"), default=1, validators=[MinValueValidator(1)]
    )
    time_unit = models.CharField(
        _("time unit"), max_length=5, choices=TimeUnit.choices, default=TimeUnit.DAYS
    )
    in_working_time = models.BooleanField(
        _("counted in working time"),
        default=True,
        help_text=_("Off for urgent categories whose limit runs around the clock, e.g. 24 hours."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def deadline_from(self, start: datetime.datetime) -> datetime.datetime:
        """The deadline of a case of this category dispatched at `start` (aware)."""
        from . import worktime

        if not self.in_working_time:
            hours = self.time_limit * (24 if self.time_unit == self.TimeUnit.DAYS else 1)
            return start + datetime.timedelta(hours=hours)
        if self.time_unit == self.TimeUnit.DAYS:
            return worktime.add_working_days(start, self.time_limit)
        return worktime.add_working_hours(start, self.time_limit)


class ChecklistItem(models.Model):
    """One line of a category's checklist; a failure becomes a case of `case_category`."""

    point_category = models.ForeignKey(
        PointCategory,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("point category"),
    )
    text = models.CharField(_("item"), max_length=200)
    deduction = models.DecimalField(
        _("deduction points"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    case_category = models.ForeignKey(
        CaseCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("case category")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["point_category", "order", "id"]

    def __str__(self) -> str:
        return self.text


# --- Points -------------------------------------------------------------------------------------


class Point(models.Model):
    """点位: an inspected place, a leaf under a micro-grid or a building group."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=120)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="points", verbose_name=_("area")
    )
    # Copy of area.path, kept by the actions: scope filters are a prefix scan on this table.
    area_path = models.CharField(max_length=255, editable=False, db_index=True)
    category = models.ForeignKey(
        PointCategory, on_delete=models.PROTECT, related_name="points", verbose_name=_("category")
    )
    lat = _lat(null=True, blank=True)
    lng = _lng(null=True, blank=True)
    responsible_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="points",
        verbose_name=_("responsible unit"),
    )
    responsible_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="points",
        verbose_name=_("responsible person"),
    )
    zero_deduction = models.BooleanField(
        _("zero-deduction point"),
        default=False,
        help_text=_("A point that must stay clean: any deduction is reported on its own."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("point")
        verbose_name_plural = _("points")
        ordering = ["area_path", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.area_path = self.area.path
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        if self.area_id and self.area.kind not in POINT_AREA_KINDS:
            raise ValidationError({"area": _("A point lies in a micro-grid or a building group.")})

    def audit_scope(self) -> tuple[str, str]:
        return ("area", self.area_path)


# --- Working-time calendar ---------------------------------------------------------------------


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a public holiday or an adjusted working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Adjusted working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("working-time calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


# --- Cases ---------------------------------------------------------------------------------------


class Case(models.Model):
    """问题/案件: one problem, from report to closing. Moves only through `actions.transition`."""

    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        DISPATCHED = "dispatched", _("Dispatched")
        RECTIFIED = "rectified", _("Rectified")
        VERIFIED = "verified", _("Verified")
        CLOSED = "closed", _("Closed")
        DEFERRED = "deferred", _("Deferred")

    class Source(models.TextChoices):
        INSPECTION = "inspection", _("Inspection")
        GRID_WORKER = "grid_worker", _("Grid worker")
        PUBLIC = "public", _("Public report")
        HOTLINE = "hotline", _("Hotline")
        REFERRAL = "referral", _("Referral from above")

    client_uuid = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4)
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    category = models.ForeignKey(
        CaseCategory, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category")
    )
    point = models.ForeignKey(
        Point,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("point"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="cases", verbose_name=_("area")
    )
    # Indexed with db_index (not only Meta.indexes) so that PostgreSQL also gets the
    # pattern-ops index that prefix LIKE needs under a non-C collation.
    area_path = models.CharField(max_length=255, editable=False, db_index=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("responsible unit"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    lat = _lat(null=True, blank=True)
    lng = _lng(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REPORTED
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_cases",
        verbose_name=_("reporter"),
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=60, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    reporter_email = models.EmailField(_("reporter's email"), blank=True)
    # Where a public reporter says the problem is (Open311 `address_string`): for the
    # officers handling the case, never published (the feed names the point or the area).
    reporter_address = models.CharField(_("reporter's address"), max_length=200, blank=True)
    inspection = models.ForeignKey(
        "Inspection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("inspection"),
    )
    checklist_item = models.ForeignKey(
        ChecklistItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checklist item"),
    )
    deduction = models.DecimalField(
        _("deduction points"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rectified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    deferred_at = models.DateTimeField(_("deferred at"), null=True, blank=True)
    deferred_reason = models.CharField(_("reason for deferral"), max_length=500, blank=True)
    deferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deferral requested by"),
    )
    deferred_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deferral approved by"),
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # What the public feed (Open311) may show beyond fixed phrases: a reply an officer
    # writes for the public, and the officer's choice to list a case that did not come from
    # the public. Set only by `publication.update_publication`.
    public_reply = models.CharField(_("public reply"), max_length=500, blank=True)
    is_public = models.BooleanField(_("listed in the public feed"), default=False)
    # A report from the public is listed unless an officer withdrew it (moderation: the
    # reporter typed someone's name or phone into the description, or it is abusive).
    feed_withdrawn = models.BooleanField(_("withdrawn from the public feed"), default=False)
    # Title, point, address and description folded for the list's search box
    # (`juli.cases.search`): kept by `save()`.
    search_key = models.TextField(blank=True, default="", db_default="", editable=False)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="case_status_deadline_idx"),
            models.Index(fields=["reported_at", "id"], name="case_reported_id_idx"),
            models.Index(fields=["unit", "status"], name="case_unit_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if fields is None or SEARCH_FIELDS & set(fields):
            point_name = self.point.name if self.point_id is not None and self.point else ""
            self.search_key = case_search_key(
                self.title, point_name, self.reporter_address, self.description
            )
            if fields is not None:
                kwargs["update_fields"] = {*fields, "search_key"}
        super().save(*args, **kwargs)

    def audit_scope(self) -> tuple[str, str]:
        return ("area", self.area_path)

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == self.Status.DISPATCHED
            and self.deadline is not None
            and self.deadline < timezone.now()
        )


S = Case.Status
#: Office roles that run the loop over an area (立案、派遣、结案、挂账审批).
CASE_OFFICE_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.STREET_OFFICER})
#: Roles that may report a problem in their area.
REPORT_ROLES = frozenset(
    {
        Role.INSPECTOR,
        Role.GRID_WORKER,
        Role.MOBILE_GRID_WORKER,
        Role.GRID_LEADER,
        Role.STREET_OFFICER,
        Role.DISTRICT_ADMIN,
    }
)
#: Roles that may inspect points (fill a checklist) in their area.
INSPECT_ROLES = frozenset({Role.INSPECTOR, Role.STREET_OFFICER, Role.DISTRICT_ADMIN})


#: The case state machine: action → (from-states, to-state, roles). See docs/workflows.md.
#: Area roles must cover the case's area; unit roles must hold a post on the case's
#: responsible unit (`workflow.check_transition`).
TRANSITIONS: dict[str, Move] = {
    "accept": Move(frozenset({S.REPORTED}), S.ACCEPTED, CASE_OFFICE_ROLES),
    "reject": Move(frozenset({S.REPORTED}), S.REJECTED, CASE_OFFICE_ROLES),
    "dispatch": Move(frozenset({S.ACCEPTED}), S.DISPATCHED, CASE_OFFICE_ROLES),
    # Unit staff rectify; an officer may record it on the unit's behalf (a unit without an
    # account, or the street's own team did the work). The verifier must still be another.
    "rectify": Move(frozenset({S.DISPATCHED}), S.RECTIFIED, CASE_OFFICE_ROLES | {Role.UNIT_STAFF}),
    "verify": Move(frozenset({S.RECTIFIED}), S.VERIFIED, CASE_OFFICE_ROLES | {Role.INSPECTOR}),
    "send_back": Move(frozenset({S.RECTIFIED}), S.DISPATCHED, CASE_OFFICE_ROLES | {Role.INSPECTOR}),
    "close": Move(frozenset({S.VERIFIED}), S.CLOSED, CASE_OFFICE_ROLES),
    # The actor is the approving officer; `requested_by` names who asked (another person).
    "defer": Move(frozenset({S.ACCEPTED, S.DISPATCHED}), S.DEFERRED, CASE_OFFICE_ROLES),
    "resume": Move(frozenset({S.DEFERRED}), S.DISPATCHED, CASE_OFFICE_ROLES),
    "reopen": Move(frozenset({S.CLOSED}), S.ACCEPTED, CASE_OFFICE_ROLES),
}

#: Statuses in which the case is still being worked on (for "open cases" maps and counts).
OPEN_STATUSES = frozenset({S.REPORTED, S.ACCEPTED, S.DISPATCHED, S.RECTIFIED, S.VERIFIED})


class CaseSequence(models.Model):
    """The last case number handed out per year: incremented with F() under a row lock."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case number sequence")
        verbose_name_plural = _("case number sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class CaseEvent(AbstractEvent):
    """One step in a case's life. History pages read these rows and nothing else.

    Written only through `juli.core.workflow.append_event` (directly or by `transition`),
    which calls the observers of "cases.CaseEvent" (the stats rollups) in the same
    transaction."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case")
    )

    class Meta(AbstractEvent.Meta):
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["case", "at"], name="caseevent_case_at_idx"),
            # Reports read a period's moves of one kind (verifications of a week, a day's
            # closures) without scanning the whole log.
            models.Index(fields=["action", "at"], name="caseevent_action_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.from_status}→{self.to_status}"


def photo_upload_to(instance: CasePhoto, filename: str) -> str:
    """cases/2026/11/22/<uuid>.<ext>: dated folders, a name the uploader cannot choose."""
    ext = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    ext = ext if ext.isalnum() else "bin"
    return timezone.localdate().strftime(f"cases/%Y/%m/%d/{uuid.uuid4().hex}.{ext}")


def thumb_upload_to(instance: CasePhoto, filename: str) -> str:
    return timezone.localdate().strftime(f"cases/thumbs/%Y/%m/%d/{uuid.uuid4().hex}.jpg")


class CasePhoto(models.Model):
    """A photo of a case: before (the problem) or after (the rectification).

    The file is expected to be validated and re-encoded already (photo pipeline);
    `attach_photo` stores it and its metadata.
    """

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before")
        AFTER = "after", _("After")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="photos", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    file = models.ImageField(_("photo"), upload_to=photo_upload_to, max_length=200)
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to=thumb_upload_to, max_length=200, blank=True
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    lat = _lat(null=True, blank=True)
    lng = _lng(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("case photo")
        verbose_name_plural = _("case photos")
        ordering = ["created_at", "id"]
        constraints = [
            # The same picture sent twice (offline retry) is stored once per case and kind.
            models.UniqueConstraint(
                fields=["case", "kind", "sha256"], name="casephoto_once_per_case_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.sha256[:8]}"

    def audit_scope(self) -> tuple[str, str]:
        return ("area", self.case.area_path)


# --- Daily plan and inspections --------------------------------------------------------------


class InspectionAssignment(models.Model):
    """日调度: which inspector inspects which point on which day, in which order."""

    date = models.DateField(_("date"))
    point = models.ForeignKey(
        Point, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("point")
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="inspection_assignments",
        verbose_name=_("inspector"),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("inspection assignment")
        verbose_name_plural = _("daily inspection plan")
        ordering = ["date", "inspector", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["date", "point"], name="assignment_one_per_point_day")
        ]
        indexes = [
            models.Index(fields=["inspector", "date", "order"], name="assignment_inspector_idx")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.point} → {self.inspector}"

    def audit_scope(self) -> tuple[str, str]:
        return ("area", self.point.area_path)


class Inspection(models.Model):
    """日督查: one filled checklist of one point. GPS is checked at the point only."""

    client_uuid = models.UUIDField(_("client id"), unique=True)
    point = models.ForeignKey(
        Point, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("point")
    )
    area_path = models.CharField(max_length=255, editable=False, db_index=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("inspector"),
    )
    assignment = models.ForeignKey(
        InspectionAssignment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("assignment"),
    )
    started_at = models.DateTimeField(_("started at"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    lat = _lat(null=True, blank=True)
    lng = _lng(null=True, blank=True)
    distance_m = models.PositiveIntegerField(
        _("distance from the point (m)"), null=True, blank=True
    )
    far_from_point = models.BooleanField(_("far from the point"), default=False)
    deduction = models.DecimalField(
        _("deduction points"), max_digits=6, decimal_places=2, default=Decimal("0")
    )

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["point", "started_at"], name="inspection_point_at_idx")]

    def __str__(self) -> str:
        return f"{self.point} {self.started_at:%Y-%m-%d}"

    def audit_scope(self) -> tuple[str, str]:
        return ("area", self.area_path)


class InspectionResult(models.Model):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="results", verbose_name=_("inspection")
    )
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    passed = models.BooleanField(_("passed"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        ordering = ["inspection", "item__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="result_once_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item}: {'✓' if self.passed else '✗'}"


# --- The public feed (Open311) ------------------------------------------------------------------

#: Units the public feed may name as `agency_responsible` (when the district says so):
#: public bodies. Companies, markets, schools, hospitals … are never named.
PUBLIC_BODY_KINDS = frozenset(
    {
        Unit.Kind.GOVERNMENT,
        Unit.Kind.BUREAU,
        Unit.Kind.CENTRE,
        Unit.Kind.STREET_OFFICE,
        Unit.Kind.COMMUNITY,
        Unit.Kind.POLICE,
    }
)
#: Published positions away from a point: 2 decimals ≈ 1 km … 6 ≈ 10 cm (as reported).
MIN_FEED_DECIMALS, MAX_FEED_DECIMALS = 2, 6


class PublicFeedSettings(models.Model):
    """What a district's cases give the public feed (Open311 GeoReport v2); its streets
    follow it. A district without a row follows JULI_OPEN311_FEED and
    JULI_OPEN311_COORDINATE_DECIMALS. Changed only by `publication.update_feed_settings`."""

    class Feed(models.TextChoices):
        PUBLIC = "public", _("Reports from the public and cases an officer marked public")
        ALL = "all", _("Every case (internal ones without their text)")
        OFF = "off", _("No cases")

    district = models.OneToOneField(
        Area,
        on_delete=models.PROTECT,
        related_name="public_feed_settings",
        verbose_name=_("district"),
        limit_choices_to={"kind": Area.Kind.DISTRICT},
    )
    feed = models.CharField(
        _("cases in the public feed"), max_length=6, choices=Feed.choices, default=Feed.PUBLIC
    )
    coordinate_decimals = models.PositiveSmallIntegerField(
        _("decimals of published positions"),
        default=3,
        validators=[MinValueValidator(MIN_FEED_DECIMALS), MaxValueValidator(MAX_FEED_DECIMALS)],
        help_text=_(
            "A case away from a point is shown at its position rounded to this many decimals "
            "(2 ≈ 1 km, 3 ≈ 100 m, 4 ≈ 10 m); a case at a point is shown at the point."
        ),
    )
    name_agencies = models.BooleanField(
        _("name the responsible agency"),
        default=False,
        help_text=_(
            "Name the responsible unit when it is a public body (government, bureau, centre, "
            "street office, residents' committee, police); companies are never named."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("public feed settings")
        verbose_name_plural = _("public feed settings")
        ordering = ["district__path"]

    def __str__(self) -> str:
        return str(self.district)

    def audit_scope(self) -> tuple[str, str]:
        return ("area", self.district.path)
