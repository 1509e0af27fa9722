"""Pages: who sees what, writes and their audit rows, refusals that change nothing, and the
chain view's pinned query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from juli.core.models import AuditLog
from juli.duties import actions
from juli.duties.models import Duty, DutyList, DutyPost, LeaderDesignation
from juli.orgs import actions as org_actions
from juli.orgs.roles import Role

from .conftest import K, P, appoint

VIEWERS = [
    "outsider",
    "grid_worker",
    "street_officer",
    "district_admin",
    "unit_staff",
    "member",
    "branch_secretary",
    "sibling_secretary",
    "bureau_secretary",
    "platform_admin",
]


def _user(world, name):  # type: ignore[no-untyped-def]
    return world.member if name == "member" else getattr(world.c, name)


def _get(client, world, name, url):  # type: ignore[no-untyped-def]
    client.force_login(_user(world, name))
    return client.get(url)


def _state():  # type: ignore[no-untyped-def]
    return (
        AuditLog.objects.count(),
        DutyList.objects.count(),
        DutyPost.objects.count(),
        Duty.objects.count(),
        LeaderDesignation.objects.count(),
        sorted(DutyList.objects.values_list("title", "note")),
        sorted(Duty.objects.values_list("text", "frequency", "order")),
        sorted(DutyPost.objects.values_list("title", "required", "order")),
    )


# --- Anonymous -------------------------------------------------------------------------------


def _all_urls(world):  # type: ignore[no-untyped-def]
    c = world.c
    return [
        ("get", reverse("duties-mine")),
        ("get", reverse("duties-chain", args=[c.branch1.pk])),
        ("get", reverse("duties-chain-pdf", args=[c.branch1.pk])),
        ("get", reverse("duties-chain-xlsx", args=[c.branch1.pk])),
        ("get", reverse("duties-leader-new", args=[c.branch1.pk])),
        ("get", reverse("duties-lists")),
        ("get", reverse("duties-list-new")),
        ("get", reverse("duties-list", args=[world.putuo_list.pk])),
        ("get", reverse("duties-list-edit", args=[world.putuo_list.pk])),
        ("get", reverse("duties-list-copy", args=[world.putuo_list.pk])),
        ("get", reverse("duties-post-new", args=[world.putuo_list.pk])),
        ("get", reverse("duties-post-edit", args=[world.br_secretary.pk])),
        ("post", reverse("duties-post-remove", args=[world.br_secretary.pk])),
        ("get", reverse("duties-duty-new", args=[world.br_secretary.pk])),
        ("get", reverse("duties-duty-edit", args=[world.d_br_sec1.pk])),
        ("post", reverse("duties-duty-remove", args=[world.d_br_sec1.pk])),
    ]


def test_it_sends_anonymous_visitors_to_the_login_page(client, world):
    before = _state()
    for method, url in _all_urls(world):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    assert _state() == before


# --- My duties -----------------------------------------------------------------------------


def test_it_opens_my_duties_to_everyone_signed_in(client, world):
    # One world for the whole matrix: building it is the slow part of each test.
    expected = {
        "branch_secretary": "按时召开支委会和党员大会",
        "sibling_secretary": "按时召开支委会和党员大会",
        "member": "按时交纳党费",
        "bureau_secretary": "与各党支部书记签订目标责任书",
    }
    for viewer in VIEWERS:
        response = _get(client, world, viewer, reverse("duties-mine"))
        assert response.status_code == 200, viewer
        body = response.content.decode()
        if viewer in expected:
            assert expected[viewer] in body, viewer
        else:
            assert "按时召开支委会和党员大会" not in body, viewer


def test_my_duties_links_the_chains_i_oversee(client, world):
    body = _get(client, world, "bureau_secretary", reverse("duties-mine")).content.decode()
    assert reverse("duties-chain", args=[world.c.putuo.pk]) in body
    body = _get(client, world, "member", reverse("duties-mine")).content.decode()
    assert "/duties/orgs/" not in body


# --- The chain -------------------------------------------------------------------------------

CHAIN_MATRIX = [
    ("outsider", 404),
    ("grid_worker", 404),
    ("street_officer", 404),
    ("district_admin", 404),
    ("unit_staff", 404),
    ("member", 404),  # a plain member of branch1 sees their duties, not the chain
    ("sibling_secretary", 404),
    ("branch_secretary", 200),
    ("bureau_secretary", 200),  # parent
    ("platform_admin", 200),
]


@pytest.mark.parametrize("name", ["duties-chain", "duties-chain-pdf", "duties-chain-xlsx"])
def test_it_shows_a_chain_to_officers_over_it_only(client, world, name):
    for viewer, status in CHAIN_MATRIX:
        if name == "duties-chain-pdf" and status == 200 and viewer != "branch_secretary":
            continue  # one PDF render per matrix is enough
        response = _get(client, world, viewer, reverse(name, args=[world.c.branch1.pk]))
        assert response.status_code == status, viewer


def test_a_child_officer_cannot_open_the_parents_chain(client, world):
    c = world.c
    url = reverse("duties-chain", args=[c.putuo.pk])
    assert _get(client, world, "branch_secretary", url).status_code == 404
    appoint(c.member_person, Role.GROUP_LEADER, c.group1)
    client.force_login(world.member)
    assert client.get(reverse("duties-chain", args=[c.group1.pk])).status_code == 200
    assert client.get(reverse("duties-chain", args=[c.branch1.pk])).status_code == 404


def test_the_chain_page_highlights_vacancies(client, world):
    body = _get(
        client, world, "bureau_secretary", reverse("duties-chain", args=[world.c.putuo.pk])
    ).content.decode()
    assert body.count('class="vacant"') == 4  # four vacant post rows
    assert "4 vacancies incl. below" in body
    assert "单田芳" in body
    only = _get(
        client,
        world,
        "bureau_secretary",
        reverse("duties-chain", args=[world.c.putuo.pk]) + "?vacant=1",
    )
    assert only.status_code == 200


def test_the_chain_view_costs_the_same_queries_for_a_bigger_tree(client, world):
    c = world.c
    client.force_login(c.bureau_secretary)
    url = reverse("duties-chain", args=[c.putuo.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for i in range(3, 9):
        branch = org_actions.create_org(
            None, c.putuo, name=f"第{i}党支部", kind="branch", code=f"PT-B{i}"
        )
        group = org_actions.create_org(
            None, branch, name=f"第{i}支部小组", kind="group", code=f"PT-B{i}-G"
        )
        person = org_actions.create_person(
            None,
            name=f"书记{i}",
            phone=f"1390000000{i}",
            party_org=branch,
            political_status="member",
        )
        appoint(person, Role.PARTY_SECRETARY, branch, "书记")
        appoint(person, Role.GROUP_LEADER, group, "组长")
        actions.designate_leader(None, person, branch, title="主任")
    with CaptureQueriesContext(connection) as big:
        response = client.get(url)
    assert response.status_code == 200
    assert "第8支部小组" in response.content.decode()
    assert (
        len(big) == len(small) == 12
    )  # no session save (written at sign-in, within the refresh interval); the person and
    # membership come joined to the user


# --- List management ------------------------------------------------------------------------

READ_MATRIX = [
    ("outsider", 404),
    ("grid_worker", 404),
    ("street_officer", 404),
    ("district_admin", 404),
    ("unit_staff", 404),
    ("member", 200),  # the list binds their branch
    ("sibling_secretary", 200),
    ("branch_secretary", 200),
    ("bureau_secretary", 200),
    ("platform_admin", 200),
]


def test_it_shows_a_list_to_those_it_binds(client, world):
    for viewer, status in READ_MATRIX:
        url = reverse("duties-list", args=[world.putuo_list.pk])
        assert _get(client, world, viewer, url).status_code == status, viewer
        index = _get(client, world, viewer, reverse("duties-lists")).content.decode()
        assert ("普陀局党建责任清单" in index) == (status == 200), viewer


WRITE_MATRIX = [
    ("outsider", 404),
    ("grid_worker", 404),
    ("district_admin", 404),
    ("member", 403),
    ("sibling_secretary", 403),
    ("branch_secretary", 403),  # a branch does not rewrite what the bureau gave it
    ("bureau_secretary", 200),
    ("platform_admin", 200),
]


def _write_urls(world):  # type: ignore[no-untyped-def]
    return [
        reverse("duties-list-edit", args=[world.putuo_list.pk]),
        reverse("duties-list-copy", args=[world.putuo_list.pk]),
        reverse("duties-post-new", args=[world.putuo_list.pk]),
        reverse("duties-post-edit", args=[world.br_secretary.pk]),
        reverse("duties-duty-new", args=[world.br_secretary.pk]),
        reverse("duties-duty-edit", args=[world.d_br_sec1.pk]),
    ]


def test_it_opens_the_list_forms_to_managers_only(client, world):
    for viewer, status in WRITE_MATRIX:
        for url in _write_urls(world):
            assert _get(client, world, viewer, url).status_code == status, (viewer, url)


@pytest.mark.parametrize("viewer", [v for v, status in WRITE_MATRIX if status != 200])
def test_refused_writes_change_nothing(client, world, viewer):
    client.force_login(_user(world, viewer))
    posts = [
        (reverse("duties-list-edit", args=[world.putuo_list.pk]), {"title": "改", "note": ""}),
        (reverse("duties-list-copy", args=[world.putuo_list.pk]), {"year": world.year + 1}),
        (
            reverse("duties-post-new", args=[world.putuo_list.pk]),
            {"level": "branch", "post": "party_secretary", "order": 0},
        ),
        (reverse("duties-post-edit", args=[world.br_secretary.pk]), {"title": "改", "order": 1}),
        (reverse("duties-post-remove", args=[world.br_secretary.pk]), {}),
        (
            reverse("duties-duty-new", args=[world.br_secretary.pk]),
            {"text": "新", "category": "other"},
        ),
        (
            reverse("duties-duty-edit", args=[world.d_br_sec1.pk]),
            {"text": "改", "category": "other"},
        ),
        (reverse("duties-duty-remove", args=[world.d_br_sec1.pk]), {}),
        (
            reverse("duties-leader-new", args=[world.c.branch1.pk]),
            {"person": world.c.member_person.pk, "title": "主任"},
        ),
        (
            reverse("duties-list-new"),
            {"owner": world.c.putuo.pk, "year": world.year + 3, "title": "新"},
        ),
    ]
    before = _state()
    for url, data in posts:
        if viewer == "branch_secretary" and "leaders" in url:
            continue  # the branch's own secretary records its business leaders
        # The new-list form shows a refusal (200) to someone who may issue lists elsewhere.
        allowed = {200, 404} if url == reverse("duties-list-new") else {403, 404}
        assert client.post(url, data).status_code in allowed, url
    assert _state() == before


def test_a_manager_edits_the_list_and_every_write_is_audited(client, world):
    client.force_login(world.c.bureau_secretary)
    start = AuditLog.objects.count()
    r = client.post(
        reverse("duties-duty-new", args=[world.br_secretary.pk]),
        {"text": " 讲好  党课 ", "category": "ideological", "frequency": "每年"},
    )
    assert r.status_code == 302
    duty = Duty.objects.get(text="讲好 党课")
    assert (duty.order, duty.frequency) == (3, "每年")
    # The same form sent twice adds nothing and writes no second audit row.
    client.post(
        reverse("duties-duty-new", args=[world.br_secretary.pk]),
        {"text": "讲好 党课", "category": "ideological"},
    )
    assert Duty.objects.filter(text="讲好 党课").count() == 1
    client.post(
        reverse("duties-duty-edit", args=[duty.pk]),
        {"text": "讲好专题党课", "category": "ideological", "frequency": "每年"},
    )
    client.post(
        reverse("duties-post-edit", args=[world.br_committee.pk]), {"title": "支部委员", "order": 2}
    )
    client.post(
        reverse("duties-list-edit", args=[world.putuo_list.pk]),
        {"title": "普陀局清单", "note": "说明"},
    )
    client.post(
        reverse("duties-post-new", args=[world.putuo_list.pk]),
        {"level": "branch", "post": "deputy_secretary", "required": "", "order": 5},
    )
    client.post(reverse("duties-duty-remove", args=[duty.pk]))
    client.post(reverse("duties-post-remove", args=[world.br_leader.pk]))
    verbs = list(AuditLog.objects.order_by("pk").values_list("verb", flat=True)[start:])
    assert verbs == [
        "duty.create",
        "duty.update",
        "duty_post.update",
        "duty_list.update",
        "duty_post.create",
        "duty.delete",
        "duty_post.delete",
    ]
    row = AuditLog.objects.get(verb="duty_post.delete")
    assert row.before is not None
    assert row.before["duties"] == ["党建与业务同部署同考核"]
    assert row.actor == world.c.bureau_secretary
    assert (row.scope_kind, row.scope_path) == ("org", world.c.putuo.path)
    assert (
        DutyPost.objects.get(
            duty_list=world.putuo_list, level="branch", post="deputy_secretary"
        ).required
        is False
    )


def test_it_refuses_a_post_that_does_not_exist_at_the_level(client, world):
    client.force_login(world.c.bureau_secretary)
    before = _state()
    r = client.post(
        reverse("duties-post-new", args=[world.putuo_list.pk]),
        {"level": "group", "post": "party_secretary", "order": 0},
    )
    assert r.status_code == 200
    assert "does not exist at this level" in r.content.decode()
    assert _state() == before


def test_it_copies_a_year_once_and_refuses_the_same_year_again(client, world):
    client.force_login(world.c.bureau_secretary)
    url = reverse("duties-list-copy", args=[world.putuo_list.pk])
    r = client.post(url, {"year": world.year + 1, "title": ""})
    assert r.status_code == 302
    copy = DutyList.objects.get(owner=world.c.putuo, year=world.year + 1)
    assert copy.copied_from == world.putuo_list
    assert Duty.objects.filter(duty_post__duty_list=copy).count() == 11
    assert AuditLog.objects.filter(verb="duty_list.copy", object_id=str(copy.pk)).count() == 1
    before = _state()
    r = client.post(url, {"year": world.year + 1, "title": ""})
    assert r.status_code == 200
    assert "already has a duty list for" in r.content.decode()
    assert _state() == before
    r = client.post(url, {"year": 1999})
    assert r.status_code == 200
    assert _state() == before


def test_it_creates_a_list_for_an_organisation_the_user_may_issue_for(client, world):
    client.force_login(world.c.bureau_secretary)
    page = client.get(reverse("duties-list-new")).content.decode()
    assert "普陀区绿化和市容管理局党组" in page
    assert "安阳" not in page
    r = client.post(
        reverse("duties-list-new"),
        {"owner": world.c.putuo.pk, "year": world.year + 2, "title": "新清单", "note": ""},
    )
    assert r.status_code == 302
    created = DutyList.objects.get(title="新清单")
    assert AuditLog.objects.filter(verb="duty_list.create", object_id=str(created.pk)).exists()
    # Another bureau's organisation is not a choice: the form refuses it.
    before = _state()
    r = client.post(
        reverse("duties-list-new"),
        {"owner": world.c.anyang.pk, "year": world.year + 2, "title": "越权", "note": ""},
    )
    assert r.status_code == 200
    assert _state() == before


def test_it_records_and_ends_a_business_leader(client, world):
    c = world.c
    client.force_login(c.branch_secretary)
    r = client.post(
        reverse("duties-leader-new", args=[c.branch1.pk]),
        {"person": c.member_person.pk, "title": "中心主任"},
    )
    assert r.status_code == 302
    designation = LeaderDesignation.objects.get()
    body = client.get(reverse("duties-chain", args=[c.branch1.pk])).content.decode()
    assert "冯党员" in body and "中心主任" in body
    r = client.post(reverse("duties-leader-end", args=[designation.pk]))
    assert r.status_code == 302
    designation.refresh_from_db()
    assert designation.ended_on is not None
    assert list(
        AuditLog.objects.filter(object_type="duties.leaderdesignation")
        .values_list("verb", flat=True)
        .order_by("pk")
    ) == ["leader.designate", "leader.end"]
    # Ending it twice is refused with a message and changes nothing.
    before = _state()
    client.post(reverse("duties-leader-end", args=[designation.pk]))
    assert _state() == before
    # The sibling secretary cannot see it.
    client.force_login(c.sibling_secretary)
    assert client.post(reverse("duties-leader-end", args=[designation.pk])).status_code == 404


# --- The home card ---------------------------------------------------------------------------


def test_the_home_card_counts_duties_and_vacancies(world, rf):
    template = Template("{% load juli_duties %}{% my_duties_card user %}")
    html = template.render(Context({"user": world.c.bureau_secretary}))
    assert "My duties" in html
    assert reverse("duties-chain", args=[world.c.putuo.pk]) in html
    assert "<dd>4</dd>" in html  # vacancies of the Putuo chain
    assert template.render(Context({"user": world.c.grid_worker})).strip() == ""
    member_html = template.render(Context({"user": world.member}))
    assert "/duties/orgs/" not in member_html and "My duties" in member_html


def test_level_kinds_cover_the_party_tree():
    assert {K.GROUP, K.BRANCH, K.LEADING_GROUP} <= set(K.values)
    assert P.MEMBER == "member"
