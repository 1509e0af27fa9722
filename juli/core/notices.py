"""The registry of notification kinds: what an event announced through `notify()` may be.

An app declares its kinds in a module `notices.py` of its own folder:

    from juli.core.notices import NoticeKind, register

    register(NoticeKind("dispatched", _("Case dispatched")))

The first call that reads the registry (`kinds()`, `label_of()`, `choices()`, `get()`) imports
every installed app's `notices` module once (`autodiscover_modules`, as the admin finds
`admin.py`), so an app adds kinds with no edit outside its folder. The key is what the
database stores (`Notification.kind`, `Delivery.kind`, `Channel.kinds`): it must never change
once rows carry it. Kinds come out in the order of `INSTALLED_APPS` (the app of the module
that registered them) and, inside an app, in the order of its `register()` calls, whichever
module happened to be imported first: a channel stores its kinds in that order.

`link`, optional, is where the bell links one in-app row of this kind that carries no `url`
of its own, for the reader looking at it: `link(notification, user) -> str` ("" for none).
The cases use it to send each reader to the case page of their role.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

from .discovery import Discovery

#: The module name core looks for in every installed app.
MODULE = "notices"


@dataclass(frozen=True)
class NoticeKind:
    """One kind of notification: `key` (stored, at most 20 characters), `label` (shown, a
    lazy translation), `description` (what sets it off, for the channel form)."""

    key: str
    label: str | Promise
    description: str | Promise = ""
    link: Callable[[Any, Any], str] | None = None

    def __post_init__(self) -> None:
        if not self.key or len(self.key) > 20:
            raise ImproperlyConfigured(f"notice kind key {self.key!r}: 1–20 characters")


_kinds: dict[str, NoticeKind] = {}
#: The module that registered each key (its app gives the kind's place in the order).
_origins: dict[str, str] = {}
_discovery = Discovery(MODULE)


def register(kind: NoticeKind) -> NoticeKind:
    """Add a kind. Registering an equal kind again is a no-op (a module imported twice);
    a different kind under a key already taken raises ImproperlyConfigured."""
    known = _kinds.get(kind.key)
    if known is not None and known != kind:
        raise ImproperlyConfigured(f"notice kind {kind.key!r} is already registered as {known!r}")
    if known is None:
        # The caller's module: which app declares the kind (kinds() orders by it).
        _origins[kind.key] = sys._getframe(1).f_globals.get("__name__", "")
    _kinds[kind.key] = kind
    return kind


def _app_rank(module: str) -> int:
    names = [config.name for config in apps.get_app_configs()]
    for rank, name in enumerate(names):
        if module == name or module.startswith(f"{name}."):
            return rank
    return len(names)


def _discover() -> None:
    _discovery()


def kinds() -> list[NoticeKind]:
    """Every registered kind: by app in the order of INSTALLED_APPS, then as registered."""
    _discover()
    order = list(_kinds)
    return sorted(
        _kinds.values(),
        key=lambda kind: (_app_rank(_origins.get(kind.key, "")), order.index(kind.key)),
    )


def get(key: str) -> NoticeKind | None:
    """The kind registered under `key`, or None."""
    _discover()
    return _kinds.get(key)


def is_registered(key: str) -> bool:
    return get(key) is not None


def label_of(key: str) -> str:
    """The kind's label (translated now); an unknown key is shown as it is."""
    kind = get(key)
    return str(kind.label) if kind is not None else key


def choices() -> list[tuple[str, Any]]:
    """`(key, label)` pairs for a model or form field's `choices` (pass the function itself:
    Django calls it when it needs them, and migrations refer to it by name)."""
    return [(kind.key, kind.label) for kind in kinds()]
