"""The phone report (issue 14 item 3): the most used categories here, the suggested place,
"already reported?", 我的上报 and the `mine` filter, the source and on-the-spot acceptance
by the reporter's role, the title's label."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from juli.cases import actions, reporting
from juli.cases.models import Case
from juli.orgs import actions as org_actions

from .conftest import new_case, photo, put

NEARBY = "/api/v1/cases/nearby/"


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _page(user: Any, url: str, **extra: Any) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(url, **extra)


def _report(user: Any, **body: Any) -> Any:
    return _api(user).post(
        "/api/v1/cases/", {"client_uuid": str(uuid.uuid4()), **body}, format="json"
    )


# --- The most used categories here ----------------------------------------------------------


def test_it_offers_the_categories_most_reported_in_the_users_areas_lately(world):
    c = world.c
    graffiti = actions.create_case_category(
        None, code="graffiti", name="乱涂乱画", time_limit=1, time_unit="days"
    )
    for category, n in ((world.hazard, 3), (world.facility, 2), (world.litter, 1)):
        for _i in range(n):
            new_case(world, category=category)
    # Elsewhere (grid 2 is not the grid worker's) and long ago: not counted.
    for _i in range(5):
        new_case(world, category=graffiti, area=c.grid2, actor=c.other_grid_worker)
    long_ago = timezone.now() - datetime.timedelta(days=91)
    for _i in range(5):
        new_case(world, category=world.litter, at=long_ago)

    frequent = reporting.frequent_categories(c.grid_worker)
    # Most reported first; filled up to four with the rest by code.
    assert [x.code for x in frequent] == ["hazard", "facility", "litter", "graffiti"]
    response = _page(c.grid_worker, reverse("field-report"))
    assert [x.code for x in response.context["frequent"]] == [
        "hazard",
        "facility",
        "litter",
        "graffiti",
    ]
    html = response.content.decode()
    # Big buttons, none pressed: no silent default, the full list still asks.
    assert html.count('aria-pressed="false"') == 4
    assert 'aria-pressed="true"' not in html
    assert '<option value="">' in html
    assert " selected" not in html.split('id="r-category"')[1].split("</select>")[0]


def test_it_stops_at_six_and_leaves_out_retired_categories(world):
    made = [
        actions.create_case_category(
            None, code=f"k{i}", name=f"类{i}", time_limit=1, time_unit="days"
        )
        for i in range(6)
    ]
    for i, category in enumerate(made):
        for _n in range(i + 1):
            new_case(world, category=category)
    made[5].is_active = False
    made[5].save()
    assert [x.code for x in reporting.frequent_categories(world.c.grid_worker)] == [
        "k4",
        "k3",
        "k2",
        "k1",
        "k0",
    ]


# --- The page: photo first, optional title, counters, the attributes the outbox reads -------


def test_it_opens_on_the_camera_with_a_separate_title_label(world, settings):
    response = _page(world.c.grid_worker, reverse("field-report"))
    html = response.content.decode()
    assert html.index('capture="environment"') < html.index('id="r-category"')
    assert f'data-max-bytes="{settings.JULI_MAX_UPLOAD_BYTES}"' in html
    assert 'maxlength="2000"' in html  # the API's limit of the description
    assert "Problem in a few words" in html
    assert ">Title<" not in html
    title = html.split('id="r-title"')[1].split(">")[0]
    assert "required" not in title


def test_it_labels_the_title_in_chinese_not_as_a_post_title(world):
    with translation.override("zh-hans"):
        response = _page(
            world.c.grid_worker, reverse("field-report"), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    html = response.content.decode()
    assert "问题简述" in html
    assert "职务名称" not in html


# --- The source is the reporter's role; officials' reports are accepted on the spot ----------


@pytest.mark.parametrize(
    ("who", "where", "source", "status"),
    [
        ("grid_worker", "grid1", "grid_worker", "reported"),
        ("inspector", "grid1", "inspection", "accepted"),
        ("street_officer", "mengxi", "inspection", "accepted"),
        ("district_admin", "huaihai", "inspection", "accepted"),
    ],
)
def test_it_takes_the_source_from_the_reporters_role(world, who, where, source, status):
    user = getattr(world.c, who)
    response = _report(user, category=world.litter.pk, area=getattr(world.c, where).pk)
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert (case.source, case.status, case.reporter) == (source, status, user)
    assert (case.accepted_at is not None) == (status == "accepted")
    assert list(case.events.values_list("action", "from_status", "to_status")) == [
        ("report", "", status)
    ]
    assert response.json()["status"] == status


def test_it_keeps_an_explicit_source_at_reported(world):
    response = _report(
        world.c.street_officer, category=world.litter.pk, area=world.c.grid1.pk, source="hotline"
    )
    assert response.status_code == 201
    case = Case.objects.get(pk=response.json()["id"])
    assert (case.source, case.status, case.accepted_at) == ("hotline", "reported", None)


def test_it_lets_the_office_dispatch_an_inspectors_report_at_once(world):
    response = _report(world.c.inspector, category=world.litter.pk, point=world.point_a.pk)
    case = Case.objects.get(pk=response.json()["id"])
    actions.dispatch_case(world.c.street_officer, case, unit=world.c.property_co)
    case.refresh_from_db()
    assert case.status == "dispatched"


def test_it_titles_an_untitled_report_with_its_category_and_replays_it(world):
    key = str(uuid.uuid4())
    body = {"client_uuid": key, "category": world.hazard.pk, "point": world.point_a.pk}
    first = _api(world.c.grid_worker).post("/api/v1/cases/", {**body, "title": ""}, format="json")
    again = _api(world.c.grid_worker).post("/api/v1/cases/", {**body, "title": ""}, format="json")
    assert first.status_code == 201, first.content
    assert again.json()["id"] == first.json()["id"]
    assert Case.objects.get().title == "安全隐患"
    # The same submission sent without the field at all (an older phone): the same case.
    case = actions.report_case(
        world.c.grid_worker, client_uuid=key, category=world.hazard, point=world.point_a
    )
    assert case.pk == first.json()["id"]


def test_it_refuses_an_over_long_description_at_the_field(world):
    response = _report(
        world.c.grid_worker,
        category=world.litter.pk,
        area=world.c.grid1.pk,
        description="长" * 2001,
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["description"]
    assert Case.objects.count() == 0


# --- The suggested place --------------------------------------------------------------------


def _square(lat: float, lng: float, half: float = 0.002) -> dict[str, Any]:
    ring = [
        [lng - half, lat - half],
        [lng + half, lat - half],
        [lng + half, lat + half],
        [lng - half, lat + half],
        [lng - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def test_it_suggests_the_nearest_point_within_the_radius(world):
    # 菜场A is at 31.200000, 121.470000; about 44 m north-east of it:
    answer = _api(world.c.grid_worker).get(NEARBY, {"lat": "31.200300", "lng": "121.470300"})
    assert answer.status_code == 200
    assert answer.json()["place"] == {
        "kind": "point",
        "id": world.point_a.pk,
        "name": "菜场A",
        "value": f"point:{world.point_a.pk}",
        "distance_m": 44,
    }


def test_it_suggests_the_area_around_the_fix_else_the_nearest_centre(world):
    c = world.c
    org_actions.update_area(None, c.grid1, boundary=_square(31.3, 121.5))
    org_actions.update_area(
        None, c.building1, centre_lat=Decimal("31.310000"), centre_lng=Decimal("121.510000")
    )
    grid = reporting.suggest_place(c.grid_worker, Decimal("31.3005"), Decimal("121.5005"))
    assert grid == reporting.Place("area", c.grid1.pk, "蒙西第一微网格", None)
    # Outside every outline: the area with the nearest centre (about 1.4 km).
    near = reporting.suggest_place(c.grid_worker, Decimal("31.320000"), Decimal("121.515000"))
    assert near is not None and (near.kind, near.id) == ("area", c.building1.pk)
    # Far from everything: nothing.
    assert reporting.suggest_place(c.grid_worker, Decimal("30.0"), Decimal("120.0")) is None


def test_it_never_suggests_a_point_outside_the_reporters_areas(world):
    c = world.c
    world.point_c.lat, world.point_c.lng = Decimal("31.250000"), Decimal("121.450000")
    world.point_c.save()
    answer = _api(c.grid_worker).get(NEARBY, {"lat": "31.250000", "lng": "121.450000"})
    assert answer.json() == {"place": None, "results": []}
    mine = _api(c.other_grid_worker).get(NEARBY, {"lat": "31.250000", "lng": "121.450000"})
    assert mine.json()["place"]["id"] == world.point_c.pk


# --- Already reported? -----------------------------------------------------------------------


def test_it_lists_open_cases_near_the_fix_or_at_the_place_in_scope_only(world):
    c = world.c
    at_a = new_case(world, point=world.point_a, photos=[photo()], title="垃圾")
    near = new_case(world, lat=Decimal("31.200500"), lng=Decimal("121.470500"), title="近")
    new_case(world, lat=Decimal("31.210000"), lng=Decimal("121.470000"), title="远")  # 1.1 km
    closed = new_case(world, point=world.point_a, title="已结")
    Case.objects.filter(pk=closed.pk).update(status=Case.Status.CLOSED)
    # Grid 2's case at the same spot: not the grid worker's to see.
    new_case(
        world,
        area=c.grid2,
        actor=c.other_grid_worker,
        lat=Decimal("31.200000"),
        lng=Decimal("121.470000"),
    )
    answer = _api(c.grid_worker).get(NEARBY, {"lat": "31.200000", "lng": "121.470000"})
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert [(r["id"], r["distance_m"]) for r in rows] == [(at_a.pk, 0), (near.pk, 73)]
    assert rows[0]["category"]["name"] == "暴露垃圾"
    assert (rows[0]["status"], rows[0]["status_label"]) == ("reported", "Reported")
    assert rows[0]["thumbnail_url"].startswith("http://testserver/")
    assert rows[1]["thumbnail_url"] is None
    # At the point, without a fix: the point's open cases.
    by_point = _api(c.grid_worker).get(NEARBY, {"point": world.point_a.pk}).json()["results"]
    assert [r["id"] for r in by_point] == [at_a.pk]
    # In the grid: its open cases (all three here).
    by_area = _api(c.grid_worker).get(NEARBY, {"area": c.grid1.pk}).json()["results"]
    assert len(by_area) == 3


@pytest.mark.parametrize(
    ("params", "status"),
    [
        (lambda w: {"point": w.point_c.pk}, 404),  # grid 2's point
        (lambda w: {"area": w.c.grid2.pk}, 404),
        (lambda w: {"area": 999999}, 404),
        (lambda w: {"lat": "31.2"}, 400),
        (lambda w: {"lat": "91", "lng": "121"}, 400),
        (lambda w: {"point": "x"}, 400),
        (lambda w: {}, 200),
    ],
)
def test_it_answers_nearby_with_404_outside_scope_and_400_for_bad_input(world, params, status):
    response = _api(world.c.grid_worker).get(NEARBY, params(world))
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json() == {"place": None, "results": []}


def test_it_refuses_nearby_to_anonymous_and_shows_the_outsider_nothing(world):
    new_case(world, point=world.point_a)
    assert APIClient().get(NEARBY, {"point": world.point_a.pk}).status_code in {401, 403}
    outsider = _api(world.c.outsider)
    assert outsider.get(NEARBY, {"point": world.point_a.pk}).status_code == 404
    fix = outsider.get(NEARBY, {"lat": "31.200000", "lng": "121.470000"})
    assert fix.json() == {"place": None, "results": []}


# --- 我的上报 ------------------------------------------------------------------------------------


def test_it_lists_only_the_users_own_reports_newest_first_with_outcomes(world):
    c = world.c
    first = new_case(world, title="第一")
    rejected = new_case(world, title="第二")
    actions.reject_case(c.street_officer, rejected, note="重复上报")
    closed = put(new_case(world, point=world.point_a, title="第三"), "rectified", world)
    actions.transition(c.inspector, closed, "verify")
    actions.transition(c.street_officer, closed, "close", note="已清运")
    # Visible to the grid worker, but reported by the inspector: not theirs.
    new_case(world, actor=c.inspector, title="督查的")
    response = _page(c.grid_worker, reverse("field-my-reports"))
    assert response.status_code == 200
    assert [x.pk for x in response.context["cases"]] == [closed.pk, rejected.pk, first.pk]
    html = response.content.decode()
    assert "督查的" not in html
    assert "重复上报" in html and "已清运" in html
    assert closed.number in html and "菜场A" in html
    assert reverse("field-case", args=[closed.pk]) in html


def test_it_pages_my_reports_in_a_fixed_number_of_queries(world, django_assert_num_queries):
    for i in range(21):
        new_case(world, title=f"问题{i}")
    client = Client()
    client.force_login(world.c.grid_worker)
    url = reverse("field-my-reports")
    client.get(url)  # the scope is cached from here on
    with django_assert_num_queries(6):
        first = client.get(url)
    assert len(first.context["cases"]) == 20
    cursor = first.context["next_cursor"]
    second = client.get(url, {"after": cursor})
    assert [x.title for x in second.context["cases"]] == ["问题0"]
    assert second.context["next_cursor"] is None


def test_it_links_my_reports_from_home_and_the_report_page(world):
    for url in (reverse("field-home"), reverse("field-report")):
        html = _page(world.c.grid_worker, url).content.decode()
        assert reverse("field-my-reports") in html


@pytest.mark.parametrize(("who", "status"), [("unit_staff", 200), ("street_officer", 404)])
def test_it_opens_my_reports_to_field_roles_only(world, who, status):
    assert _page(getattr(world.c, who), reverse("field-my-reports")).status_code == status


def test_it_filters_the_api_case_list_to_my_reports(world):
    mine = new_case(world)
    new_case(world, actor=world.c.inspector)
    client = _api(world.c.grid_worker)
    assert [r["id"] for r in client.get("/api/v1/cases/", {"mine": "true"}).json()["results"]] == [
        mine.pk
    ]
    assert len(client.get("/api/v1/cases/", {"mine": "false"}).json()["results"]) == 2
    bad = client.get("/api/v1/cases/", {"mine": "1"})
    assert bad.status_code == 400
    assert list(bad.json()["fields"]) == ["mine"]


def test_it_documents_the_nearby_endpoint_and_the_mine_filter(world):
    schema = _api(world.c.grid_worker).get("/api/v1/schema/", {"format": "json"}).json()
    nearby = schema["paths"]["/api/v1/cases/nearby/"]["get"]
    assert nearby["operationId"] == "cases_nearby"
    assert {p["name"] for p in nearby["parameters"]} == {"lat", "lng", "point", "area"}
    listed = schema["paths"]["/api/v1/cases/"]["get"]
    assert "mine" in {p["name"] for p in listed["parameters"]}
