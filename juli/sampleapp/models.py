"""A note: filed in an area (from the phone outbox or the API), then signed by an office role,
which freezes its content hash (see `signables.py`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from juli.core.workflow import AbstractEvent, Move
from juli.orgs.models import Area


class Note(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SIGNED = "signed", _("signed")

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    #: a copy of the area's path, for the subtree filters of `access.visible_notes`.
    area_path = models.CharField(max_length=255, editable=False, db_index=True)
    title = models.CharField(_("Note title"), max_length=200)
    text = models.TextField(_("Note text"), blank=True)
    happened_on = models.DateField(_("date"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    #: the phone's id of the submission: two racing requests create one note.
    client_uuid = models.UUIDField(unique=True)
    #: SHA-256 of `signables.content_of(note)`, frozen by the signature ("" before).
    content_hash = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name = _("field note")
        verbose_name_plural = _("field notes")

    def __str__(self) -> str:
        return self.title

    def audit_scope(self) -> tuple[str, str]:
        return ("area", self.area_path)


TRANSITIONS: dict[str, Move] = {
    "sign": Move(frozenset({Note.Status.DRAFT}), Note.Status.SIGNED),
}


class NoteEvent(AbstractEvent):
    doc = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="events")
    data = None

    class Meta(AbstractEvent.Meta):
        verbose_name = _("field note event")
        verbose_name_plural = _("field note events")
