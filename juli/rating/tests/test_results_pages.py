"""The results pages and API: who sees a round's results (runners always; others inside the
subtree once it is public, 403 before; outsiders 404), what they see (public rows only), a
branch's history, the exports' access. Scores set directly (see _results_world.py)."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from juli.conftest import build_cast
from juli.core import metrics
from juli.rating.models import Assessment, RatingRound, StarChange

from ._results_world import build, finish, publish
from .conftest import STUB, STUB_FIGURES

D = Decimal


@pytest.fixture(scope="module")
def world_once(django_db_setup, django_db_blocker):
    """The world, built once for the module inside a transaction rolled back after its last
    test (as Django's setUpTestData); each test runs in a savepoint of it on a copy."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        translation.override("en"),
        transaction.atomic(),
    ):
        metrics.register(STUB)
        STUB_FIGURES.clear()
        try:
            world = build(build_cast(), STUB_FIGURES)
            figures = dict(STUB_FIGURES)
        finally:
            STUB_FIGURES.clear()
            metrics.unregister(STUB.key)
        yield world, figures
        transaction.set_rollback(True)


@pytest.fixture
def world(db, world_once, stub_metric):
    built, figures = world_once
    stub_metric.update(figures)
    return copy.deepcopy(built)


@pytest.fixture
def published(world):
    for a in world.a:
        finish(a)
    publish(world.round)
    return world


def _get(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


URL_NAMES = ["rating-results", "rating-results-xlsx", "rating-results-pdf"]
API = "/api/v1/rating/rounds/{}/results/"


@pytest.mark.parametrize("name", URL_NAMES)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("outsider", 404),
        ("district_admin", 404),
        ("branch_secretary", 200),
        ("sibling_secretary", 200),
        ("bureau_secretary", 200),
        ("platform_admin", 200),
    ],
)
def test_it_shows_published_results_inside_the_subtree(client, published, name, who, status):
    user = getattr(published.c, who) if who else None
    before = Assessment.objects.filter(round=published.round).values_list("status", "score")
    before = sorted(before)
    response = _get(client, user, reverse(name, args=[published.round.pk]))
    assert response.status_code == status
    assert (
        sorted(Assessment.objects.filter(round=published.round).values_list("status", "score"))
        == before
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("outsider", 404), ("branch_secretary", 403), ("bureau_secretary", 200)],
)
def test_an_open_round_shows_only_to_those_who_run_it(client, world, who, status):
    for name in URL_NAMES:
        response = _get(client, getattr(world.c, who), reverse(name, args=[world.round.pk]))
        assert response.status_code == status, name
    response = client.get(API.format(world.round.pk))
    assert response.status_code == status


def test_the_runner_sees_self_scores_while_open(client, world):
    # Only branch 3 reviewed; the others show their self scores (branch1: 36 + 28 + 27 = 91).
    finish(world.a[2], Assessment.Status.REVIEWED)
    response = _get(client, world.c.bureau_secretary, API.format(world.round.pk))
    data = response.json()
    assert data["basis"] == "mixed"
    rows = {r["org"]["id"]: r for r in data["rows"]}
    assert (rows[world.b[0].pk]["score"], rows[world.b[0].pk]["basis"]) == ("91.00", "self")
    assert (rows[world.b[2].pk]["score"], rows[world.b[2].pk]["stars"]) == ("98.00", 2)
    assert rows[world.b[5].pk]["movement"] == "new"
    page = client.get(reverse("rating-results", args=[world.round.pk]))
    assert b'data-basis="self"' in page.content


def test_others_see_only_the_public_rows(client, world):
    for a in world.a[:3]:
        finish(a, Assessment.Status.PUBLICITY)
    RatingRound.objects.filter(pk=world.round.pk).update(status=RatingRound.Status.PUBLICITY)
    data = _get(client, world.c.branch_secretary, API.format(world.round.pk)).json()
    assert data["public_only"] is True
    assert sorted(r["org"]["id"] for r in data["rows"]) == sorted(o.pk for o in world.b[:3])
    assert [r["rank"] for r in data["rows"]] == [1, 2, 3]


def test_the_page_marks_top_bottom_and_movement(client, published):
    page = _get(
        client, published.c.bureau_secretary, reverse("rating-results", args=[published.round.pk])
    )
    html = page.content.decode()
    assert html.count('data-mark="top"') == 3
    assert html.count('data-mark="bottom"') == 3
    assert 'data-move="new"' in html and 'data-move="2"' in html and 'data-move="-2"' in html
    assert '<svg class="rr-chart" data-chart="distribution"' in html
    assert 'data-stars="3" data-count="2"' in html
    assert 'data-chart="trend"' in html


def test_the_api_answers_the_table_and_distribution(client, published):
    data = _get(client, published.c.bureau_secretary, API.format(published.round.pk)).json()
    assert [d["count"] for d in data["distribution"]] == [0, 1, 1, 2, 2, 0]
    assert [(r["rank"], r["mark"], r["score"]) for r in data["rows"]] == [
        (1, "top", "98.00"),
        (2, "top", "90.00"),
        (3, "top", "88.00"),
        (4, "bottom", "81.00"),
        (4, "bottom", "81.00"),
        (6, "bottom", "60.00"),
    ]
    assert data["previous_round"] == published.last.pk


def test_a_star_change_shows_the_stars_in_force(client, published):
    a = published.a[0]
    StarChange.objects.create(
        assessment=a,
        from_stars=4,
        to_stars=3,
        reason="发生违纪",
        decision_ref="普绿党〔2027〕3号",
        decided_on=published.day,
        decided_by=published.c.bureau_secretary,
    )
    Assessment.objects.filter(pk=a.pk).update(current_stars=3)
    data = _get(client, published.c.bureau_secretary, API.format(published.round.pk)).json()
    row = next(r for r in data["rows"] if r["org"]["id"] == published.b[0].pk)
    assert (row["stars"], row["star_changes"][0]["to_stars"]) == (3, 3)
    assert [d["count"] for d in data["distribution"]] == [0, 1, 1, 3, 1, 0]
    history = client.get(f"/api/v1/rating/branches/{published.b[0].pk}/history/").json()
    assert [(x["year"], x["stars"], x["rank"], x["of"]) for x in history["lines"]] == [
        (2025, 5, 1, 5),
        (2026, 3, 3, 6),
    ]
    assert history["lines"][1]["star_changes"][0]["decision_ref"] == "普绿党〔2027〕3号"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("outsider", 404),
        ("branch_secretary", 200),
        ("sibling_secretary", 200),
        ("bureau_secretary", 200),
    ],
)
def test_branch_history_access(client, published, who, status):
    user = getattr(published.c, who) if who else None
    response = _get(client, user, reverse("rating-branch-history", args=[published.b[0].pk]))
    assert response.status_code == status
    if status == 200:
        assert response.content.decode().count("data-year=") >= 2


def test_branch_history_of_an_open_round_hides_others_self_scores(client, world):
    # branch 2's secretary sees nothing of branch 1 while the round is open (only 2025).
    data = _get(
        client, world.c.sibling_secretary, f"/api/v1/rating/branches/{world.b[0].pk}/history/"
    ).json()
    assert [x["year"] for x in data["lines"]] == [2025]
    own = client.get(f"/api/v1/rating/branches/{world.b[1].pk}/history/").json()
    assert [(x["year"], x["basis"], x["rank"]) for x in own["lines"]] == [
        (2025, "reviewed", 2),
        (2026, "self", None),
    ]
    assert client.get("/api/v1/rating/branches/999999/history/").status_code == 404
