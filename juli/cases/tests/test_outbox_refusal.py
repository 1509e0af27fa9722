"""What the phone's outbox relies on when the server refuses a report (issue 14, item 4).

A refused submission stores nothing under its key (`core.idempotency`), so the phone may
send the corrected report under a new client UUID and exactly one case is made; the API
answers in the language the phone asks for (Accept-Language), so the message it shows
beside the field is Chinese.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from rest_framework.test import APIClient

from juli.cases import actions, inspections
from juli.cases.api import MAX_UPLOADS
from juli.cases.models import Case, CaseCategory
from juli.core.models import Submission
from juli.core.uploads import MAX_PER_SUBMISSION
from juli.orgs.models import User

from .conftest import new_case

pytestmark = pytest.mark.django_db


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def _report(client: APIClient, world: Any, key: str, category: CaseCategory, lang: str) -> Any:
    body = {
        "client_uuid": key,
        "category": category.pk,
        "point": world.point_b.pk,
        "title": "护栏倒伏",
        "uploads": [],
    }
    return client.post(
        "/api/v1/cases/",
        body,
        format="json",
        headers={"Idempotency-Key": key, "Accept-Language": lang},
    )


def test_it_stores_no_refusal_and_makes_one_case_when_sent_again_under_a_new_key(
    world: Any,
) -> None:
    client = _client(world.c.grid_worker)
    CaseCategory.objects.filter(pk=world.facility.pk).update(is_active=False)
    refused_key, new_key = str(uuid.uuid4()), str(uuid.uuid4())

    refused = _report(client, world, refused_key, world.facility, "zh-hans")
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": "该类别已停用。",
        "code": "invalid",
        "fields": {"category": ["该类别已停用。"]},
    }
    assert (Submission.objects.count(), Case.objects.count()) == (0, 0)

    sent = _report(client, world, new_key, world.litter, "zh-hans")
    assert sent.status_code == 201
    again = _report(client, world, new_key, world.litter, "zh-hans")  # the answer was lost
    assert (again.status_code, again["Idempotent-Replayed"]) == (201, "true")
    case = Case.objects.get()
    assert (str(case.client_uuid), case.category_id) == (new_key, world.litter.pk)
    assert list(Submission.objects.values_list("key", flat=True)) == [uuid.UUID(new_key)]


def test_it_answers_the_refusal_in_the_language_the_phone_asks_for(world: Any) -> None:
    client = _client(world.c.grid_worker)
    CaseCategory.objects.filter(pk=world.facility.pk).update(is_active=False)
    english = _report(client, world, str(uuid.uuid4()), world.facility, "en")
    chinese = _report(client, world, str(uuid.uuid4()), world.facility, "zh-hans")
    assert english.json()["fields"] == {"category": ["This category is no longer used."]}
    assert chinese.json()["fields"] == {"category": ["该类别已停用。"]}


def test_it_checks_on_the_phone_the_photo_count_the_api_allows() -> None:
    assert MAX_UPLOADS == MAX_PER_SUBMISSION == 10


def test_it_puts_the_servers_photo_limits_on_every_photo_input(
    client: Any, world: Any, settings: Any
) -> None:
    settings.JULI_MAX_UPLOAD_BYTES = 2_000_000
    inspections.plan_day(inspections.timezone.localdate())
    case = new_case(world)
    actions.accept_case(world.c.street_officer, case)
    actions.dispatch_case(world.c.street_officer, case, unit=world.c.property_co)
    pages = [
        ("inspector", f"/m/points/{world.point_a.pk}/inspect/", 2),
        ("grid_worker", "/m/report/", 1),
        ("unit_staff", f"/m/cases/{case.pk}/", 1),
    ]
    for who, url, count in pages:
        client.force_login(getattr(world.c, who))
        response = client.get(url)
        assert response.status_code == 200, url
        tags = re.findall(r'<input class="photo-input"[^>]*>', response.content.decode())
        assert len(tags) == count, (url, tags)
        for tag in tags:
            assert 'data-max-bytes="2000000"' in tag, (url, tag)
            assert f'data-max-files="{MAX_PER_SUBMISSION}"' in tag, (url, tag)
