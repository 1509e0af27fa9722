"""Every write of the core app's photo pipeline: staging uploads, claiming them for a case,
thumbnails and the sweep. Pages, the API, commands and tasks call these and nothing else.

Conventions, as in every app's `actions.py`: the first argument is the actor (`None` is the
system: commands, tasks); a bad request raises `ValidationError` with a
`code`; each write appends an audit row in its transaction; files are stored only after the
content is validated, and a file whose row is not written is deleted again. Storage is not
transactional: a caller's outer transaction that rolls back after we returned leaves a file
no row references, which `sweep_uploads` removes.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import jobs
from .audit import record, snapshot
from .models import Upload
from .rights import UPLOAD_PHOTOS, has_right
from .types import Actor
from .uploads import clean_image, make_thumbnail_bytes
from .writes import ConflictError

#: Models whose photos get thumbnails ("app_label.ModelName": each has file and thumbnail).
THUMBNAILED = frozenset({"core.Upload", "cases.CasePhoto"})

#: Folders of the default storage that hold photo files (the sweep looks for orphans there).
PHOTO_FOLDERS = ("uploads", "cases")


def can_upload(user: Any) -> bool:
    """May `user` send photos? The app that registered the right decides (the organisation
    app: a field or office post, or a superuser)."""
    return has_right(user, UPLOAD_PHOTOS)


def _conflict() -> ConflictError:
    return ConflictError(_("This upload id is already used by another photo."), code="conflict")


def _client_uuid(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise ValidationError(
            _("The upload id must be a UUID."), code="invalid_client_uuid"
        ) from None


def _replay(existing: Upload, owner_id: Any, sha256: str) -> tuple[Upload, bool]:
    # Someone else's id is a conflict too: never say whether an id exists for another user.
    if existing.owner_id != owner_id or existing.sha256 != sha256:
        raise _conflict()
    return existing, False


def stage_upload(actor: Actor, *, client_uuid: uuid.UUID | str, file: Any) -> tuple[Upload, bool]:
    """Validate and store a photo sent ahead of the form that will use it.

    Returns (upload, created). Idempotent by `client_uuid`: the same id with the same picture
    returns the existing row and created=False; the same id with another picture, or an id
    another user already used, raises `ConflictError` (code "conflict"). A bad image raises
    `ValidationError` (codes in `juli.core.uploads.REFUSALS`) and stores nothing. The
    thumbnail is made in the background after commit.
    """
    if actor is None or not can_upload(actor):
        raise PermissionDenied(_("Your posts do not allow sending photos."))
    client_uuid = _client_uuid(client_uuid)
    existing = Upload.objects.filter(pk=client_uuid).first()
    if existing is not None and existing.owner_id != actor.pk:
        raise _conflict()
    image = clean_image(file)  # refusals happen here, before anything is stored
    if existing is not None:
        return _replay(existing, actor.pk, image.sha256)
    upload = Upload(
        id=client_uuid,
        owner_id=actor.pk,
        width=image.width,
        height=image.height,
        taken_at=image.taken_at,
        lat=image.lat,
        lng=image.lng,
        sha256=image.sha256,
        created_at=timezone.now(),
    )
    upload.full_clean(exclude=["file", "thumbnail", "owner", "id"], validate_unique=False)
    upload.file.save(image.content.name or "photo.jpg", image.content, save=False)
    try:
        with transaction.atomic():
            upload.save(force_insert=True)
            record(
                actor,
                "upload.stage",
                upload,
                after={
                    **snapshot(upload, ["sha256", "width", "height", "taken_at"]),
                    "file": upload.file.name,
                },
            )
            jobs.thumbnail_later(upload)
    except IntegrityError:
        # A concurrent retry with the same id won the race on the primary key.
        upload.file.delete(save=False)
        winner = Upload.objects.filter(pk=client_uuid).first()
        if winner is None:
            raise
        return _replay(winner, actor.pk, image.sha256)
    except BaseException:
        upload.file.delete(save=False)
        raise
    return upload, True


def claim_uploads(actor: Actor, ids: Iterable[uuid.UUID | str]) -> list[Upload]:
    """The actor's own unattached uploads with these ids, in the order given (duplicates once).

    Any other id (unknown, someone else's, already attached, malformed) raises
    `ValidationError` "unknown upload" (code "unknown_upload") naming nothing about it. Rows
    are locked (select_for_update) when called inside a transaction, so two submissions
    cannot both take the same upload. Does not mark them attached: `mark_attached` does, in
    the transaction that stores the case photo.
    """
    wanted: list[uuid.UUID] = []
    for raw in ids:
        try:
            key = raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))
        except ValueError:
            raise _unknown() from None
        if key not in wanted:
            wanted.append(key)
    if not wanted:
        return []
    if actor is None or not actor.is_authenticated:
        raise _unknown()
    qs = Upload.objects.filter(pk__in=wanted, owner_id=actor.pk, attached_at__isnull=True)
    if transaction.get_connection().in_atomic_block:
        qs = qs.select_for_update()
    found = {u.pk: u for u in qs}
    if len(found) != len(wanted):
        raise _unknown()
    return [found[key] for key in wanted]


def _unknown() -> ValidationError:
    return ValidationError(_("Unknown upload: send the photo again."), code="unknown_upload")


def mark_attached(actor: Actor, upload: Upload, to: models.Model) -> None:
    """Record that `upload` became `to` (a case photo). Call inside the storing transaction."""
    now = timezone.now()
    if Upload.objects.filter(pk=upload.pk, attached_at__isnull=True).update(attached_at=now):
        upload.attached_at = now
        record(
            actor,
            "upload.attach",
            upload,
            after={"attached_to": f"{to._meta.label_lower}:{to.pk}"},
        )


# --- Thumbnails -----------------------------------------------------------------------------------


def store_thumbnail(model_label: str, pk: Any) -> str | None:
    """Make the thumbnail of one photo row if it has none; return its name (None: skipped).

    Safe to run twice or concurrently: the name is written with a conditional UPDATE
    (`thumbnail = ''`), and the run that loses deletes the file it made. A derived file, so
    not audited. Skips rows that vanished or whose file is missing.
    """
    if model_label not in THUMBNAILED:
        raise ValueError(f"no thumbnails for {model_label}")
    model = apps.get_model(model_label)
    row = model._default_manager.filter(pk=pk).first()
    if row is None or row.thumbnail or not row.file:
        return None
    try:
        with row.file.open("rb") as source:
            data = make_thumbnail_bytes(source)
    except FileNotFoundError:
        return None
    field_file = row.thumbnail
    field_file.save("thumb.jpg", ContentFile(data), save=False)
    name = field_file.name
    if not model._default_manager.filter(pk=pk, thumbnail="").update(thumbnail=name):
        default_storage.delete(name)  # another run (or a deletion) got there first
        return None
    return str(name)


def missing_thumbnails() -> Iterator[tuple[str, Any]]:
    """(model label, pk) of every photo row without a thumbnail."""
    for label in sorted(THUMBNAILED):
        model = apps.get_model(label)
        for pk in (
            model._default_manager.filter(thumbnail="").order_by("pk").values_list("pk", flat=True)
        ):
            yield label, pk


# --- The sweep ---------------------------------------------------------------------------------------


@dataclass
class SweepReport:
    uploads: list[str] = field(default_factory=list)
    orphan_files: list[str] = field(default_factory=list)


def _walk(folder: str) -> Iterator[str]:
    try:
        dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in dirs:
        yield from _walk(f"{folder}/{sub}")


def _referenced() -> set[str]:
    names: set[str] = set()
    for label in sorted(THUMBNAILED):
        model = apps.get_model(label)
        for file, thumb in model._default_manager.values_list("file", "thumbnail"):
            names.update(n for n in (file, thumb) if n)
    return names


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _older_than(name: str, cutoff: datetime.datetime) -> bool:
    try:
        return default_storage.get_modified_time(name) < cutoff
    except (NotImplementedError, FileNotFoundError, OSError):
        return False


def sweep_uploads(
    *, older_than: datetime.timedelta, dry_run: bool = False, now: datetime.datetime | None = None
) -> SweepReport:
    """Delete staged uploads never attached within `older_than` (rows and files), and files
    under the photo folders that no row references and that are older than `older_than`
    (the age keeps a file whose row is being written right now). Audited as the system, one
    row per deleted upload. `dry_run` reports what would go and deletes nothing.
    """
    now = now or timezone.now()
    cutoff = now - older_than
    report = SweepReport()
    doomed: set[str] = set()  # files of swept rows: deleted on commit, not orphans
    stale = Upload.objects.filter(attached_at__isnull=True, created_at__lt=cutoff).order_by(
        "created_at"
    )
    for upload in stale:
        report.uploads.append(str(upload.pk))
        if dry_run:
            continue
        with transaction.atomic():
            # Re-check under the lock: it may have been attached since the list was read.
            locked = (
                Upload.objects.select_for_update()
                .filter(pk=upload.pk, attached_at__isnull=True)
                .first()
            )
            if locked is None:
                report.uploads.pop()
                continue
            names = [n for n in (locked.file.name, locked.thumbnail.name) if n]
            doomed.update(names)
            record(
                None,
                "upload.sweep",
                locked,
                before={
                    **snapshot(locked, ["owner", "sha256", "created_at"]),
                    "file": locked.file.name,
                },
            )
            locked.delete()
            transaction.on_commit(partial(_delete_files, names))
    referenced = _referenced()
    for folder in PHOTO_FOLDERS:
        for name in _walk(folder):
            if name in referenced or name in doomed or not _older_than(name, cutoff):
                continue
            report.orphan_files.append(name)
            if not dry_run:
                default_storage.delete(name)
    return report
