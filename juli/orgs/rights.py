"""The rights core asks about that the organisation system decides (see juli.core.rights)."""

from __future__ import annotations

from typing import Any

from juli.core.rights import UPLOAD_PHOTOS, register_right

from .access import scope_of
from .roles import FIELD_ROLES, OFFICE_ROLES

#: Who may send photos: people working in the field or at a desk (not plain party members).
UPLOAD_ROLES = FIELD_ROLES | OFFICE_ROLES


def may_upload_photos(user: Any) -> bool:
    scope = scope_of(user)
    return scope.superuser or bool(scope.roles & UPLOAD_ROLES)


register_right(UPLOAD_PHOTOS, may_upload_photos)
