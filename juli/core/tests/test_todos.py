"""The to-do registry (`juli.core.todos`): declared by the apps, read by the work-bench."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

import config.settings as production
from juli.core import todos
from juli.core.todos import Todo, TodoGroup, TodoKind
from juli.orgs.auth import UsernameOrPhoneBackend


def loaded(user: Any) -> Any:
    return UsernameOrPhoneBackend().get_user(user.pk)


def app_of(kind: TodoKind) -> str:
    """The app whose module declared the kind (its `count` function's module)."""
    module = kind.count.__module__
    return module.rsplit(".", 1)[0]


class Counter:
    """A kind's count and items that record their calls."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.counted = 0
        self.listed: list[tuple[int, int]] = []

    def count(self, user: Any) -> int:
        self.counted += 1
        return self.n

    def items(self, user: Any, limit: int, offset: int) -> list[Todo]:
        self.listed.append((limit, offset))
        stop = min(self.n, offset + limit)
        return [Todo(f"item {i}", f"/x/{i}/", overdue=(i % 3 == 2)) for i in range(offset, stop)]


@pytest.fixture
def empty(monkeypatch: Any) -> None:
    """A registry of its own, already discovered."""
    monkeypatch.setattr(todos, "_kinds", {})
    monkeypatch.setattr(todos, "_groups", {})
    monkeypatch.setattr(todos, "discover", lambda: None)


class Signed:
    is_authenticated = True


def test_it_gathers_the_kinds_every_app_declares() -> None:
    keys = {kind.key: kind.group for kind in todos.kinds()}
    production_apps = {
        k: g for k, g in keys.items() if f"juli.{k.split('.')[0]}" in production.INSTALLED_APPS
    }
    assert production_apps == {
        "cases.accept": "cases",
        "cases.dispatch": "cases",
        "cases.rectify": "cases",
        "cases.verify": "cases",
        "cases.close": "cases",
        "cases.supervise": "cases",
        "cases.waiting": "cases",
        "cases.inspect": "inspections",
        "letters.sign": "letters",
        "letters.self_assess": "letters",
        "letters.review": "letters",
        "letters.publish": "letters",
        "bulletins.publish": "reports",
        "rankings.publish": "reports",
        "notify.failing": "channels",
        "meetings.today": "meetings",
        "meetings.minutes_write": "meetings",
        "meetings.minutes_confirm": "meetings",
        "meetings.due": "meetings",
        "meetings.makeups_do": "meetings",
        "meetings.makeups_confirm": "meetings",
        "news.review": "news",
        "rating.self_fill": "rating",
        "rating.review": "rating",
        "rating.objections": "rating",
        "rating.publish": "rating",
        "observation.score": "observation",
        "observation.rectify": "observation",
        "observation.finish": "observation",
        "observation.overdue": "observation",
        "honours.nominate": "honours",
        "honours.review": "honours",
        "honours.finish": "honours",
    }
    # A test-only app (installed by config/settings_test.py only) plugs in from its folder.
    test_only = {app_of(k) for k in todos.kinds()} - set(production.INSTALLED_APPS)
    assert len(test_only) == 1
    assert [g.order for g in sorted(todos.groups().values(), key=lambda g: g.order)][:5] == [
        10,
        20,
        30,
        40,
        50,
    ]


def test_it_accepts_the_same_kind_twice_and_refuses_another_under_its_key(empty: None) -> None:
    c = Counter(1)
    kind = TodoKind("app.one", "One", "g", count=c.count, items=c.items)
    todos.register(kind)
    todos.register(kind)
    with pytest.raises(ImproperlyConfigured, match="to-do kind 'app.one' is registered twice"):
        todos.register(TodoKind("app.one", "Other", "g", count=c.count, items=c.items))
    todos.register_group(TodoGroup("g", "G", 1), TodoGroup("g", "G", 1))
    with pytest.raises(ImproperlyConfigured, match="to-do group 'g' is registered twice"):
        todos.register_group(TodoGroup("g", "G", 2))
    assert todos.kinds() == (kind,)


def test_it_refuses_a_key_without_its_app_and_a_kind_without_its_group(empty: None) -> None:
    c = Counter(1)
    with pytest.raises(ImproperlyConfigured, match="'<app>.<name>' expected"):
        TodoKind("nodot", "X", "g", count=c.count, items=c.items)
    todos.register(TodoKind("app.x", "X", "nowhere", count=c.count, items=c.items))
    with pytest.raises(ImproperlyConfigured, match="no group 'nowhere'"):
        todos.kinds()


def test_it_asks_nothing_of_a_kind_the_user_cannot_have(empty: None) -> None:
    hidden, shown, zero = Counter(4), Counter(7), Counter(0)
    todos.register_group(TodoGroup("b", "B", 2), TodoGroup("a", "A", 1))
    todos.register(
        TodoKind("app.hidden", "H", "a", hidden.count, hidden.items, visible=lambda u: False),
        TodoKind("app.shown", "S", "b", shown.count, shown.items, url="/all/"),
        TodoKind("app.zero", "Z", "a", zero.count, zero.items),
    )
    groups = todos.for_user(Signed(), limit=3)
    assert (hidden.counted, hidden.listed) == (0, [])
    assert (zero.counted, zero.listed) == (1, [])  # counted; nothing to list
    assert (shown.counted, shown.listed) == (1, [(3, 0)])
    [group] = groups  # "a" holds nothing: left out
    assert (group.group.key, group.total) == ("b", 7)
    [view] = group.kinds
    assert (view.count, view.more, view.url) == (7, 4, "/all/")
    # Overdue first, otherwise the provider's order.
    assert [t.title for t in view.items] == ["item 2", "item 0", "item 1"]
    assert todos.for_user(object()) == []  # anonymous: nothing at all
    assert todos.kind_for(Signed(), "app.hidden") is None
    assert todos.kind_for(Signed(), "app.shown") is not None


def test_it_pages_the_items_of_a_kind(empty: None) -> None:
    c = Counter(12)
    todos.register_group(TodoGroup("a", "A", 1))
    kind = TodoKind("app.many", "M", "a", c.count, c.items)
    todos.register(kind)
    items, more = todos.page_of(Signed(), kind, 2, per_page=5)
    assert ([t.url for t in items], more) == (
        ["/x/5/", "/x/8/", "/x/6/", "/x/7/", "/x/9/"],  # items 5 and 8 are overdue
        True,
    )
    items, more = todos.page_of(Signed(), kind, 3, per_page=5)
    assert ([t.title for t in items], more) == (["item 11", "item 10"], False)
    assert c.listed == [(6, 5), (6, 10)]  # one more than a page: no COUNT to know of a next


def test_it_imports_no_app() -> None:
    module = sys.modules["juli.core.todos"]
    names = {getattr(v, "__module__", "") for v in vars(module).values()}
    assert not any(n.startswith("juli.") and not n.startswith("juli.core") for n in names)
