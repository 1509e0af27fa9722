"""A signed note is a document of the kind declared in `juli/sampleapp/signables.py`: its code
checks on the public page `/verify/`, and a change behind Juli's back reads as tampered."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from juli.core import signing, verification
from juli.core.models import AuditLog
from juli.sampleapp import actions
from juli.sampleapp.models import Note, NoteEvent
from juli.sampleapp.signables import content_of

from .conftest import file_note


def _verdict(client: Client, code: str) -> str:
    page = client.get("/verify/", {"code": code}).content.decode()
    start = page.index('id="verdict"')
    return page[start : page.index(">", start)]


def test_it_signs_a_note_and_checks_its_code_on_the_verify_page(client: Client, cast: Any) -> None:
    note = file_note(cast, actor=cast.grid_worker, area=cast.grid1)
    assert (note.status, note.content_hash, verification.verification_code(note)) == (
        "draft",
        "",
        "",
    )
    with pytest.raises(PermissionDenied):
        actions.sign_note(cast.grid_worker, note)
    signed = actions.sign_note(cast.street_officer, note)
    assert signed.status == Note.Status.SIGNED
    assert signed.content_hash == signing.hash_content(content_of(signed))
    assert list(NoteEvent.objects.values_list("doc", "action", "from_status", "to_status")) == [
        (note.pk, "sign", "draft", "signed")
    ]
    assert AuditLog.objects.filter(verb="note.sign", object_id=str(note.pk)).count() == 1

    code = verification.verification_code(signed)
    assert code.startswith(f"SN-{note.pk}-")
    assert _verdict(client, code) == ('id="verdict" data-state="valid" data-kind="samplenote"')
    page = client.get("/verify/", {"code": code}).content.decode()
    assert signed.content_hash in page

    Note.objects.filter(pk=note.pk).update(text="改过的内容")  # outside Juli
    assert _verdict(client, code) == ('id="verdict" data-state="tampered" data-kind="samplenote"')
    assert verification.verify(code).state == "tampered"


def test_it_refuses_to_sign_a_note_twice(cast: Any) -> None:
    note = actions.sign_note(cast.street_officer, file_note(cast))
    with pytest.raises(Exception, match="cannot be given"):
        actions.sign_note(cast.street_officer, note)
    assert NoteEvent.objects.count() == 1
