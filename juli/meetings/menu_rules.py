"""The compliance entry of the main menu (组织生活 · 三会一课 落实情况): shown to exactly those
the compliance page opens for (`access.shows_compliance`, from the cached scope). Imported
by `menu.py` so that core's discovery finds it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, register

from .access import shows_compliance

register(
    MenuEntry(
        "meetings-compliance",
        _("Meeting compliance"),
        "meetings-compliance",
        group="party_life",
        order=30,
        visible=shows_compliance,
    )
)
