"""Recording writes. Every function in an `actions.py` calls `record` inside its transaction."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models

from .context import current_ip
from .models import AuditLog
from .types import Actor


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `obj` as JSON-ready data (foreign keys as ids)."""
    out: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"password"}:
            continue
        out[field.attname if field.is_relation else field.name] = _plain(
            getattr(obj, field.attname)
        )
    return out


def record(
    actor: Actor | AnonymousUser,
    verb: str,
    obj: models.Model,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    scope: tuple[str, str] | None = None,
) -> AuditLog:
    """Append one audit row. `scope` is (kind, materialised path) of what `obj` belongs to.
    The actor is a user; None or an anonymous user is recorded as the system."""
    if scope is None:
        scope_fn = getattr(obj, "audit_scope", None)
        scope = scope_fn() if callable(scope_fn) else ("", "")
    actor_obj = actor if actor is not None and actor.is_authenticated else None
    return AuditLog.objects.create(
        actor_id=actor_obj.pk if actor_obj else None,
        actor_label=(actor_obj.get_username() if actor_obj else "system"),
        ip=current_ip(),
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_label=str(obj)[:255],
        scope_kind=scope[0],
        scope_path=scope[1],
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        note=note[:500],
    )
