"""What the page frame knows of the user from the organisations (see `juli.core.frame`):
`juli_roles` (the roles of their current posts), `juli_is_office`, `juli_is_field` (a
phone-first role) and `juli_can_admin` (the Django admin). No query beyond the cached scope."""

from __future__ import annotations

from typing import Any

from juli.core import frame

from . import access
from .roles import FIELD_ROLES


def facts(user: Any) -> dict[str, Any]:
    if user is None or not user.is_authenticated:
        return {
            "juli_roles": frozenset(),
            "juli_is_office": False,
            "juli_is_field": False,
            "juli_can_admin": False,
        }
    roles = access.roles_of(user)
    return {
        "juli_roles": roles,
        "juli_is_field": bool(roles & FIELD_ROLES),
        "juli_is_office": access.is_office(user),
        "juli_can_admin": access.can_use_admin(user),
    }


frame.provide("orgs", facts)
