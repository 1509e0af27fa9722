from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from . import frame, menu


def juli(request: HttpRequest) -> dict[str, Any]:
    """What the page frame needs to know about the user: the facts the apps provide
    (`juli.core.frame`: roles, office, field, admin …) and the main menu (`juli_menu`, the
    `juli.core.menu` items the user sees). No query beyond the cached scope; the menu is a
    callable, worked out only where a template shows it (not for a fragment or JSON)."""
    user = getattr(request, "user", None)
    context = frame.facts(user)

    @cache
    def main_menu() -> list[menu.MenuItem]:
        if user is None or not user.is_authenticated:
            return []
        return menu.menu_for(user)

    context["juli_menu"] = main_menu
    return context
