"""Case photos from staged uploads: the phone sends each photo first (`POST /api/v1/uploads/`,
`juli.core.actions.stage_upload`), then the form that uses it names the upload ids.

`photos_from_uploads(actor, ids)` turns the actor's own unattached uploads into the
`PhotoUpload`s that `report_case`, `submit_inspection` (ResultInput.photos) and `attach_photo`
take; each marks its upload attached in the very transaction that stores the case photo, so
an upload is attached exactly when its case photo exists. `attach_uploads` does the same for
an existing case.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from juli.core import actions as core_actions
from juli.core.models import Upload

from .actions import PhotoUpload, attach_photo
from .models import Case, CasePhoto


def _marker(actor: Any, upload: Upload) -> Any:
    def on_stored(photo: CasePhoto) -> None:
        core_actions.mark_attached(actor, upload, photo)

    return on_stored


def photos_from_uploads(actor: Any, ids: Iterable[uuid.UUID | str]) -> list[PhotoUpload]:
    """The `PhotoUpload`s of the actor's own unattached uploads `ids`, in that order.

    Raises `ValidationError` (code "unknown_upload") if any id is not such an upload. The
    uploads are marked attached when (and only if) the case action stores their photo.
    """
    photos = []
    for upload in core_actions.claim_uploads(actor, ids):
        meta = {
            "width": upload.width,
            "height": upload.height,
            "taken_at": upload.taken_at,
            "lat": upload.lat,
            "lng": upload.lng,
        }
        photos.append(PhotoUpload(upload.file, meta, on_stored=_marker(actor, upload)))
    return photos


def attach_uploads(
    actor: Any, case: Case, kind: str, ids: Iterable[uuid.UUID | str]
) -> list[CasePhoto]:
    """Attach the actor's staged uploads `ids` to `case` as `kind` photos (all or none).

    Same rights and rules as `juli.cases.actions.attach_photo`, which it calls per photo.
    """
    stored = []
    with transaction.atomic():
        for photo in photos_from_uploads(actor, ids):
            case_photo = attach_photo(actor, case, kind, photo.file, photo.meta)
            if photo.on_stored is not None:
                photo.on_stored(case_photo)
            stored.append(case_photo)
    return stored
