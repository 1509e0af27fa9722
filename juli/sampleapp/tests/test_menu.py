"""The entry declared in `juli/sampleapp/menu.py` appears in the page frame of a street officer
and of nobody whose menu other tests pin."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from juli.core import menu

LINK = '<a href="/sample/notes/" >Field notes</a>'


def test_it_shows_the_notes_link_in_the_frame_of_a_street_officer(
    client: Client, cast: Any
) -> None:
    client.force_login(cast.street_officer)
    page = client.get("/").content.decode()
    nav = page[page.index('<nav class="mainnav"') : page.index("</nav>")]
    assert LINK in nav
    page = client.get("/sample/notes/").content.decode()
    nav = page[page.index('<nav class="mainnav"') : page.index("</nav>")]
    assert '<a href="/sample/notes/" aria-current="page">Field notes</a>' in nav


@pytest.mark.parametrize("name", ["grid_worker", "inspector", "district_admin", "outsider"])
def test_it_leaves_the_notes_link_out_for_other_roles(client: Client, cast: Any, name: str) -> None:
    client.force_login(getattr(cast, name))
    page = client.get("/").content.decode()
    assert "/sample/notes/" not in page


def test_it_is_declared_from_the_apps_own_module() -> None:
    [entry] = [e for e in menu.entries() if e.url_name == "sample-note-list"]
    assert (entry.key, entry.group, entry.order, entry.visible.__module__) == (
        "sample_notes",
        "",
        250,
        "juli.sampleapp.access",
    )
