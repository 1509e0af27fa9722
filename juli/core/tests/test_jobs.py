"""Background jobs: thumbnails (task, idempotent, catch-up), the worker, the sweep."""

from __future__ import annotations

import datetime
import io
import os
import time
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from PIL import Image

from juli.cases import actions as case_actions
from juli.cases.models import CasePhoto
from juli.cases.photos import attach_uploads, photos_from_uploads
from juli.core import actions, jobs
from juli.core.models import AuditLog, Upload
from juli.core.tasks import make_thumbnail

from .conftest import image_bytes, stored_files, upload_file


def stage(user, size=(800, 600), colour=(200, 30, 30), key=None):  # type: ignore[no-untyped-def]
    upload, _ = actions.stage_upload(
        user,
        client_uuid=key or uuid.uuid4(),
        file=upload_file(image_bytes(size=size, colour=colour)),
    )
    return upload


def test_it_makes_the_thumbnail_after_commit(cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        upload = stage(cast.inspector)
    assert len(callbacks) == 1
    upload.refresh_from_db()
    assert str(upload.thumbnail.name).startswith("uploads/thumbs/")
    with upload.thumbnail.open("rb") as f:
        thumb = Image.open(io.BytesIO(f.read()))
    assert (thumb.format, thumb.size) == ("JPEG", (320, 240))


def test_it_makes_no_thumbnail_for_a_rolled_back_upload(
    cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        stage(cast.inspector)
    assert len(callbacks) == 1  # queued for commit only; a rollback drops it


def test_it_is_safe_to_run_the_thumbnail_task_twice(cast, media) -> None:  # type: ignore[no-untyped-def]
    upload = stage(cast.inspector)
    first = make_thumbnail.enqueue("core.Upload", str(upload.pk))
    second = make_thumbnail.enqueue("core.Upload", str(upload.pk))
    upload.refresh_from_db()
    assert first.return_value == upload.thumbnail.name
    assert second.return_value is None
    thumbs = [name for name in stored_files(media) if "/thumbs/" in name]
    assert thumbs == [upload.thumbnail.name]


def test_it_skips_a_thumbnail_whose_row_is_gone(cast) -> None:  # type: ignore[no-untyped-def]
    assert actions.store_thumbnail("core.Upload", str(uuid.uuid4())) is None
    with pytest.raises(ValueError, match="no thumbnails for orgs.User"):
        actions.store_thumbnail("orgs.User", 1)


def test_it_catches_up_missing_thumbnails(cast, world, capsys) -> None:  # type: ignore[no-untyped-def]
    uploads = [stage(cast.inspector, colour=(i, 0, 0)) for i in range(2)]
    photo = case_actions.attach_photo(
        None, _case(world), "before", ContentFile(image_bytes(), name="x.jpg"), {}
    )
    call_command("thumbnails")
    assert capsys.readouterr().out == "3 thumbnail(s) made.\n"
    photo.refresh_from_db()
    assert str(photo.thumbnail.name).startswith("cases/thumbs/")
    assert all(Upload.objects.get(pk=u.pk).thumbnail for u in uploads)
    call_command("thumbnails")
    assert capsys.readouterr().out == "0 thumbnail(s) made.\n"


def _case(world):  # type: ignore[no-untyped-def]
    return case_actions.report_case(
        world.c.grid_worker,
        client_uuid=uuid.uuid4(),
        source="grid_worker",
        category=world.litter,
        title="垃圾",
        point=world.point_a,
    )


def test_it_turns_staged_uploads_into_case_photos_and_marks_them_attached(  # type: ignore[no-untyped-def]
    cast, world, media, django_capture_on_commit_callbacks
) -> None:
    upload = stage(cast.grid_worker, size=(64, 48))
    with django_capture_on_commit_callbacks(execute=True):
        case = case_actions.report_case(
            cast.grid_worker,
            client_uuid=uuid.uuid4(),
            source="grid_worker",
            category=world.litter,
            title="垃圾",
            point=world.point_a,
            photos=photos_from_uploads(cast.grid_worker, [upload.pk]),
        )
    photo = CasePhoto.objects.get(case=case)
    upload.refresh_from_db()
    assert upload.attached_at is not None
    assert (photo.sha256, photo.width, photo.height) == (upload.sha256, 64, 48)
    assert str(photo.thumbnail.name).startswith("cases/thumbs/")
    log = AuditLog.objects.get(verb="upload.attach")
    assert log.after == {"attached_to": f"cases.casephoto:{photo.pk}"}
    # Once attached, it cannot be used again.
    with pytest.raises(ValidationError) as refused:
        photos_from_uploads(cast.grid_worker, [upload.pk])
    assert refused.value.code == "unknown_upload"


def test_it_leaves_uploads_unattached_when_the_case_is_refused(cast, world) -> None:  # type: ignore[no-untyped-def]
    upload = stage(cast.other_grid_worker)
    with pytest.raises(PermissionDenied):  # grid2's worker cannot report in grid1
        case_actions.report_case(
            cast.other_grid_worker,
            client_uuid=uuid.uuid4(),
            source="grid_worker",
            category=world.litter,
            title="垃圾",
            point=world.point_a,
            photos=photos_from_uploads(cast.other_grid_worker, [upload.pk]),
        )
    upload.refresh_from_db()
    assert upload.attached_at is None


def test_it_attaches_uploads_to_an_existing_case(cast, world) -> None:  # type: ignore[no-untyped-def]
    case = _case(world)
    first, second = stage(cast.grid_worker, colour=(9, 9, 9)), stage(cast.grid_worker)
    photos = attach_uploads(cast.grid_worker, case, "before", [first.pk, second.pk])
    assert [p.sha256 for p in photos] == [first.sha256, second.sha256]
    assert Upload.objects.filter(attached_at__isnull=False).count() == 2


def test_it_refuses_someone_elses_upload_for_a_case(cast, world) -> None:  # type: ignore[no-untyped-def]
    upload = stage(cast.inspector)
    with pytest.raises(ValidationError) as refused:
        photos_from_uploads(cast.grid_worker, [upload.pk])
    assert refused.value.code == "unknown_upload"


# --- The sweep ---------------------------------------------------------------------------------


def _age(name: str, hours: int) -> None:
    path = default_storage.path(name)
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_it_sweeps_stale_uploads_and_orphans_and_keeps_the_rest(  # type: ignore[no-untyped-def]
    cast, world, media, django_capture_on_commit_callbacks
) -> None:
    stale = stage(cast.inspector, colour=(1, 1, 1))
    fresh = stage(cast.inspector, colour=(2, 2, 2))
    attached = stage(cast.grid_worker, colour=(3, 3, 3))
    attach_uploads(cast.grid_worker, _case(world), "before", [attached.pk])
    old = timezone.now() - datetime.timedelta(hours=30)
    Upload.objects.filter(pk__in=[stale.pk, attached.pk]).update(created_at=old)
    orphan = default_storage.save("uploads/2026/01/01/orphan.jpg", ContentFile(b"x"))
    young_orphan = default_storage.save("cases/2026/01/01/young.jpg", ContentFile(b"y"))
    for name in stored_files(media):
        if name != young_orphan:
            _age(name, 30)

    dry = actions.sweep_uploads(older_than=datetime.timedelta(hours=24), dry_run=True)
    assert (dry.uploads, dry.orphan_files) == ([str(stale.pk)], [orphan])
    assert Upload.objects.count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        report = actions.sweep_uploads(older_than=datetime.timedelta(hours=24))
    assert (report.uploads, report.orphan_files) == ([str(stale.pk)], [orphan])
    assert sorted(Upload.objects.values_list("pk", flat=True)) == sorted([fresh.pk, attached.pk])
    files = stored_files(media)
    assert stale.file.name not in files
    assert orphan not in files
    for kept in (fresh.file.name, attached.file.name, young_orphan):
        assert kept in files
    assert CasePhoto.objects.get().file.name in files
    log = AuditLog.objects.get(verb="upload.sweep")
    assert (log.actor, log.actor_label, log.object_id) == (None, "system", str(stale.pk))


def test_it_sweeps_from_the_command(cast, capsys) -> None:  # type: ignore[no-untyped-def]
    stale = stage(cast.inspector)
    Upload.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=2)
    )
    call_command("sweep_uploads", "--older-than-hours", "1", "--dry-run")
    assert (
        capsys.readouterr().out
        == f"upload {stale.pk}\nwould delete 1 upload(s) and 0 orphan file(s).\n"
    )
    assert Upload.objects.count() == 1
    call_command("sweep_uploads", "--older-than-hours", "1")
    assert (
        capsys.readouterr().out == f"upload {stale.pk}\ndeleted 1 upload(s) and 0 orphan file(s).\n"
    )
    assert Upload.objects.count() == 0


# --- The runner -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_runs_queued_jobs_with_the_database_worker(settings, media) -> None:  # type: ignore[no-untyped-def]
    # Transactional: the worker manages (and closes) its database connection as a real
    # worker process does, which a test wrapped in one transaction cannot survive.
    from juli.conftest import build_cast

    cast = build_cast()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    upload = stage(cast.inspector)
    result = make_thumbnail.enqueue("core.Upload", str(upload.pk))
    assert Upload.objects.get(pk=upload.pk).thumbnail.name == ""
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    connection.close()  # the worker may leave it unusable; the next query reconnects
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert str(Upload.objects.get(pk=upload.pk).thumbnail.name).startswith("uploads/thumbs/")


def test_it_starts_the_embedded_worker_only_with_the_database_backend(
    settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    started = []

    class FakeProcess:
        pid = 4242

        def __init__(self, command):  # type: ignore[no-untyped-def]
            started.append(command[2:])

        def poll(self):  # type: ignore[no-untyped-def]
            return None

        def terminate(self):  # type: ignore[no-untyped-def]
            started.append("terminated")

        def wait(self, timeout=None):  # type: ignore[no-untyped-def]
            return 0

    monkeypatch.setattr(jobs.subprocess, "Popen", FakeProcess)
    settings.JULI_TASKS_BACKEND = "immediate"
    assert jobs.start_embedded_worker() is None
    settings.JULI_TASKS_BACKEND = "database"
    settings.JULI_EMBEDDED_WORKER = False
    assert jobs.start_embedded_worker() is None
    settings.JULI_EMBEDDED_WORKER = True
    process = jobs.start_embedded_worker()
    jobs.stop_embedded_worker(process)  # type: ignore[arg-type]
    assert started == [["juli.cli", "worker", "--no-startup-delay"], "terminated"]
