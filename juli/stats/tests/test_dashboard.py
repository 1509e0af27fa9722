"""The dashboard page and queries.summary: exact figures, access, links, query count."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from juli.cases import actions
from juli.cases.models import Case
from juli.core.models import AuditLog
from juli.stats import queries
from juli.stats.models import CaseDaily

pytestmark = pytest.mark.django_db
URL = "/dashboard/"


def _period(story):  # type: ignore[no-untyped-def]
    return timezone.localdate(story.base), timezone.localdate()


def test_it_sums_the_rollups_of_a_street(story):
    c, w = story.c, story.w
    data = queries.summary(None, c.dapuqiao, *_period(story))
    t = data["totals"]
    assert {k: t[k] for k in ("reported", "rejected", "dispatched", "rectified", "closed")} == {
        "reported": 5,  # A B C D F
        "rejected": 1,
        "dispatched": 3,
        "rectified": 3,
        "closed": 2,
    }
    assert (t["rectified_on_time"], t["rectified_late"], t["on_time_rate"]) == (1, 2, 33.3)
    assert (t["verified"], t["sent_back"], t["pass_rate"]) == (2, 1, 66.7)
    assert (t["open"], t["overdue"], t["deduction_sum"]) == (2, 1, "2.00")  # D, F; D
    assert [(d["reported"], d["closed"]) for d in data["trend"]] == [(5, 1), (0, 0), (0, 1), (0, 0)]
    assert [(k["name"], k["reported"], k["closed"], k["open"]) for k in data["categories"]] == [
        ("安全隐患", 3, 1, 1),
        ("暴露垃圾", 1, 0, 1),
        ("道路破损", 1, 1, 0),
    ]
    assert [
        (ch["name"], ch["reported"], ch["on_time_rate"], ch["open"]) for ch in data["children"]
    ] == [("蒙西居民区", 5, 33.3, 2)]
    assert [o["number"] for o in data["overdue"]] == [story.d.number]
    assert data["overdue"][0]["hours_overdue"] >= 24
    assert sorted(p["number"] for p in data["points"]) == sorted([story.d.number, story.f.number])
    assert data["period"] == {
        "from": _period(story)[0].isoformat(),
        "to": timezone.localdate().isoformat(),
        "days": 4,
    }
    assert w.hazard.name == "安全隐患"


def test_it_sums_a_district_by_street(story):
    c = story.c
    data = queries.summary(None, c.huangpu, *_period(story))
    assert (data["totals"]["reported"], data["totals"]["open"]) == (6, 3)
    rows = {ch["name"]: (ch["reported"], ch["open"]) for ch in data["children"]}
    assert rows == {"打浦桥街道": (5, 2), "淮海中路街道": (1, 1)}


def test_it_counts_only_the_days_asked(story):
    c = story.c
    d0 = timezone.localdate(story.base)
    later = d0 + datetime.timedelta(days=1)
    data = queries.summary(None, c.dapuqiao, later, timezone.localdate())
    assert (data["totals"]["reported"], data["totals"]["closed"], data["totals"]["rectified"]) == (
        0,
        1,
        2,
    )
    # Open and overdue are "now", whatever the period.
    assert (data["totals"]["open"], data["totals"]["overdue"]) == (2, 1)


def test_it_draws_cells_that_have_boundaries(story):
    c = story.c
    from juli.orgs import actions as org_actions
    from juli.stats.demo import polygon

    org_actions.update_area(None, c.grid1, boundary=polygon((121.46, 31.19, 121.47, 31.20)))
    data = queries.summary(None, c.dapuqiao, *_period(story))
    assert [(x["name"], x["reported"], x["open"]) for x in data["cells"]] == [
        ("蒙西第一微网格", 4, 2)
    ]
    assert data["cells"][0]["boundary"]["type"] == "Polygon"


# --- The page -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "query", "status", "area"),
    [
        ("district_admin", "", 200, "黄浦区"),
        ("district_admin", "?area=310101013000", 200, "打浦桥街道"),
        ("district_admin", "?area=310101013001&days=7", 200, "蒙西居民区"),
        ("street_officer", "", 200, "打浦桥街道"),
        ("street_officer", "?area=310101013001", 200, "蒙西居民区"),
        ("street_officer", "?area=310101014000", 404, None),  # the other street
        ("street_officer", "?area=310101000000", 404, None),  # the district above
        ("street_officer", "?area=nope", 404, None),
        ("platform_admin", "", 200, "黄浦区"),
        ("inspector", "", 404, None),
        ("grid_worker", "", 404, None),
        ("unit_staff", "", 404, None),
        ("outsider", "", 404, None),
        ("sibling_secretary", "?area=310101013000", 404, None),
    ],
)
def test_it_shows_the_dashboard_only_in_scope(client, story, who, query, status, area):
    client.force_login(getattr(story.c, who))
    audit = AuditLog.objects.count()
    response = client.get(URL + query)
    assert response.status_code == status
    if area is not None:
        assert response.context["area"].name == area
    assert AuditLog.objects.count() == audit  # reading writes nothing


def test_it_sends_anonymous_users_to_the_login(client, story):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_tells_an_office_role_without_an_area(client, story):
    client.force_login(story.c.branch_secretary)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["area"] is None
    assert "Your posts cover no area" in response.content.decode()


def test_it_shows_figures_with_links_to_the_cases_behind_them(client, story):
    c, w = story.c, story.w
    client.force_login(c.street_officer)
    response = client.get(URL + "?days=7")
    html = response.content.decode()
    totals = response.context["totals"]
    assert (totals["reported"], totals["closed"], totals["open"], totals["overdue"]) == (5, 2, 2, 1)
    day_from = (timezone.localdate() - datetime.timedelta(days=6)).isoformat()
    today = timezone.localdate().isoformat()
    span = f"reported_from={day_from}&amp;reported_to={today}"
    assert f'href="/cases/?area={c.dapuqiao.pk}&amp;{span}"' in html  # reported tile
    assert f'href="/cases/?area={c.dapuqiao.pk}&amp;status=closed&amp;{span}"' in html
    assert f'href="/cases/?area={c.dapuqiao.pk}&amp;overdue=on"' in html
    assert f'href="/cases/?area={c.mengxi.pk}&amp;{span}"' in html  # child row
    assert f'href="/cases/{story.d.pk}/"' in html  # overdue list
    charts = response.context["charts"]
    hazard = next(k for k in charts["categories"] if k["id"] == w.hazard.pk)
    assert (
        hazard["url"]
        == f"/cases/?area={c.dapuqiao.pk}&category={w.hazard.pk}&{span.replace('&amp;', '&')}"
    )
    assert 'id="dashboard-data"' in html and "echarts.min.js" in html
    # Map dots travel as compact rows with one URL pattern: [id, lng, lat, overdue, number, title].
    assert charts["case_url"] == "/cases/{id}/"
    dots = {row[0]: row for row in charts["points"]}
    assert dots[story.d.pk][3:5] == [1, story.d.number]
    assert all(len(row) == 6 for row in charts["points"])
    # The list behind the "reported" tile holds exactly the cases counted.
    listed = client.get(
        f"/cases/?area={c.dapuqiao.pk}&reported_from={day_from}&reported_to={today}"
    )
    assert len(listed.context["page"].rows) == 5


def test_it_swaps_the_body_for_htmx(client, story):
    client.force_login(story.c.district_admin)
    response = client.get(URL + "?area=310101013000&days=90", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="dashboard-data"' in html
    assert response.context["days"] == 90


def test_it_falls_back_to_thirty_days_for_an_unknown_period(client, story):
    client.force_login(story.c.district_admin)
    assert client.get(URL + "?days=3650").context["days"] == 30
    assert client.get(URL + "?days=x").context["days"] == 30


def _more_cases(w, n):  # type: ignore[no-untyped-def]
    for i in range(n):
        case = actions.report_case(
            w.c.inspector,
            client_uuid=uuid.uuid4(),
            source=Case.Source.INSPECTION,
            category=[w.hazard, w.litter, w.facility][i % 3],
            area=[w.c.grid1, w.c.grid2][i % 2],
            title=f"问题{i}",
            lat=w.point_a.lat,
            lng=w.point_a.lng,
        )
        if i % 2:
            actions.transition(w.c.street_officer, case, "accept")


def _queries(client) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL + "?area=310101013000").status_code == 200
    return len(ctx.captured_queries)


def test_it_runs_the_same_queries_for_more_cases(client, story, django_assert_num_queries):
    client.force_login(story.c.street_officer)
    _more_cases(story.w, 6)
    small = _queries(client)
    rows = CaseDaily.objects.count()
    _more_cases(story.w, 18)
    assert Case.objects.count() == 30
    assert CaseDaily.objects.count() == rows  # same buckets, bigger counters
    assert _queries(client) == small
    # session, user (joined with the person and party organisation), posts, org grants of
    # areas, top areas, the area; summary: 3 on rollups, areas drawn, category names, 3 on
    # cases; choices, ancestors, unread count (the session was written at sign-in, within
    # the refresh interval of juli.core.middleware.SessionIdleMiddleware: no save)
    with django_assert_num_queries(17):
        client.get(URL + "?area=310101013000")


def test_it_computes_the_figures_once_a_minute_and_says_when(client, story, settings):
    from django.core.cache import cache

    settings.JULI_DASHBOARD_CACHE_SECONDS = 60
    client.force_login(story.c.street_officer)
    first = client.get(URL + "?area=310101013000")
    reported = first.context["totals"]["reported"]
    as_of = first.context["data"]["as_of"]
    assert f"figures as of {as_of}." in first.content.decode()
    _more_cases(story.w, 2)
    cached = _queries(client)
    again = client.get(URL + "?area=310101013000")
    assert again.context["totals"]["reported"] == reported  # the same minute's figures
    assert again.context["data"]["as_of"] == as_of
    # Someone else who may read the area gets the same figures; an outsider still gets 404.
    client.force_login(story.c.district_admin)
    assert client.get(URL + "?area=310101013000").context["totals"]["reported"] == reported
    client.force_login(story.c.outsider)
    assert client.get(URL + "?area=310101013000").status_code == 404
    cache.clear()  # the minute is over
    client.force_login(story.c.street_officer)
    assert _queries(client) > cached
    fresh = client.get(URL + "?area=310101013000")
    assert fresh.context["totals"]["reported"] == reported + 2
