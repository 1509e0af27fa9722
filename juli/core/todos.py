"""The to-do registry: what waits for a user, declared by each app in its own folder.

The work-bench (工作台, the home page `/`) shows every signed-in user what waits for them now:
cases to accept or rectify, letters to sign, bulletins to publish … Core knows none of
these: each app declares its kinds of to-do in `<app>/todos.py`,

    from django.utils.translation import gettext_lazy as _
    from juli.core.todos import Todo, TodoKind, register

    register(
        TodoKind(
            key="cases.accept",
            label=_("Reports to accept"),
            group="cases",
            count=lambda user: to_accept(user).count(),
            items=lambda user, limit, offset: [as_todo(c) for c in to_accept(user)[offset:offset + limit]],
            url=lambda user: reverse("case-list") + "?status=reported",
            visible=is_street_officer,
        )
    )

and core finds those modules itself the first time the registry is read
(`autodiscover_modules("todos")`, as for `menu.py`).

The contract of a kind:

- `visible(user)` answers from the user's cached scope (`orgs.access.scope_of`) and never
  queries: a kind the user cannot have costs nothing (no count, no items).
- `count(user)` is one indexed COUNT query; `items(user, limit, offset)` returns `limit`
  items from `offset`, the most urgent first (overdue, then nearest deadline, then oldest),
  from the same queryset as the count, in one query (joins, no query per item).
- `url` is the page that lists them all ("see all"): a string, a callable of the user, or
  "" for none (the bench then pages the items itself).
- Each `Todo` links to the page where the thing is done, for that user.

Registering the same kind or group twice is allowed (a module imported twice); a different
one under a key already taken raises ImproperlyConfigured.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .discovery import Discovery

#: How many items of each kind the work-bench shows at first.
DEFAULT_LIMIT = 5


def always(user: Any) -> bool:
    """Every signed-in user may have this kind of to-do."""
    return True


@dataclass(frozen=True)
class TodoGroup:
    """A heading of the work-bench ("Cases", "Letters" …); groups come by `order`."""

    key: str
    label: str | Promise
    order: int = 0


@dataclass(frozen=True)
class Todo:
    """One thing that waits: its `title` links to `url`, the page where it is done.

    `since` is when it started to wait, `due` its deadline; `countdown` is the provider's
    text of the time left (in working time for cases: "剩 1 个工作日 3 小时"), `overdue`
    marks it red and puts it first.
    """

    title: str
    url: str
    subtitle: str = ""
    since: datetime.datetime | None = None
    due: datetime.datetime | None = None
    countdown: str = ""
    overdue: bool = False


@dataclass(frozen=True)
class TodoKind:
    key: str  # "cases.accept": app label, dot, name; also the fragment URL's key
    label: str | Promise
    group: str  # a TodoGroup key
    count: Callable[[Any], int]
    items: Callable[[Any, int, int], Sequence[Todo]]  # (user, limit, offset)
    url: Callable[[Any], str] | str = ""
    visible: Callable[[Any], bool] = always
    order: int = 0

    def __post_init__(self) -> None:
        if "." not in self.key or "/" in self.key or " " in self.key:
            raise ImproperlyConfigured(f"to-do kind key {self.key!r}: '<app>.<name>' expected")

    def url_for(self, user: Any) -> str:
        return self.url(user) if callable(self.url) else self.url


@dataclass
class KindView:
    """One kind as a user sees it: its count and its first items."""

    kind: TodoKind
    count: int
    items: list[Todo]
    url: str = ""

    @property
    def key(self) -> str:
        return self.kind.key

    @property
    def label(self) -> str | Promise:
        return self.kind.label

    @property
    def more(self) -> int:
        """How many are not shown yet."""
        return max(0, self.count - len(self.items))

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue)


@dataclass
class GroupView:
    group: TodoGroup
    kinds: list[KindView] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(k.count for k in self.kinds)


_groups: dict[str, TodoGroup] = {}
_kinds: dict[str, TodoKind] = {}
_lock = threading.RLock()
_discovery = Discovery("todos")


def _put(table: dict[str, Any], key: str, thing: Any, what: str) -> None:
    old = table.get(key)
    if old is not None and old != thing:
        raise ImproperlyConfigured(f"to-do {what} {key!r} is registered twice, differently")
    table[key] = thing


def register_group(*groups: TodoGroup) -> None:
    with _lock:
        for group in groups:
            _put(_groups, group.key, group, "group")


def register(*kinds: TodoKind) -> None:
    with _lock:
        for kind in kinds:
            _put(_kinds, kind.key, kind, "kind")


def discover() -> None:
    """Import every app's `todos` module, once per process (`juli.core.discovery`)."""
    _discovery()


def groups() -> dict[str, TodoGroup]:
    discover()
    return dict(_groups)


def kinds() -> tuple[TodoKind, ...]:
    """Every registered kind, by its group's order, then its own order and key."""
    known = groups()
    with _lock:
        table = list(_kinds.values())
    for kind in table:
        if kind.group not in known:
            raise ImproperlyConfigured(f"to-do kind {kind.key!r}: no group {kind.group!r}")
    return tuple(sorted(table, key=lambda k: (known[k.group].order, k.group, k.order, k.key)))


def visible_kinds(user: Any) -> list[TodoKind]:
    """The kinds `user` may have (no query: `visible` reads the cached scope)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [kind for kind in kinds() if kind.visible(user)]


def kind_for(user: Any, key: str) -> TodoKind | None:
    """The kind `key` if `user` may have it, else None (the fragment view answers 404)."""
    for kind in visible_kinds(user):
        if kind.key == key:
            return kind
    return None


def view_of(user: Any, kind: TodoKind, *, limit: int = DEFAULT_LIMIT) -> KindView:
    """The kind's count and first `limit` items for `user` (no items query when 0)."""
    count = kind.count(user)
    items = list(kind.items(user, limit, 0)) if count and limit else []
    return KindView(kind, count, _urgent_first(items), kind.url_for(user) if count else "")


def page_of(
    user: Any, kind: TodoKind, page: int, *, per_page: int = DEFAULT_LIMIT
) -> tuple[list[Todo], bool]:
    """Page `page` (from 1) of the kind's items, `per_page` of them, and whether a next page
    exists (one more item is asked for: no COUNT)."""
    page = max(1, page)
    found = list(kind.items(user, per_page + 1, (page - 1) * per_page))
    return _urgent_first(found[:per_page]), len(found) > per_page


def _urgent_first(items: list[Todo]) -> list[Todo]:
    """Overdue items first; otherwise the provider's order (stable)."""
    return sorted(items, key=lambda item: not item.overdue)


def for_user(user: Any, *, limit: int = DEFAULT_LIMIT) -> list[GroupView]:
    """What waits for `user`: the groups (in order) holding the kinds with something in them
    (in order), each with its count and first `limit` items. [] when nothing waits.

    Queries: one COUNT per visible kind, one items query per kind that has any.
    """
    known = groups()
    views: dict[str, GroupView] = {}
    for kind in visible_kinds(user):
        view = view_of(user, kind, limit=limit)
        if not view.count:
            continue
        views.setdefault(kind.group, GroupView(known[kind.group])).kinds.append(view)
    return sorted(views.values(), key=lambda g: (g.group.order, g.group.key))


# The shared headings, which several apps fill. An app may add a heading of its own.
register_group(
    TodoGroup("cases", _("Cases"), 10),
    TodoGroup("inspections", _("Today's inspections"), 20),
    TodoGroup("letters", _("Responsibility letters"), 30),
    TodoGroup("reports", _("Bulletins and rankings"), 40),
    TodoGroup("channels", _("Notification channels"), 50),
)
