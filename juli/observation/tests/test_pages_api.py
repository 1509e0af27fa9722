"""Pages and endpoints: who gets 200, 403 or 404 (nothing written on refusal), the phone's
score through the API exactly once, bad input at the field, evidence by multipart."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from juli.observation import actions
from juli.observation.models import Rectification, ScoreSheet

from .conftest import SCORES, due_today, make_cycle, visit_of

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def world(ow: Any) -> Any:
    c = ow.c
    ow.cycle = make_cycle(c.putuo, actor=c.bureau_secretary)
    ow.visit = due_today(visit_of(ow.cycle, c.branch1))
    actions.hold_visit(c.bureau_secretary, ow.visit, shown="党员活动室")
    ow.item = actions.add_rectification(
        c.bureau_secretary,
        ow.visit,
        title="完善台账",
        owner=c.branch_secretary_person,
        deadline=timezone.localdate() + datetime.timedelta(days=5),
    )
    return ow


def _client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("who", "cycle", "visit", "item"),
    [
        ("bureau_secretary", 200, 200, 200),  # organiser
        ("branch_secretary", 200, 200, 200),  # host
        ("sibling_secretary", 200, 200, 404),  # visitor
        ("member", 200, 200, 200),  # host's member
        ("outsider", 404, 404, 404),  # Anyang
        ("street_officer", 404, 404, 404),
    ],
)
def test_it_answers_pages_by_scope(world: Any, who: str, cycle: int, visit: int, item: int) -> None:
    user = world.member if who == "member" else getattr(world.c, who)
    client = _client(user)
    assert client.get(reverse("observation-cycle", args=[world.cycle.pk])).status_code == cycle
    assert client.get(reverse("observation-visit", args=[world.visit.pk])).status_code == visit
    assert (
        client.get(reverse("observation-rectification", args=[world.item.pk])).status_code == item
    )
    assert (
        client.get(reverse("observation-cycle-progress", args=[world.cycle.pk])).status_code
        == cycle
    )
    assert client.get(f"/api/v1/observation/visits/{world.visit.pk}/").status_code == visit
    assert client.get(f"/api/v1/observation/rectifications/{world.item.pk}/").status_code == item
    assert client.get(reverse("observation-cycles")).status_code == 200
    assert client.get(reverse("observation-field-home")).status_code == 200


def test_it_sends_anonymous_users_to_sign_in(world: Any) -> None:
    client = Client()
    assert client.get(reverse("observation-cycles")).status_code == 302
    assert client.get(f"/api/v1/observation/cycles/{world.cycle.pk}/").status_code in (401, 403)


def test_it_scores_through_the_api_exactly_once(world: Any) -> None:
    client = _client(world.c.sibling_secretary)
    url = f"/api/v1/observation/visits/{world.visit.pk}/score/"
    key = str(uuid.uuid4())
    body = {**SCORES, "comment": "好", "client_uuid": key}
    first = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201, first.content
    again = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 201 and again.headers.get("X-Idempotent-Replay") in ("true", None)
    assert again.json()["sheet"]["id"] == first.json()["sheet"]["id"]
    other = client.post(url, {**SCORES}, content_type="application/json")
    assert other.status_code == 409 and other.json()["code"] == "already_scored"
    assert ScoreSheet.objects.count() == 1


@pytest.mark.parametrize("bad", [21, -1, "abc", 3.5])
def test_it_refuses_bad_scores_at_the_field(world: Any, bad: Any) -> None:
    client = _client(world.c.sibling_secretary)
    url = f"/api/v1/observation/visits/{world.visit.pk}/score/"
    answer = client.post(url, {**SCORES, "look": bad}, content_type="application/json")
    assert answer.status_code == 400
    assert "look" in answer.json()["fields"]
    assert not ScoreSheet.objects.exists()


def test_it_forbids_a_visitor_who_is_not_a_scorer(world: Any) -> None:
    client = _client(world.c.branch_secretary)  # the host
    answer = client.post(
        f"/api/v1/observation/visits/{world.visit.pk}/score/",
        SCORES,
        content_type="application/json",
    )
    assert answer.status_code == 403
    assert client.get(reverse("observation-field-score", args=[world.visit.pk])).status_code == 403
    outsider = _client(world.c.outsider)
    answer = outsider.post(
        f"/api/v1/observation/visits/{world.visit.pk}/score/",
        SCORES,
        content_type="application/json",
    )
    assert answer.status_code == 404
    assert not ScoreSheet.objects.exists()


def test_it_closes_with_evidence_on_the_desk_and_reopens_by_api(world: Any) -> None:
    host = _client(world.c.branch_secretary)
    url = reverse("observation-rectification-close", args=[world.item.pk])
    refused = host.post(url, {"note": ""})
    assert refused.status_code == 400
    sibling = _client(world.c.sibling_secretary)
    assert sibling.post(url, {"note": "x"}).status_code == 404
    done = host.post(url, {"note": "已整改", "files": [SimpleUploadedFile("a.pdf", PDF)]})
    assert done.status_code == 302
    item = Rectification.objects.get()
    assert item.status == "closed" and item.files.count() == 1
    file_url = reverse("observation-evidence-file", args=[item.files.get().pk])
    assert host.get(file_url).status_code == 200
    assert _client(world.c.outsider).get(file_url).status_code == 404
    reopen = f"/api/v1/observation/rectifications/{item.pk}/reopen/"
    assert host.post(reopen, {"reason": "x"}, content_type="application/json").status_code == 403
    organiser = _client(world.c.bureau_secretary)
    answer = organiser.post(reopen, {"reason": "证据不足"}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["status"] == "open"
    again = organiser.post(reopen, {"reason": "x"}, content_type="application/json")
    assert again.status_code == 409


def test_it_creates_a_cycle_and_swaps_by_api(ow: Any) -> None:
    client = _client(ow.c.bureau_secretary)
    start = timezone.localdate() + datetime.timedelta(days=7)
    body = {
        "org": ow.c.putuo.pk,
        "title": "观摩",
        "starts_on": start.isoformat(),
        "ends_on": (start + datetime.timedelta(days=40)).isoformat(),
        "visitors_per_visit": 2,
    }
    answer = client.post("/api/v1/observation/cycles/", body, content_type="application/json")
    assert answer.status_code == 201, answer.content
    visits = answer.json()["visits"]
    assert len(visits) == 4 and all(len(v["visitors"]) == 2 for v in visits)
    cycle = answer.json()["id"]
    swap = client.post(
        f"/api/v1/observation/cycles/{cycle}/swap/",
        {"visit": visits[0]["id"], "other": visits[1]["id"], "reason": "书记外出"},
        content_type="application/json",
    )
    assert swap.status_code == 200
    bad = client.post(
        "/api/v1/observation/cycles/",
        {**body, "visitors_per_visit": 9},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "too_many_visitors"
    member = _client(ow.c.branch_secretary)
    assert (
        member.post(
            "/api/v1/observation/cycles/", body, content_type="application/json"
        ).status_code
        == 404
    )
