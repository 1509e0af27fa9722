"""The sample app's kind of to-do reaches the work-bench from its own folder (`todos.py`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from juli.sampleapp import actions

from .conftest import file_note


def test_it_puts_a_draft_note_on_the_street_officers_bench(client: Any, notes: Any) -> None:
    c = notes.c
    client.force_login(c.street_officer)
    html = client.get(reverse("home")).content.decode()
    assert 'data-kind="sampleapp.sign" data-count="1"' in html
    assert f'href="{reverse("sample-note-detail", args=[notes.note.pk])}"' in html
    client.force_login(c.grid_worker)
    assert "sampleapp.sign" not in client.get(reverse("home")).content.decode()
    assert client.get(reverse("workbench-kind", args=["sampleapp.sign"])).status_code == 404
    file_note(c, title="第二条")
    client.force_login(c.street_officer)
    assert 'data-count="2"' in client.get(reverse("home")).content.decode()
    actions.sign_note(c.street_officer, notes.note)
    html = client.get(reverse("home")).content.decode()
    assert 'data-kind="sampleapp.sign" data-count="1"' in html
