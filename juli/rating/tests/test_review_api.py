"""The review API and pages: access (anonymous, outsider, wrong org, own branch, reviewer),
409 on a stale version, the round steps, objections and star changes; nothing written on a
refusal."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from juli.rating.actions import review as rv
from juli.rating.models import Assessment, AssessmentEvent, Objection, RatingRound, StarChange

from .test_review import state, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(rw: SimpleNamespace) -> SimpleNamespace:
    rw.figures[rw.c.branch2.pk] = Decimal("0.9")
    rv.scoring.measure(rw.round)
    submit(rw.a1)
    submit(rw.a2, ("30", "30"))
    rw.reviewer = rw.c.bureau_secretary
    rw.rows = list(rw.a1.scores.order_by("criterion__category__order", "criterion__order"))
    return rw


def api(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def page(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("who", "code"),
    [
        (None, 401),
        ("outsider", 404),
        ("sibling_secretary", 404),
        ("branch_secretary", 403),
        ("bureau_secretary", 200),
    ],
)
def test_review_endpoint_access(w: SimpleNamespace, who: str | None, code: int) -> None:
    user = getattr(w.c, who) if who else None
    before = state(w.a1)
    url = reverse("api-rating-assessment-review", args=[w.a1.pk])
    response = api(user).post(url, {"version": 1}, format="json")
    assert response.status_code == code
    if code != 200:
        assert state(w.a1) == before
    else:
        assert response.json()["score"] == "81.00"


@pytest.mark.parametrize(
    ("who", "code"),
    [
        (None, 302),
        ("outsider", 404),
        ("sibling_secretary", 404),
        ("branch_secretary", 403),
        ("bureau_secretary", 200),
    ],
)
def test_review_page_access(w: SimpleNamespace, who: str | None, code: int) -> None:
    user = getattr(w.c, who) if who else None
    response = page(user).get(reverse("rating-review", args=[w.a1.pk]))
    assert response.status_code == code


def test_review_api_stale_version_answers_409(w: SimpleNamespace) -> None:
    url = reverse("api-rating-assessment-review", args=[w.a1.pk])
    client = api(w.reviewer)
    body = {"version": 1, "rows": [{"score": w.rows[1].pk, "points": "20", "reason": "不足"}]}
    assert client.post(url, body, format="json").status_code == 200
    before = state(w.a1)
    response = client.post(
        url,
        {**body, "rows": [{"score": w.rows[1].pk, "points": "10", "reason": "再改"}]},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "stale")
    assert state(w.a1) == before


def test_review_api_bad_input(w: SimpleNamespace) -> None:
    url = reverse("api-rating-assessment-review", args=[w.a1.pk])
    client = api(w.reviewer)
    before = state(w.a1)
    for body, code in (
        (
            {"version": 1, "rows": [{"score": w.rows[1].pk, "points": "31", "reason": "x"}]},
            "out_of_range",
        ),
        ({"version": 1, "rows": [{"score": w.rows[1].pk, "points": "10"}]}, "reason_required"),
        ({"version": 1, "rows": [{"score": 999999, "points": "10", "reason": "x"}]}, "foreign_row"),
        ({"version": 1, "vetoes": [{"veto_id": 999999, "reason": "x"}]}, "foreign_veto"),
        ({"rows": []}, "invalid"),
    ):
        response = client.post(url, body, format="json")
        assert (response.status_code, response.json()["code"]) == (400, code), body
    assert state(w.a1) == before


def test_review_page_saves_and_shows_stale_conflict(w: SimpleNamespace) -> None:
    client = page(w.reviewer)
    url = reverse("rating-review", args=[w.a1.pk])
    row = w.rows[1]
    form = {"version": "1", f"points-{row.pk}": "20", f"reason-{row.pk}": "台账不全", "note": "好"}
    assert client.post(url, form).status_code == 302
    w.a1.refresh_from_db()
    assert (w.a1.status, w.a1.score, w.a1.version) == ("reviewed", Decimal("76.00"), 2)
    response = client.post(url, {**form, f"points-{row.pk}": "10"})
    assert response.status_code == 409
    assert w.a1.scores.get(pk=row.pk).review_points == Decimal("20.00")
    response = client.get(url)
    assert b'id="rating-review-score" data-score="76.00"' in response.content


def test_round_steps_over_the_api(w: SimpleNamespace, cast: Any) -> None:
    client = api(w.reviewer)
    start = reverse("api-rating-round-start-publicity", args=[w.round.pk])
    response = client.post(start, {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "not_reviewed")
    assert api(cast.branch_secretary).post(start, {}, format="json").status_code == 403
    assert api(cast.outsider).post(start, {}, format="json").status_code == 404
    for a in (w.a1, w.a2):
        rv.review(w.reviewer, a, version=1)
    today = timezone.localdate()
    response = client.post(start, {"starts_on": today.isoformat()}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "publicity"
    publish = reverse("api-rating-round-publish", args=[w.round.pk])
    response = client.post(publish, {}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "notice_running")
    # objections: raised by a sibling branch's secretary, answered by the runner
    objections = reverse("api-rating-assessment-objections", args=[w.a1.pk])
    response = api(cast.sibling_secretary).post(objections, {"text": "有异议"}, format="json")
    assert response.status_code == 201
    pk = response.json()["id"]
    assert len(api(cast.sibling_secretary).get(objections).json()) == 1
    assert api(cast.outsider).get(objections).status_code == 404
    answer = reverse("api-rating-objection-answer", args=[pk])
    assert (
        api(cast.branch_secretary)
        .post(answer, {"status": "dismissed", "answer": "x"}, format="json")
        .status_code
        == 403
    )
    response = client.post(answer, {"status": "dismissed", "answer": "经核实无误"}, format="json")
    assert response.status_code == 200
    response = client.post(answer, {"status": "upheld", "answer": "再答"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "answered")
    # the notice ends
    RatingRound.objects.filter(pk=w.round.pk).update(
        publicity_starts=today - datetime.timedelta(days=10),
        publicity_ends=today - datetime.timedelta(days=1),
    )
    response = client.post(publish, {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "published"
    detail = api(cast.branch_secretary).get(reverse("api-rating-round", args=[w.round.pk])).json()
    assert {a["org"] for a in detail["assessments"]} == {cast.branch1.pk, cast.branch2.pk}
    # star change
    changes = reverse("api-rating-assessment-star-changes", args=[w.a2.pk])
    body = {
        "to_stars": 3,
        "reason": "违纪",
        "decision_ref": "文号",
        "decided_on": today.isoformat(),
    }
    assert api(cast.branch_secretary).post(changes, body, format="json").status_code == 403
    response = client.post(changes, {**body, "to_stars": 5}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "not_lower")
    response = client.post(changes, body, format="json")
    assert response.status_code == 201
    assert StarChange.objects.get().to_stars == 3


def test_open_round_over_the_api(w: SimpleNamespace, cast: Any) -> None:
    url = reverse("api-rating-rounds")
    body = {"org": cast.putuo.pk, "standard": w.standard.pk, "year": 2027, "self_due": "2027-12-01"}
    assert api(cast.branch_secretary).post(url, body, format="json").status_code == 400
    response = api(w.reviewer).post(url, body, format="json")
    assert response.status_code == 201
    assert len(response.json()["assessments"]) == 2
    response = api(w.reviewer).post(url, body, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "duplicate")
    assert [r["year"] for r in api(cast.branch_secretary).get(url).json()] == [2027, 2026]
    assert api(cast.outsider).get(url).json() == []


@pytest.mark.parametrize(
    ("who", "code"),
    [(None, 302), ("outsider", 404), ("branch_secretary", 403), ("bureau_secretary", 200)],
)
def test_round_page_access(w: SimpleNamespace, who: str | None, code: int) -> None:
    user = getattr(w.c, who) if who else None
    assert page(user).get(reverse("rating-round", args=[w.round.pk])).status_code == code


def test_round_page_filters_and_refusal_reason(w: SimpleNamespace) -> None:
    client = page(w.reviewer)
    url = reverse("rating-round", args=[w.round.pk])
    response = client.get(url)
    assert b'id="rating-publicity-refusal"' in response.content
    assert response.content.count(b"data-assessment=") == 2
    rv.review(w.reviewer, w.a1, version=1)
    response = client.get(url, {"status": "reviewed"})
    assert response.content.count(b"data-assessment=") == 1
    response = client.post(
        reverse("rating-round-step", args=[w.round.pk]), {"step": "start_publicity"}
    )
    assert response.status_code == 302
    w.round.refresh_from_db()
    assert w.round.status == "open"


def test_publicity_page_objection_and_answer(w: SimpleNamespace, cast: Any) -> None:
    url = reverse("rating-publicity", args=[w.round.pk])
    assert page(cast.sibling_secretary).get(url).status_code == 404  # not on notice yet
    for a in (w.a1, w.a2):
        rv.review(w.reviewer, a, version=1)
    rv.start_publicity(w.reviewer, w.round, starts_on=timezone.localdate())
    response = page(cast.sibling_secretary).get(url)
    assert response.status_code == 200
    assert response.content.count(b'class="objection-form"') == 2
    assert page(cast.outsider).get(url).status_code == 404
    response = page(cast.sibling_secretary).post(url, {"assessment": w.a1.pk, "text": "分数偏高"})
    assert response.status_code == 302
    o = Objection.objects.get()
    response = page(cast.sibling_secretary).post(
        url, {"action": "answer", "objection": o.pk, "status": "upheld", "answer": "x"}
    )
    assert response.status_code == 403
    response = page(w.reviewer).post(
        url, {"action": "answer", "objection": o.pk, "status": "upheld", "answer": "成立"}
    )
    assert response.status_code == 302
    o.refresh_from_db()
    assert o.status == "upheld"
    response = page(w.reviewer).post(
        reverse("rating-round-step", args=[w.round.pk]), {"step": "reopen", "reason": "异议成立"}
    )
    w.round.refresh_from_db()
    assert w.round.status == "open"
    assert Assessment.objects.filter(round=w.round, status="reviewed").count() == 2
    assert AssessmentEvent.objects.filter(action="reopen").count() == 2


def test_rounds_page_lists_and_opens(w: SimpleNamespace, cast: Any) -> None:
    url = reverse("rating-rounds")
    response = page(cast.outsider).get(url)
    assert response.status_code == 200 and b'id="rating-open-round"' not in response.content
    assert page(cast.outsider).get(url).content.count(b"data-round=") == 0
    response = page(w.reviewer).post(
        url,
        {
            "org": cast.putuo.pk,
            "standard": w.standard.pk,
            "year": 2026,
            "self_due": "2026-12-01",
            "publicity_days": 5,
        },
    )
    assert response.status_code == 400  # one round a year
    response = page(w.reviewer).post(
        url,
        {
            "org": cast.putuo.pk,
            "standard": w.standard.pk,
            "year": 2027,
            "self_due": "2027-12-01",
            "publicity_days": 5,
        },
    )
    assert response.status_code == 302
    assert RatingRound.objects.filter(year=2027).count() == 1


def test_star_change_page(w: SimpleNamespace, cast: Any) -> None:
    for a in (w.a1, w.a2):
        rv.review(w.reviewer, a, version=1)
    rv.start_publicity(
        w.reviewer, w.round, starts_on=timezone.localdate() - datetime.timedelta(days=30)
    )
    rv.publish(w.reviewer, w.round)
    url = reverse("rating-star-change", args=[w.a2.pk])
    form = {
        "to_stars": "4",
        "reason": "违纪",
        "decision_ref": "文号",
        "decided_on": timezone.localdate().isoformat(),
    }
    assert page(cast.branch_secretary).post(url, form).status_code == 403  # sees, may not
    assert page(w.reviewer).post(url, {**form, "decided_on": "bad"}).status_code == 302
    assert StarChange.objects.count() == 0
    assert page(w.reviewer).post(url, form).status_code == 302
    w.a2.refresh_from_db()
    assert w.a2.current_stars == 4
    response = page(w.reviewer).get(reverse("rating-review", args=[w.a2.pk]))
    assert b'id="rating-star-changes"' in response.content
