"""The main menu of the page frame, as data: entries that each app declares in its own folder.

An app declares its entries (and any group of its own) in `<app>/menu.py`:

    from django.utils.translation import gettext_lazy as _
    from juli.core.menu import MenuEntry, register

    register(MenuEntry("rankings", _("Weekly ranking"), "ranking-index", group="reports",
                       order=30, visible=shows_rankings))

Core finds those modules itself: the first call that reads the menu runs
`autodiscover_modules("menu")` once (as the admin does with `admin.py`), so a new app adds
entries without an edit outside its folder.

- `key` is also the `nav` value a page puts in its context to mark its entry current
  (`aria-current="page"`, and `data-current` on the entry's group).
- `visible(user)` says whether the user sees the entry. It runs on every page that renders the
  frame, so it must answer from the user's cached scope (`orgs.access.scope_of`) and never
  query: page tests pin query counts.
- `group` names a `MenuGroup` (a drop-down); "" puts the entry in the bar itself. Groups and
  bar entries share one order; entries inside a group have their own.
- A group with no visible entry is left out; a group with exactly one visible entry shows that
  entry in the bar instead of a drop-down (a reader of the weekly ranking who holds no office
  post sees "Weekly ranking" alone, not a "Reports" menu with one line).
- `icon` is the name of an icon (the CSS class `navicon-<icon>` on a `<span>` before the
  label); "" shows none.

Registering the same key twice with an equal entry is allowed (a module imported twice); a
different entry under a key already taken raises ImproperlyConfigured.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .discovery import Discovery


def always(user: Any) -> bool:
    """Visible to every signed-in user (the frame shows no menu to anonymous visitors)."""
    return True


@dataclass(frozen=True)
class MenuGroup:
    key: str
    label: Any  # a (lazy) translated string
    order: int


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: Any  # a (lazy) translated string
    url_name: str
    icon: str = ""
    group: str = ""
    order: int = 0
    visible: Callable[[Any], bool] = always


@dataclass
class MenuItem:
    """One thing in the bar: a link (`entry`) or a drop-down (`group` with its `entries`).
    `keys` are the keys of all the group's entries, shown or not: the group is marked current
    when the page's `nav` is one of them."""

    order: int
    label: Any
    key: str = ""  # the group's key ("" for a link)
    entry: MenuEntry | None = None
    entries: list[MenuEntry] = field(default_factory=list)
    keys: frozenset[str] = frozenset()


_groups: dict[str, MenuGroup] = {}
_entries: dict[str, MenuEntry] = {}
_lock = threading.RLock()
_discovery = Discovery("menu")


def _put(table: dict[str, Any], key: str, thing: Any, what: str) -> None:
    old = table.get(key)
    if old is not None and old != thing:
        raise ImproperlyConfigured(f"menu {what} {key!r} is registered twice, differently")
    table[key] = thing


def register_group(*groups: MenuGroup) -> None:
    with _lock:
        for group in groups:
            _put(_groups, group.key, group, "group")


def register(*entries: MenuEntry) -> None:
    with _lock:
        for entry in entries:
            _put(_entries, entry.key, entry, "entry")


def discover() -> None:
    """Import every app's `menu` module, once per process (`juli.core.discovery`)."""
    _discovery()


def entries() -> tuple[MenuEntry, ...]:
    """Every registered entry, by group then order."""
    discover()
    return tuple(sorted(_entries.values(), key=lambda e: (e.group, e.order, e.key)))


def groups() -> dict[str, MenuGroup]:
    discover()
    return dict(_groups)


def menu_for(user: Any) -> list[MenuItem]:
    """The bar as `user` sees it, in order (see the module's docstring)."""
    known = groups()
    items: dict[str, MenuItem] = {}
    for entry in entries():
        if not entry.group:
            if entry.visible(user):
                items[f"entry:{entry.key}"] = MenuItem(entry.order, entry.label, entry=entry)
            continue
        group = known.get(entry.group)
        if group is None:
            raise ImproperlyConfigured(f"menu entry {entry.key!r}: no group {entry.group!r}")
        item = items.setdefault(f"group:{group.key}", MenuItem(group.order, group.label, group.key))
        item.keys |= {entry.key}
        if entry.visible(user):
            item.entries.append(entry)
    shown = []
    for item in items.values():
        if item.entry is None and len(item.entries) == 1:
            shown.append(MenuItem(item.order, item.label, entry=item.entries[0]))
        elif item.entry is not None or item.entries:
            shown.append(item)
    return sorted(shown, key=lambda item: item.order)


# The frame's shared sections, which several apps fill. An app may add a group of its own.
register_group(
    MenuGroup("organisation", _("Organisation"), 100),
    MenuGroup("reports", _("Reports"), 300),
    MenuGroup("settings", _("Settings"), 400),
)
