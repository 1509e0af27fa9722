"""News of a party organisation (宣传): items written by hand or drafted from a record (a
meeting with confirmed minutes), reviewed by the organisation's publicity officer (or, where
it has none, its secretary), published on the organisation's news page and Atom feed.

The app is generic: a news item may name the record it was made from by content type and id
(`source_type`, `source_id`) with a label and a link; it never imports the app that holds it.

The workflow is data: `NewsItem.Status` and `TRANSITIONS` below; `actions.py` is the only code
that moves an item and appends a `NewsEvent`. `NewsSettings` holds each organisation's
choice to make its news page readable without signing in (default: not public).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.workflow import AbstractEvent, Move
from juli.orgs.models import PartyOrg

TITLE_MAX = 200
SUMMARY_MAX = 500
BODY_MAX = 20000
REASON_MAX = 500


class NewsItem(models.Model):
    """One news item of an organisation. The body is plain text: paragraphs separated by
    blank lines, shown escaped (no markup from users reaches a page)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    org = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="news", verbose_name=_("organisation")
    )
    #: a copy of the organisation's path: "the news I may see" is one prefix scan.
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    summary = models.CharField(_("summary"), max_length=SUMMARY_MAX, blank=True)
    body = models.TextField(_("text"), max_length=BODY_MAX, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    #: the reason of the last return to the author, or of the withdrawal.
    reason = models.CharField(_("reason"), max_length=REASON_MAX, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    #: the record the item was made from (a meeting), by content type and id.
    source_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_label = models.CharField(_("source"), max_length=200, blank=True)
    source_url = models.CharField(max_length=300, blank=True)
    #: title, summary and text folded to simplified script, lower case (`orgs.search`), so
    #: that a query in either script matches with one LIKE.
    search_key = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_at", "-created_at", "-id"]
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        indexes = [
            models.Index(fields=["org", "status", "-published_at"], name="news_org_status_idx"),
            models.Index(fields=["source_type", "source_id"], name="news_source_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.org_path:
            self.org_path = self.org.path
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.org_path)

    @property
    def paragraphs(self) -> list[str]:
        """The text's paragraphs (split on blank lines), for the page and the feed."""
        blocks = [b.strip() for b in self.body.replace("\r\n", "\n").split("\n\n")]
        return [b for b in blocks if b]


S = NewsItem.Status
#: The news workflow: action → (from-states, to-state). "edit" changes a draft's text;
#: "return" sends an item in review back to its author with a reason.
TRANSITIONS: dict[str, Move] = {
    "create": Move(frozenset({""}), S.DRAFT),
    "edit": Move(frozenset({S.DRAFT}), S.DRAFT),
    "submit": Move(frozenset({S.DRAFT}), S.IN_REVIEW),
    "approve": Move(frozenset({S.IN_REVIEW}), S.PUBLISHED),
    "return": Move(frozenset({S.IN_REVIEW}), S.DRAFT),
    "withdraw": Move(frozenset({S.PUBLISHED}), S.WITHDRAWN),
}


class NewsEvent(AbstractEvent):
    """One step in a news item's life (created, edited, submitted, approved, returned,
    withdrawn), with the reason where the step takes one."""

    item = models.ForeignKey(
        NewsItem, on_delete=models.CASCADE, related_name="events", verbose_name=_("news item")
    )

    class Meta(AbstractEvent.Meta):
        verbose_name = _("news event")
        verbose_name_plural = _("news events")

    def __str__(self) -> str:
        return f"{self.item_id} {self.action} {self.from_status}→{self.to_status}"


class NewsSettings(models.Model):
    """An organisation's news settings: whether its news page and feed are public."""

    org = models.OneToOneField(
        PartyOrg,
        on_delete=models.CASCADE,
        related_name="news_settings",
        verbose_name=_("organisation"),
    )
    public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Anyone may read the published news and the feed without signing in."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("news settings")
        verbose_name_plural = _("news settings")

    def __str__(self) -> str:
        return f"{self.org}: {'public' if self.public else 'internal'}"

    def audit_scope(self) -> tuple[str, str]:
        return ("org", self.org.path)
