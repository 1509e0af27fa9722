"""GET /api/v1/meetings/compliance/ and …/rules/: the same figures and scope as the page, in
the OpenAPI schema."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from juli.meetings import compliance
from juli.meetings.models import ComplianceRule, Meeting
from juli.orgs.models import PartyOrg

from .conftest import at, make_meeting

URL = "/api/v1/meetings/compliance/"
RULES = "/api/v1/meetings/compliance/rules/"


@pytest.fixture
def world(mw: Any) -> Any:
    c = mw.c
    PartyOrg.objects.filter(path__startswith=c.putuo.path).update(
        founded_on=datetime.date(2000, 7, 1)
    )
    first = timezone.localdate().replace(day=1)
    m = make_meeting(c.branch1, "theme_day", starts_at=at(first, 9), with_members=False)
    Meeting.objects.filter(pk=m.pk).update(status="confirmed")
    return mw


def get(client: Any, user: Any, url: str, **params: Any) -> Any:
    if user is not None:
        client.force_login(user)
    return client.get(url, params)


@pytest.mark.parametrize("url", [URL, RULES])
def test_it_answers_401_to_the_anonymous(client, world, url):
    assert client.get(url).status_code in (401, 403)


@pytest.mark.parametrize("who", ["outsider", "member"])
@pytest.mark.parametrize("url", [URL, RULES])
def test_it_hides_compliance_from_members_and_outsiders(client, world, who, url):
    user = getattr(world.c, who, None) or getattr(world, who)
    response = get(client, user, url)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_answers_the_subtree_table(client, world):
    c = world.c
    response = get(client, c.bureau_secretary, URL, period="month")
    assert response.status_code == 200
    data = response.json()
    assert data["root"]["code"] == "PT-DZ"
    t = compliance.table(c.putuo, data["year"], "month", data["index"], timezone.localdate())
    assert [r["org"]["name"] for r in data["rows"]] == [r.org.name for r in t.rows]
    b1 = {x["kind"]: x for x in data["rows"][0]["cells"]}
    assert (b1["theme_day"]["held"], b1["theme_day"]["required"]) == (1, 1)
    assert b1["theme_day"]["state"] == "done"
    assert data["rows"][0]["groups"] == 1


def test_a_branch_secretary_gets_404_for_another_branch(client, world):
    c = world.c
    assert get(client, c.branch_secretary, URL, org=c.branch2.pk).status_code == 404
    data = get(client, c.branch_secretary, URL).json()
    assert [r["org"]["name"] for r in data["rows"]] == ["第一党支部"]


def test_it_answers_the_rules(client, world):
    c = world.c
    ComplianceRule.objects.create(
        year=2026, org=None, org_kind="branch", meeting_kind="theme_day", period="quarter"
    )
    ComplianceRule.objects.create(
        year=2026,
        org=c.putuo,
        org_path=c.putuo.path,
        org_kind="branch",
        meeting_kind="party_lecture",
        period="month",
    )
    data = get(client, c.bureau_secretary, RULES, year=2026).json()
    theme = next(
        r
        for r in data["district"]
        if r["org_kind"] == "branch" and r["meeting_kind"] == "theme_day"
    )
    assert (theme["period"], theme["source"]) == ("quarter", "district")
    assert [(r["org"], r["meeting_kind"]) for r in data["subtrees"]] == [
        (c.putuo.pk, "party_lecture")
    ]
    assert get(client, c.branch_secretary, RULES, year=2026).json()["subtrees"] == []


def test_it_is_in_the_schema(client, world):
    client.force_login(world.c.platform_admin)
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/meetings/compliance/" in text
    assert "/api/v1/meetings/compliance/rules/" in text
