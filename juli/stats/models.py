"""Rollups of the case loop: what dashboards, the summary API and benchmarks read.

Two tables, both kept current by `juli.stats.rollups` from the case event log:

- `CaseDaily`: one row per (local day, area, responsible unit, category) with counters of
  what happened that day (reported, rectified on time …). Periods are sums over days.
- `CoarseDaily`: the same per (day, community, category): what a district's view reads.
- `CaseOpen`: one row per (area, category) with the number of cases open now. It is a
  stock, not a flow: each event adds +1/−1 as it moves a case into or out of the open
  statuses (`cases.models.OPEN_STATUSES`).

Both carry a copy of the area's materialised path, so that a subtree's figures are one
indexed prefix scan on a table whose size grows with areas × categories × days, never
with the number of cases.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from juli.cases.models import CaseCategory
from juli.orgs.models import Area, Unit

#: The counters of `CaseDaily`, in the order the summary reports them.
COUNTERS = (
    "reported",
    "rejected",
    "dispatched",
    "rectified",
    "rectified_on_time",
    "rectified_late",
    "verified",
    "sent_back",
    "closed",
    "reopened",
    "deferred",
    "escalated",
)


#: Levels of the territorial tree kept in `CoarseDaily` (district → street → community).
COARSE_DEPTH = 3


class Counters(models.Model):
    """The counters of a daily bucket (see `COUNTERS`) and the deduction points reported."""

    reported = models.PositiveIntegerField(_("reported"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    dispatched = models.PositiveIntegerField(_("dispatched"), default=0)
    rectified = models.PositiveIntegerField(_("rectified"), default=0)
    rectified_on_time = models.PositiveIntegerField(_("rectified on time"), default=0)
    rectified_late = models.PositiveIntegerField(_("rectified late"), default=0)
    verified = models.PositiveIntegerField(_("verified"), default=0)
    sent_back = models.PositiveIntegerField(_("sent back"), default=0)
    closed = models.PositiveIntegerField(_("closed"), default=0)
    reopened = models.PositiveIntegerField(_("reopened"), default=0)
    deferred = models.PositiveIntegerField(_("deferred"), default=0)
    escalated = models.PositiveIntegerField(_("escalated"), default=0)
    deduction_sum = models.DecimalField(
        _("deduction points"), max_digits=12, decimal_places=2, default=Decimal("0")
    )

    class Meta:
        abstract = True


class CaseDaily(Counters):
    """日汇总: what happened to the cases of one area, unit and category on one local day.

    `unit` is the responsible unit the case was dispatched to at the time of the event
    (empty before its first dispatch), so that a unit's figures count its own work.
    """

    day = models.DateField(_("day"))
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, editable=False)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible unit"),
    )
    category = models.ForeignKey(
        CaseCategory, on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )

    class Meta:
        verbose_name = _("daily case rollup")
        verbose_name_plural = _("daily case rollups")
        ordering = ["day", "area_path", "category", "unit"]
        constraints = [
            # Coalesce: NULLs are distinct in a unique index on both SQLite and PostgreSQL,
            # and "no unit yet" must still be one bucket.
            models.UniqueConstraint(
                "day",
                "area",
                Coalesce("unit", models.Value(0)),
                "category",
                name="casedaily_one_bucket",
            )
        ]
        indexes = [
            # The pattern opclass lets PostgreSQL answer `area_path LIKE 'prefix%'` from the
            # index under any collation (ignored on SQLite, which has case_sensitive_like).
            models.Index(
                fields=["area_path", "day"],
                name="casedaily_path_day_idx",
                opclasses=["varchar_pattern_ops", "date_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_path} {self.category_id}/{self.unit_id}"


class CoarseDaily(Counters):
    """The same counters summed per community (the first `COARSE_DEPTH` levels of the case's
    area path) and category, without the unit: a district's dashboard reads its streets and
    communities here, from rows some 30 times fewer than the micro-grid buckets."""

    day = models.DateField(_("day"))
    area_path = models.CharField(max_length=255, editable=False)
    category = models.ForeignKey(
        CaseCategory, on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )

    class Meta:
        verbose_name = _("daily community rollup")
        verbose_name_plural = _("daily community rollups")
        ordering = ["day", "area_path", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "area_path", "category"], name="coarsedaily_one_bucket"
            )
        ]
        indexes = [
            models.Index(
                fields=["area_path", "day"],
                name="coarsedaily_path_day_idx",
                opclasses=["varchar_pattern_ops", "date_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_path} {self.category_id}"


class CaseOpen(models.Model):
    """在办存量: how many cases of one area and category are open now."""

    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="+", verbose_name=_("area")
    )
    area_path = models.CharField(max_length=255, editable=False, db_index=True)
    category = models.ForeignKey(
        CaseCategory, on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )
    open = models.IntegerField(_("open cases"), default=0)

    class Meta:
        verbose_name = _("open case count")
        verbose_name_plural = _("open case counts")
        ordering = ["area_path", "category"]
        constraints = [
            models.UniqueConstraint(fields=["area", "category"], name="caseopen_one_bucket")
        ]

    def __str__(self) -> str:
        return f"{self.area_path} {self.category_id}: {self.open}"
