"""stage_upload and claim_uploads: idempotent by client id, audited, nothing left behind."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from juli.core import actions
from juli.core.models import AuditLog, Upload

from .conftest import image_bytes, stored_files, upload_file

KEY = uuid.UUID("11111111-2222-4333-8444-555555555555")


def test_it_stages_a_photo_and_audits_it(cast, media) -> None:  # type: ignore[no-untyped-def]
    upload, created = actions.stage_upload(
        cast.inspector, client_uuid=str(KEY), file=upload_file(image_bytes(size=(64, 48)))
    )
    assert created is True
    assert (upload.pk, upload.owner, upload.width, upload.height) == (KEY, cast.inspector, 64, 48)
    assert upload.attached_at is None
    assert stored_files(media) == [upload.file.name]
    assert str(upload.file.name).startswith("uploads/")
    log = AuditLog.objects.get(verb="upload.stage")
    assert log.after is not None
    assert (log.actor, log.object_id, log.after["sha256"]) == (
        cast.inspector,
        str(KEY),
        upload.sha256,
    )


def test_it_returns_the_same_upload_for_the_same_photo_again(cast, media) -> None:  # type: ignore[no-untyped-def]
    data = image_bytes()
    first, _ = actions.stage_upload(cast.inspector, client_uuid=KEY, file=upload_file(data))
    again, created = actions.stage_upload(cast.inspector, client_uuid=KEY, file=upload_file(data))
    assert (again.pk, again.sha256, created) == (first.pk, first.sha256, False)
    assert Upload.objects.count() == 1
    assert stored_files(media) == [first.file.name]
    assert AuditLog.objects.filter(verb="upload.stage").count() == 1


def test_it_refuses_the_same_id_with_another_photo(cast, media) -> None:  # type: ignore[no-untyped-def]
    first, _ = actions.stage_upload(
        cast.inspector, client_uuid=KEY, file=upload_file(image_bytes(colour=(255, 0, 0)))
    )
    with pytest.raises(actions.ConflictError) as refused:
        actions.stage_upload(
            cast.inspector, client_uuid=KEY, file=upload_file(image_bytes(colour=(0, 0, 255)))
        )
    assert refused.value.code == "conflict"
    assert stored_files(media) == [first.file.name]


def test_it_treats_another_users_id_as_a_conflict(cast, media) -> None:  # type: ignore[no-untyped-def]
    data = image_bytes()
    first, _ = actions.stage_upload(cast.inspector, client_uuid=KEY, file=upload_file(data))
    with pytest.raises(actions.ConflictError):
        actions.stage_upload(cast.grid_worker, client_uuid=KEY, file=upload_file(data))
    assert Upload.objects.get().owner == cast.inspector
    assert stored_files(media) == [first.file.name]


def test_it_refuses_people_without_a_field_or_office_post(cast, media) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        actions.stage_upload(cast.outsider, client_uuid=KEY, file=upload_file(image_bytes()))
    assert (Upload.objects.count(), stored_files(media)) == (0, [])


def test_it_refuses_a_malformed_id(cast, media) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as refused:
        actions.stage_upload(cast.inspector, client_uuid="nope", file=upload_file(image_bytes()))
    assert refused.value.code == "invalid_client_uuid"
    assert stored_files(media) == []


def test_it_deletes_the_file_when_the_row_cannot_be_written(cast, media, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database gone")

    monkeypatch.setattr(actions, "record", broken)
    with pytest.raises(RuntimeError):
        actions.stage_upload(cast.inspector, client_uuid=KEY, file=upload_file(image_bytes()))
    assert (Upload.objects.count(), stored_files(media)) == (0, [])


def test_it_claims_only_the_owners_unattached_uploads(cast) -> None:  # type: ignore[no-untyped-def]
    mine, _ = actions.stage_upload(cast.inspector, client_uuid=KEY, file=upload_file(image_bytes()))
    other_key = uuid.uuid4()
    actions.stage_upload(
        cast.grid_worker, client_uuid=other_key, file=upload_file(image_bytes(colour=(1, 2, 3)))
    )
    assert actions.claim_uploads(cast.inspector, [KEY, str(KEY)]) == [mine]
    for ids in ([other_key], [KEY, other_key], [uuid.uuid4()], ["not-a-uuid"]):
        with pytest.raises(ValidationError) as refused:
            actions.claim_uploads(cast.inspector, ids)
        assert refused.value.code == "unknown_upload"
        assert refused.value.messages == ["Unknown upload: send the photo again."]
    Upload.objects.filter(pk=KEY).update(attached_at="2026-11-22T10:00:00+08:00")
    with pytest.raises(ValidationError):
        actions.claim_uploads(cast.inspector, [KEY])
