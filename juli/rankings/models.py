"""Weekly rankings (周排名): settings per district, published rankings and their rows.

How the figures are defined and scored is written in `scoring.py`; every write is in
`actions.py`. A ranking moves only computed → published (`TRANSITIONS`), with an event row
for each step; a published ranking and its rows are never changed again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from juli.core.workflow import AbstractEvent, Move
from juli.orgs.models import Area

WEIGHT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]

#: The five components, in the order they are shown: (key, label).
COMPONENTS: tuple[tuple[str, Any], ...] = (
    ("deductions", _("Deductions")),
    ("on_time", _("On-time rectification")),
    ("verification", _("Verification pass rate")),
    ("repeats", _("Repeat problems")),
    ("zero", _("Zero-deduction compliance")),
)
COMPONENT_KEYS = tuple(key for key, _label in COMPONENTS)

#: What an unranked subject (nothing to measure in the week) shows instead of a rank.
NOT_RANKED = _("Not ranked: no data this week")

DEFAULT_WEIGHTS = {
    "deductions": Decimal("30"),
    "on_time": Decimal("25"),
    "verification": Decimal("20"),
    "repeats": Decimal("15"),
    "zero": Decimal("10"),
}


def _weight(label: Any, key: str) -> Any:
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_WEIGHTS[key],
        validators=WEIGHT_VALIDATORS,
    )


class RankingSettings(models.Model):
    """A district's ranking switch and weights. Changed only by `actions.update_settings`."""

    district = models.OneToOneField(
        Area,
        on_delete=models.PROTECT,
        related_name="ranking_settings",
        verbose_name=_("district"),
        limit_choices_to={"kind": Area.Kind.DISTRICT},
    )
    enabled = models.BooleanField(_("weekly ranking on"), default=True)
    auto_publish = models.BooleanField(
        _("publish automatically"),
        default=True,
        help_text=_("Off: a computed ranking waits for a district administrator to publish it."),
    )
    weight_deductions = _weight(_("weight of deductions"), "deductions")
    weight_on_time = _weight(_("weight of on-time rectification"), "on_time")
    weight_verification = _weight(_("weight of the verification pass rate"), "verification")
    weight_repeats = _weight(_("weight of repeat problems"), "repeats")
    weight_zero = _weight(_("weight of zero-deduction compliance"), "zero")
    version = models.PositiveIntegerField(_("version"), default=1)
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
        verbose_name = _("ranking settings")
        verbose_name_plural = _("ranking settings")

    def __str__(self) -> str:
        return str(self.district)

    def audit_scope(self) -> tuple[str, str]:
        return ("area", self.district.path)

    def weights(self) -> dict[str, Decimal]:
        return {key: getattr(self, f"weight_{key}") for key in COMPONENT_KEYS}


class Ranking(models.Model):
    """One district's ranking of one ISO week ("2026-W47", Monday to Sunday local time)."""

    class Status(models.TextChoices):
        COMPUTED = "computed", _("Computed, not published")
        PUBLISHED = "published", _("Published")

    district = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="rankings", verbose_name=_("district")
    )
    week = models.CharField(_("week"), max_length=8)
    week_start = models.DateField(_("week starts"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.COMPUTED
    )
    #: The weights the rows were scored with, as strings ({"deductions": "30.00", …}) plus
    #: the settings version: a later change of the settings never alters this ranking.
    weights = models.JSONField(_("weights used"), default=dict, encoder=DjangoJSONEncoder)
    settings_version = models.PositiveIntegerField(_("settings version"), default=1)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("weekly ranking")
        verbose_name_plural = _("weekly rankings")
        ordering = ["-week_start", "district_id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "week"], name="ranking_once_per_week")
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.week}"

    def audit_scope(self) -> tuple[str, str]:
        return ("area", self.district.path)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


#: The ranking's state machine: computing creates it "computed"; publishing is final.
TRANSITIONS: dict[str, Move] = {
    "publish": Move(frozenset({Ranking.Status.COMPUTED}), Ranking.Status.PUBLISHED),
}


class RankingEvent(AbstractEvent):
    """One step of a ranking (computed, recomputed, published): who, when, from, to."""

    ranking = models.ForeignKey(
        Ranking, on_delete=models.CASCADE, related_name="events", verbose_name=_("ranking")
    )
    data = None  # type: ignore[assignment]

    class Meta(AbstractEvent.Meta):
        verbose_name = _("ranking event")
        verbose_name_plural = _("ranking events")

    def __str__(self) -> str:
        return f"{self.ranking_id} {self.action}"


class RankingRow(models.Model):
    """One subject (a street, a community or a unit) of one ranking, ranked or not.

    Metric values, component scores and the rank are stored as computed, with the subject's
    name as it was: the row reads the same after a rename. A subject with nothing to measure
    in the week (see `scoring.py`) is stored `ranked=False` with no rank, no total, no band
    and no component score; `tied` marks a rank shared with another subject of the level.
    Rows stored before the fairness rule (issue 14) are all `ranked=True, tied=False` and
    have `inspections` None (not recorded then).
    """

    class Level(models.TextChoices):
        STREET = "street", _("Streets")
        COMMUNITY = "community", _("Communities")
        UNIT = "unit", _("Responsible units")

    class Band(models.TextChoices):
        TOP = "top", _("Top")
        MIDDLE = "middle", _("Middle")
        BOTTOM = "bottom", _("Bottom")

    ranking = models.ForeignKey(
        Ranking, on_delete=models.CASCADE, related_name="rows", verbose_name=_("ranking")
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    subject_id = models.BigIntegerField(_("subject id"))
    #: The area's path for streets and communities ("" for units): links and scope use it.
    subject_path = models.CharField(max_length=255, blank=True)
    name = models.CharField(_("name"), max_length=120)
    cases = models.PositiveIntegerField(_("cases reported"), default=0)
    #: Inspections started at the subject's points in the week; None on rows stored before
    #: this figure was kept.
    inspections = models.PositiveIntegerField(
        _("inspections in the week"), null=True, blank=True, default=None
    )
    deduction_total = models.DecimalField(
        _("deduction points"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    due_count = models.PositiveIntegerField(_("cases due"), default=0)
    on_time_count = models.PositiveIntegerField(_("rectified on time"), default=0)
    verify_total = models.PositiveIntegerField(_("verifications"), default=0)
    verify_passed = models.PositiveIntegerField(_("verifications passed"), default=0)
    repeat_count = models.PositiveIntegerField(_("repeat problems"), default=0)
    #: [{"point": id, "name": …, "category": …, "cases": n}, …]: where the repeats were.
    repeat_points = models.JSONField(_("repeat points"), default=list, blank=True)
    zero_points = models.PositiveIntegerField(_("zero-deduction points"), default=0)
    zero_clean = models.PositiveIntegerField(_("zero-deduction points kept clean"), default=0)
    score_deductions = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    score_on_time = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    score_verification = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    score_repeats = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    score_zero = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    #: False: nothing to measure this week; listed below the ranked rows without a score.
    ranked = models.BooleanField(_("ranked"), default=True)
    total = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    #: Standard competition ranking (1, 2, 2, 4); None when not ranked.
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    #: The rank is shared with another subject of the level (并列).
    tied = models.BooleanField(_("tied"), default=False)
    previous_rank = models.PositiveIntegerField(_("last week's rank"), null=True, blank=True)
    change = models.IntegerField(_("change"), null=True, blank=True)
    #: "" when not ranked.
    band = models.CharField(_("band"), max_length=6, choices=Band.choices, blank=True)

    class Meta:
        verbose_name = _("ranking row")
        verbose_name_plural = _("ranking rows")
        # Unranked rows (rank NULL) last on every database; tied rows in the order they
        # were written (by name), which is their id order.
        ordering = ["ranking", "level", models.F("rank").asc(nulls_last=True), "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ranking", "level", "subject_id"], name="rankingrow_once_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ranking_id} {self.level} {self.rank or '-'}. {self.name}"

    @property
    def looked_at(self) -> bool:
        """Inspected or had a case reported in the week: deductions and repeats have data.
        Rows stored before inspections were kept (None) count as looked at, as then."""
        return self.inspections is None or self.inspections + self.cases > 0

    @property
    def rank_label(self) -> str:
        """The rank as the page, the PDF and the workbook say it: "3", "并列第 3" or
        "不参与排名：本周无数据"."""
        if not self.ranked or self.rank is None:
            return str(NOT_RANKED)
        if self.tied:
            return gettext("Tied at %(rank)s") % {"rank": self.rank}
        return str(self.rank)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.on_time_count, self.due_count)

    @property
    def verify_rate(self) -> Decimal | None:
        return _rate(self.verify_passed, self.verify_total)

    @property
    def zero_rate(self) -> Decimal | None:
        return _rate(self.zero_clean, self.zero_points)


def _rate(numerator: int, denominator: int) -> Decimal | None:
    from .scoring import percent

    return percent(numerator, denominator)
