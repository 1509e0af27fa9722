"""目标责任书: yearly responsibility letters between an upper and a lower party organisation.

A `LetterTemplate` (per issuing organisation, year and level) holds the standard items; issuing
copies them into one `Letter` per chosen lower organisation, which may get organisation-
specific items before issue. Both secretaries sign (`Signature`); the content is frozen by a
SHA-256 hash at the first signature, and any later change voids both signatures. All year,
`Evidence` (a file, a note or a linked record) is attached to the letter and serves one or
more items; at year end the receiver self-assesses, the issuer reviews and publishes.

The workflow is the `TRANSITIONS` table below; every move appends a `LetterEvent`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.signing import AbstractPrint, AbstractSignature
from juli.core.workflow import AbstractEvent, Move
from juli.orgs.models import PartyOrg, Post


class LetterTemplate(models.Model):
    """The standard letter of one issuing organisation for one year and one level."""

    org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="letter_templates",
        verbose_name=_("issuing organisation"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    level = models.CharField(
        _("level"),
        max_length=20,
        choices=PartyOrg.Kind.choices,
        help_text=_("The kind of organisation that receives this letter."),
    )
    title = models.CharField(_("title"), max_length=200)
    preamble = models.TextField(_("preamble"), blank=True)
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copied from"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        ordering = ["-year", "org_id", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "year", "level"], name="letter_template_once_per_year_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.org.path)

    @property
    def total_points(self) -> Decimal:
        return sum((i.points for i in self.items.all()), Decimal("0"))


class ItemFields(models.Model):
    """What an item says: shared by template items and letter items (copied, never linked)."""

    section = models.CharField(_("section"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    content = models.TextField(_("content"))
    indicator = models.TextField(_("indicator"), blank=True)
    points = models.DecimalField(
        _("point value"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    evidence_hint = models.CharField(_("how it is evidenced"), max_length=300, blank=True)

    class Meta:
        abstract = True

    CONTENT_FIELDS = ("section", "order", "content", "indicator", "points", "evidence_hint")


class TemplateItem(ItemFields):
    template = models.ForeignKey(
        LetterTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("template")
    )

    class Meta:
        verbose_name = _("template item")
        verbose_name_plural = _("template items")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.section} · {self.content[:40]}"

    def audit_scope(self) -> tuple[str, str]:
        return self.template.audit_scope()


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued, awaiting signatures")
    PARTLY_SIGNED = "partly_signed", _("Partly signed")
    SIGNED = "signed", _("Signed")
    SELF_ASSESSED = "self_assessed", _("Self-assessed")
    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published")


#: action → (from-states, to-state). `sign` and `countersign` are the first and the second
#: signature; `void` is made by the system when the content changes after a signature.
TRANSITIONS: dict[str, Move] = {
    "issue": Move(frozenset({Status.DRAFT}), Status.ISSUED),
    "sign": Move(frozenset({Status.ISSUED}), Status.PARTLY_SIGNED),
    "countersign": Move(frozenset({Status.PARTLY_SIGNED}), Status.SIGNED),
    "void": Move(frozenset({Status.PARTLY_SIGNED, Status.SIGNED}), Status.ISSUED),
    "self_assess": Move(frozenset({Status.SIGNED}), Status.SELF_ASSESSED),
    "return": Move(frozenset({Status.SELF_ASSESSED}), Status.SIGNED),
    "review": Move(frozenset({Status.SELF_ASSESSED}), Status.REVIEWED),
    "publish": Move(frozenset({Status.REVIEWED}), Status.PUBLISHED),
}

#: States in which the content may still be edited (a change after a signature voids it).
EDITABLE = frozenset({Status.DRAFT, Status.ISSUED, Status.PARTLY_SIGNED, Status.SIGNED})
#: States in which evidence is collected.
COLLECTING = frozenset({Status.ISSUED, Status.PARTLY_SIGNED, Status.SIGNED})


class Letter(models.Model):
    """One responsibility letter between an issuing organisation and a lower one."""

    Status = Status

    template = models.ForeignKey(
        LetterTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("template"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    preamble = models.TextField(_("preamble"), blank=True)
    issuer_org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="letters_issued",
        verbose_name=_("issuing organisation"),
    )
    receiver_org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="letters_received",
        verbose_name=_("receiving organisation"),
    )
    # Copies of the materialised paths: "letters I can see" is one indexed prefix scan.
    issuer_path = models.CharField(max_length=255, editable=False, db_index=True)
    receiver_path = models.CharField(max_length=255, editable=False, db_index=True)
    issuer_post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="+", verbose_name=_("issuing post")
    )
    receiver_post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="+", verbose_name=_("receiving post")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64, blank=True)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    self_total = models.DecimalField(
        _("self-assessed total"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    self_remark = models.TextField(_("self-assessment summary"), blank=True)
    self_assessed_at = models.DateTimeField(_("self-assessed at"), null=True, blank=True)
    final_total = models.DecimalField(
        _("final total"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    grade = models.CharField(_("grade"), max_length=16, blank=True)
    review_remark = models.TextField(_("review summary"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("responsibility letter")
        verbose_name_plural = _("responsibility letters")
        ordering = ["-year", "issuer_path", "receiver_path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "receiver_org"], name="letter_once_per_template_receiver"
            )
        ]
        indexes = [
            models.Index(fields=["receiver_path", "year"], name="letter_receiver_year_idx"),
            models.Index(fields=["issuer_org", "year"], name="letter_issuer_year_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.receiver_org.short_name or self.receiver_org.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.issuer_path = self.issuer_org.path
        self.receiver_path = self.receiver_org.path
        super().save(*args, **kwargs)

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.receiver_path)

    @property
    def total_points(self) -> Decimal:
        return sum((i.points for i in self.items.all()), Decimal("0"))


class LetterItem(ItemFields):
    letter = models.ForeignKey(
        Letter, on_delete=models.CASCADE, related_name="items", verbose_name=_("letter")
    )
    specific = models.BooleanField(
        _("organisation-specific"),
        default=False,
        help_text=_("Added for this organisation only, not from the template."),
    )
    self_score = models.DecimalField(
        _("self score"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    self_remark = models.TextField(_("self remark"), blank=True)
    review_score = models.DecimalField(
        _("reviewed score"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    review_reason = models.TextField(_("reason for the adjustment"), blank=True)

    class Meta:
        verbose_name = _("letter item")
        verbose_name_plural = _("letter items")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.section} · {self.content[:40]}"

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.letter.receiver_path)


class Signature(AbstractSignature):
    """One party's signature. A voided signature stays, with when and why it was voided."""

    class Side(models.TextChoices):
        ISSUER = "issuer", _("Issuing party")
        RECEIVER = "receiver", _("Receiving party")

    letter = models.ForeignKey(
        Letter, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("letter")
    )
    side = models.CharField(_("side"), max_length=8, choices=Side.choices)
    image = models.FileField(_("signature image"), upload_to="letters/signatures/%Y/", blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "side"],
                condition=models.Q(voided_at__isnull=True),
                name="letter_one_valid_signature_per_side",
            )
        ]

    def __str__(self) -> str:
        return f"{self.letter} · {self.get_side_display()} · {self.person}"

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.letter.receiver_path)


class LetterEvent(AbstractEvent):
    """The letter's history: every move of the workflow, every void, every content change."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    #: The content hash the step concerns (signed, or voided by a change).
    content_hash = models.CharField(max_length=64, blank=True)
    data = None  # type: ignore[assignment]

    class Meta(AbstractEvent.Meta):
        verbose_name = _("letter event")
        verbose_name_plural = _("letter events")

    def __str__(self) -> str:
        return f"{self.letter_id} {self.action}"


class Evidence(models.Model):
    """Something that shows an item was done: a file, a note, or a record Juli already has.

    A record entry holds its title, note and date here; the record itself is linked through
    `juli.core.records` (one `EvidenceLink` whose consumer is this entry). A record is attached
    to a letter once (checked under the letter's row lock) and may serve several items.
    """

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        NOTE = "note", _("Note")
        RECORD = "record", _("Linked record")

    letter = models.ForeignKey(
        Letter, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("letter")
    )
    items = models.ManyToManyField(
        LetterItem, related_name="evidence", blank=True, verbose_name=_("items")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    happened_on = models.DateField(_("date"), default=timezone.localdate)
    file = models.FileField(_("file"), upload_to="letters/evidence/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    #: The record of a "record" entry: its one `core.EvidenceLink` (this entry is the consumer).
    record_links = GenericRelation(
        "core.EvidenceLink", content_type_field="consumer_type", object_id_field="consumer_id"
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["happened_on", "id"]

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.letter.receiver_path)


class LetterPrint(AbstractPrint):
    """A PDF Juli issued: its SHA-256 lets the verification page recognise an unaltered copy."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="prints")

    class Meta:
        verbose_name = _("issued PDF")
        verbose_name_plural = _("issued PDFs")
        ordering = ["-printed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.letter_id} {self.sha256[:12]}"

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.letter.receiver_path)
