"""One error shape for the whole API (juli/api/errors.py), and the schema saying so.

Each test here was written against a drift the outside security test's schemathesis run found
(finding 7): other error shapes on the organisation endpoints and the token endpoint, Django's
HTML 404 for a non-numeric id, 404 for a bad paging cursor, `published_by` null where the
schema said a string, filters refusing values their schema allowed.
"""

from __future__ import annotations

import base64
import datetime
import re
from typing import Any

import pytest
import yaml
from django.utils import timezone
from rest_framework.test import APIClient

from juli.bulletins import actions as bulletin_actions
from juli.orgs.models import User

TOKEN_URL = "/api/v1/auth/token/"
NOT_FOUND = {"detail": "Not found.", "code": "not_found"}


def _client(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def _schema() -> dict[str, Any]:
    return yaml.safe_load(APIClient().get("/api/v1/schema/").content)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/units/abc/"),
        ("get", "/api/v1/cases/12x/"),
        ("get", "/api/v1/uploads/not-a-uuid/"),
        ("post", "/api/v1/cases/abc/transitions/"),
        ("delete", "/api/v1/duties/-1/"),
        ("get", "/api/v1/no-such-thing/"),
        ("get", "/api/v1/units/%0A/"),
        ("put", "/api/v1/letters/%D9%A1/"),  # an Arabic-Indic digit one: not an id here
    ],
)
def test_it_answers_paths_no_route_takes_with_the_json_404(cast, method, path):
    response = getattr(_client(cast.district_admin), method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_FOUND


def test_it_answers_the_json_404_to_anonymous_callers_too(cast):
    response = APIClient().post("/api/v1/cases/abc/transitions/", {}, format="json")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize(
    "path",
    ["/api/v1/units/{id}/", "/api/v1/orgs/{id}/", "/api/v1/people/{id}/", "/api/v1/posts/{id}/"],
)
def test_it_answers_ids_out_of_scope_in_the_one_shape(cast, path):
    ids = {
        "units": cast.anyang_unit.pk,
        "orgs": cast.anyang.pk,
        "people": cast.outsider_person.pk,
        "posts": cast.branch_secretary_person.posts.get().pk,
    }
    url = path.format(id=ids[path.split("/")[3]])
    response = _client(cast.grid_worker).get(url)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    too_big = _client(cast.grid_worker).get(path.format(id=10**30))
    assert too_big.status_code == 404
    assert too_big.json() == NOT_FOUND


def test_it_refuses_anonymous_callers_in_the_one_shape(cast):
    response = APIClient().get("/api/v1/people/")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }
    assert response["WWW-Authenticate"] == "Token"


def test_it_refuses_a_bad_filter_of_the_orgs_api_in_the_one_shape(cast):
    response = _client(cast.district_admin).get("/api/v1/units/", {"kind": "castle"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Select a valid choice. castle is not one of the available choices.",
        "code": "invalid",
        "fields": {"kind": ["Select a valid choice. castle is not one of the available choices."]},
    }


def test_it_refuses_a_method_a_path_does_not_take_in_the_one_shape(cast):
    response = _client(cast.district_admin).put(f"/api/v1/units/{cast.property_co.pk}/", {})
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "PUT" not allowed.', "code": "method_not_allowed"}
    assert response["Allow"] == "GET, HEAD, OPTIONS"


def test_it_refuses_an_incomplete_token_request_in_the_one_shape(cast):
    response = APIClient().post(TOKEN_URL, {"username": "branch_secretary"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "This field is required.",
        "code": "invalid",
        "fields": {"password": ["This field is required."]},
    }


def test_it_documents_the_token_endpoints_400_as_the_one_shape(cast):
    responses = _schema()["paths"][TOKEN_URL]["post"]["responses"]
    for status in ("400", "429"):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ApiError"}


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    ("path", "cursor"),
    [
        ("/api/v1/people/", "garbage"),
        ("/api/v1/people/", _cursor("o=1&r=x")),
        ("/api/v1/people/", _cursor("p=not-a-number")),
        ("/api/v1/people/", _cursor("o=-1")),
        ("/api/v1/orgs/", "%%%"),
        ("/api/v1/bulletins/", _cursor("p=not-a-date")),
    ],
)
def test_it_refuses_a_bad_paging_cursor_with_400(cast, path, cursor):
    response = _client(cast.district_admin).get(path, {"cursor": cursor})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid cursor",
        "code": "invalid",
        "fields": {"cursor": ["Invalid cursor"]},
    }


def test_it_refuses_a_tampered_case_list_cursor_with_400(cast):
    response = _client(cast.district_admin).get("/api/v1/cases/", {"after": "garbage!"})
    assert response.status_code == 400
    assert response.json()["fields"] == {"after": ["Invalid cursor"]}


@pytest.mark.parametrize("page_size", ["abc", "0", "-3", "1.5"])
@pytest.mark.parametrize("path", ["/api/v1/people/", "/api/v1/cases/"])
def test_it_refuses_a_page_size_that_is_not_a_positive_whole_number(cast, path, page_size):
    response = _client(cast.district_admin).get(path, {"page_size": page_size})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"page_size"}


def test_it_caps_a_large_page_size_as_the_schema_says(cast):
    response = _client(cast.platform_admin).get("/api/v1/people/", {"page_size": 10**30})
    assert response.status_code == 200
    parameters = _schema()["paths"]["/api/v1/people/"]["get"]["parameters"]
    page_size = next(p for p in parameters if p["name"] == "page_size")
    assert page_size["schema"] == {"type": "integer", "minimum": 1}


def test_it_gives_a_draft_bulletins_publisher_as_null_and_the_schema_allows_it(cast):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    bulletin, _created = bulletin_actions.ensure_bulletin(cast.dapuqiao, yesterday)
    body = _client(cast.street_officer).get(f"/api/v1/bulletins/{bulletin.pk}/").json()
    assert body["published_by"] is None
    published_by = _schema()["components"]["schemas"]["Bulletin"]["properties"]["published_by"]
    assert published_by == {"type": "string", "nullable": True, "readOnly": True}


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/bulletins/", "area"),
        ("/api/v1/points/", "category"),
        ("/api/v1/points/", "area"),
        ("/api/v1/cases/", "unit"),
    ],
)
def test_it_documents_id_filters_as_the_whole_numbers_they_accept(cast, path, name):
    parameters = _schema()["paths"][path]["get"]["parameters"]
    schema = next(p for p in parameters if p["name"] == name)["schema"]
    assert schema == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}


def test_it_documents_the_error_shape_on_every_operation(cast):
    schema = _schema()
    ref = {"$ref": "#/components/schemas/ApiError"}
    assert schema["components"]["schemas"]["ApiError"]["required"] == ["code", "detail"]
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            errors = {code for code in responses if code.startswith("4")}
            if operation.get("security") and "401" not in errors:
                missing.append(f"{method.upper()} {path}: 401")
            if "{" in path and "404" not in errors:
                missing.append(f"{method.upper()} {path}: 404")
            for code in errors:
                if responses[code]["content"]["application/json"]["schema"] != ref:
                    missing.append(f"{method.upper()} {path}: {code} shape")
    assert missing == []


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/bulletins/", "date_to="),
        ("/api/v1/cases/", "reported_to="),
        ("/api/v1/units/", "kind="),
        ("/api/v1/posts/", "current="),
        ("/api/v1/posts/", "current=null"),
        ("/api/v1/cases/", "overdue=yes"),
        ("/api/v1/points/", "category="),
        ("/api/v1/bulletins/", "date_from=05/01/2026"),
    ],
)
def test_it_refuses_a_filter_value_its_schema_does_not_allow(cast, path, query):
    response = _client(cast.district_admin).get(f"{path}?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert set(response.json()["fields"]) == {query.split("=")[0]}


@pytest.mark.parametrize(
    "key",
    [
        "",
        "0c5a3ef6e4a04b6a9b8e2f1d6c7b8a90",
        "{0c5a3ef6-e4a0-4b6a-9b8e-2f1d6c7b8a90}",
        "urn:uuid:0c5a3ef6-e4a0-4b6a-9b8e-2f1d6c7b8a90",
    ],
)
def test_it_refuses_an_idempotency_key_that_is_not_a_uuid_as_the_schema_writes_it(cast, key):
    body = {"client_uuid": "0c5a3ef6-e4a0-4b6a-9b8e-2f1d6c7b8a90", "title": "x", "category": 1}
    response = _client(cast.grid_worker).post(
        "/api/v1/cases/", body, format="json", headers={"Idempotency-Key": key}
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Idempotency-Key must be a UUID.",
        "code": "invalid_idempotency_key",
    }


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/api/v1/letters/", "page_size=", "page_size"),
        ("/api/v1/duties/mine/", "year=", "year"),
        ("/api/v1/stats/summary/", "to=", "to"),
    ],
)
def test_it_refuses_an_empty_query_value_its_schema_does_not_allow(cast, path, query, field):
    response = _client(cast.district_admin).get(f"{path}?{query}")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {field}


@pytest.mark.parametrize(
    "path", ["/api/v1/cases/", "/api/v1/inspections/", "/api/v1/letters/{id}/review/"]
)
def test_it_documents_only_json_for_bodies_that_nest_objects(cast, path):
    body = _schema()["paths"][path]["post"]["requestBody"]
    assert set(body["content"]) == {"application/json"}


def test_it_refuses_a_form_body_where_only_json_is_documented(cast):
    response = _client(cast.grid_worker).post(
        "/api/v1/inspections/", {"point": "1"}, format="multipart"
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_it_documents_the_evidence_file_in_the_multipart_body_only(cast):
    content = _schema()["paths"]["/api/v1/evidence/"]["post"]["requestBody"]["content"]
    schemas = _schema()["components"]["schemas"]
    names = {media: body["schema"]["$ref"].rsplit("/", 1)[-1] for media, body in content.items()}
    assert "file" in schemas[names["multipart/form-data"]]["properties"]
    assert "file" not in schemas[names["application/json"]]["properties"]


def test_it_documents_request_decimals_as_the_api_reads_them(cast):
    lat = _schema()["components"]["schemas"]["CaseReportRequest"]["properties"]["lat"]
    string, number = lat["anyOf"]
    assert number == {"type": "number", "multipleOf": 1e-06, "minimum": -90.0, "maximum": 90.0}
    pattern = re.compile(string["pattern"])
    accepted = ["90", "-90.000000", "31.200001", ".5", "+07.5", "0"]
    refused = ["", "-", ".", "90.000001", "91", "1.1234567", "abc"]
    assert [v for v in accepted if pattern.match(v)] == accepted
    assert [v for v in refused if pattern.match(v)] == []
    assert lat["nullable"] is True


def test_it_refuses_an_upload_whose_client_uuid_is_empty(cast, tiny_upload):
    response = _client(cast.grid_worker).post(
        "/api/v1/uploads/",
        {"file": tiny_upload, "client_uuid": ""},
        format="multipart",
        headers={"Idempotency-Key": "0c5a3ef6-e4a0-4b6a-9b8e-2f1d6c7b8a90"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "client_uuid must be a UUID.",
        "code": "invalid_idempotency_key",
    }


@pytest.fixture
def tiny_upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from juli.cases.tests.conftest import tiny_png

    return SimpleUploadedFile("p.png", tiny_png(), content_type="image/png")


def test_it_documents_that_a_report_names_its_point_or_its_area(cast):
    report = _schema()["components"]["schemas"]["CaseReportRequest"]
    integer = {"type": "integer", "maximum": 2**63 - 1, "minimum": 1, "format": "int64"}
    assert report["anyOf"] == [
        {"required": ["point"], "properties": {"point": integer}},
        {"required": ["area"], "properties": {"area": integer}},
    ]


def test_it_documents_the_bounds_of_an_inspections_results(cast):
    results = _schema()["components"]["schemas"]["InspectionSubmitRequest"]["properties"]
    assert (results["results"]["minItems"], results["results"]["maxItems"]) == (1, 100)


def test_it_refuses_a_body_over_the_form_limit_in_the_one_shape(cast, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = {"title": "x" * 2048, "category": 1, "area": 1}
    response = _client(cast.grid_worker).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "too_large"


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/api/v1/cases/", "category=x&category=1", "category"),
        ("/api/v1/units/", "kind=bank&kind=bureau", "kind"),
        ("/api/v1/people/", "page_size=1&page_size=2", "page_size"),
        ("/api/v1/cases/", "page_size=1&page_size=2", "page_size"),
        ("/api/v1/duties/mine/", "year=2026&year=2027", "year"),
        ("/api/v1/stats/summary/", "from=2026-01-01&from=2026-01-02", "from"),
    ],
)
def test_it_refuses_a_single_value_parameter_given_twice(cast, path, query, field):
    response = _client(cast.district_admin).get(f"{path}?{query}")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {field}
