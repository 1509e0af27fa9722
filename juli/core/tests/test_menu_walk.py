"""Every menu entry of every demo login opens (issue 14): the menu shows a role only what it
can open, and a person's page links only to what its reader can open.

One demo world is built for the module (`juli demo --people 0 --days 2`, a few seconds); each
login signs in, renders its home page, and GETs every link of the menu the page drew
(`juli_menu`, the same `menu_for` that `base.html` renders), following redirects: 200 each.
The logins are those `juli serve` prints (`juli.core.demo.logins()`) plus the ones README's
"Demo logins" names for the generated activity. New entries (the work-bench, "my posts") are
walked as soon as their app declares them.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from juli.core import demo
from juli.core.menu import MenuEntry, menu_for
from juli.orgs.models import User

MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]

#: README "Demo logins": accounts of the generated activity, not printed by `juli serve`.
EXTRA_LOGINS = (
    "dpq_inspector2",
    "gml_officer",
    "gml_grid_worker",
    *(f"dpq_unit{n:02}" for n in range(1, 9)),
    *(f"gml_unit{n:02}" for n in range(1, 5)),
    "mobile_grid_worker",
    "alliance_contact",
    "guangminglu_inspector",
)

#: Field roles: they hold no party post and are no party members in the demo.
FIELD_LOGINS = ("inspector", "grid_worker", "mobile_grid_worker", "unit_staff")

HREF = re.compile(r'href="([^"#?]+)')


def all_logins() -> list[str]:
    names = [name for name, _ in demo.logins()]
    return names + [name for name in EXTRA_LOGINS if name not in names]


@pytest.fixture(scope="module")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The test database with a small demo world in it, for this module only."""
    with django_db_blocker.unblock():
        with override_settings(PASSWORD_HASHERS=MD5):
            call_command("demo", people=0, days=2, verbosity=0, stdout=io.StringIO())
        yield
        # Other modules expect an empty database.
        call_command("flush", interactive=False, verbosity=0)


def signed_in(username: str) -> tuple[Client, Any]:
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    return client, user


def entries_of(user: Any) -> list[MenuEntry]:
    found: list[MenuEntry] = []
    for item in menu_for(user):
        found += [item.entry] if item.entry is not None else item.entries
    return found


def nav_of(html: str) -> str:
    return html[html.index('<nav class="mainnav"') : html.index("</nav>")]


@pytest.mark.parametrize("username", all_logins())
def test_it_opens_every_menu_entry_of_every_demo_login(db, username: str) -> None:
    client, _ = signed_in(username)
    home = client.get("/", follow=True)
    assert home.status_code == 200
    reader = home.wsgi_request.user  # loaded as a request loads it
    entries = entries_of(reader)
    assert entries, username
    nav = nav_of(home.content.decode())
    failed = {}
    for entry in entries:
        url = reverse(entry.url_name)
        assert f'href="{url}"' in nav, (username, entry.key)
        response = client.get(url, follow=True)
        if response.status_code != 200:
            failed[entry.key] = (url, response.status_code)
    assert failed == {}, username


@pytest.mark.parametrize("username", all_logins())
def test_it_shows_my_duties_only_where_the_page_has_something(db, username: str) -> None:
    """No login gets an empty "My duties": the entry shows to party members, holders of posts
    in party organisations and officers over them (whose page lists the chains they oversee)."""
    client, user = signed_in(username)
    if "duties" not in [e.key for e in entries_of(user)]:
        return
    page = client.get(reverse("duties-mine"))
    assert page.status_code == 200
    assert page.context["held"] or page.context["chain_roots"], username


def test_it_gives_field_posts_without_membership_no_duties_entry(db) -> None:
    keys = {name: [e.key for e in entries_of(signed_in(name)[1])] for name in FIELD_LOGINS}
    assert {name: "duties" in shown for name, shown in keys.items()} == {
        "inspector": False,
        "grid_worker": True,  # a party member of the micro-grid's branch: member duties
        "mobile_grid_worker": False,
        "unit_staff": False,
    }
    assert all("field" in shown for shown in keys.values())
    for name in ("branch_secretary", "outsider", "street_officer", "platform_admin"):
        assert "duties" in [e.key for e in entries_of(signed_in(name)[1])], name


def test_it_tells_a_field_user_without_duties_where_their_work_is(db) -> None:
    client, _ = signed_in("inspector")
    page = client.get(reverse("duties-mine"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "No duties for you" in html
    assert f'href="{reverse("field-home")}"' in html.split("<main", 1)[1]


@pytest.mark.parametrize("username", all_logins())
def test_it_links_a_persons_page_only_to_what_its_reader_can_open(db, username: str) -> None:
    client, user = signed_in(username)
    if user.person_id is None:
        pytest.skip("a superuser without a person has no page of their own")
    page = client.get(reverse("person-detail", args=[user.person_id]))
    assert page.status_code == 200
    main = page.content.decode().split("<main", 1)[1]
    links = sorted(
        {
            href
            for href in HREF.findall(main)
            if re.fullmatch(r"/(orgs|areas|units|people)/\d+/", href)
        }
    )
    answers = {href: client.get(href).status_code for href in links}
    assert {href: code for href, code in answers.items() if code != 200} == {}
