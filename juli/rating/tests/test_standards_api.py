"""The standards API: list, create from a nested spec, read, PATCH a draft, copy, metrics;
refusals (403, 404, 409 frozen, 400 at the field) that write nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from juli.core.models import AuditLog
from juli.rating.models import RatingStandard

from .conftest import STUB, make_round, make_standard
from .test_standards_pages import state

URL = "/api/v1/rating/standards/"


def api(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def sw(cast: Any, stub_metric: Any) -> Any:
    cast.standard = make_standard(cast.putuo)
    cast.other = make_standard(cast.anyang)
    return cast


def spec(**over: Any) -> dict[str, Any]:
    body = {
        "org": 0,
        "year": 2027,
        "title": "2027年标准",
        "thresholds": {"star1": "60", "star2": "70", "star3": "80", "star4": "90", "star5": "96"},
        "categories": [
            {
                "name": "组织生活",
                "criteria": [
                    {
                        "title": "三会一课",
                        "points": "60",
                        "method": "computed",
                        "metric": STUB.key,
                        "full_share": "0.9",
                    },
                    {"title": "主题党日", "points": "40", "method": "judged"},
                ],
            }
        ],
        "vetoes": [{"title": "严重违纪", "cap_stars": 0}],
    }
    return body | over


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 401), ("outsider", 404), ("branch_secretary", 200), ("bureau_secretary", 200)],
)
def test_it_reads_a_standard_in_scope(sw: Any, who: str | None, expected: int) -> None:
    user = getattr(sw, who) if who else None
    response = api(user).get(f"{URL}{sw.standard.pk}/")
    assert response.status_code == expected
    if expected == 200:
        body = response.json()
        assert body["total_points"] == "100.00"
        assert body["thresholds"]["star4"] == "88.00"
        crit = body["categories"][0]["criteria"][0]
        assert (crit["metric"], crit["metric_label"], crit["points"]) == (
            STUB.key,
            STUB.label,
            "40.00",
        )
        assert body["vetoes"][0]["cap_stars"] == 2


def test_the_list_holds_what_one_sees(sw: Any) -> None:
    ids = [s["id"] for s in api(sw.branch_secretary).get(URL).json()["results"]]
    assert ids == [sw.standard.pk]
    # the outsider is a member in Anyang: Anyang's standard only
    ids = [s["id"] for s in api(sw.outsider).get(URL).json()["results"]]
    assert ids == [sw.other.pk]


def test_it_creates_a_standard_from_a_spec(sw: Any) -> None:
    response = api(sw.bureau_secretary).post(URL, spec(org=sw.putuo.pk), format="json")
    assert response.status_code == 201, response.json()
    created = RatingStandard.objects.get(pk=response.json()["id"])
    assert created.criteria.count() == 2 and created.star5 == Decimal(96)
    assert AuditLog.objects.filter(verb="rating.standard.create", object_id=str(created.pk))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"categories.0.criteria.0.points": "0"}, "categories.0.criteria.0.points"),
        ({"categories.0.criteria.0.points": "100.5"}, "categories.0.criteria.0.points"),
        ({"categories.0.criteria.0.metric": "no.such"}, "categories.0.criteria.0.metric"),
        ({"categories.0.criteria.0.full_share": "1.5"}, "categories.0.criteria.0.full_share"),
        ({"thresholds.star3": "95"}, "thresholds.star4"),
        ({"vetoes.0.cap_stars": 5}, "vetoes.0.cap_stars"),
        ({"year": "2027"}, "year"),
        ({"title": 7}, "title"),
    ],
)
def test_bad_input_is_refused_at_the_field(sw: Any, change: dict[str, Any], field: str) -> None:
    body = spec(org=sw.putuo.pk)
    for path, value in change.items():
        target: Any = body
        *parts, last = path.split(".")
        for part in parts:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    count = RatingStandard.objects.count()
    response = api(sw.bureau_secretary).post(URL, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"], response.json()
    assert RatingStandard.objects.count() == count


def test_it_refuses_an_organisation_one_does_not_issue_for(sw: Any) -> None:
    count = RatingStandard.objects.count()
    response = api(sw.branch_secretary).post(URL, spec(org=sw.putuo.pk), format="json")
    assert response.status_code == 403
    assert RatingStandard.objects.count() == count


def test_patch_edits_a_draft(sw: Any) -> None:
    s = sw.standard
    judged = s.criteria.get(title="服务群众成效")
    computed = s.criteria.get(method="computed")
    response = api(sw.bureau_secretary).patch(
        f"{URL}{s.pk}/",
        {
            "title": "2026年五星级党支部标准（修订）",
            "thresholds": {"star5": "97"},
            "criteria": [{"id": computed.pk, "points": "35", "full_share": "1"}],
            "remove_criteria": [judged.pk],
            "add_categories": [
                {
                    "name": "制度落实",
                    "criteria": [{"title": "制度", "points": "35", "method": "judged"}],
                }
            ],
            "add_vetoes": [{"title": "安全事故", "cap_stars": 3}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "2026年五星级党支部标准（修订）"
    assert body["thresholds"]["star5"] == "97.00"
    assert body["total_points"] == "100.00"
    assert [v["title"] for v in body["vetoes"]] == ["发生严重违纪案件", "安全事故"]


def test_patch_refuses_a_criterion_of_another_standard_and_writes_nothing(sw: Any) -> None:
    s = sw.standard
    foreign = sw.other.criteria.first()
    before = state(s), state(sw.other)
    response = api(sw.platform_admin).patch(
        f"{URL}{s.pk}/",
        {"title": "改名", "criteria": [{"id": foreign.pk, "points": "5"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "criteria.0.id" in response.json()["fields"]
    # the title change before it was rolled back with it
    assert (state(s), state(sw.other)) == before


def test_patch_refuses_a_points_out_of_range_after_merge(sw: Any) -> None:
    crit = sw.standard.criteria.get(method="computed")
    before = state(sw.standard)
    response = api(sw.bureau_secretary).patch(
        f"{URL}{sw.standard.pk}/",
        {"criteria": [{"id": crit.pk, "method": "computed", "metric": "no.such"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "criteria.0.metric" in response.json()["fields"]
    assert state(sw.standard) == before


def test_patch_of_a_frozen_standard_is_a_conflict(sw: Any) -> None:
    make_round(sw.putuo, sw.standard)
    before = state(sw.standard)
    response = api(sw.bureau_secretary).patch(
        f"{URL}{sw.standard.pk}/", {"title": "改名"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "frozen"
    assert state(sw.standard) == before


def test_patch_by_a_reader_is_forbidden(sw: Any) -> None:
    before = state(sw.standard)
    response = api(sw.branch_secretary).patch(
        f"{URL}{sw.standard.pk}/", {"title": "改名"}, format="json"
    )
    assert response.status_code == 403
    assert state(sw.standard) == before


def test_copy_makes_a_draft_for_next_year(sw: Any) -> None:
    make_round(sw.putuo, sw.standard)
    response = api(sw.bureau_secretary).post(
        f"{URL}{sw.standard.pk}/copy/", {"year": 2027}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["year"], body["title"], body["status"]) == (
        2027,
        "2027年五星级党支部标准",
        "draft",
    )
    assert body["copied_from"] == sw.standard.pk
    # a second copy of the same title: refused at the field
    response = api(sw.bureau_secretary).post(
        f"{URL}{sw.standard.pk}/copy/", {"year": 2027}, format="json"
    )
    assert response.status_code == 400 and "title" in response.json()["fields"]


def test_metrics_are_listed(sw: Any) -> None:
    rows = api(sw.branch_secretary).get("/api/v1/rating/metrics/").json()
    keys = [r["key"] for r in rows]
    assert {"meetings.compliance", "letters.grade", "cases.on_time", STUB.key} <= set(keys)
    assert api(None).get("/api/v1/rating/metrics/").status_code == 401
