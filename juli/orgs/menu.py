"""The organisations' entries in the main menu (see `juli.core.menu`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, register

from .access import can_use_admin, is_office


def office_admin(user: Any) -> bool:
    return is_office(user) and can_use_admin(user)


register(
    MenuEntry("home", _("Workbench"), "home", order=5),
    MenuEntry("posts", _("My posts"), "my-posts", order=10),
    MenuEntry("orgs", _("Organisations"), "org-tree", group="organisation", order=10),
    MenuEntry("areas", _("Areas"), "area-tree", group="organisation", order=20),
    MenuEntry("people", _("People"), "person-list", group="organisation", order=30),
    MenuEntry("audit", _("Audit log"), "audit-log", group="settings", order=20, visible=is_office),
    MenuEntry("admin", _("Admin"), "admin:index", group="settings", order=50, visible=office_admin),
)
