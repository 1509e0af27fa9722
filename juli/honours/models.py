"""Honours (表彰): 百优支部, 先锋党员 … conferred by an organisation on branches or people.

- A `HonourKind` belongs to its conferring organisation: what it is called, whom it honours
  (organisations or people), its criteria, its default quota, and who may nominate (the
  organisations listed in `nominators`, or, when none are listed, any organisation in the
  conferring organisation's subtree). `code` (ASCII, e.g. "BYZB") goes into the numbers.
- A `HonourCall` is one year's conferral of a kind: quota (and optionally a quota per
  nominating organisation), the deadline for nominations, and its workflow
  nominating → reviewing → conferred → published (`CALL_TRANSITIONS`, `CallEvent`).
- A `Nomination` names one organisation or person, by one nominating organisation whose
  subtree holds the nominee, with a reason and, when it came from a rating round, the
  `rating.Assessment` behind it. nominated → accepted / rejected (review, with a reason) →
  conferred; a nominator may withdraw it before the review. Active nominations (all but
  withdrawn and rejected ones) count against the quotas; one nominee at most once per call.
- An `Honour` is what conferral makes of an accepted nomination: a number unique across
  Juli ("2025-BYZB-001"), the day it was conferred, when it was published, and the content
  hash frozen at conferral (`signables.py`: the certificate's verification code). It is
  revoked only by a recorded decision (reason and decision document), never deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.workflow import AbstractEvent, Move
from juli.orgs.models import PartyOrg, Person


class Target(models.TextChoices):
    ORG = "org", _("Organisations")
    PERSON = "person", _("People")


class HonourKind(models.Model):
    """One kind of honour an organisation confers (百优支部, 先锋党员)."""

    Target = Target

    org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="honour_kinds",
        verbose_name=_("conferring organisation"),
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    name = models.CharField(_("honour"), max_length=100)
    code = models.CharField(
        _("code in numbers"),
        max_length=8,
        validators=[RegexValidator(r"^[A-Z]{2,8}$", _("Two to eight capital letters A-Z."))],
        help_text=_("Capital letters used in the honours' numbers, e.g. BYZB."),
    )
    target = models.CharField(_("honours"), max_length=6, choices=Target.choices)
    description = models.TextField(_("description"), blank=True)
    criteria = models.TextField(_("criteria"), blank=True)
    default_quota = models.PositiveIntegerField(
        _("default quota"), default=10, validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    #: the organisations that may nominate; none listed = any in the conferring subtree.
    nominators = models.ManyToManyField(
        PartyOrg, blank=True, related_name="+", verbose_name=_("nominating organisations")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["org_path", "name", "id"]
        verbose_name = _("honour kind")
        verbose_name_plural = _("honour kinds")
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="honour_kind_name_uniq"),
            models.UniqueConstraint(fields=["code"], name="honour_kind_code_uniq"),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.org_path)


class HonourCall(models.Model):
    """One year's conferral of a kind."""

    class Status(models.TextChoices):
        NOMINATING = "nominating", _("Taking nominations")
        REVIEWING = "reviewing", _("Under review")
        CONFERRED = "conferred", _("Conferred")
        PUBLISHED = "published", _("Published")

    kind = models.ForeignKey(
        HonourKind, on_delete=models.PROTECT, related_name="calls", verbose_name=_("honour")
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quota = models.PositiveIntegerField(
        _("quota"), validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    per_nominator_quota = models.PositiveIntegerField(
        _("quota per nominating organisation"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10000)],
    )
    nominate_until = models.DateField(_("nominations until"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NOMINATING
    )
    conferred_on = models.DateField(_("conferred on"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "org_path", "id"]
        verbose_name = _("honour call")
        verbose_name_plural = _("honour calls")
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="honour_call_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.kind.name}"

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.org_path)


C = HonourCall.Status
CALL_TRANSITIONS: dict[str, Move] = {
    "close": Move(frozenset({C.NOMINATING}), C.REVIEWING),
    "confer": Move(frozenset({C.REVIEWING}), C.CONFERRED),
    "publish": Move(frozenset({C.CONFERRED}), C.PUBLISHED),
}


class CallEvent(AbstractEvent):
    call = models.ForeignKey(HonourCall, on_delete=models.CASCADE, related_name="events")

    class Meta(AbstractEvent.Meta):
        verbose_name = _("honour call event")
        verbose_name_plural = _("honour call events")


class Nomination(models.Model):
    """One nominee put forward in a call by one nominating organisation."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        CONFERRED = "conferred", _("Conferred")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    call = models.ForeignKey(
        HonourCall, on_delete=models.CASCADE, related_name="nominations", verbose_name=_("call")
    )
    nominator = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("nominating organisation"),
    )
    nominator_path = models.CharField(max_length=255, editable=False, db_index=True)
    nominee_org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nominated organisation"),
    )
    nominee_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nominated person"),
    )
    #: the nominee's organisation path (a person's: their party organisation's).
    nominee_path = models.CharField(max_length=255, editable=False, db_index=True)
    nominee_name = models.CharField(_("nominee"), max_length=200)
    reason = models.TextField(_("reason"))
    assessment = models.ForeignKey(
        "rating.Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rating behind it"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NOMINATED
    )
    review_reason = models.CharField(_("review reason"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    ACTIVE = ("nominated", "accepted", "conferred")

    class Meta:
        ordering = ["call_id", "nominee_path", "id"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.CheckConstraint(
                condition=Q(nominee_org__isnull=True) ^ Q(nominee_person__isnull=True),
                name="honour_nomination_one_nominee",
            ),
            # One nominee at most once per call, whatever became of a rejected one; the
            # action says so first (this is the safety net under two racing requests).
            models.UniqueConstraint(
                fields=["call", "nominee_org"],
                condition=Q(nominee_org__isnull=False) & ~Q(status="withdrawn"),
                name="honour_nomination_org_once",
            ),
            models.UniqueConstraint(
                fields=["call", "nominee_person"],
                condition=Q(nominee_person__isnull=False) & ~Q(status="withdrawn"),
                name="honour_nomination_person_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call} · {self.nominee_name}"

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.nominator_path)


N = Nomination.Status
NOMINATION_TRANSITIONS: dict[str, Move] = {
    "accept": Move(frozenset({N.NOMINATED, N.REJECTED}), N.ACCEPTED),
    "reject": Move(frozenset({N.NOMINATED, N.ACCEPTED}), N.REJECTED),
    "withdraw": Move(frozenset({N.NOMINATED}), N.WITHDRAWN),
    "confer": Move(frozenset({N.ACCEPTED}), N.CONFERRED),
}


class NominationEvent(AbstractEvent):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="events")

    class Meta(AbstractEvent.Meta):
        verbose_name = _("nomination event")
        verbose_name_plural = _("nomination events")


class Honour(models.Model):
    """A conferred honour: the certificate's number and verification code are its own."""

    class Status(models.TextChoices):
        CONFERRED = "conferred", _("Conferred")
        PUBLISHED = "published", _("Published")
        REVOKED = "revoked", _("Revoked")

    call = models.ForeignKey(
        HonourCall, on_delete=models.PROTECT, related_name="honours", verbose_name=_("call")
    )
    nomination = models.OneToOneField(
        Nomination, on_delete=models.PROTECT, related_name="honour", verbose_name=_("nomination")
    )
    org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="honours",
        verbose_name=_("organisation honoured"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="honours",
        verbose_name=_("person honoured"),
    )
    #: the holder's organisation path (a person's: their party organisation's at conferral).
    holder_path = models.CharField(max_length=255, editable=False, db_index=True)
    holder_name = models.CharField(_("recipient"), max_length=200)
    number = models.CharField(_("number"), max_length=30, unique=True)
    conferred_on = models.DateField(_("conferred on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CONFERRED
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    #: SHA-256 of `signables.content_of(honour)`, frozen at conferral.
    content_hash = models.CharField(max_length=64, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)
    decision_ref = models.CharField(_("decision document"), max_length=100, blank=True)

    class Meta:
        ordering = ["-conferred_on", "number"]
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        indexes = [models.Index(fields=["holder_path", "status"], name="honour_holder_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.holder_name}"

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.holder_path)


H = Honour.Status
HONOUR_TRANSITIONS: dict[str, Move] = {
    "publish": Move(frozenset({H.CONFERRED}), H.PUBLISHED),
    "revoke": Move(frozenset({H.CONFERRED, H.PUBLISHED}), H.REVOKED),
}


class HonourEvent(AbstractEvent):
    honour = models.ForeignKey(Honour, on_delete=models.CASCADE, related_name="events")

    class Meta(AbstractEvent.Meta):
        verbose_name = _("honour event")
        verbose_name_plural = _("honour events")
