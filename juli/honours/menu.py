"""Honours in the main menu, in the group 组织生活 (party life) of `juli.meetings.menu`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, MenuGroup, register, register_group

from .access import shows_honours

# The same group meetings declares (an equal group registers twice harmlessly), so that this
# app stands alone.
register_group(MenuGroup("party_life", _("Party life"), 150))

register(
    MenuEntry(
        "honours",
        _("Honours"),
        "honours-kinds",
        group="party_life",
        order=60,
        visible=shows_honours,
    )
)
