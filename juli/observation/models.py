"""Observation visits (观摩) and rectification items (整改).

An upper organisation (the organiser) opens an `ObservationCycle`: every active branch under
it at that moment hosts exactly one `ObservationVisit`, on a working day spread over the
cycle; the other branches visit in rotation (`rotation.py`). Two visits of a cycle may swap
their slots (dates) with a recorded reason.

On the day, the visiting branches' secretaries and committee members score the host on a
`ScoreSheet` from their phones: 一听二看三查四谈五评 (listen, look, check the records, talk,
evaluate), each 0–20, total 0–100, one sheet per scorer and visit. The organiser finishes
the scoring (the visit's average is kept and the cycle's tiers 先进/中间/后进 are worked out
again over every scored visit, `tiers.py`), writes the feedback and closes the visit.

The organiser gives the host `Rectification` items (owner, deadline); the host closes each
with evidence (a note and files); the organiser may reopen one with a reason. An item still
open after its deadline is escalated once to the organiser (`escalated_at`, the daily job).

Workflows are data: `Status` + `TRANSITIONS` beside each model, an event log each
(`CycleEvent`, `VisitEvent`, `RectificationEvent`). Every write is in `actions.py`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.workflow import AbstractEvent, Move
from juli.orgs.models import PartyOrg, Person

#: The five aspects of a score sheet, in order: 一听二看三查四谈五评.
ASPECTS = ("listen", "look", "records", "talk", "evaluate")
ASPECT_MAX = 20


class ObservationCycle(models.Model):
    """One round of visits over an organisation's branches (逐支部观摩)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In progress")
        CLOSED = "closed", _("Closed")

    org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="observation_cycles",
        verbose_name=_("organising organisation"),
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    #: How many branches visit each host; 0 = every other branch.
    visitors_per_visit = models.PositiveSmallIntegerField(
        _("visiting branches per visit"),
        default=0,
        help_text=_("0: every other branch visits each host."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("observation cycle")
        verbose_name_plural = _("observation cycles")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="obs_cycle_dates"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.org_path)


CYCLE_TRANSITIONS: dict[str, Move] = {
    "close": Move(frozenset({ObservationCycle.Status.ACTIVE}), ObservationCycle.Status.CLOSED),
}


class CycleEvent(AbstractEvent):
    cycle = models.ForeignKey(ObservationCycle, on_delete=models.CASCADE, related_name="events")

    class Meta(AbstractEvent.Meta):
        verbose_name = _("observation cycle event")
        verbose_name_plural = _("observation cycle events")


class ObservationVisit(models.Model):
    """One host's visit: its slot in the plan, who visits, what was shown, scores, tier."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        SCORED = "scored", _("Scored")
        CLOSED = "closed", _("Closed")

    class Tier(models.TextChoices):
        ADVANCED = "advanced", _("Advanced")
        MIDDLE = "middle", _("Middle")
        LAGGING = "lagging", _("Lagging")

    cycle = models.ForeignKey(
        ObservationCycle, on_delete=models.CASCADE, related_name="visits", verbose_name=_("cycle")
    )
    host = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="observation_visits_hosted",
        verbose_name=_("host branch"),
    )
    host_path = models.CharField(max_length=255, editable=False, db_index=True)
    sequence = models.PositiveSmallIntegerField(_("number in the plan"))
    scheduled_on = models.DateField(_("date"))
    shown = models.TextField(_("what is shown"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    average = models.DecimalField(
        _("average score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    sheets = models.PositiveSmallIntegerField(_("score sheets"), default=0)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    visitors = models.ManyToManyField(
        PartyOrg,
        through="VisitVisitor",
        related_name="observation_visits_attended",
        verbose_name=_("visiting branches"),
    )

    class Meta:
        ordering = ["cycle_id", "sequence", "id"]
        verbose_name = _("observation visit")
        verbose_name_plural = _("observation visits")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "host"], name="obs_visit_host_once"),
            models.UniqueConstraint(fields=["cycle", "sequence"], name="obs_visit_sequence"),
        ]
        indexes = [models.Index(fields=["status", "scheduled_on"], name="obs_visit_status_day")]

    def __str__(self) -> str:
        return f"{self.host.name} {self.scheduled_on:%Y-%m-%d}"

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.host_path)

    @property
    def scoring_open(self) -> bool:
        """Sheets are taken from the visit's day until the organiser finishes the scoring."""
        return self.status in (self.Status.PLANNED, self.Status.HELD) and (
            self.scheduled_on <= timezone.localdate()
        )


VISIT_TRANSITIONS: dict[str, Move] = {
    # The organiser records that the visit took place and what was shown.
    "hold": Move(frozenset({ObservationVisit.Status.PLANNED}), ObservationVisit.Status.HELD),
    # The organiser ends the scoring: the average and the cycle's tiers are computed.
    "score": Move(
        frozenset({ObservationVisit.Status.PLANNED, ObservationVisit.Status.HELD}),
        ObservationVisit.Status.SCORED,
    ),
    # The organiser's feedback is written; the visit is done.
    "close": Move(frozenset({ObservationVisit.Status.SCORED}), ObservationVisit.Status.CLOSED),
}


class VisitVisitor(models.Model):
    """One visiting branch of a visit."""

    visit = models.ForeignKey(ObservationVisit, on_delete=models.CASCADE, related_name="guests")
    org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False, db_index=True)

    class Meta:
        ordering = ["visit_id", "org_path"]
        verbose_name = _("visiting branch")
        verbose_name_plural = _("visiting branches")
        constraints = [
            models.UniqueConstraint(fields=["visit", "org"], name="obs_visitor_once"),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id}:{self.org_id}"


class VisitEvent(AbstractEvent):
    visit = models.ForeignKey(ObservationVisit, on_delete=models.CASCADE, related_name="events")

    class Meta(AbstractEvent.Meta):
        verbose_name = _("observation visit event")
        verbose_name_plural = _("observation visit events")


def _aspect(label: Any) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, validators=[MinValueValidator(0), MaxValueValidator(ASPECT_MAX)]
    )


class ScoreSheet(models.Model):
    """A visiting branch officer's score of the host: five aspects, 0–20 each."""

    visit = models.ForeignKey(
        ObservationVisit, on_delete=models.CASCADE, related_name="score_sheets"
    )
    visitor_org = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("visiting branch")
    )
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    listen = _aspect(_("listen"))
    look = _aspect(_("look"))
    records = _aspect(_("check the records"))
    talk = _aspect(_("talk"))
    evaluate = _aspect(_("evaluate"))
    total = models.PositiveSmallIntegerField(_("total"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["visit_id", "submitted_at", "id"]
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [
            models.UniqueConstraint(fields=["visit", "scorer"], name="obs_sheet_once"),
            models.CheckConstraint(
                condition=Q(listen__lte=ASPECT_MAX)
                & Q(look__lte=ASPECT_MAX)
                & Q(records__lte=ASPECT_MAX)
                & Q(talk__lte=ASPECT_MAX)
                & Q(evaluate__lte=ASPECT_MAX)
                & Q(total__lte=5 * ASPECT_MAX),
                name="obs_sheet_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id}:{self.total}"

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.visit.host_path)


class Rectification(models.Model):
    """整改: an item the organiser gives the host after a visit, closed with evidence."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    visit = models.ForeignKey(
        ObservationVisit,
        on_delete=models.PROTECT,
        related_name="rectifications",
        verbose_name=_("visit"),
    )
    host = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="+")
    host_path = models.CharField(max_length=255, editable=False, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    detail = models.TextField(_("detail"), blank=True)
    owner = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    evidence_note = models.TextField(_("evidence"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        indexes = [
            models.Index(fields=["status", "deadline"], name="obs_rect_status_deadline"),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.host_path)

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.OPEN and self.deadline < today

    @property
    def closed_on_time(self) -> bool:
        return bool(self.closed_at) and timezone.localdate(self.closed_at) <= self.deadline


RECTIFICATION_TRANSITIONS: dict[str, Move] = {
    # The host closes the item with its evidence.
    "close": Move(frozenset({Rectification.Status.OPEN}), Rectification.Status.CLOSED),
    # The organiser finds the evidence short: open again, with a reason.
    "reopen": Move(frozenset({Rectification.Status.CLOSED}), Rectification.Status.OPEN),
}


def evidence_upload_to(instance: RectificationFile, filename: str) -> str:
    return f"observation/{instance.rectification_id}/{filename}"


class RectificationFile(models.Model):
    """A file of a rectification's evidence (photo, PDF, Office file)."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=200)
    name = models.CharField(_("name"), max_length=160)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rectification_id", "uploaded_at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.name


class RectificationEvent(AbstractEvent):
    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="events"
    )

    class Meta(AbstractEvent.Meta):
        verbose_name = _("rectification event")
        verbose_name_plural = _("rectification events")


def share_of(value: Decimal | None) -> Decimal | None:
    """A score out of 100 as a share in [0, 1]."""
    return None if value is None else (value / Decimal(100)).quantize(Decimal("0.0001"))
