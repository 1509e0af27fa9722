"""The organisation pages: who may open what, what they show, and what they cost.

Access follows the house rule: anonymous users are sent to the login page, anything outside
the user's scope is a 404 (indistinguishable from an id that does not exist), and a page to
change something the user can see but may not change is a 403.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from juli.orgs import actions
from juli.orgs.models import Person, Post
from juli.orgs.queries import decode_cursor, encode_cursor

USERS = [
    "district_admin",
    "street_officer",
    "inspector",
    "grid_worker",
    "other_grid_worker",
    "unit_staff",
    "branch_secretary",
    "bureau_secretary",
    "sibling_secretary",
    "outsider",
    "platform_admin",
]


@pytest.fixture(autouse=True)
def _english(settings):
    # Assertions read the English msgids, whatever translations the catalogue holds.
    settings.LANGUAGE_CODE = "en"


def _url(cast: Any, name: str, target: str | None) -> str:
    if target is None:
        return reverse(name)
    return reverse(name, args=[getattr(cast, target).pk])


# (url name, object in the cast or None, {user: expected status}). Users not listed get
# `default`; "anonymous" is checked for every page.
MATRIX: list[tuple[str, str | None, dict[str, int], int]] = [
    ("home", None, {}, 200),
    ("my-posts", None, {}, 200),
    ("org-tree", None, {}, 200),
    ("area-tree", None, {}, 200),
    ("person-list", None, {}, 200),
    (
        "org-detail",
        "branch1",
        {"branch_secretary": 200, "bureau_secretary": 200, "platform_admin": 200},
        404,
    ),
    # Child side: a branch secretary does not see the bureau's party group above them.
    ("org-detail", "putuo", {"bureau_secretary": 200, "platform_admin": 200}, 404),
    ("org-children", "putuo", {"bureau_secretary": 200, "platform_admin": 200}, 404),
    (
        "org-detail",
        "mengxi_org",
        {"district_admin": 200, "street_officer": 200, "inspector": 200, "platform_admin": 200},
        404,
    ),
    (
        "area-detail",
        "mengxi",
        {"district_admin": 200, "street_officer": 200, "inspector": 200, "platform_admin": 200},
        404,
    ),
    (
        "area-children",
        "mengxi",
        {"district_admin": 200, "street_officer": 200, "inspector": 200, "platform_admin": 200},
        404,
    ),
    (
        "area-detail",
        "grid1",
        {
            "district_admin": 200,
            "street_officer": 200,
            "inspector": 200,
            "grid_worker": 200,
            "platform_admin": 200,
        },
        404,
    ),
    (
        "unit-detail",
        "property_co",
        {
            "district_admin": 200,
            "street_officer": 200,
            "inspector": 200,
            "unit_staff": 200,
            "platform_admin": 200,
        },
        404,
    ),
    (
        "person-detail",
        "member_person",
        {"branch_secretary": 200, "bureau_secretary": 200, "platform_admin": 200},
        404,
    ),
    (
        "person-detail",
        "grid_worker_person",
        {
            "grid_worker": 200,
            "district_admin": 200,
            "street_officer": 200,
            "inspector": 200,
            "platform_admin": 200,
        },
        404,
    ),
    (
        "audit-log",
        None,
        {
            "district_admin": 200,
            "street_officer": 200,
            "branch_secretary": 200,
            "bureau_secretary": 200,
            "sibling_secretary": 200,
            "platform_admin": 200,
        },
        404,
    ),
    # Forms: 404 out of scope, 403 in scope without the right to change.
    (
        "org-edit",
        "branch1",
        {"branch_secretary": 200, "bureau_secretary": 200, "platform_admin": 200},
        404,
    ),
    ("org-edit", "lighting", {"outsider": 403, "platform_admin": 200}, 404),
    (
        "org-new-child",
        "branch1",
        {"branch_secretary": 200, "bureau_secretary": 200, "platform_admin": 200},
        404,
    ),
    (
        "post-new",
        "branch1",
        {"branch_secretary": 200, "bureau_secretary": 200, "platform_admin": 200},
        404,
    ),
    # Moving, retiring and merging are decided from above the organisation.
    *[
        (
            name,
            "branch1",
            {"branch_secretary": 403, "bureau_secretary": 200, "platform_admin": 200},
            404,
        )
        for name in ("org-move", "org-retire", "org-merge")
    ],
    (
        "area-new-child",
        "mengxi",
        {"district_admin": 200, "street_officer": 200, "inspector": 403, "platform_admin": 200},
        404,
    ),
    *[
        (
            name,
            "grid1",
            {
                "district_admin": 200,
                "street_officer": 200,
                "inspector": 403,
                "grid_worker": 403,
                "platform_admin": 200,
            },
            404,
        )
        for name in ("area-edit", "area-move", "area-post-new")
    ],
    (
        "unit-post-new",
        "property_co",
        {
            "district_admin": 200,
            "street_officer": 200,
            "inspector": 403,
            "unit_staff": 403,
            "platform_admin": 200,
        },
        404,
    ),
    (
        "person-new",
        None,
        {
            "district_admin": 200,
            "street_officer": 200,
            "branch_secretary": 200,
            "bureau_secretary": 200,
            "sibling_secretary": 200,
            "platform_admin": 200,
        },
        403,
    ),
    (
        "person-edit",
        "member_person",
        {"branch_secretary": 200, "bureau_secretary": 200, "platform_admin": 200},
        404,
    ),
    (
        "person-edit",
        "grid_worker_person",
        {
            "grid_worker": 403,
            "inspector": 403,
            "district_admin": 200,
            "street_officer": 200,
            "platform_admin": 200,
        },
        404,
    ),
]

CASES = [
    pytest.param(name, target, user, expected.get(user, default), id=f"{name}-{target}-{user}")
    for name, target, expected, default in MATRIX
    for user in USERS
]


@pytest.mark.parametrize(("name", "target", "user", "status"), CASES)
def test_it_opens_each_page_only_in_scope(client, cast, name, target, user, status):
    client.force_login(getattr(cast, user))
    response = client.get(_url(cast, name, target))
    assert response.status_code == status


@pytest.mark.parametrize(("name", "target"), sorted({(m[0], m[1]) for m in MATRIX}))
def test_it_sends_anonymous_users_to_the_login_page(client, cast, name, target):
    url = _url(cast, name, target)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    "name",
    [
        "org-detail",
        "org-children",
        "org-edit",
        "org-move",
        "post-new",
        "area-detail",
        "unit-detail",
        "person-detail",
        "person-edit",
    ],
)
@pytest.mark.parametrize("pk", [999_999, 2**62])
def test_it_answers_404_for_ids_that_do_not_exist(client, cast, name, pk):
    client.force_login(cast.platform_admin)
    assert client.get(reverse(name, args=[pk])).status_code == 404


# --- What the pages show ------------------------------------------------------------------


def test_it_starts_the_org_tree_at_the_outermost_visible_orgs(client, cast):
    client.force_login(cast.bureau_secretary)
    html = client.get(reverse("org-tree")).content.decode()
    # One root, opened: the party group and its two branches, never Anyang or Dapuqiao.
    assert html.count('class="node-name"') == 3
    for name in ("普陀区绿化和市容管理局党组", "第一党支部", "第二党支部"):
        assert name in html
    for name in ("安阳市城市管理局机关党委", "打浦桥街道党工委", "第一党小组"):
        assert name not in html
    # The first branch's group is fetched when the branch is opened.
    assert f'hx-get="{reverse("org-children", args=[cast.branch1.pk])}"' in html


def test_it_roots_an_area_users_org_tree_at_their_streets_committee(client, cast):
    client.force_login(cast.street_officer)
    html = client.get(reverse("org-tree")).content.decode()
    assert "打浦桥街道党工委" in html
    assert "蒙西居民区党总支" in html
    assert "普陀区绿化和市容管理局党组" not in html


def test_it_returns_child_nodes_for_htmx(client, cast):
    client.force_login(cast.bureau_secretary)
    response = client.get(reverse("org-children", args=[cast.branch1.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith("<li")
    assert "第一党小组" in html
    assert "<html" not in html


def test_it_hides_retired_orgs_unless_asked(client, cast):
    actions.retire_org(cast.bureau_secretary, cast.group1, note="撤销决定 2025-1号")
    client.force_login(cast.bureau_secretary)
    url = reverse("org-children", args=[cast.branch1.pk])
    assert "第一党小组" not in client.get(url).content.decode()
    shown = client.get(url, {"retired": "1"}).content.decode()
    assert "第一党小组" in shown
    assert 'class="badge retired"' in shown


def test_it_shows_retired_roots_with_the_toggle_and_keeps_the_query(client, cast):
    actions.retire_org(cast.bureau_secretary, cast.group1, note="撤销决定 2025-1号")
    client.force_login(cast.bureau_secretary)
    html = client.get(reverse("org-tree"), {"q": "小组"}).content.decode()
    assert "第一党小组" not in html
    assert 'href="/orgs/?q=%E5%B0%8F%E7%BB%84&amp;retired=1"' in html
    html = client.get(reverse("org-tree"), {"q": "小组", "retired": "1"}).content.decode()
    assert "第一党小组" in html
    assert 'href="/orgs/?q=%E5%B0%8F%E7%BB%84&amp;"' in html


def test_it_finds_an_org_by_traditional_characters(client, cast):
    actions.create_org(
        None, cast.branch1, name="党建宣传小组", kind="group", code="PT-B1-G2", unit=cast.putuo_unit
    )
    client.force_login(cast.bureau_secretary)
    html = client.get(reverse("org-tree"), {"q": "黨建"}).content.decode()
    assert "党建宣传小组" in html
    # The match comes with its path: the party group and the branch, both links here.
    assert f'href="{reverse("org-detail", args=[cast.putuo.pk])}"' in html
    assert f'href="{reverse("org-detail", args=[cast.branch1.pk])}"' in html


def test_it_searches_orgs_only_within_scope(client, cast):
    actions.create_org(
        None, cast.branch2, name="党建宣传小组", kind="group", code="PT-B2-G2", unit=cast.putuo_unit
    )
    client.force_login(cast.branch_secretary)
    html = client.get(reverse("org-tree"), {"q": "黨建"}).content.decode()
    assert "党建宣传小组" not in html
    assert "0 organisations match" in html


def test_it_answers_live_search_with_the_partial_only(client, cast):
    client.force_login(cast.bureau_secretary)
    response = client.get(reverse("org-tree"), {"q": "第一"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "第一党支部" in html
    assert "第二党支部" not in html


def test_it_finds_a_person_by_pinyin_initials(client, cast):
    client.force_login(cast.district_admin)
    html = client.get(reverse("person-list"), {"q": "ldf"}).content.decode()
    assert "李东风" in html
    assert f'href="{reverse("person-detail", args=[cast.street_officer_person.pk])}"' in html
    assert "赵网格" not in html


def test_it_finds_a_person_by_traditional_characters(client, cast):
    client.force_login(cast.district_admin)
    html = client.get(reverse("person-list"), {"q": "李東風"}).content.decode()
    assert "李东风" in html


def test_it_breadcrumbs_link_only_visible_ancestors(client, cast):
    client.force_login(cast.branch_secretary)
    html = client.get(reverse("org-detail", args=[cast.group1.pk])).content.decode()
    assert "普陀区绿化和市容管理局党组" in html  # named, for orientation …
    assert f'href="{reverse("org-detail", args=[cast.putuo.pk])}"' not in html  # … not linked
    assert f'href="{reverse("org-detail", args=[cast.branch1.pk])}"' in html


def test_it_masks_phones_on_the_org_page_for_roles_that_do_not_call(client, cast):
    client.force_login(cast.branch_secretary)
    html = client.get(reverse("org-detail", args=[cast.branch1.pk])).content.decode()
    assert "13800000011" in html  # the secretary calls their members
    client.force_login(cast.outsider)
    html = client.get(reverse("org-detail", args=[cast.lighting.pk])).content.decode()
    assert "13800000010" in html  # their own number
    assert "冯党员" not in html


def test_it_masks_phones_in_the_directory(client, cast):
    client.force_login(cast.inspector)
    html = client.get(reverse("person-list")).content.decode()
    assert "138****0004" in html
    assert "13800000004" not in html
    assert "13800000003" in html  # their own


def test_it_shows_manage_buttons_only_to_managers(client, cast):
    url = reverse("org-detail", args=[cast.branch1.pk])
    client.force_login(cast.bureau_secretary)
    html = client.get(url).content.decode()
    assert reverse("org-move", args=[cast.branch1.pk]) in html
    assert reverse("org-edit", args=[cast.branch1.pk]) in html
    client.force_login(cast.branch_secretary)
    html = client.get(url).content.decode()
    assert reverse("org-edit", args=[cast.branch1.pk]) in html
    assert reverse("org-move", args=[cast.branch1.pk]) not in html
    client.force_login(
        actions.create_account(None, cast.member_person, "member", "x", validate_password=False)
    )
    html = client.get(url).content.decode()
    assert reverse("org-edit", args=[cast.branch1.pk]) not in html
    post_pk = Post.objects.filter(org=cast.branch1).values_list("pk", flat=True).first()
    assert reverse("post-end", args=[post_pk]) not in html


def test_it_shows_tree_history(client, cast):
    actions.move_org(cast.bureau_secretary, cast.group1, cast.branch2, note="调整 2025-3号")
    client.force_login(cast.bureau_secretary)
    html = client.get(reverse("org-detail", args=[cast.group1.pk])).content.decode()
    assert "调整 2025-3号" in html
    assert "第二党支部" in html


def test_it_lists_my_posts_with_what_they_cover(client, cast):
    client.force_login(cast.branch_secretary)
    html = client.get(reverse("my-posts")).content.decode()
    assert "第一党支部" in html
    assert f'href="{reverse("org-detail", args=[cast.branch1.pk])}"' in html
    client.force_login(cast.grid_worker)
    html = client.get(reverse("my-posts")).content.decode()
    assert "蒙西第一微网格" in html


def test_it_explains_an_empty_home_page(client, cast):
    client.force_login(cast.outsider)
    html = client.get(reverse("my-posts")).content.decode()
    assert "路灯管理中心党支部" in html  # their branch membership
    assert 'class="card empty-state"' in html


def test_it_shows_the_roots_to_a_superuser_without_person(client, cast):
    client.force_login(cast.platform_admin)
    html = client.get(reverse("my-posts")).content.decode()
    assert "黄浦区" in html
    assert "安阳市城市管理局机关党委" in html


def test_it_shows_the_account_name_to_office_roles_only(client, cast):
    url = reverse("person-detail", args=[cast.grid_worker_person.pk])
    client.force_login(cast.street_officer)
    assert "<code>grid_worker</code>" in client.get(url).content.decode()
    client.force_login(cast.inspector)
    assert "<code>grid_worker</code>" not in client.get(url).content.decode()


def test_it_shows_the_audit_log_of_the_scope(client, cast):
    actions.update_org(cast.branch_secretary, cast.branch1, name="第一党支部（机关）")
    client.force_login(cast.bureau_secretary)
    html = client.get(reverse("audit-log"), {"verb": "org.update"}).content.decode()
    assert "第一党支部（机关）" in html
    assert "branch_secretary" in html
    assert "<del>第一党支部</del>" in html
    client.force_login(cast.sibling_secretary)
    html = client.get(reverse("audit-log"), {"verb": "org.update"}).content.decode()
    assert "第一党支部（机关）" not in html


# --- Keyset pagination ---------------------------------------------------------------------


def _more_people(cast: Any, n: int, prefix: str = "测试", *, start: int = 0, **where: Any) -> None:
    """`n` more people (in micro-grid 1 unless told), each with a distinct phone number."""
    where = where or {"area": cast.grid1}
    for i in range(start, start + n):
        actions.create_person(None, name=f"{prefix}{i:03d}", phone=f"139{i:08d}", **where)


def test_it_pages_the_directory_by_name_and_id_without_offset(
    client, cast, django_assert_max_num_queries
):
    _more_people(cast, 120)
    client.force_login(cast.district_admin)
    first = client.get(reverse("person-list"))
    rows = first.context["page"].rows
    assert len(rows) == 50
    assert [(p.name, p.pk) for p in rows] == sorted((p.name, p.pk) for p in rows)
    cursor = first.context["page"].next_cursor
    assert decode_cursor(cursor, (str, int)) == [rows[-1].name, rows[-1].pk]
    second = client.get(reverse("person-list"), {"after": cursor})
    rows2 = second.context["page"].rows
    assert rows2[0].name > rows[-1].name or (
        rows2[0].name == rows[-1].name and rows2[0].pk > rows[-1].pk
    )
    back = client.get(reverse("person-list"), {"before": second.context["page"].prev_cursor})
    assert [p.pk for p in back.context["page"].rows] == [p.pk for p in rows]
    # Everyone, exactly once, across the pages.
    seen, cursor = [], None
    while True:
        page = client.get(reverse("person-list"), {"after": cursor} if cursor else {}).context[
            "page"
        ]
        seen += [p.pk for p in page.rows]
        cursor = page.next_cursor
        if not cursor:
            break
    visible = Person.objects.filter(area_path__startswith=cast.huangpu.path)
    assert sorted(seen) == sorted(visible.values_list("pk", flat=True))


def test_it_ignores_a_tampered_cursor(client, cast):
    client.force_login(cast.district_admin)
    for bad in ("%%%", encode_cursor(["x"]), encode_cursor([1, "a"]), "bm90IGpzb24"):
        response = client.get(reverse("person-list"), {"after": bad})
        assert response.status_code == 200
        assert response.context["page"].prev_cursor is None


def test_it_filters_the_directory_by_role_and_status(client, cast):
    client.force_login(cast.district_admin)
    html = client.get(reverse("person-list"), {"role": "grid_worker"}).content.decode()
    assert "赵网格" in html and "钱网格" in html
    assert "李东风" not in html
    client.force_login(cast.bureau_secretary)
    response = client.get(reverse("person-list"), {"political_status": "member"})
    assert [p.name for p in response.context["page"].rows] == ["冯党员"]


# --- Query counts ---------------------------------------------------------------------------

# Each page's fixed cost: session, the user with their person and party organisation (one
# join, which gives the membership), the user's posts (scope), the
# header bell's unread COUNT, then the page's own queries. The numbers must not grow with the
# number of people.
QUERY_PINS = [
    ("org-tree", None, "bureau_secretary", 10),
    ("org-detail", "branch1", "bureau_secretary", 15),  # + the honours panel (core.panels)
    ("area-tree", None, "street_officer", 11),
    ("person-list", None, "district_admin", 7),
]


@pytest.mark.parametrize(("name", "target", "user", "queries"), QUERY_PINS)
def test_it_runs_a_fixed_number_of_queries(
    client, cast, django_assert_num_queries, name, target, user, queries
):
    url = _url(cast, name, target)
    client.force_login(getattr(cast, user))
    # 10 people, then 200: members of the branch and residents of the grid, so that both
    # trees' counts and the member list grow.
    _more_people(cast, 5, "甲", start=0, area=cast.grid1, party_org=cast.branch1)
    _more_people(cast, 5, "甲", start=5)
    assert Person.objects.count() == 10 + 11
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    _more_people(cast, 95, "乙", start=10, area=cast.grid1, party_org=cast.branch1)
    _more_people(cast, 95, "乙", start=105)
    assert Person.objects.count() == 200 + 11
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_it_counts_people_in_the_tree_without_a_query_per_node(client, cast):
    _more_people(cast, 30)
    client.force_login(cast.street_officer)
    html = client.get(reverse("area-tree")).content.decode()
    # 30 new people in micro-grid 1; the street also holds its officer, its inspector
    # and the two grid workers.
    residents = Person.objects.filter(area_path__startswith=cast.dapuqiao.path).count()
    assert residents == 30 + 4
    assert f"{residents} people" in html
