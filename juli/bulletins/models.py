"""Daily bulletins (日通报): one per street or district and local day, generated from the case
records (`juli.bulletins.figures`), edited (notes) while a draft, then published and frozen.

The bulletin workflow is data, as for cases: `Bulletin.Status` and `TRANSITIONS` below;
`actions.py` is the only code that moves a bulletin and appends a `BulletinEvent`.
`BulletinSettings` holds each district's generation hour, auto-publish switch and the
number of worst points a bulletin lists; a district without a row uses the defaults
from settings (JULI_BULLETIN_HOUR, JULI_BULLETIN_AUTO_PUBLISH).
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.workflow import AbstractEvent, Move
from juli.orgs.models import Area

#: Area kinds that get a daily bulletin.
BULLETIN_AREA_KINDS = (Area.Kind.STREET, Area.Kind.DISTRICT)
DEFAULT_WORST_POINTS = 5
MAX_WORST_POINTS = 20
NOTES_MAX = 4000


class Bulletin(models.Model):
    """日通报 of one street or district for one local day."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="bulletins", verbose_name=_("area")
    )
    # Copy of area.path: "the bulletins I can see" is one prefix scan on this table.
    area_path = models.CharField(max_length=255, editable=False, db_index=True)
    date = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    #: The figures as computed by `figures.compute` (frozen once published).
    figures = models.JSONField(_("figures"), default=dict, encoder=DjangoJSONEncoder)
    notes = models.TextField(_("notes"), blank=True, max_length=NOTES_MAX)
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)
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
        verbose_name = _("daily bulletin")
        verbose_name_plural = _("daily bulletins")
        ordering = ["-date", "area_path"]
        constraints = [
            models.UniqueConstraint(fields=["area", "date"], name="bulletin_one_per_area_day")
        ]
        indexes = [models.Index(fields=["area", "-date"], name="bulletin_area_date_idx")]

    def __str__(self) -> str:
        return f"{self.area.name} {self.date:%Y-%m-%d}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.area_path:
            self.area_path = self.area.path
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def audit_scope(self) -> tuple[str, str]:
        return ("area", self.area_path)

    @property
    def title(self) -> str:
        """打浦桥街道 日通报 2026年11月21日 (the same in every language: it is the document)."""
        return f"{self.area.name} 日通报 {self.date.year}年{self.date.month}月{self.date.day}日"


B = Bulletin.Status
#: The bulletin state machine: action → (from-states, to-state). "regenerate" recomputes a
#: draft's figures; a published bulletin is frozen and takes no move at all.
TRANSITIONS: dict[str, Move] = {
    "generate": Move(frozenset({""}), B.DRAFT),
    "regenerate": Move(frozenset({B.DRAFT}), B.DRAFT),
    "notes": Move(frozenset({B.DRAFT}), B.DRAFT),
    "publish": Move(frozenset({B.DRAFT}), B.PUBLISHED),
}


class BulletinEvent(AbstractEvent):
    """One step in a bulletin's life (generated, regenerated, notes edited, published)."""

    bulletin = models.ForeignKey(
        Bulletin, on_delete=models.CASCADE, related_name="events", verbose_name=_("bulletin")
    )
    # A bulletin's steps carry no note and no data: the audit row keeps what changed.
    note = None  # type: ignore[assignment]
    data = None  # type: ignore[assignment]

    class Meta(AbstractEvent.Meta):
        verbose_name = _("bulletin event")
        verbose_name_plural = _("bulletin events")

    def __str__(self) -> str:
        return f"{self.bulletin_id} {self.action} {self.from_status}→{self.to_status}"


class BulletinSettings(models.Model):
    """Per-district settings of the daily bulletins (its streets follow them too)."""

    district = models.OneToOneField(
        Area,
        on_delete=models.CASCADE,
        related_name="bulletin_settings",
        verbose_name=_("district"),
    )
    generation_hour = models.PositiveSmallIntegerField(
        _("generation hour"),
        validators=[MaxValueValidator(23)],
        help_text=_("Local hour (0–23) after which the previous day's bulletins are generated."),
    )
    auto_publish = models.BooleanField(
        _("publish automatically"),
        default=False,
        help_text=_("Publish generated bulletins at once, without an officer's review."),
    )
    worst_points = models.PositiveSmallIntegerField(
        _("worst points listed"),
        default=DEFAULT_WORST_POINTS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WORST_POINTS)],
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("bulletin settings")
        verbose_name_plural = _("bulletin settings")

    def __str__(self) -> str:
        return f"{self.district.name}: {self.generation_hour}:00"

    def audit_scope(self) -> tuple[str, str]:
        return ("area", self.district.path)
