"""Frame facts: what every template may ask about the signed-in user, from the apps that know.

Core's context processor (`juli.core.context_processors.juli`) merges the facts of every
registered provider into each template's context. A provider is a function
`(user) -> dict[str, Any]` of template variables (named `juli_…`) that an app registers from
`<app>/frame.py`:

    from juli.core import frame

    def facts(user):
        return {"juli_is_office": ...}

    frame.provide("orgs", facts)

Core imports those modules itself the first time facts are asked for
(`autodiscover_modules("frame")`). A provider runs for every template rendered with a request
(pages, fragments, e-mails rendered in a request), anonymous visitors included: it must
answer from the user's cached scope and never query. Something costly is given as a callable,
which a template calls only where it uses it.

`provide` is idempotent under the same name and function; another function under a name
already taken raises ImproperlyConfigured. Providers run in the order of INSTALLED_APPS.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from .discovery import Discovery

Provider = Callable[[Any], dict[str, Any]]

_providers: dict[str, Provider] = {}
_ordered: list[Provider] | None = None  # _providers in app order, kept until the next provide
_lock = threading.RLock()
_discovery = Discovery("frame")


def provide(name: str, fn: Provider) -> Provider:
    global _ordered
    with _lock:
        old = _providers.get(name)
        if old is not None and old is not fn:
            raise ImproperlyConfigured(f"frame provider {name!r} is registered twice")
        _providers[name] = fn
        _ordered = None
    return fn


def discover() -> None:
    """Import every app's `frame` module, once per process (`juli.core.discovery`)."""
    _discovery()


def _app_index(fn: Provider) -> int:
    config = apps.get_containing_app_config(fn.__module__)
    names = [c.name for c in apps.get_app_configs()]
    return names.index(config.name) if config is not None else len(names)


def providers() -> list[Provider]:
    global _ordered
    discover()
    ordered = _ordered
    if ordered is None:
        with _lock:
            ordered = _ordered = sorted(_providers.values(), key=_app_index)
    return ordered


def facts(user: Any) -> dict[str, Any]:
    """Every provider's template variables for `user` (anonymous or None included)."""
    merged: dict[str, Any] = {}
    for fn in providers():
        merged.update(fn(user))
    return merged
