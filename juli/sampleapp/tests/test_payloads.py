"""What a user typed into a note is shown as text on every page that shows it (the project's
payload test, core/tests/test_payloads_everywhere.py, covers the apps of config.settings)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.test import Client
from django.utils.html import escape

from juli.core.verification import verification_code
from juli.sampleapp import actions

PAYLOAD = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def test_it_escapes_a_notes_title_and_text_everywhere(client: Client, cast: Any) -> None:
    note = actions.file_note(
        cast.street_officer,
        area=cast.dapuqiao,
        title=f"T{PAYLOAD}",
        text=f"X{PAYLOAD}",
        happened_on=datetime.date(2026, 5, 4),
        client_uuid=uuid.uuid4(),
    )
    note = actions.sign_note(cast.street_officer, note)
    client.force_login(cast.street_officer)
    pages = [
        client.get("/sample/notes/").content.decode(),
        client.get(f"/sample/notes/{note.pk}/").content.decode(),
        client.get("/verify/", {"code": verification_code(note)}).content.decode(),
        client.get("/notifications/").content.decode(),
    ]
    for page in pages:
        assert "<script>alert(1)" not in page
        assert "<img src=x" not in page
        assert escape(f"T{PAYLOAD}") in page
