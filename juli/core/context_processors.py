from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def juli(request: HttpRequest) -> dict[str, Any]:
    """What the page frame needs to know about the user: roles, office, admin."""
    from juli.orgs import access

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"juli_roles": frozenset(), "juli_is_office": False, "juli_can_admin": False}
    return {
        "juli_roles": access.roles_of(user),
        "juli_is_office": access.is_office(user),
        "juli_can_admin": access.can_use_admin(user),
    }
