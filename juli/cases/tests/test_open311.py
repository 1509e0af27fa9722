"""Open311 GeoReport v2: services, requests GET/POST in JSON and XML, open/closed projection."""

from __future__ import annotations

import datetime
import uuid
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from juli.cases import actions
from juli.cases.models import Case
from juli.core.models import Submission
from juli.orgs.models import Area

from .conftest import new_case, put

BASE = "/open311/v2"


def _xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 - our own server's answer, not untrusted input


def _post(client: Client, fmt: str = "json", headers: Any = None, **data: Any) -> Any:
    body = {"service_code": "litter", "description": "路口有垃圾", **data}
    return client.post(f"{BASE}/requests.{fmt}", body, headers=headers)


def test_it_serves_discovery_in_json_and_xml(world, client):
    data = client.get(f"{BASE}/discovery.json").json()
    assert data["endpoints"][0]["url"] == "http://testserver/open311/v2/"
    assert data["endpoints"][0]["formats"] == ["application/json", "text/xml"]
    root = _xml(client.get(f"{BASE}/discovery.xml").content)
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "application/json",
        "text/xml",
    ]


def test_it_lists_the_active_case_categories_as_services(world, client):
    actions.create_case_category(None, code="old", name="旧类", is_active=False)
    data = client.get(f"{BASE}/services.json").json()
    assert [s["service_code"] for s in data] == ["facility", "hazard", "litter"]
    assert data[2] == {
        "service_code": "litter",
        "service_name": "暴露垃圾",
        "description": "Handled within 4 working hours of dispatch.",
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }
    root = _xml(client.get(f"{BASE}/services.xml").content)
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == [
        "facility",
        "hazard",
        "litter",
    ]
    assert root.find("service/metadata").text == "false"  # type: ignore[union-attr]


def test_it_serves_a_service_definition_and_a_404_error(world, client):
    assert client.get(f"{BASE}/services/litter.json").json() == {
        "service_code": "litter",
        "attributes": [],
    }
    response = client.get(f"{BASE}/services/nope.xml")
    assert response.status_code == 404
    root = _xml(response.content)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "404"
    assert response["Content-Type"] == "text/xml; charset=utf-8"


def test_it_creates_a_public_report_at_the_nearest_point(world, client):
    response = _post(
        client,
        lat="31.200300",
        long="121.470200",
        first_name="张",
        last_name="三",
        phone="13900000000",
        email="zs@example.com",
        account_id="acc-1",
    )
    assert response.status_code == 201
    case = Case.objects.get()
    assert response.json() == [
        {"service_request_id": case.number, "service_notice": "", "account_id": "acc-1"}
    ]
    assert (case.source, case.status, case.point, case.area) == (
        "public",
        "reported",
        world.point_a,
        world.c.grid1,
    )
    assert (case.reporter, case.reporter_name, case.reporter_phone) == (
        None,
        "张 三",
        "13900000000",
    )
    assert case.title == "暴露垃圾：路口有垃圾"


def test_it_places_a_report_in_the_deepest_area_whose_boundary_contains_it(world, client):
    square = {
        "type": "Polygon",
        "coordinates": [
            [[121.0, 31.0], [122.0, 31.0], [122.0, 32.0], [121.0, 32.0], [121.0, 31.0]]
        ],
    }
    # Test set-up: boundaries straight into the table (the area forms are not under test).
    Area.objects.filter(pk__in=[world.c.dapuqiao.pk, world.c.grid2.pk]).update(boundary=square)
    response = _post(client, lat="31.500000", long="121.500000")
    assert response.status_code == 201
    assert Case.objects.get().area == world.c.grid2


def test_it_places_a_report_by_its_address_string(world, client):
    response = _post(client, address_string="上海市 蒙西第二微网格 5号门口")
    assert response.status_code == 201
    assert Case.objects.get().area == world.c.grid2
    _post(client, address_string="菜场B 北门")
    assert Case.objects.order_by("-pk").first().point == world.point_b  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("data", "description"),
    [
        ({"service_code": ""}, "service_code is required."),
        ({"service_code": "nope"}, "No such service_code."),
        ({"description": ""}, "description is required."),
        ({}, "Give lat and long, or address_string."),
        ({"lat": "91", "long": "121"}, "lat is not a valid coordinate."),
        ({"lat": "31", "long": "abc"}, "long is not a valid coordinate."),
        ({"address_string": "x", "email": "nope"}, "email is not an e-mail address."),
        ({"address_string": "x" * 201}, "address_string is longer than 200 characters."),
    ],
)
def test_it_refuses_a_bad_public_report_with_the_specs_errors(world, client, data, description):
    response = _post(client, "xml", **data)
    assert response.status_code == 400
    root = _xml(response.content)
    assert [(e.findtext("code"), e.findtext("description")) for e in root.findall("error")] == [
        ("400", description)
    ]
    assert Case.objects.count() == 0


def test_it_creates_a_public_report_once_per_client_uuid(world, client):
    key = str(uuid.uuid4())
    first = _post(client, address_string="菜场A", client_uuid=key)
    second = _post(client, address_string="菜场A", client_uuid=key)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert Case.objects.count() == 1
    other = _post(client, address_string="菜场B", client_uuid=key)
    assert other.status_code == 409
    assert other.json() == [
        {"code": 409, "description": "This submission id was already used for a different request."}
    ]
    header_key = str(uuid.uuid4())
    header = _post(client, address_string="菜场A", headers={"Idempotency-Key": header_key})
    repeat = _post(client, address_string="菜场A", headers={"Idempotency-Key": header_key})
    assert header.status_code == repeat.status_code == 201
    assert repeat.json() == header.json()
    assert Case.objects.count() == 2
    assert Submission.objects.filter(owner="public").count() == 2


def test_it_throttles_public_posts_per_address(world, client, settings):
    settings.JULI_OPEN311_POSTS_PER_HOUR = 2
    assert _post(client, address_string="菜场A").status_code == 201
    assert _post(client, address_string="菜场A").status_code == 201
    response = _post(client, address_string="菜场A")
    assert response.status_code == 429
    assert Case.objects.count() == 2


def _round_trip_xml(client: Client, query: str = "") -> list[dict[str, str | None]]:
    root = _xml(client.get(f"{BASE}/requests.xml{query}").content)
    assert root.tag == "service_requests"
    return [{child.tag: child.text for child in row} for row in root.findall("request")]


def test_it_projects_internal_states_onto_open_and_closed(world, client):
    states = ["reported", "accepted", "dispatched", "rectified", "verified", "closed", "deferred"]
    cases = {s: new_case(world, title=s) for s in states}
    for status, case in cases.items():
        if status != "reported":
            put(case, status, world)
    rejected = actions.reject_case(world.c.street_officer, new_case(world, title="r"), note="重复")
    data = client.get(f"{BASE}/requests.json").json()
    projected = {row["description"]: row["status"] for row in data}
    assert projected == {
        "reported": "open",
        "accepted": "open",
        "dispatched": "open",
        "rectified": "open",
        "verified": "open",
        "closed": "closed",
        "deferred": "open",
        "r": "closed",
    }
    row = next(r for r in data if r["service_request_id"] == rejected.number)
    assert row["status_notes"] == "重复"
    closed = client.get(f"{BASE}/requests.json", {"status": "closed"}).json()
    assert sorted(r["description"] for r in closed) == ["closed", "r"]
    opened = _round_trip_xml(client, "?status=open")
    assert len(opened) == 6
    assert {r["status"] for r in opened} == {"open"}


def test_it_shows_only_public_safe_fields(world, client):
    _post(
        client, address_string="菜场A", phone="13900000000", email="zs@example.com", first_name="张"
    )
    row = client.get(f"{BASE}/requests.json").json()[0]
    assert sorted(row) == [
        "address",
        "address_id",
        "agency_responsible",
        "description",
        "expected_datetime",
        "lat",
        "long",
        "media_url",
        "requested_datetime",
        "service_code",
        "service_name",
        "service_notice",
        "service_request_id",
        "status",
        "status_notes",
        "updated_datetime",
        "zipcode",
    ]
    assert "13900000000" not in client.get(f"{BASE}/requests.xml").content.decode()
    assert "zs@example.com" not in str(row)


def test_it_round_trips_a_report_through_json_and_xml(world, client):
    number = _post(client, "xml", lat="31.200000", long="121.470000").content
    root = _xml(number)
    assert root.tag == "service_requests"
    request_id = root.findtext("request/service_request_id")
    case = Case.objects.get()
    assert request_id == case.number
    single = client.get(f"{BASE}/requests/{request_id}.json").json()
    assert [r["service_request_id"] for r in single] == [case.number]
    assert single[0]["lat"] == 31.2 and single[0]["long"] == 121.47
    assert single[0]["address"] == "菜场A"
    rows = _round_trip_xml(client, f"?service_request_id={request_id}")
    assert rows[0]["service_request_id"] == case.number
    assert rows[0]["status"] == "open"
    assert rows[0]["service_code"] == "litter"
    missing = client.get(f"{BASE}/requests/2000-000001.json")
    assert missing.status_code == 404
    assert missing.json() == [{"code": 404, "description": "No such service_request_id."}]


def test_it_filters_requests_by_code_and_dates_and_defaults_to_90_days(world, client):
    recent = new_case(world, title="recent")
    old = new_case(world, title="old", category=world.facility)
    Case.objects.filter(pk=old.pk).update(reported_at=timezone.now() - datetime.timedelta(days=100))
    assert [r["description"] for r in client.get(f"{BASE}/requests.json").json()] == ["recent"]
    start = (timezone.now() - datetime.timedelta(days=120)).isoformat()
    rows = client.get(f"{BASE}/requests.json", {"start_date": start}).json()
    assert [r["description"] for r in rows] == ["recent", "old"]
    rows = client.get(
        f"{BASE}/requests.json", {"start_date": start, "service_code": "facility"}
    ).json()
    assert [r["description"] for r in rows] == ["old"]
    bad = client.get(f"{BASE}/requests.json", {"start_date": "yesterday"})
    assert bad.status_code == 400
    assert bad.json() == [{"code": 400, "description": "start_date is not a W3C date-time."}]
    assert recent.pk != old.pk


def test_it_pages_requests_with_page_and_page_size(world, client):
    made = [new_case(world, title=f"r{i}") for i in range(5)]
    newest_first = [
        c.title for c in sorted(made, key=lambda c: (c.reported_at, c.pk), reverse=True)
    ]

    def titles(**query: Any) -> list[str]:
        response = client.get(f"{BASE}/requests.json", query)
        assert response.status_code == 200, response.content
        return [r["description"] for r in response.json()]

    assert titles() == newest_first  # the spec's default: everything up to 1000
    assert titles(page_size=2) == newest_first[:2]
    assert titles(page_size=2, page=2) == newest_first[2:4]
    assert titles(page_size=2, page=3) == newest_first[4:]
    assert titles(page_size=2, page=4) == []
    xml = client.get(f"{BASE}/requests.xml", {"page_size": 1})
    assert len(_xml(xml.content)) == 1
    for query, message in [
        ({"page_size": "0"}, "page_size is a whole number from 1 to 1000."),
        ({"page_size": "1001"}, "page_size is a whole number from 1 to 1000."),
        ({"page": "-1"}, "page is a whole number from 1 to 10000."),
        ({"page": "x"}, "page is a whole number from 1 to 10000."),
        ({"page": "9" * 5000}, "page is a whole number from 1 to 10000."),
        ({"page_size": "1e3"}, "page_size is a whole number from 1 to 1000."),
        (
            {"page": "11", "page_size": "1000"},
            "Pages reach 10000 requests deep; narrow start_date and end_date instead.",
        ),
    ]:
        bad = client.get(f"{BASE}/requests.json", query)
        assert bad.status_code == 400
        assert bad.json() == [{"code": 400, "description": message}]


def test_a_search_is_answered_from_the_cache_and_marked_public(world, client, settings):
    settings.JULI_OPEN311_CACHE_SECONDS = 60
    new_case(world, title="first")
    first = client.get(f"{BASE}/requests.json")
    assert first["Cache-Control"] == "public, max-age=60"
    assert [r["description"] for r in first.json()] == ["first"]
    new_case(world, title="second")
    # The same search within the minute: the same answer, no query for it.
    again = client.get(f"{BASE}/requests.json")
    assert again.content == first.content
    # Another search (or format) is its own entry.
    other = client.get(f"{BASE}/requests.json", {"page_size": "10"})
    assert [r["description"] for r in other.json()] == ["second", "first"]
    xml = client.get(f"{BASE}/requests.xml")
    assert len(_xml(xml.content)) == 2
    # Errors are never kept.
    assert client.get(f"{BASE}/requests.json", {"page": "0"}).status_code == 400
    settings.JULI_OPEN311_CACHE_SECONDS = 0
    live = client.get(f"{BASE}/requests.json")
    assert "Cache-Control" not in live
    assert len(live.json()) == 2


def test_it_takes_a_photo_as_multipart_media_through_the_upload_checks(world, client):
    from juli.core.tests.conftest import image_bytes, upload_file

    response = _post(client, address_string="菜场A", media=upload_file(image_bytes()))
    assert response.status_code == 201
    assert list(Case.objects.get().photos.values_list("kind", "width")) == [("before", 64)]
    refused = _post(client, address_string="菜场A", media=upload_file(b"<html>hi</html>"))
    assert refused.status_code == 400
    assert refused.json() == [{"code": 400, "description": "This file is not a photo."}]
    assert Case.objects.count() == 1
