"""The registry of outbox kinds (`juli.core.outbox`) and the JSON the field pages hand over."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext_lazy

from juli.core import discovery, outbox
from juli.core.outbox import OutboxKind, OutboxRegistry

CASE_KINDS = {
    "inspection": {
        "key": "inspection",
        "label": "Inspection",
        "url": "/api/v1/inspections/",
        "key_header": True,
        "key_field": "client_uuid",
        "position": True,
        "build": "inspection",
        "after": "",
    },
    "case": {
        "key": "case",
        "label": "New case",
        "url": "/api/v1/cases/",
        "key_header": True,
        "key_field": "client_uuid",
        "position": True,
        "build": "case",
        "after": "",
    },
    "transition": {
        "key": "transition",
        "label": "Case step",
        "url": "/api/v1/cases/{pk}/transitions/",
        "key_header": True,
        "key_field": "client_uuid",
        "position": False,
        "build": "transition",
        "after": "",
    },
}


def test_it_finds_the_cases_kinds_in_their_outbox_module() -> None:
    kinds = outbox.kinds()
    assert {key: kinds[key].as_json() for key in CASE_KINDS} == CASE_KINDS
    assert outbox.get("transition").url_args == ("pk",)


def test_it_discovers_the_apps_modules_once_on_the_first_read(monkeypatch: Any) -> None:
    calls: list[str] = []
    monkeypatch.setattr(discovery, "autodiscover_modules", calls.append)
    registry = OutboxRegistry()
    registry.register(OutboxKind("notes.note", "Note", url="/api/v1/notes/"))
    assert calls == []
    assert list(registry.kinds()) == ["notes.note"]
    assert registry.get("notes.note").url == "/api/v1/notes/"
    assert calls == ["outbox"]


def test_it_takes_the_same_kind_twice_and_refuses_another_under_its_key() -> None:
    registry = OutboxRegistry(discover=False)
    note = OutboxKind("notes.note", gettext_lazy("Note"), url="/api/v1/notes/")
    assert registry.register(note) is note
    registry.register(OutboxKind("notes.note", gettext_lazy("Note"), url="/api/v1/notes/"))
    assert list(registry.kinds()) == ["notes.note"]
    with pytest.raises(ImproperlyConfigured, match="'notes.note' is already registered"):
        registry.register(OutboxKind("notes.note", "Note", url="/api/v1/other-notes/"))
    assert registry.get("notes.note").url == "/api/v1/notes/"


def test_it_answers_lookup_error_for_a_kind_nobody_registered() -> None:
    with pytest.raises(LookupError, match="No outbox kind 'nothing'"):
        OutboxRegistry(discover=False).get("nothing")


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ({"key": "Notes", "url": "/n/"}, "the key must match"),
        ({"key": "notes"}, "exactly one of url_name and url"),
        ({"key": "notes", "url": "/n/", "url_name": "api-case-list"}, "exactly one of"),
        ({"key": "notes", "url": "/n/{pk}/"}, "the {placeholders} of url must be url_args"),
        ({"key": "notes", "url": "/n/{pk}/", "url_args": ("Pk",)}, "lower-case identifiers"),
        ({"key": "notes", "url": "/n/", "key_header": False, "key_field": ""}, "header, a body"),
        ({"key": "notes", "url": "/n/", "build": "no such!"}, "unknown builder 'no such!'"),
    ],
)
def test_it_refuses_a_kind_declared_wrongly(declared: dict[str, Any], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        OutboxKind(label="Note", **declared)


def test_it_reverses_the_endpoint_with_a_placeholder_per_form_argument() -> None:
    by_number = OutboxKind("a", "A", url_name="api-case-transitions", url_args=("pk",))
    by_uuid = OutboxKind("b", "B", url_name="api-upload-detail", url_args=("pk",))
    plain = OutboxKind("c", "C", url_name="api-case-list", after="field-home")
    literal = OutboxKind("d", "D", url="/x/{id}/y/", url_args=("id",), after="/m/report/")
    assert by_number.endpoint() == "/api/v1/cases/{pk}/transitions/"
    assert by_uuid.endpoint() == "/api/v1/uploads/{pk}/"
    assert (plain.as_json()["url"], plain.as_json()["after"]) == ("/api/v1/cases/", "/m/")
    assert (literal.as_json()["url"], literal.as_json()["after"]) == ("/x/{id}/y/", "/m/report/")
    wrong = OutboxKind("e", "E", url_name="api-case-list", url_args=("pk",))
    with pytest.raises(ImproperlyConfigured, match="'api-case-list' does not reverse"):
        wrong.endpoint()


def test_it_translates_the_labels_in_the_language_of_the_request() -> None:
    with translation.override("zh-hans"):
        labels = {key: value["label"] for key, value in outbox.registry.for_page().items()}
    # "Case step" is a new message: its Chinese reaches the catalogue with this change.
    assert (labels["inspection"], labels["case"]) == ("督查", "新案件")


def _json_script(content: str, element_id: str) -> Any:
    found = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', content, re.S
    )
    assert found is not None, element_id
    return json.loads(found.group(1))


def test_it_hands_every_kind_to_the_field_page_as_json(client: Any, cast: Any) -> None:
    client.force_login(cast.grid_worker)
    response = client.get("/m/report/")
    assert response.status_code == 200
    content = response.content.decode()
    kinds = _json_script(content, "outbox-kinds")
    assert kinds == outbox.registry.for_page()
    assert {key: kinds[key] for key in CASE_KINDS} == CASE_KINDS
    messages = _json_script(content, "field-messages")
    assert messages["unknown_kind"] == "This page cannot send this form: reload it and try again."
    assert messages["where_needed"] == "Choose the point or the area."
    assert 'data-outbox="case"' in content
    assert "data-api=" not in content
