"""The responsibility letters in the main menu (see `juli.core.menu`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, register
from juli.orgs.access import roles_of

from .access import VIEW_ROLES


def reads_letters(user: Any) -> bool:
    return bool(user.is_superuser or roles_of(user) & VIEW_ROLES)


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
