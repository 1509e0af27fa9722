"""Small helpers every app's `actions.py` shares: the rights check, the acting user of an
event row, field-by-field updates, and the one conflict error.

They used to be copied into each app as `_require`, `_user` and `_apply`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


class ConflictError(ValidationError):
    """A client-generated id is already used by a different submission (HTTP 409)."""


def require(actor: Any, allowed: bool) -> None:
    """Refuse unless allowed. `actor=None` is the system itself (commands, the demo)."""
    if actor is not None and not allowed:
        raise PermissionDenied(_("Your posts do not allow this change."))


def user_of(actor: Any) -> Any:
    """The user to store as the actor of a row: the actor if it is a user, else None (the
    system)."""
    return actor if isinstance(actor, get_user_model()) else None


def apply_fields(
    obj: Any,
    fields: Iterable[str],
    data: Mapping[str, Any],
    *,
    strip: bool = False,
    error: type[ValidationError] = ValidationError,
    code: str | None = None,
) -> None:
    """Set `data` on `obj`, refusing any name outside `fields` (with `error` and `code`).
    `strip` trims surrounding white space from text values."""
    unknown = set(data) - set(fields)
    if unknown:
        raise error(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))}, code=code)
    for name, value in data.items():
        setattr(obj, name, value.strip() if strip and isinstance(value, str) else value)
