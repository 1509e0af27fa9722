"""/api/v1/meetings/: list, create, detail, cancel, attendees; scoped like the pages."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from juli.core.models import AuditLog
from juli.meetings.actions import plan
from juli.meetings.models import Meeting

from .conftest import make_meeting

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    return c


@pytest.fixture
def world(mw: Any) -> Any:
    mw.b1 = make_meeting(mw.c.branch1, actor=mw.c.branch_secretary, title="一支部大会")
    mw.b2 = make_meeting(mw.c.branch2, actor=mw.c.sibling_secretary, title="二支部大会")
    plan.add_invitees(
        mw.c.branch_secretary, mw.b1, [plan.Invitee(name="王老", category="take_part")]
    )
    return mw


def _who(world: Any, who: str | None) -> Any:
    if who is None:
        return None
    return getattr(world, who, None) or getattr(world.c, who)


@pytest.mark.parametrize(
    ("who", "detail", "titles"),
    [
        (None, 401, None),
        ("outsider", 404, set()),
        ("sibling_member", 404, {"二支部大会"}),
        ("member", 200, {"一支部大会"}),
        ("bureau_secretary", 200, {"一支部大会", "二支部大会"}),
    ],
)
def test_it_scopes_list_detail_and_roster(
    world: Any, who: str | None, detail: int, titles: Any
) -> None:
    c = api(_who(world, who))
    r = c.get("/api/v1/meetings/")
    if titles is None:
        assert r.status_code == 401
    else:
        assert r.status_code == 200
        assert {m["title"] for m in r.json()["results"]} == titles
    assert c.get(f"/api/v1/meetings/{world.b1.pk}/").status_code == detail
    assert c.get(f"/api/v1/meetings/{world.b1.pk}/attendees/").status_code == detail


def test_detail_counts_the_roster_by_category_and_status(world: Any) -> None:
    r = api(world.member).get(f"/api/v1/meetings/{world.b1.pk}/")
    body = r.json()
    assert body["org"] == {"id": world.c.branch1.pk, "name": "第一党支部"}
    assert body["roster"]["take_part"] == {
        "total": 1,
        "expected": 1,
        "present": 0,
        "late": 0,
        "leave": 0,
        "absent": 0,
    }
    assert body["roster"]["attend"]["total"] == world.b1.attendees.filter(category="attend").count()
    assert body["roster"]["total"] == world.b1.attendees.count()
    assert len(body["parts"]) == 1
    rows = api(world.member).get(f"/api/v1/meetings/{world.b1.pk}/attendees/").json()
    assert "phone" not in str(rows) and "13800000011" not in str(rows)
    assert {r["name"] for r in rows} >= {"冯党员", "王老"}


def test_filters(world: Any) -> None:
    c = api(world.c.bureau_secretary)
    assert [
        m["title"]
        for m in c.get("/api/v1/meetings/", {"org": world.c.branch2.pk}).json()["results"]
    ] == ["二支部大会"]
    day = timezone.localdate(world.b1.starts_at)
    got = c.get("/api/v1/meetings/", {"from": day.isoformat(), "to": day.isoformat()}).json()[
        "results"
    ]
    assert {m["title"] for m in got} == {"一支部大会", "二支部大会"}
    later = (day + datetime.timedelta(days=1)).isoformat()
    assert c.get("/api/v1/meetings/", {"from": later}).json()["results"] == []
    assert c.get("/api/v1/meetings/", {"kind": "nonsense"}).status_code == 400
    assert c.get("/api/v1/meetings/", {"from": "05/01/2026"}).status_code == 400
    assert c.get("/api/v1/meetings/", {"status": "cancelled"}).json()["results"] == []


def _body(world: Any, **over: Any) -> dict[str, Any]:
    start = timezone.now() + datetime.timedelta(days=2)
    body = {
        "org": world.c.branch1.pk,
        "kind": "branch_committee",
        "starts_at": start.isoformat(),
        "ends_at": (start + datetime.timedelta(hours=1)).isoformat(),
        "place": "会议室",
        "parts": [
            {
                "title": "",
                "presider": world.c.branch_secretary_person.pk,
                "agenda": [{"title": "研究发展党员", "presenter": "书记"}],
            }
        ],
        "invitees": [
            {"category": "sit_in", "person": world.c.bureau_secretary_person.pk},
            {"category": "take_part", "name": "王老", "affiliation": "退休"},
        ],
    }
    body.update(over)
    return body


def test_create_plans_a_meeting(world: Any) -> None:
    r = api(world.c.branch_secretary).post("/api/v1/meetings/", _body(world), format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["title"].startswith("第一党支部")
    assert body["roster"]["sit_in"]["total"] == 1 and body["roster"]["take_part"]["total"] == 1
    assert body["parts"][0]["presider"] == "单田芳"
    assert body["agenda"] == [{"order": 1, "part": 1, "title": "研究发展党员", "presenter": "书记"}]


@pytest.mark.parametrize(
    ("who", "over", "status", "field"),
    [
        ("member", {}, 403, None),
        ("sibling_secretary", {}, 403, None),
        ("branch_secretary", {"org": 99999}, 403, None),
        ("branch_secretary", {"place": ""}, 400, "place"),
        ("branch_secretary", {"kind": "party"}, 400, "kind"),
        ("branch_secretary", {"ends_at": "2020-01-01T00:00:00+08:00"}, 400, "ends_at"),
        ("branch_secretary", {"invitees": [{"person": 1}]}, 400, "invitees.0.person"),
        ("branch_secretary", {"series": 12345}, 400, "series"),
    ],
)
def test_create_refusals_write_nothing(
    world: Any, who: str, over: dict[str, Any], status: int, field: str | None
) -> None:
    if over.get("invitees") == [{"person": 1}]:
        over = {"invitees": [{"person": world.c.outsider_person.pk}]}  # not in the bureau's tree
    before = (Meeting.objects.count(), AuditLog.objects.count())
    r = api(_who(world, who)).post("/api/v1/meetings/", _body(world, **over), format="json")
    assert r.status_code == status, r.json()
    assert set(r.json()) >= {"detail", "code"}
    if field:
        assert field in r.json()["fields"]
    assert (Meeting.objects.count(), AuditLog.objects.count()) == before


def test_cancel(world: Any) -> None:
    url = f"/api/v1/meetings/{world.b1.pk}/cancel/"
    assert api(world.member).post(url, {"reason": "x"}, format="json").status_code == 403
    assert api(world.sibling_member).post(url, {"reason": "x"}, format="json").status_code == 404
    r = api(world.c.branch_secretary).post(url, {"reason": ""}, format="json")
    assert r.status_code == 400
    r = api(world.c.branch_secretary).post(url, {"reason": "改期"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = api(world.c.branch_secretary).post(url, {"reason": "再取消"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "illegal_state"
