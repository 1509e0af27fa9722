"""Open311 GeoReport v2: services, requests GET/POST in JSON and XML, open/closed projection."""

from __future__ import annotations

import datetime
import uuid
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
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


def _public_case(w: Any, **kw: Any) -> Case:
    """A case the public feed lists by default: one that came from the public."""
    return new_case(w, source=Case.Source.PUBLIC, **kw)


def _round_trip_xml(client: Client, query: str = "") -> list[dict[str, str | None]]:
    root = _xml(client.get(f"{BASE}/requests.xml{query}").content)
    assert root.tag == "service_requests"
    return [{child.tag: child.text for child in row} for row in root.findall("request")]


def test_it_projects_internal_states_onto_open_and_closed(world, client):
    states = ["reported", "accepted", "dispatched", "rectified", "verified", "closed", "deferred"]
    cases = {s: _public_case(world, title=s) for s in states}
    for status, case in cases.items():
        if status != "reported":
            put(case, status, world)
    rejected = actions.reject_case(
        world.c.street_officer, _public_case(world, title="r"), note="重复"
    )
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
    assert row["status_notes"] == "Not accepted."  # never the reason typed for the office
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
    recent = _public_case(world, title="recent")
    old = _public_case(world, title="old", category=world.facility)
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
    made = [_public_case(world, title=f"r{i}") for i in range(5)]
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
    _public_case(world, title="first")
    first = client.get(f"{BASE}/requests.json")
    assert first["Cache-Control"] == "public, max-age=60"
    assert [r["description"] for r in first.json()] == ["first"]
    _public_case(world, title="second")
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


# --- What the public feed holds (the 2026 outside security test, findings 1–3) ---------------

INTERNAL_NOTE = "内部备注：举报人王五 13812345678，住建国中路12号302室"
FLAT = "建国中路12号302室"
REPORTER_PHONE = "13812345678"
INSPECTOR_NOTE = "督查备注：摊主李四拒不配合"
DEFERRAL = "挂账原因：等待维修基金审批"
SECRETS = [
    INTERNAL_NOTE,
    FLAT,
    "302室",
    REPORTER_PHONE,
    "wangwu@example.com",
    "王五",
    INSPECTOR_NOTE,
    "李四",
    DEFERRAL,
    "维修基金",
    "蒙西物业公司",  # the responsible company: an internal unit name
]
REPLY = "已安排保洁队清运，感谢您的反映。"


def _leaky_world(world: Any, client: Client) -> tuple[Case, Case]:
    """A public report with the reporter's flat and phone, accepted with an internal note and
    dispatched; an inspection case with the inspector's note, dispatched and deferred."""
    from juli.cases.inspections import submit_inspection

    from .conftest import photo

    response = _post(
        client,
        lat="31.200300",
        long="121.470200",
        address_string=f"上海市黄浦区{FLAT}",
        first_name="王",
        last_name="五",
        phone=REPORTER_PHONE,
        email="wangwu@example.com",
    )
    assert response.status_code == 201
    public = Case.objects.get(number=response.json()[0]["service_request_id"])
    officer = world.c.street_officer
    actions.accept_case(officer, public, note=INTERNAL_NOTE)
    actions.dispatch_case(officer, public, unit=world.c.property_co, note=INTERNAL_NOTE)
    inspection = submit_inspection(
        world.c.inspector,
        client_uuid=uuid.uuid4(),
        point=world.point_a,
        results=[(world.item_clean, False, INSPECTOR_NOTE, [photo()])],
        started_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    internal = Case.objects.get(inspection=inspection)
    actions.dispatch_case(officer, internal, unit=world.c.property_co)
    actions.defer_case(officer, internal, requested_by=world.c.unit_staff, note=DEFERRAL)
    return Case.objects.get(pk=public.pk), Case.objects.get(pk=internal.pk)


def _feed_bodies(client: Client, *cases: Case) -> list[str]:
    """Every public answer about the cases: list and single, JSON and XML, twice each (the
    second answer comes from the cache when it is on)."""
    bodies = []
    for _round in range(2):
        for fmt in ("json", "xml"):
            bodies.append(client.get(f"{BASE}/requests.{fmt}").content.decode())
            query = {"service_request_id": ",".join(c.number for c in cases)}
            bodies.append(client.get(f"{BASE}/requests.{fmt}", query).content.decode())
            for case in cases:
                bodies.append(client.get(f"{BASE}/requests/{case.number}.{fmt}").content.decode())
    return bodies


@pytest.mark.parametrize("cache_seconds", [0, 60])
@pytest.mark.parametrize("feed", ["public", "all"])
def test_it_publishes_no_internal_text_and_the_public_reply_only_once_set(
    world, client, settings, cache_seconds, feed
):
    settings.JULI_OPEN311_CACHE_SECONDS = cache_seconds
    public, internal = _leaky_world(world, client)
    if feed != "public":  # the default: nothing to set
        from juli.cases import publication

        publication.update_feed_settings(world.c.district_admin, world.c.huangpu, feed=feed)
    bodies = _feed_bodies(client, public, internal)
    leaks = sorted({s for s in [*SECRETS, REPLY] for body in bodies if s in body})
    assert leaks == []
    listed = client.get(f"{BASE}/requests.json", {"page_size": "100"}).json()
    expected = [public.number] if feed == "public" else [internal.number, public.number]
    assert sorted(r["service_request_id"] for r in listed) == sorted(expected)
    assert {r["status_notes"] for r in listed} == {"Being handled."}
    # An officer writes the public reply on the case page: from then on it is the note.
    client.force_login(world.c.street_officer)
    response = client.post(
        f"/cases/{public.pk}/publication/", {"public_reply": REPLY, "is_public": ""}
    )
    assert response.status_code == 302
    client.logout()
    cache.clear()
    bodies = _feed_bodies(client, public, internal)
    assert sorted({s for s in SECRETS for body in bodies if s in body}) == []
    assert all(REPLY in body for body in bodies if public.number in body)
    single = client.get(f"{BASE}/requests/{public.number}.json").json()
    assert (single[0]["status_notes"], single[0]["description"]) == (REPLY, "路口有垃圾")
    root = _xml(client.get(f"{BASE}/requests/{public.number}.xml").content)
    assert root.findtext("request/status_notes") == REPLY


def test_it_shows_a_status_phrase_instead_of_the_note_of_the_latest_step(world, client):
    """Finding 1: status_notes carried whatever note the latest step had."""
    first = _post(client, address_string="菜场A").json()[0]["service_request_id"]
    second = _post(client, address_string="菜场B").json()[0]["service_request_id"]
    officer = world.c.street_officer
    actions.accept_case(officer, Case.objects.get(number=first), note=INTERNAL_NOTE)
    actions.reject_case(officer, Case.objects.get(number=second), note=f"重复。{INTERNAL_NOTE}")
    notes = {r["service_request_id"]: r["status_notes"] for r in _get_json(client)}
    assert notes == {first: "Accepted.", second: "Not accepted."}


def _get_json(client: Client, **query: Any) -> list[dict[str, Any]]:
    response = client.get(f"{BASE}/requests.json", query)
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def test_it_lists_only_public_reports_and_cases_marked_public_by_default(world, client, settings):
    """Finding 2: every internal case was published with its exact position."""
    grid = new_case(
        world, lat=Decimal("31.234567"), lng=Decimal("121.476543"), description=INSPECTOR_NOTE
    )
    hotline = new_case(
        world, actor=world.c.street_officer, source=Case.Source.HOTLINE, title=INTERNAL_NOTE
    )
    reported = _post(client, address_string="菜场B").json()[0]["service_request_id"]
    assert [r["service_request_id"] for r in _get_json(client)] == [reported]
    assert client.get(f"{BASE}/requests/{grid.number}.json").status_code == 404
    from juli.cases import publication

    # An officer marks the grid worker's case public: listed, with a rounded position and
    # its category for a description (its text was written for the office).
    publication.update_publication(world.c.street_officer, grid, is_public=True)
    rows = {r["service_request_id"]: r for r in _get_json(client)}
    assert sorted(rows) == sorted([reported, grid.number])
    shown = rows[grid.number]
    assert (shown["lat"], shown["long"], shown["description"]) == (31.235, 121.477, "暴露垃圾")
    assert (shown["status_notes"], shown["address"]) == (
        "Received; awaiting acceptance.",
        "蒙西第一微网格",
    )
    # The district lists every case: the hotline's too, without its text.
    publication.update_feed_settings(
        world.c.district_admin, world.c.huangpu, feed="all", coordinate_decimals=2
    )
    rows = {r["service_request_id"]: r for r in _get_json(client)}
    assert sorted(rows) == sorted([reported, grid.number, hotline.number])
    assert rows[hotline.number]["description"] == "暴露垃圾"
    assert (rows[grid.number]["lat"], rows[grid.number]["long"]) == (31.23, 121.48)
    assert INTERNAL_NOTE not in client.get(f"{BASE}/requests.xml").content.decode()
    # Per district: another district keeps the default while Huangpu turns the feed off.
    from juli.orgs import actions as org_actions

    jingan = org_actions.create_area(
        None, None, name="静安区", kind="district", code="310106000000"
    )
    elsewhere = actions.report_case(
        None,
        client_uuid=uuid.uuid4(),
        source=Case.Source.PUBLIC,
        category=world.litter,
        area=jingan,
        title="静安的问题",
    )
    publication.update_feed_settings(world.c.district_admin, world.c.huangpu, feed="off")
    assert [r["service_request_id"] for r in _get_json(client)] == [elsewhere.number]
    settings.JULI_OPEN311_FEED = "off"
    assert _get_json(client) == []


def test_it_keeps_the_reporters_address_out_of_the_public_description(world, client):
    """Finding 3: the address a reporter gave was appended to the published description."""
    response = _post(client, address_string=f"上海市 蒙西第二微网格 {FLAT}", phone=REPORTER_PHONE)
    number = response.json()[0]["service_request_id"]
    row = _get_json(client)[0]
    assert (row["description"], row["address"]) == ("路口有垃圾", "蒙西第二微网格")
    for fmt in ("json", "xml"):
        body = client.get(f"{BASE}/requests/{number}.{fmt}").content.decode()
        assert FLAT not in body and REPORTER_PHONE not in body
    # The address is kept for the office in its own field, not in the description.
    case = Case.objects.get(number=number)
    assert (case.description, case.reporter_address, case.area) == (
        "路口有垃圾",
        f"上海市 蒙西第二微网格 {FLAT}",
        world.c.grid2,
    )


def test_it_moves_the_addresses_of_earlier_reports_out_of_their_descriptions(world):
    """The data migration for finding 3: reports stored with the address appended."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "juli.cases.migrations.0006_move_public_report_addresses_out_of_descriptions"
    )
    old = _public_case(world, title="旧", description=f"路口有垃圾\n第二行\n\n上海市{FLAT}")
    plain = _public_case(world, title="无地址", description="路口有垃圾")
    inside = new_case(world, title="内部", description=f"内部\n\n{FLAT}")
    migration.forwards(apps, None)
    rows = Case.objects.order_by("pk").values_list("description", "reporter_address")
    assert list(rows.filter(pk__in=[old.pk, plain.pk, inside.pk])) == [
        ("路口有垃圾\n第二行", f"上海市{FLAT}"),
        ("路口有垃圾", ""),
        (f"内部\n\n{FLAT}", ""),  # not a public report: never published, left as it is
    ]
    migration.backwards(apps, None)
    assert Case.objects.get(pk=old.pk).description == f"路口有垃圾\n第二行\n\n上海市{FLAT}"
