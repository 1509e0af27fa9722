"""Notes serve as evidence through `juli.core.records`, declared in `juli/sampleapp/records.py`."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.http import Http404

from juli.core import records
from juli.core.models import AuditLog, EvidenceLink
from juli.letters import actions as letter_actions
from juli.letters.records import purpose_of
from juli.letters.tests.conftest import sign_both


def _candidates(user: Any, purpose: records.Purpose) -> dict[str, list[Any]]:
    return {kind.key: list(qs) for kind, qs in records.candidates(user, purpose)}


def test_it_offers_a_note_as_evidence_to_a_user_in_scope_only(notes: Any) -> None:
    c = notes.c
    purpose = purpose_of(notes.letter)
    kind = records.kind_of(notes.note)
    assert kind is not None and kind.key == "sampleapp.note"
    assert _candidates(c.street_officer, purpose)["sampleapp.note"] == [notes.note]
    assert _candidates(c.outsider, purpose)["sampleapp.note"] == []
    assert _candidates(c.street_officer, records.Purpose(year=2025))["sampleapp.note"] == []


def test_it_links_a_note_to_a_letters_evidence_and_lists_its_uses(notes: Any) -> None:
    c = notes.c
    letter = sign_both(notes)
    item = letter.items.order_by("order")[0]
    entry = letter_actions.add_evidence(None, letter, title="台账", items=[item], note="见附件")
    before = AuditLog.objects.count()
    link = records.link(c.platform_admin, entry, notes.note, purpose_of(letter))
    assert (link.consumer, link.record, link.added_by) == (entry, notes.note, c.platform_admin)
    assert list(AuditLog.objects.order_by("id").values_list("verb", flat=True))[before:] == [
        "evidence.link"
    ]
    assert records.link(c.platform_admin, entry, notes.note, purpose_of(letter)) == link
    assert (
        EvidenceLink.objects.filter(
            record_type=ContentType.objects.get_for_model(notes.note)
        ).count()
        == 1
    )
    [use] = records.uses_of(notes.note, c.platform_admin)
    assert (use.kind.key, use.consumer, use.url) == (
        "letters.evidence",
        entry,
        f"/letters/{letter.pk}/evidence/",
    )
    assert records.uses_of(notes.note, c.street_officer) == []  # sees the note, not the letter
    [linked] = records.links_of(entry)
    assert (linked.line, linked.url) == ("楼道清理 2026-05-04", f"/sample/notes/{notes.note.pk}/")


def test_it_refuses_to_link_a_note_outside_the_actors_scope(notes: Any) -> None:
    letter = sign_both(notes)
    entry = letter_actions.add_evidence(
        None, letter, title="台账", items=[letter.items.order_by("order")[0]], note="见附件"
    )
    with pytest.raises(Http404):
        records.link(notes.c.outsider, entry, notes.note, purpose_of(letter))
    assert EvidenceLink.objects.count() == 0
