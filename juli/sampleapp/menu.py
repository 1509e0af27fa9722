"""The notes list in the main menu (`juli.core.menu`), for street officers (see
`access.shows_notes`). Found by core's lazy autodiscovery."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, register

from .access import shows_notes

register(
    MenuEntry(
        "sample_notes",
        _("Field notes"),
        "sample-note-list",
        group="",
        order=250,
        visible=shows_notes,
    ),
)
