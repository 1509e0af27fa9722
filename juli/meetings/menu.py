"""Meetings in the main menu (`juli.core.menu`), in the Organisation group: 会议 for those the
list opens for with something in it (`access.shows_meetings`, from the cached scope), 我的会议
for anyone with a person (their roster rows and calendar feed). The compliance entry is
declared by `menu_rules`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, register
from juli.orgs.access import scope_of

from .access import shows_meetings


def has_person(user: Any) -> bool:
    return bool(scope_of(user).person_id)


register(
    MenuEntry(
        "meetings",
        _("Meetings"),
        "meetings-list",
        group="organisation",
        order=45,
        visible=shows_meetings,
    ),
    MenuEntry(
        "meetings_mine",
        _("My meetings"),
        "meetings-mine",
        group="organisation",
        order=46,
        visible=has_person,
    ),
)

from . import menu_rules  # noqa: E402, F401
