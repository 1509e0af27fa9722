"""/api/v1/bulletins/: read-only, scoped like the pages, in the OpenAPI schema."""

from __future__ import annotations

import datetime

import pytest
import yaml
from django.utils import timezone
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from juli.bulletins import actions

from .test_pages import MATRIX, _user

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def bulletins(cast):  # type: ignore[no-untyped-def]
    made = {
        name: actions.ensure_bulletin(getattr(cast, name), YESTERDAY)[0]
        for name in ("huangpu", "dapuqiao", "huaihai")
    }
    actions.set_notes(None, made["dapuqiao"], "说明")
    actions.publish_bulletin(cast.street_officer, made["dapuqiao"])
    return made


def test_anonymous_callers_get_401(bulletins):
    api = APIClient()
    assert api.get("/api/v1/bulletins/").status_code == 401
    assert api.get(f"/api/v1/bulletins/{bulletins['dapuqiao'].pk}/").status_code == 401


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_the_list_and_the_detail_follow_the_scope(cast, committee_secretary, bulletins, who):
    reads = MATRIX[who][0]
    api = APIClient()
    api.force_authenticate(_user(cast, committee_secretary, who))
    listed = api.get("/api/v1/bulletins/")
    assert listed.status_code == 200
    assert {row["area"]["code"] for row in listed.json()["results"]} == {
        getattr(cast, name).code for name in reads
    }
    for name, bulletin in bulletins.items():
        detail = api.get(f"/api/v1/bulletins/{bulletin.pk}/")
        assert detail.status_code == (200 if name in reads else 404)
    assert api.post("/api/v1/bulletins/", {}).status_code in {403, 405}


def test_the_detail_carries_the_figures_and_the_publication(cast, bulletins):
    api = APIClient()
    api.force_authenticate(cast.street_officer)
    body = api.get(f"/api/v1/bulletins/{bulletins['dapuqiao'].pk}/").json()
    assert body["title"] == bulletins["dapuqiao"].title
    assert body["status"] == "published"
    assert body["published_by"] == "李东风"
    assert body["notes"] == "说明"
    assert body["summary"]["found"] == 0
    assert body["figures"]["area"]["code"] == "310101013000"
    assert set(body["figures"]) >= {"summary", "by_category", "by_area", "worst_points"}
    listed = api.get("/api/v1/bulletins/", {"status": "published"}).json()["results"]
    assert [r["id"] for r in listed] == [bulletins["dapuqiao"].pk]
    assert "figures" not in listed[0]
    assert api.get("/api/v1/bulletins/99999999999999999999999/").status_code == 404


def test_the_filters_narrow_the_list(cast, bulletins):
    api = APIClient()
    api.force_authenticate(cast.district_admin)
    by_area = api.get("/api/v1/bulletins/", {"area": cast.huaihai.pk}).json()["results"]
    assert [r["area"]["name"] for r in by_area] == ["淮海中路街道"]
    drafts = api.get("/api/v1/bulletins/", {"status": "draft"}).json()["results"]
    assert len(drafts) == 2
    none = api.get("/api/v1/bulletins/", {"date_to": "2000-01-01"}).json()["results"]
    assert none == []
    # An area no table can hold, or not a whole number, is a 400 (was a 500 on SQLite).
    assert api.get("/api/v1/bulletins/", {"area": 10**30}).status_code == 400
    assert api.get("/api/v1/bulletins/", {"area": "1.5"}).status_code == 400


def test_it_is_in_the_openapi_schema(cast):
    response = APIClient().get("/api/v1/schema/")
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    assert {"/api/v1/bulletins/", "/api/v1/bulletins/{id}/"} <= set(schema["paths"])
    ops = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"bulletins_list", "bulletins_retrieve"} <= ops
