"""Meetings in the main menu (`juli.core.menu`), in their own group 组织生活 (party life,
which news joins): 会议 for those the
list opens for with something in it (`access.shows_meetings`, from the cached scope), 我的会议
for anyone with a person (their roster rows and calendar feed). The compliance entry is
declared by `menu_rules`."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, MenuGroup, register, register_group
from juli.orgs.access import scope_of

from .access import shows_meetings


def has_person(user: Any) -> bool:
    return bool(scope_of(user).person_id)


#: The group of organisational life: meetings, compliance, news (news declares the same group,
#: so that either app stands alone).
PARTY_LIFE = MenuGroup("party_life", _("Party life"), 150)
register_group(PARTY_LIFE)

register(
    MenuEntry(
        "meetings",
        _("Meetings"),
        "meetings-list",
        group="party_life",
        order=10,
        visible=shows_meetings,
    ),
    MenuEntry(
        "meetings_mine",
        _("My meetings"),
        "meetings-mine",
        group="party_life",
        order=20,
        visible=has_person,
    ),
)

from . import menu_rules  # noqa: E402, F401
