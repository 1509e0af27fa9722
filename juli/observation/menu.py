"""Observation visits in the main menu, in the group 组织生活 (party life) that meetings
declares: anyone in a party organisation (the list shows the cycles they are part of)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, register

from .access import shows_observation

register(
    MenuEntry(
        "observation",
        _("Observation visits"),
        "observation-cycles",
        group="party_life",
        order=40,
        visible=shows_observation,
    ),
)
