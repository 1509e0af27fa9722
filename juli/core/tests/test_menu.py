"""The main menu as data (`juli.core.menu`), the frame's facts (`juli.core.frame`) and the
menu that `base.html` renders from them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import resolve, reverse

import config.settings as production
from juli.core import frame, menu
from juli.core.context_processors import juli as frame_context
from juli.core.menu import MenuEntry, MenuGroup
from juli.orgs.access import scope_of
from juli.orgs.auth import UsernameOrPhoneBackend


def shape(user: Any) -> list[Any]:
    """The bar as keys: a link's key, or (group key, [its entries' keys])."""
    return [
        item.entry.key if item.entry else (item.key, [e.key for e in item.entries])
        for item in menu.menu_for(user)
    ]


def loaded(user: Any) -> Any:
    """The user as a request loads it (person and party organisation joined)."""
    return UsernameOrPhoneBackend().get_user(user.pk)


def installed(entry: MenuEntry) -> bool:
    """An entry of an app `config.settings` installs (the test settings add test-only apps)."""
    module = resolve(reverse(entry.url_name)).func.__module__
    return any(module.startswith(f"{app}.") for app in production.INSTALLED_APPS)


def no_facts(user: Any) -> dict[str, Any]:
    return {}


OFFICE_GROUPS = [
    ("inspection", ["cases", "plan", "points", "map"]),
    ("reports", ["dashboard", "bulletins", "rankings"]),
]


def test_it_gathers_the_entries_every_app_declares() -> None:
    table = {e.key: (e.url_name, e.group, e.order) for e in menu.entries() if installed(e)}
    assert table == {
        "home": ("home", "", 5),
        "posts": ("my-posts", "", 10),
        "duties": ("duties-mine", "", 20),
        "field": ("field-home", "", 30),
        "orgs": ("org-tree", "organisation", 10),
        "areas": ("area-tree", "organisation", 20),
        "people": ("person-list", "organisation", 30),
        "letters": ("letter-list", "organisation", 40),
        "meetings": ("meetings-list", "party_life", 10),
        "meetings_mine": ("meetings-mine", "party_life", 20),
        "meetings-compliance": ("meetings-compliance", "party_life", 30),
        "news": ("news-list", "party_life", 40),
        "observation": ("observation-cycles", "party_life", 40),
        "rating_rounds": ("rating-rounds", "party_life", 50),
        "rating_standards": ("rating-standards", "party_life", 60),
        "honours": ("honours-kinds", "party_life", 60),
        "dossier": ("dossier-index", "party_life", 60),
        "cases": ("case-list", "inspection", 10),
        "plan": ("plan", "inspection", 20),
        "points": ("point-list", "inspection", 30),
        "map": ("case-map", "inspection", 40),
        "dashboard": ("dashboard", "reports", 10),
        "bulletins": ("bulletin-list", "reports", 20),
        "rankings": ("ranking-index", "reports", 30),
        "channels": ("channel-home", "settings", 10),
        "audit": ("audit-log", "settings", 20),
        "calendar": ("calendar", "settings", 30),
        "public_feed": ("public-feed-settings", "settings", 40),
        "admin": ("admin:index", "settings", 50),
    }
    assert {k: (g.order, str(g.label)) for k, g in menu.groups().items()} == {
        "organisation": (100, "Organisation"),
        "party_life": (150, "Party life"),
        "inspection": (200, "Inspection"),
        "reports": (300, "Reports"),
        "settings": (400, "Settings"),
    }


def test_it_shows_each_role_its_entries(cast) -> None:  # type: ignore[no-untyped-def]
    assert shape(loaded(cast.outsider)) == [
        "home",
        "posts",
        "duties",
        ("organisation", ["orgs", "areas", "people"]),
        # A member: their branch's meetings, the visits, ratings and honours it takes part in.
        ("party_life", ["meetings", "meetings_mine", "observation", "rating_rounds", "honours"]),
    ]
    assert shape(loaded(cast.district_admin)) == [
        "home",
        "posts",
        "duties",
        ("organisation", ["orgs", "areas", "people", "letters"]),
        (
            "party_life",
            [
                "meetings",
                "meetings_mine",
                "meetings-compliance",
                "news",
                "observation",
                "rating_rounds",
                "dossier",  # equal orders (60) fall back to the key
                "honours",
                "rating_standards",
            ],
        ),
        *OFFICE_GROUPS,
        ("settings", ["channels", "audit", "calendar", "public_feed", "admin"]),
    ]
    # A field post without party membership: no "My duties" (it could only be empty).
    assert shape(loaded(cast.grid_worker)) == [
        "home",
        "posts",
        "field",
        ("organisation", ["orgs", "areas", "people"]),
        "meetings_mine",  # the meetings they are invited to, and their calendar feed
    ]


def test_it_shows_a_group_with_one_visible_entry_as_that_link(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    group = MenuGroup("tools", "Tools", 50)
    one = MenuEntry("one", "One", "home", group="tools", order=1)
    hidden = MenuEntry("two", "Two", "home", group="tools", order=2, visible=lambda u: False)
    monkeypatch.setattr(menu, "groups", lambda: {"tools": group})
    monkeypatch.setattr(menu, "entries", lambda: (one, hidden))
    [item] = menu.menu_for(object())
    assert (item.entry, item.key, item.entries) == (one, "", [])
    monkeypatch.setattr(menu, "entries", lambda: (hidden,))
    assert menu.menu_for(object()) == []


def test_it_accepts_the_same_entry_twice_and_refuses_another_under_its_key(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(menu, "_entries", {})
    monkeypatch.setattr(menu, "_groups", {})
    entry = MenuEntry("x", "X", "home")
    menu.register(entry)
    menu.register(entry)
    with pytest.raises(ImproperlyConfigured, match="menu entry 'x' is registered twice"):
        menu.register(MenuEntry("x", "X", "org-tree"))
    menu.register_group(MenuGroup("g", "G", 1), MenuGroup("g", "G", 1))
    with pytest.raises(ImproperlyConfigured, match="menu group 'g' is registered twice"):
        menu.register_group(MenuGroup("g", "G", 2))
    monkeypatch.setattr(frame, "_providers", {})
    frame.provide("p", no_facts)
    frame.provide("p", no_facts)
    with pytest.raises(ImproperlyConfigured, match="frame provider 'p' is registered twice"):
        frame.provide("p", lambda user: {})


def test_it_gives_templates_the_facts_of_orgs_and_the_menu_without_a_query(  # type: ignore[no-untyped-def]
    cast, django_assert_num_queries
) -> None:
    request = RequestFactory().get("/")
    request.user = loaded(cast.district_admin)
    scope_of(request.user)  # the request's one scope computation
    with django_assert_num_queries(0):
        context = frame_context(request)
        items = context["juli_menu"]()
    assert {k: v for k, v in context.items() if k != "juli_menu"} == {
        "juli_roles": frozenset({"district_admin"}),
        "juli_is_office": True,
        "juli_is_field": False,
        "juli_can_admin": True,
    }
    assert [item.key or item.entry.key for item in items] == [
        "home",
        "posts",
        "duties",
        "organisation",
        "party_life",
        "inspection",
        "reports",
        "settings",
    ]


def test_it_marks_the_current_entry_and_its_group(cast) -> None:  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/")
    request.user = loaded(cast.outsider)
    html = render_to_string("base.html", {"nav": "areas"}, request=request)
    nav = html[html.index('<nav class="mainnav"') : html.index("</nav>")]
    assert nav.count("aria-current") == 1
    assert '<a href="/areas/" aria-current="page">Areas</a>' in nav
    assert nav.count("data-current") == 1
    assert '<details class="navgroup" data-current>' in nav
