"""The responsibility letters in the main menu (see `juli.core.menu`): shown to exactly those
the letter list opens for (`access.reads_letters`, from the cached scope)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, register

from .access import reads_letters

register(
    MenuEntry(
        "letters",
        _("Responsibility letters"),
        "letter-list",
        group="organisation",
        order=40,
        visible=reads_letters,
    )
)
