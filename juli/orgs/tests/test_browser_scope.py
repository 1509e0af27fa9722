"""A branch secretary, in a real browser, sees their own subtree and nothing else.

Drives Debian's Chromium through Playwright against the live server, at a phone and at a
desktop viewport, on the demo world. Screenshots of every step go to test-output/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from juli.orgs import access
from juli.orgs.models import PartyOrg, Person, User
from juli.orgs.search import SURNAME_READINGS, search_key

DEMO_PEOPLE = 120
USERNAME = "branch_secretary"

VIEWPORTS: dict[str, dict[str, Any]] = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1440, "height": 900}},
}

ORG_LINK = re.compile(r"/orgs/(\d+)/?$")
PERSON_LINK = re.compile(r"/people/(\d+)/?$")


def _build_world() -> str:
    """The demo world; returns the branch secretary's password."""
    from juli.orgs.demo import build_demo

    build_demo(people=DEMO_PEOPLE)
    return "juli-demo"


def _secretary_branch(user: User) -> PartyOrg:
    assert user.person is not None
    orgs = [
        p.org
        for p in user.person.posts.select_related("org").filter(ended_on__isnull=True)
        if p.org is not None
    ]
    assert len(orgs) == 1, orgs
    assert orgs[0].kind == PartyOrg.Kind.BRANCH
    return orgs[0]


def _linked_ids(page: Page, pattern: re.Pattern[str]) -> set[int]:
    hrefs = page.locator("main a[href]").evaluate_all("els => els.map(e => e.pathname)")
    return {int(m.group(1)) for h in hrefs if (m := pattern.search(h))}


def _search(page: Page, value: str) -> None:
    """Type into the page's search box and let the live search run: htmx sends one request
    300 ms after the input, swaps the results in, then pushes ?q=value into the address
    bar, so the URL says when the new results are there.

    No Enter key: it would send a second request at the same moment, and the live server's
    in-memory SQLite (shared cache) answers two concurrent session writes with "database
    table is locked" instead of waiting, unlike a file database with a busy timeout.
    """
    page.locator("main input[name='q']").fill(value)
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("q") == [value])
    page.wait_for_load_state("networkidle")


def _person_to_find(user: User) -> tuple[Person, str]:
    """李东风 if the secretary can see him, else someone they can, preferably with a surname
    read differently from the character's common reading (曾 zeng, 单 shan): (person, initials).
    """
    assert user.person_id is not None
    visible = list(access.visible_people(user).exclude(pk=user.person_id).order_by("name", "id"))
    named = [p for p in visible if p.name == "李东风"]
    special = [p for p in visible if p.name[:1] in SURNAME_READINGS and len(p.name) >= 2]
    person = (named or special or [p for p in visible if len(p.name) >= 2])[0]
    initials = search_key(person.name, person=True).split("|")[2]
    return person, initials


@pytest.mark.browser
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_it_shows_a_branch_secretary_only_their_subtree(
    viewport: str, browser: Browser, live_server: Any, transactional_db: None, screenshot_dir: Path
) -> None:
    password = _build_world()
    user = User.objects.select_related("person").get(username=USERNAME)
    branch = _secretary_branch(user)
    subtree = {o.pk: o.name for o in PartyOrg.objects.get_tree(branch)}
    assert any(name == "党建宣传小组" for name in subtree.values()), subtree
    outside = PartyOrg.objects.exclude(path__startswith=branch.path)
    siblings = list(PartyOrg.objects.get_siblings(branch).exclude(pk=branch.pk))
    # The Putuo bureau's other branches: three centres' and the retired members'.
    assert len(siblings) >= 3, [s.name for s in siblings]
    anyang = outside.filter(name__contains="安阳")
    dapuqiao = outside.filter(name__contains="打浦桥")
    assert anyang.exists() and dapuqiao.exists()
    never = [*siblings, *anyang, *dapuqiao]
    target, initials = _person_to_find(user)
    # The demo's street officer works in Dapuqiao, outside the secretary's scope.
    li_dongfeng = Person.objects.get(name="李东风")
    assert not access.visible_people(user).filter(pk=li_dongfeng.pk).exists()
    assert target.pk != li_dongfeng.pk

    def shot(step: str) -> None:
        page.screenshot(path=str(screenshot_dir / f"scope-{viewport}-{step}.png"), full_page=True)

    context = browser.new_context(locale="zh-CN", **VIEWPORTS[viewport])
    page = context.new_page()
    try:
        # Sign in; land on the work-bench; "my posts" names the branch.
        page.goto(f"{live_server.url}/login/")
        shot("1-login")
        page.locator("input[name='username']").fill(USERNAME)
        page.locator("input[name='password']").fill(password)
        page.locator("main button[type='submit']").click()
        page.wait_for_url(f"{live_server.url}/")
        page.locator("main a[href='/posts/']").first.click()
        page.wait_for_url(f"{live_server.url}/posts/")
        expect(page.locator("main")).to_contain_text(branch.name)
        shot("2-my-posts")

        # The organisation tree: the branch and its groups, nothing else.
        page.goto(f"{live_server.url}/orgs/")
        expect(page.locator("main")).to_contain_text(branch.name)
        assert _linked_ids(page, ORG_LINK) == set(subtree)
        main_text = page.locator("main").inner_text()
        for org in never:
            assert org.name not in main_text, org.name
        shot("3-org-tree")

        # Traditional characters find the simplified name.
        _search(page, "黨建")
        expect(page.locator("main")).to_contain_text("党建宣传小组")
        found = _linked_ids(page, ORG_LINK)
        assert found and found <= set(subtree), found
        assert any(subtree[pk] == "党建宣传小组" for pk in found)
        shot("4-org-search-traditional")

        # Pinyin initials find a person in the directory.
        page.goto(f"{live_server.url}/people/")
        shot("5-people")
        _search(page, initials)
        expect(page.locator("main")).to_contain_text(target.name)
        found = _linked_ids(page, PERSON_LINK)
        assert target.pk in found
        assert found <= set(access.visible_people(user).values_list("pk", flat=True))
        shot(f"6-people-search-{initials}")

        # 李东风 exists, but outside the branch: his initials do not find him here.
        _search(page, "ldf")
        expect(page.locator("main")).not_to_contain_text("李东风")
        assert li_dongfeng.pk not in _linked_ids(page, PERSON_LINK)
        shot("7-people-search-ldf")
    finally:
        context.close()
