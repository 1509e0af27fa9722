"""In-app notifications (the bell), notification channels (e-mail, WeCom and DingTalk group
robots) and their deliveries.

A `Notification` is one message to one user in Juli. The kinds an event may be are not listed
here: apps register them in `juli.core.notices` (see each app's `notices.py`), and every
`kind` field reads its choices from that registry.

A `Channel` belongs to exactly one party organisation, area or unit (like `orgs.Post`) and
receives the events of the kinds it subscribes to, there and — with `covers_subtree` — below.
A `Delivery` is one event sent (or being sent) to one channel: `(event_key, channel)` is
unique, so however often an event is announced, a channel gets it once.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core import notices
from juli.orgs.models import Area, PartyOrg, Unit

#: The kind of a channel's test message (registered in `juli/notify/notices.py`); a channel
#: never subscribes to it.
TEST_KIND = "test"


class Notification(models.Model):
    """An in-app message to one user about one event: a case step (dispatch, send-back,
    escalation), a published bulletin or ranking, or whatever kind an app registers.

    `event_key` names the event ("bulletin:123:published", "case:7:dispatched:<time>"); one
    user gets at most one row per event (the partial unique constraint), so that a replayed
    notification is a no-op. `url` is where the bell entry links; "" lets the kind's `link`
    pick it for the reader (case rows: the case page of the reader's role).

    The table was `cases_notification` until the model moved here (the rows moved with it:
    migrations `cases.0008` and `notify.0002`/`0003`). `case` stays: the rows of the case loop
    point at their case (named by label: this app imports no domain app).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("case"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=notices.choices)
    text = models.CharField(_("text"), max_length=300)
    event_key = models.CharField(_("event"), max_length=120, blank=True, default="")
    url = models.CharField(_("link"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"],
                condition=~models.Q(event_key=""),
                name="notification_once_per_event",
            )
        ]

    def __str__(self) -> str:
        return self.text

    def audit_scope(self) -> tuple[str, str]:
        """A case's area; otherwise where the recipient belongs."""
        if self.case_id:
            path = (
                Notification.objects.filter(pk=self.pk)
                .values_list("case__area_path", flat=True)
                .first()
            )
            return ("area", path or "")
        return self.recipient.audit_scope()  # type: ignore[no-any-return, union-attr]

    def link_for(self, user: Any) -> str:
        """Where the bell links this row for `user`: its own `url`, else its kind's `link`."""
        if self.url:
            return self.url
        kind = notices.get(self.kind)
        return kind.link(self, user) if kind is not None and kind.link is not None else ""


class Channel(models.Model):
    """通知渠道: an e-mail list or a group robot's webhook of one organisation, area or unit."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk group robot")

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    target = models.TextField(
        _("target"),
        help_text=_("E-mail addresses (one per line or comma-separated), or the robot's URL."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk 加签 secret (SEC…); leave empty if the robot does not sign."),
    )
    kinds = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    covers_subtree = models.BooleanField(
        _("covers the subtree"),
        default=True,
        help_text=_("Also receive the events of everything below (a street's communities)."),
    )
    org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="channels",
        verbose_name=_("party organisation"),
    )
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="channels",
        verbose_name=_("area"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="channels",
        verbose_name=_("unit"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        ordering = ["-is_active", "name", "id"]
        constraints = [
            models.CheckConstraint(
                name="channel_has_exactly_one_scope",
                condition=(
                    models.Q(org__isnull=False, area__isnull=True, unit__isnull=True)
                    | models.Q(org__isnull=True, area__isnull=False, unit__isnull=True)
                    | models.Q(org__isnull=True, area__isnull=True, unit__isnull=False)
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope(self) -> PartyOrg | Area | Unit:
        scope = self.org or self.area or self.unit
        assert scope is not None
        return scope

    @property
    def is_webhook(self) -> bool:
        return self.kind in {self.Kind.WECOM, self.Kind.DINGTALK}

    @property
    def masked_secret(self) -> str:
        return mask_secret(self.secret)

    @property
    def masked_target(self) -> str:
        """Webhook URLs carry their access token: show its ends only."""
        return mask_url(self.target) if self.is_webhook else self.target

    @property
    def addresses(self) -> list[str]:
        return split_addresses(self.target) if self.kind == self.Kind.EMAIL else []

    def kind_labels(self) -> list[str]:
        return [notices.label_of(k) for k in self.kinds]

    def audit_scope(self) -> tuple[str, str]:
        if self.org_id and self.org:
            return ("org", self.org.path)
        if self.area_id and self.area:
            return ("area", self.area.path)
        return ("unit", str(self.unit_id))


def mask_secret(secret: str) -> str:
    if not secret:
        return ""
    return f"{secret[:3]}…{secret[-2:]}" if len(secret) > 8 else "…"


def mask_url(url: str) -> str:
    """https://host/path?access_token=abcdef…wxyz → the token shown by its first and last 4."""
    head, sep, query = url.partition("?")
    if not sep:
        return url
    parts = []
    for pair in query.split("&"):
        key, eq, value = pair.partition("=")
        if eq and len(value) > 8:
            value = f"{value[:4]}…{value[-4:]}"
        parts.append(f"{key}{eq}{value}")
    return f"{head}?{'&'.join(parts)}"


def split_addresses(text: str) -> list[str]:
    raw = text.replace("\n", ",").replace(";", ",").replace("，", ",").replace("；", ",")
    return [a.strip() for a in raw.split(",") if a.strip()]


class Delivery(models.Model):
    """One event sent to one channel, with its attempts (at most once per event and channel)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        GAVE_UP = "gave_up", _("Gave up")

    channel = models.ForeignKey(
        Channel, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("channel")
    )
    event_key = models.CharField(_("event"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=notices.choices)
    title = models.CharField(_("title"), max_length=300)
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "channel"], name="delivery_once_per_event_and_channel"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.event_key} → {self.channel_id}"

    def audit_scope(self) -> tuple[str, str]:
        return self.channel.audit_scope()


#: Minutes to wait after the 1st, 2nd, 3rd … failed attempt (the last repeats).
BACKOFF_MINUTES = (1, 5, 30, 120)


def max_attempts() -> int:
    return int(getattr(settings, "JULI_NOTIFY_MAX_ATTEMPTS", 5))


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after `attempts` failed attempts."""
    return datetime.timedelta(minutes=BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1])
