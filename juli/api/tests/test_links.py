"""The schema's OpenAPI links (juli/api/links.py) chain the operations, and stay valid."""

from __future__ import annotations

from typing import Any

import yaml
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = yaml.safe_load(APIClient().get("/api/v1/schema/").content)
    return schema


def _links(schema: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    links: dict[str, Any] = schema["paths"][path][method]["responses"][status].get("links", {})
    return {
        name: {k: v for k, v in link.items() if k != "operationId"} for name, link in links.items()
    }


def test_it_links_a_case_report_to_the_case_and_its_actions(db):
    schema = _schema()
    by_id = {"path.id": "$response.body#/id"}
    assert _links(schema, "/api/v1/cases/", "post", "201") == {
        "cases_retrieve": {"parameters": by_id},
        "cases_photos_list": {"parameters": by_id},
        "cases_publication_create": {"parameters": by_id},
        "cases_transitions_create": {"parameters": by_id},
    }
    first = {"path.id": "$response.body#/results/0/id"}
    assert _links(schema, "/api/v1/cases/", "get", "200") == {
        "cases_retrieve": {"parameters": first},
        "cases_photos_list": {"parameters": first},
        "cases_publication_create": {"parameters": first},
        "cases_transitions_create": {"parameters": first},
    }
    same = {"path.id": "$request.path.id"}
    assert _links(schema, "/api/v1/cases/{id}/transitions/", "post", "200") == {
        "cases_retrieve": {"parameters": same},
        "cases_photos_list": {"parameters": same},
        "cases_publication_create": {"parameters": same},
    }


def test_it_links_a_staged_upload_to_the_report_naming_it(db):
    assert _links(_schema(), "/api/v1/uploads/", "post", "201") == {
        "uploads_retrieve": {"parameters": {"path.id": "$response.body#/id"}},
        "cases_create.uploads": {"requestBody": {"uploads": ["$response.body#/id"]}},
    }


def test_it_links_only_fields_that_hold_the_ids(db):
    schema = _schema()
    # A duty post's `post` is a role (an enum), not a post's id; a DELETE leads nowhere.
    assert _links(schema, "/api/v1/posts/", "get", "200") == {
        "posts_retrieve": {"parameters": {"path.id": "$response.body#/results/0/id"}},
    }
    assert _links(schema, "/api/v1/duties/{id}/", "delete", "204") == {}
    assert _links(schema, "/api/v1/duty-posts/", "post", "201")["duties_create.duty_post"] == {
        "requestBody": {"duty_post": "$response.body#/id"}
    }


def test_it_keeps_the_schema_valid(db):
    validate_schema(_schema())
