from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def juli(request: HttpRequest) -> dict[str, Any]:
    """What the page frame needs to know about the user: roles, office, admin, and which
    menus (letters, rankings) are theirs. No query beyond the cached scope."""
    from juli.orgs import access
    from juli.orgs.roles import FIELD_ROLES

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "juli_roles": frozenset(),
            "juli_is_office": False,
            "juli_is_field": False,
            "juli_can_admin": False,
            "juli_shows_letters": False,
            "juli_shows_rankings": False,
        }
    from juli.letters.access import VIEW_ROLES as LETTER_ROLES
    from juli.rankings.access import shows_rankings

    roles = access.roles_of(user)
    return {
        "juli_roles": roles,
        "juli_is_field": bool(roles & FIELD_ROLES),
        "juli_is_office": access.is_office(user),
        "juli_can_admin": access.can_use_admin(user),
        "juli_shows_letters": user.is_superuser or bool(roles & LETTER_ROLES),
        "juli_shows_rankings": shows_rankings(user),
    }
