"""The append-only audit log: every write in Juli leaves one row here."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit row."""


class AuditQuerySet(models.QuerySet["AuditLog"]):
    def update(self, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("the audit log is append-only")

    def delete(self):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("the audit log is append-only")


class AuditLog(models.Model):
    """Who changed what, when, from where, and the values before and after.

    `scope_path` copies the materialised path of the organisation or area the object
    belongs to, so that "the log of what I can see" is one indexed prefix query.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    verb = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64)
    object_label = models.CharField(_("object"), max_length=255, blank=True)
    scope_kind = models.CharField(max_length=8, blank=True)  # "org" | "area" | "unit" | ""
    scope_path = models.CharField(max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["scope_kind", "scope_path"], name="audit_scope_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.verb} {self.object_label}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise AppendOnlyError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("the audit log is append-only")

    def changed_fields(self) -> list[tuple[str, object, object]]:
        before = self.before or {}
        after = self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class Submission(models.Model):
    """One idempotent write (exactly once): the first response to a client's submission key.

    `owner` is "user:<id>" or "public" (Open311 intake without an account); the key is the
    client's UUID (`client_uuid` in the body or the `Idempotency-Key` header). The row is
    inserted in the same transaction as the write it guards, so it exists exactly when the
    write does; see `juli.core.idempotency`.
    """

    owner = models.CharField(_("owner"), max_length=40)
    key = models.UUIDField(_("submission key"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("response status"))
    response_body = models.JSONField(_("response body"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="submission_once_per_owner_key")
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.method} {self.path} {self.key}"


# --- Staged uploads ------------------------------------------------------------------------------


def staged_upload_to(instance: Upload, filename: str) -> str:
    """uploads/2026/11/22/<random>.jpg: dated folders, a name the uploader cannot choose."""
    return timezone.localdate().strftime(f"uploads/%Y/%m/%d/{uuid.uuid4().hex}.jpg")


def staged_thumb_upload_to(instance: Upload, filename: str) -> str:
    return timezone.localdate().strftime(f"uploads/thumbs/%Y/%m/%d/{uuid.uuid4().hex}.jpg")


class Upload(models.Model):
    """A photo sent ahead of the form that uses it (a phone uploads while the user types).

    The primary key is the UUID the phone generated, so a retry finds the same row. The file
    is already cleaned (`juli.core.uploads.clean_image`). `attached_at` is set when a case
    photo is made from it; unattached uploads are swept after JULI_UPLOAD_TTL_HOURS.
    Written only by `juli.core.actions`.
    """

    id = models.UUIDField(_("client id"), primary_key=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="uploads",
        verbose_name=_("owner"),
    )
    file = models.ImageField(_("photo"), upload_to=staged_upload_to, max_length=200)
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to=staged_thumb_upload_to, max_length=200, blank=True
    )
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    attached_at = models.DateTimeField(_("attached at"), null=True, blank=True)

    class Meta:
        verbose_name = _("staged upload")
        verbose_name_plural = _("staged uploads")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["attached_at", "created_at"], name="upload_sweep_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.sha256[:8]}"


# --- Background jobs: the schedule's slots, worker heartbeats, exports ---------------------------


class ScheduledRun(models.Model):
    """One firing of a periodic job (`juli.core.schedule`): the job's name and its due time.

    Unique on (name, slot): however many schedulers tick, and after any restart, a slot is
    enqueued at most once (the row and the queued task commit in one transaction).
    """

    name = models.CharField(_("job"), max_length=64)
    slot = models.DateTimeField(_("due at"))
    fired_at = models.DateTimeField(_("fired at"), default=timezone.now)
    task_path = models.CharField(_("task"), max_length=200)
    task_result_id = models.CharField(_("task result"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-slot", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="scheduled_run_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """A live `juli worker` (database backend): it touches `seen_at` every few seconds.

    A task left RUNNING by a worker whose heartbeat went stale (killed, machine lost) is put
    back in the queue by `juli.core.schedule.requeue_stale_tasks`.
    """

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    host = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), default=0)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    seen_at = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} {self.host}:{self.pid}"


def export_upload_to(instance: ExportJob, filename: str) -> str:
    """exports/2026/11/22/<random>/<filename>: the owner's name for it, a path nobody guesses."""
    return timezone.localdate().strftime(f"exports/%Y/%m/%d/{uuid.uuid4().hex}/{filename}")


class ExportJob(models.Model):
    """A large export made in the background (`juli.core.exports`); the page polls its status.

    Only the owner may see or download it. The file is deleted when it expires.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="exports",
        verbose_name=_("owner"),
    )
    kind = models.CharField(_("kind"), max_length=64)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64, db_index=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    rows = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to=export_upload_to, max_length=255, blank=True)
    filename = models.CharField(_("file name"), max_length=150, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["owner", "kind", "fingerprint", "created_at"], name="export_dedup_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class EvidenceLink(models.Model):
    """A record cited as evidence by a consumer (both generic). Written by
    `juli.core.records.link`/`unlink` only; unique per (consumer, record), read both ways."""

    consumer_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    consumer_id = models.PositiveBigIntegerField()
    consumer = GenericForeignKey("consumer_type", "consumer_id")
    record_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    record_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("record_type", "record_id")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence link")
        verbose_name_plural = _("evidence links")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consumer_type", "consumer_id", "record_type", "record_id"],
                name="evidence_link_once",
            )
        ]
        indexes = [models.Index(fields=["record_type", "record_id"], name="evidence_link_record")]

    def __str__(self) -> str:
        return (
            f"{self.consumer_type_id}:{self.consumer_id} ← {self.record_type_id}:{self.record_id}"
        )
