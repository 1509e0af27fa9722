"""The case walk, each rule in one place: the rectify step stores its after-photos in its own
transaction (a refusal leaves no row and no file), the pages and the API replay a
submission through the one idempotency mechanism, and the rollups move in the step's
transaction through the event observers."""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse

from juli.cases import actions
from juli.cases.models import Case, CaseEvent, CasePhoto
from juli.core.models import Submission, Upload
from juli.core.workflow import observers_of
from juli.orgs import actions as org_actions
from juli.orgs.roles import Role
from juli.stats import rollups
from juli.stats.models import CaseDaily, CaseOpen

from .conftest import new_case, photo, put, tiny_png
from .test_api_cases import _client, _step, stage


def _files() -> set[str]:
    """Every file in the media storage (the test's own MEDIA_ROOT)."""
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _dispatched_without_photos(world: Any) -> Case:
    case = put(new_case(world), "dispatched", world)
    CasePhoto.objects.filter(case=case).delete()
    return case


def _office_inspector(world: Any) -> Any:
    """The inspector, also party secretary of another branch: the office pages are theirs
    and they see the case (their inspector post), but neither post may rectify it."""
    org_actions.appoint(
        None,
        world.c.inspector_person,
        Role.PARTY_SECRETARY,
        org=world.c.branch2,
        started_on=datetime.date(2024, 1, 1),
    )
    return world.c.inspector


def _page_rectify(client: Any, user: Any, case: Case, form_id: uuid.UUID | None = None) -> Any:
    client.force_login(user)
    payload = {
        "rectify-client_uuid": str(form_id or uuid.uuid4()),
        "rectify-expected_status": "dispatched",
        "rectify-note": "已清理",
        "rectify-photo": SimpleUploadedFile("after.png", tiny_png((0, 0, 255)), "image/png"),
    }
    return client.post(reverse("case-act", args=[case.pk, "rectify"]), payload)


# --- A refused rectification leaves no photo row and no file ------------------------------------


@pytest.mark.parametrize(
    ("status", "actor", "http"),
    [("dispatched", "grid_worker", 403), ("accepted", "street_officer", 409)],
    ids=["wrong_actor", "wrong_state"],
)
def test_it_leaves_no_photo_and_no_file_when_the_api_refuses_a_rectification(
    world, status, actor, http
):
    case = _dispatched_without_photos(world) if status == "dispatched" else new_case(world)
    if status == "accepted":
        case = actions.accept_case(world.c.street_officer, case)
    user = getattr(world.c, actor)
    upload = stage(_client(user))
    photos, files = CasePhoto.objects.count(), _files()
    response = _step(user, case, action="rectify", uploads=[upload])
    assert response.status_code == http
    assert CasePhoto.objects.count() == photos
    assert _files() == files
    assert Upload.objects.get(pk=upload).attached_at is None
    assert Case.objects.get(pk=case.pk).status == status


@pytest.mark.parametrize(
    ("status", "actor", "http"),
    [("dispatched", "office_inspector", 400), ("accepted", "street_officer", 409)],
    ids=["wrong_actor", "wrong_state"],
)
def test_it_leaves_no_photo_and_no_file_when_the_page_refuses_a_rectification(
    client, world, status, actor, http
):
    case = _dispatched_without_photos(world) if status == "dispatched" else new_case(world)
    if status == "accepted":
        case = actions.accept_case(world.c.street_officer, case)
    user = _office_inspector(world) if actor == "office_inspector" else getattr(world.c, actor)
    photos, files = CasePhoto.objects.count(), _files()
    response = _page_rectify(client, user, case)
    assert response.status_code == http
    assert CasePhoto.objects.count() == photos
    assert _files() == files
    assert Case.objects.get(pk=case.pk).status == status


def test_it_rectifies_and_stores_the_photo_in_one_step_from_the_page(client, world):
    case = _dispatched_without_photos(world)
    response = _page_rectify(client, world.c.street_officer, case)
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == "rectified"
    stored = CasePhoto.objects.get(case=case, kind="after")
    assert stored.file.name in _files()


def test_it_deletes_the_files_it_stored_when_a_later_photo_fails(world):
    case = _dispatched_without_photos(world)
    bad = photo((1, 2, 3))
    bad.meta["colour"] = "blue"  # not photo data: refused after the first file was stored
    photos, files = CasePhoto.objects.count(), _files()
    with pytest.raises(ValidationError):
        actions.rectify_case(world.c.unit_staff, case, photos=[photo((9, 8, 7)), bad])
    assert CasePhoto.objects.count() == photos
    assert _files() == files
    assert Case.objects.get(pk=case.pk).status == "dispatched"
    assert not CaseEvent.objects.filter(case=case, action="rectify").exists()


def test_it_needs_an_after_photo_given_or_attached_before(world):
    from juli.cases.workflow import TransitionError

    case = _dispatched_without_photos(world)
    with pytest.raises(TransitionError) as refused:
        actions.rectify_case(world.c.unit_staff, case)
    assert refused.value.code == "after_photo_required"
    done = actions.rectify_case(world.c.unit_staff, case, photos=[photo((4, 4, 4))])
    assert done.status == "rectified"
    assert CasePhoto.objects.filter(case=case, kind="after").count() == 1


# --- One idempotency mechanism for pages and API --------------------------------------------------


def test_it_replays_a_page_submission_through_the_idempotency_records(client, world):
    case = new_case(world)
    officer = world.c.street_officer
    form_id = uuid.uuid4()
    payload = {"accept-client_uuid": str(form_id), "accept-expected_status": "reported"}
    client.force_login(officer)
    url = reverse("case-act", args=[case.pk, "accept"])
    first = client.post(url, payload)
    second = client.post(url, payload)
    assert first.status_code == second.status_code == 302
    assert [str(m) for m in second.wsgi_request._messages][-1] == "This step was already done."
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
    record = Submission.objects.get(owner=f"user:{officer.pk}", key=form_id)
    assert (record.status_code, record.response_body) == (
        200,
        {"case": case.pk, "action": "accept"},
    )


def test_it_replays_an_api_submission_through_the_idempotency_records(world):
    case = new_case(world)
    officer = world.c.street_officer
    key = uuid.uuid4()
    first = _step(officer, case, action="accept", client_uuid=str(key))
    second = _step(officer, case, action="accept", client_uuid=str(key))
    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
    assert Submission.objects.filter(owner=f"user:{officer.pk}", key=key).count() == 1


def test_it_replays_a_rectification_with_its_photo_once(client, world):
    case = _dispatched_without_photos(world)
    form_id = uuid.uuid4()
    first = _page_rectify(client, world.c.street_officer, case, form_id)
    second = _page_rectify(client, world.c.street_officer, case, form_id)
    assert first.status_code == second.status_code == 302
    assert CasePhoto.objects.filter(case=case, kind="after").count() == 1
    assert CaseEvent.objects.filter(case=case, action="rectify").count() == 1


# --- The rollups move in the step's transaction ---------------------------------------------------


def _counted() -> tuple[int, int]:
    daily = CaseDaily.objects.aggregate(n=Sum("rejected"))["n"] or 0
    open_ = CaseOpen.objects.aggregate(n=Sum("open"))["n"] or 0
    return daily, open_


def test_it_moves_the_rollups_in_the_transaction_of_the_event(world):
    assert rollups.apply_event in observers_of(CaseEvent)
    case = new_case(world)
    before = _counted()
    assert before == (0, 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.reject_case(world.c.street_officer, case, note="重复")
        assert _counted() == (1, 0)  # moved with the event, before any commit
        raise RuntimeError("the step fails after its event")
    assert _counted() == before
    assert not CaseEvent.objects.filter(case=case, action="reject").exists()
    actions.reject_case(world.c.street_officer, case, note="重复")
    assert _counted() == (1, 0)
