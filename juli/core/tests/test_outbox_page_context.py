"""The texts and limits the outbox script reads from the field page (`outbox.page_context`)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from juli.core import outbox
from juli.core.uploads import MAX_PER_SUBMISSION

FIELD_JS = Path(settings.BASE_DIR) / "static" / "js" / "field" / "field.js"


def _json_script(content: str, element_id: str) -> Any:
    found = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', content, re.S
    )
    assert found is not None, element_id
    return json.loads(found.group(1))


def test_it_gives_the_pages_the_servers_photo_limits(settings: Any) -> None:
    settings.JULI_MAX_UPLOAD_BYTES = 1_234_567
    context = outbox.page_context(extra="x")
    assert context["upload_limits"] == {"max_bytes": 1_234_567, "max_files": MAX_PER_SUBMISSION}
    assert context["field_messages"]["extra"] == "x"


@pytest.mark.django_db
def test_it_has_a_text_for_every_message_the_script_says(client: Any, cast: Any) -> None:
    """Every `MSG.<key>` field.js reads is in the page's `field-messages` (a missing one
    would show "undefined" on the phone)."""
    script = FIELD_JS.read_text()
    used = set(re.findall(r"\bMSG\.([a-z_0-9]+)", script))
    assert {"required", "too_long", "not_a_photo", "edit", "refused"} <= used
    # A refusal's generic text is looked up by its status (MSG["refused_" + status]).
    assert 'MSG["refused_" + status]' in script
    used |= {f"refused_{status}" for status in (403, 404, 409, 413, 415)}
    client.force_login(cast.grid_worker)
    content = client.get("/m/report/").content.decode()
    messages = _json_script(content, "field-messages")
    assert sorted(used - set(messages)) == []
    assert all(isinstance(messages[key], str) and messages[key] for key in used)
