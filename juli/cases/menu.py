"""The case loop's entries in the main menu (see `juli.core.menu`): the field pages, the
"Inspection" group, and the working calendar and public feed under settings."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, MenuGroup, register, register_group
from juli.orgs.access import can_use_admin, is_office, roles_of
from juli.orgs.roles import FIELD_ROLES

from .views_plan import can_plan


def is_field(user: Any) -> bool:
    return bool(roles_of(user) & FIELD_ROLES)


def plans(user: Any) -> bool:
    return is_office(user) and can_plan(user)


def office_admin(user: Any) -> bool:
    return is_office(user) and can_use_admin(user)


register_group(MenuGroup("inspection", _("Inspection"), 200))
register(
    MenuEntry("field", _("Field work"), "field-home", order=30, visible=is_field),
    MenuEntry("cases", _("Cases"), "case-list", group="inspection", order=10, visible=is_office),
    MenuEntry("plan", _("Daily plan"), "plan", group="inspection", order=20, visible=plans),
    MenuEntry("points", _("Points"), "point-list", group="inspection", order=30, visible=is_office),
    MenuEntry("map", _("Map"), "case-map", group="inspection", order=40, visible=is_office),
    MenuEntry(
        "calendar",
        _("Working calendar"),
        "calendar",
        group="settings",
        order=30,
        visible=office_admin,
    ),
    MenuEntry(
        "public_feed",
        _("Public feed (Open311)"),
        "public-feed-settings",
        group="settings",
        order=40,
        visible=office_admin,
    ),
)
