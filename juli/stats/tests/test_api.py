"""/api/v1/stats/summary/: the page's figures as JSON, scoped the same way."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from juli.core.models import AuditLog
from juli.stats import queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/stats/summary/"


def _q(story, **extra):  # type: ignore[no-untyped-def]
    params = {
        "from": timezone.localdate(story.base).isoformat(),
        "to": timezone.localdate().isoformat(),
    }
    params.update(extra)
    return params


@pytest.mark.parametrize(
    ("who", "area", "status"),
    [
        ("district_admin", "310101000000", 200),
        ("district_admin", "310101014000", 200),
        ("street_officer", "310101013000", 200),
        ("street_officer", "310101014000", 404),
        ("street_officer", "310101000000", 404),
        ("platform_admin", "310101014000", 200),
        ("inspector", "310101013000", 404),
        ("grid_worker", "3101010130010101", 404),
        ("unit_staff", "310101013000", 404),
        ("outsider", "310101013000", 404),
        ("branch_secretary", "310101013000", 404),
        ("street_officer", "unknown", 404),
    ],
)
def test_it_answers_only_in_scope(client, story, who, area, status):
    client.force_login(getattr(story.c, who))
    audit = AuditLog.objects.count()
    response = client.get(URL, _q(story, area=area))
    assert response.status_code == status
    assert AuditLog.objects.count() == audit


def test_it_refuses_anonymous_callers(client, story):
    assert client.get(URL, _q(story, area="310101013000")).status_code == 401


def test_it_returns_the_same_figures_as_the_page(client, story):
    c = story.c
    client.force_login(c.street_officer)
    body = client.get(URL, _q(story)).json()  # default area: the officer's street
    expected = queries.summary(
        c.street_officer, c.dapuqiao, timezone.localdate(story.base), timezone.localdate()
    )
    assert body["area"]["code"] == "310101013000"
    assert body["totals"] == expected["totals"]
    assert body["totals"]["reported"] == 5 and body["totals"]["on_time_rate"] == 33.3
    assert body["trend"] == expected["trend"]
    assert body["categories"] == expected["categories"]
    assert [o["number"] for o in body["overdue"]] == [story.d.number]


def test_it_defaults_to_the_last_thirty_days(client, story):
    client.force_login(story.c.district_admin)
    body = client.get(URL).json()
    today = timezone.localdate()
    assert body["area"]["code"] == "310101000000"
    assert body["period"] == {
        "from": (today - datetime.timedelta(days=29)).isoformat(),
        "to": today.isoformat(),
        "days": 30,
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-05-02", "to": "2026-05-01"}, "from"),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "from"),
    ],
)
def test_it_explains_bad_periods(client, story, params, field):
    client.force_login(story.c.district_admin)
    response = client.get(URL, params)
    assert response.status_code == 400
    assert field in str(response.json())


def test_it_is_in_the_schema(client, story):
    client.force_login(story.c.district_admin)
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/stats/summary/" in schema and "stats_summary" in schema
