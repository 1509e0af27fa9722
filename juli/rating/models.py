"""Branch standardisation and star rating (星级评定).

A `RatingStandard` (one issuing organisation, one year, copied from last year and edited)
holds categories of criteria with points; a criterion is *computed* from records through a
metric of `core.metrics`, or *judged* by the reviewer from linked evidence; veto items
(一票否决) cap the stars; five thresholds give one to five stars.

A `RatingRound` of an upper organisation rates the branches of its subtree against one
standard: one `Assessment` per branch, opened pre-filled (a `CriterionScore` per criterion:
computed ones measured, judged ones with the evidence the registry offers), self-assessed
and submitted by the branch, reviewed by the round's organisation (adjusted score with a
reason per criterion, veto findings, proposed stars), shown for a notice period (公示) with
objections, then published and frozen. A published rating is lowered or withdrawn only by a
recorded decision (`StarChange`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.workflow import AbstractEvent, Move
from juli.orgs.models import PartyOrg

ZERO = Decimal("0")
HUNDRED = Decimal("100")


def _points(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(max_digits=6, decimal_places=2, **kwargs)  # type: ignore[arg-type]


# --- Standards ----------------------------------------------------------------------------------


class RatingStandard(models.Model):
    """The five-star standard of one issuing organisation for one year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_USE = "in_use", _("In use")  # a round uses it: frozen

    org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="rating_standards",
        verbose_name=_("issuing organisation"),
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    #: minimum normalised score (out of 100) for one … five stars, ascending.
    star1 = _points(verbose_name=_("1 star from"), default=Decimal("60"))
    star2 = _points(verbose_name=_("2 stars from"), default=Decimal("70"))
    star3 = _points(verbose_name=_("3 stars from"), default=Decimal("80"))
    star4 = _points(verbose_name=_("4 stars from"), default=Decimal("88"))
    star5 = _points(verbose_name=_("5 stars from"), default=Decimal("95"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("copied from"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "org_path", "id"]
        verbose_name = _("rating standard")
        verbose_name_plural = _("rating standards")
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "title"], name="rating_standard_uniq"),
            models.CheckConstraint(
                condition=Q(star1__lte=models.F("star2"))
                & Q(star2__lte=models.F("star3"))
                & Q(star3__lte=models.F("star4"))
                & Q(star4__lte=models.F("star5")),
                name="rating_standard_thresholds_ascend",
            ),
        ]

    def __str__(self) -> str:
        # "2026年五星级党支部标准" already says its year
        return self.title if str(self.year) in self.title else f"{self.year} {self.title}"

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.org_path)

    @property
    def thresholds(self) -> list[Decimal]:
        return [self.star1, self.star2, self.star3, self.star4, self.star5]

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.IN_USE


class StandardCategory(models.Model):
    """组织建设, 队伍建设, 组织生活, 制度落实, 作用发挥 …"""

    standard = models.ForeignKey(
        RatingStandard,
        on_delete=models.CASCADE,
        related_name="categories",
        verbose_name=_("standard"),
    )
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["standard_id", "order", "id"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["standard", "name"], name="rating_category_uniq")
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    """One criterion with its points, scored from records (`computed`) or by the reviewer."""

    class Method(models.TextChoices):
        COMPUTED = "computed", _("Computed from records")
        JUDGED = "judged", _("Judged from evidence")

    standard = models.ForeignKey(
        RatingStandard,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("standard"),
    )
    category = models.ForeignKey(
        StandardCategory,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("category"),
    )
    code = models.CharField(_("code"), max_length=20, blank=True)
    title = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("how it is scored"), blank=True)
    points = _points(
        verbose_name=_("points"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(HUNDRED)],
    )
    method = models.CharField(_("scoring"), max_length=10, choices=Method.choices)
    #: the `core.metrics` key of a computed criterion.
    metric = models.CharField(_("measured by"), max_length=40, blank=True)
    #: the share at which a computed criterion earns full points (0.9: 90 % is full marks);
    #: below it, points in proportion.
    full_share = models.DecimalField(
        _("full points at share"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1"))],
    )
    evidence_hint = models.CharField(_("evidence expected"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["standard_id", "category__order", "order", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.CheckConstraint(
                condition=Q(method="judged", metric="") | (Q(method="computed") & ~Q(metric="")),
                name="rating_criterion_metric_iff_computed",
            )
        ]

    def __str__(self) -> str:
        return self.title


class VetoItem(models.Model):
    """一票否决: a finding that caps the stars (0: no star at all)."""

    standard = models.ForeignKey(
        RatingStandard,
        on_delete=models.CASCADE,
        related_name="vetoes",
        verbose_name=_("standard"),
    )
    title = models.CharField(_("veto item"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    cap_stars = models.PositiveSmallIntegerField(
        _("stars at most"), default=0, validators=[MaxValueValidator(4)]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["standard_id", "order", "id"]
        verbose_name = _("veto item")
        verbose_name_plural = _("veto items")

    def __str__(self) -> str:
        return self.title


# --- Rounds -------------------------------------------------------------------------------------


class RatingRound(models.Model):
    """One year's rating of the branches under an organisation."""

    class Status(models.TextChoices):
        OPEN = "open", _("Self-assessment and review")
        PUBLICITY = "publicity", _("Public notice")
        PUBLISHED = "published", _("Published")

    org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="rating_rounds",
        verbose_name=_("organising organisation"),
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    standard = models.ForeignKey(
        RatingStandard,
        on_delete=models.PROTECT,
        related_name="rounds",
        verbose_name=_("standard"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    #: the period the computed criteria measure (defaults: the year).
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    self_due = models.DateField(_("self-assessment due"))
    publicity_days = models.PositiveSmallIntegerField(
        _("public notice (working days)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    publicity_starts = models.DateField(_("public notice from"), null=True, blank=True)
    publicity_ends = models.DateField(_("public notice until"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "org_path", "id"]
        verbose_name = _("rating round")
        verbose_name_plural = _("rating rounds")
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="rating_round_once_a_year"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="rating_round_period_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.org_path)

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.PUBLISHED


ROUND_TRANSITIONS: dict[str, Move] = {
    "start_publicity": Move(frozenset({RatingRound.Status.OPEN}), RatingRound.Status.PUBLICITY),
    "reopen": Move(frozenset({RatingRound.Status.PUBLICITY}), RatingRound.Status.OPEN),
    "publish": Move(frozenset({RatingRound.Status.PUBLICITY}), RatingRound.Status.PUBLISHED),
}


class RoundEvent(AbstractEvent):
    round = models.ForeignKey(RatingRound, on_delete=models.CASCADE, related_name="events")

    class Meta(AbstractEvent.Meta):
        verbose_name = _("rating round event")
        verbose_name_plural = _("rating round events")


class Assessment(models.Model):
    """One branch in one round: its self-assessment, the review, the stars."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Self-assessment open")
        SUBMITTED = "submitted", _("Submitted for review")
        RETURNED = "returned", _("Returned to the branch")
        REVIEWED = "reviewed", _("Reviewed")
        PUBLICITY = "publicity", _("On public notice")
        PUBLISHED = "published", _("Published")

    round = models.ForeignKey(
        RatingRound,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("round"),
    )
    org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="rating_assessments",
        verbose_name=_("branch"),
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    #: bumped by every write: a review sent against an older version is a conflict.
    version = models.PositiveIntegerField(default=1)
    self_summary = models.TextField(_("self-assessment summary"), blank=True)
    self_score = _points(verbose_name=_("self-assessed score"), null=True, blank=True)
    #: the normalised final score (out of 100) and the stars it gives, capped by vetoes.
    score = _points(verbose_name=_("score"), null=True, blank=True)
    stars = models.PositiveSmallIntegerField(
        _("stars"), null=True, blank=True, validators=[MaxValueValidator(5)]
    )
    #: the stars now in force (after any star change during the year).
    current_stars = models.PositiveSmallIntegerField(
        _("stars in force"), null=True, blank=True, validators=[MaxValueValidator(5)]
    )
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: set when the round is published: the computed figures no longer follow the records.
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["round_id", "org_path"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(fields=["round", "org"], name="rating_assessment_uniq")
        ]
        indexes = [models.Index(fields=["org_path", "round"], name="rating_assess_path_idx")]

    def __str__(self) -> str:
        return f"{self.round} · {self.org}"

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.org_path)

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


S = Assessment.Status
TRANSITIONS: dict[str, Move] = {
    "submit": Move(frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED),
    "return": Move(frozenset({S.SUBMITTED, S.REVIEWED}), S.RETURNED),
    "review": Move(frozenset({S.SUBMITTED, S.REVIEWED}), S.REVIEWED),
    "start_publicity": Move(frozenset({S.REVIEWED}), S.PUBLICITY),
    "reopen": Move(frozenset({S.PUBLICITY}), S.REVIEWED),
    "publish": Move(frozenset({S.PUBLICITY}), S.PUBLISHED),
}


class AssessmentEvent(AbstractEvent):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")

    class Meta(AbstractEvent.Meta):
        verbose_name = _("assessment event")
        verbose_name_plural = _("assessment events")


class CriterionScore(models.Model):
    """One criterion of one assessment: the measured figure (computed criteria), the
    branch's self score and note, the reviewer's adjusted score and reason."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="scores", verbose_name=_("assessment")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("criterion")
    )
    #: computed criteria: the figure's share (null: no data, the criterion does not apply),
    #: its text and the records behind it, as last measured (frozen at publication).
    share = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    figure_text = models.CharField(max_length=300, blank=True)
    sources = models.JSONField(default=list, blank=True)
    measured_at = models.DateTimeField(null=True, blank=True)
    #: computed: the points the figure gives; judged: the branch's own score.
    self_points = _points(verbose_name=_("self score"), null=True, blank=True)
    self_note = models.TextField(_("branch's note"), blank=True)
    #: the reviewer's adjustment (null: the self / computed points stand).
    review_points = _points(verbose_name=_("adjusted score"), null=True, blank=True)
    review_reason = models.CharField(_("reason for the adjustment"), max_length=500, blank=True)
    #: computed criteria with no data do not count, in the score or in its maximum.
    applicable = models.BooleanField(default=True)

    class Meta:
        ordering = ["assessment_id", "criterion__category__order", "criterion__order", "id"]
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="rating_score_once_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.criterion_id}"

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.assessment.org_path)

    @property
    def final_points(self) -> Decimal | None:
        if not self.applicable:
            return None
        return self.review_points if self.review_points is not None else self.self_points


class ScoreFile(models.Model):
    """A file the branch adds to a judged criterion (what the registry does not hold)."""

    score = models.ForeignKey(
        CriterionScore,
        on_delete=models.CASCADE,
        related_name="files",
        verbose_name=_("criterion score"),
    )
    file = models.FileField(_("file"), upload_to="rating/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["score_id", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.score.assessment.org_path)


class VetoFinding(models.Model):
    """A veto item found against one assessment (by the reviewer), with its reason."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="vetoes", verbose_name=_("assessment")
    )
    veto = models.ForeignKey(
        VetoItem, on_delete=models.PROTECT, related_name="findings", verbose_name=_("veto item")
    )
    reason = models.CharField(_("reason"), max_length=500)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assessment_id", "id"]
        verbose_name = _("veto finding")
        verbose_name_plural = _("veto findings")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "veto"], name="rating_veto_once")
        ]

    def __str__(self) -> str:
        return str(self.veto)

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.assessment.org_path)


class Objection(models.Model):
    """An objection raised during the public notice, and its answer."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="objections",
        verbose_name=_("assessment"),
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("raised by"),
    )
    text = models.TextField(_("objection"))
    raised_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessment_id", "id"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return self.text[:40]

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.assessment.org_path)


class StarChange(models.Model):
    """A published rating lowered or withdrawn during the year by a recorded decision."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="star_changes",
        verbose_name=_("assessment"),
    )
    from_stars = models.PositiveSmallIntegerField(_("stars before"))
    to_stars = models.PositiveSmallIntegerField(_("stars after"), validators=[MaxValueValidator(5)])
    veto = models.ForeignKey(
        VetoItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("veto item"),
    )
    reason = models.TextField(_("reason"))
    decision_ref = models.CharField(_("decision document"), max_length=100)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assessment_id", "decided_on", "id"]
        verbose_name = _("star change")
        verbose_name_plural = _("star changes")
        constraints = [
            models.CheckConstraint(
                condition=Q(to_stars__lt=models.F("from_stars")), name="rating_star_change_lowers"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_stars}→{self.to_stars}"

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.assessment.org_path)
