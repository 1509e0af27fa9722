"""The registry of panels that apps show on an organisation's page (`orgs` `org-detail`).

An app declares its panels in a module `panels.py` of its own folder:

    from juli.core.panels import OrgPanel, register

    register(OrgPanel("honours", _("Honours"), template="honours/_panel.html",
                      context=lambda org, user: {"honours": honours_of(user, org)}, order=50))

The organisation page calls `for_org(org, user)` and renders each panel's `template` with
its context under the name `panel`, in `order`. `visible(org, user)` says whether the panel
shows at all (default: always); a `context` returning None leaves the panel out too (an app
with nothing to say about this organisation). Contexts must read only what `user` may see
(the app's own `visible_*` functions). The first call imports every installed app's
`panels` module once (`core.discovery`); core imports no app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

from .discovery import Discovery

MODULE = "panels"


def _always(org: Any, user: Any) -> bool:
    return True


@dataclass(frozen=True)
class OrgPanel:
    key: str
    label: str | Promise
    template: str
    context: Callable[[Any, Any], dict[str, Any] | None]
    order: int = 100
    visible: Callable[[Any, Any], bool] = _always


@dataclass(frozen=True)
class Rendered:
    """One panel ready for the page: its key, label, template and context."""

    key: str
    label: str | Promise
    template: str
    context: dict[str, Any]


_panels: dict[str, OrgPanel] = {}
_discovery = Discovery(MODULE)


def register(panel: OrgPanel) -> OrgPanel:
    known = _panels.get(panel.key)
    if known is not None and known != panel:
        raise ImproperlyConfigured(f"org panel {panel.key!r} is already registered")
    _panels[panel.key] = panel
    return panel


def unregister(key: str) -> None:
    """Tests only."""
    _panels.pop(key, None)


def panels() -> list[OrgPanel]:
    _discovery()
    return sorted(_panels.values(), key=lambda p: (p.order, p.key))


def for_org(org: Any, user: Any) -> list[Rendered]:
    """The panels to show on `org`'s page for `user`, in order."""
    out: list[Rendered] = []
    for panel in panels():
        if not panel.visible(org, user):
            continue
        context = panel.context(org, user)
        if context is None:
            continue
        out.append(Rendered(panel.key, panel.label, panel.template, context))
    return out
