"""Who reads and writes what: every page and endpoint of news for anonymous, the outsider,
a member of the branch, a sibling branch's secretary and the right roles; refusals change
nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from juli.core.models import AuditLog
from juli.news import actions
from juli.news.models import NewsItem, NewsSettings

from .conftest import signed_in, write

S = NewsItem.Status


@pytest.fixture
def world(mw):
    c = mw.c
    w = mw
    w.draft = write(c.branch_secretary, c.branch1, "草稿新闻")
    w.review = write(c.branch_secretary, c.branch1, "待审新闻", to=S.IN_REVIEW)
    w.published = write(
        c.branch_secretary, c.branch1, "已发布新闻", to=S.PUBLISHED, reviewer=c.bureau_secretary
    )
    w.withdrawn = write(
        c.branch_secretary, c.branch1, "已撤回新闻", to=S.WITHDRAWN, reviewer=c.bureau_secretary
    )
    w.sibling = write(
        c.sibling_secretary, c.branch2, "二支部新闻", to=S.PUBLISHED, reviewer=c.bureau_secretary
    )
    return w


def _status(user, url, method="get", **data):
    client = signed_in(user)
    return getattr(client, method)(url, data).status_code


def _users(w):
    c = w.c
    return {
        "anonymous": None,
        "outsider": c.outsider,
        "member": w.member,
        "sibling_secretary": c.sibling_secretary,
        "branch_secretary": c.branch_secretary,
        "bureau_secretary": c.bureau_secretary,
    }


ITEM_PAGE = {
    # item: {who: status}
    "draft": {
        "anonymous": 404,
        "outsider": 404,
        "member": 404,
        "sibling_secretary": 404,
        "branch_secretary": 200,
        "bureau_secretary": 200,
    },
    "review": {
        "anonymous": 404,
        "outsider": 404,
        "member": 404,
        "sibling_secretary": 404,
        "branch_secretary": 200,
        "bureau_secretary": 200,
    },
    "published": {
        "anonymous": 404,
        "outsider": 404,
        "member": 200,
        "sibling_secretary": 404,
        "branch_secretary": 200,
        "bureau_secretary": 200,
    },
    "withdrawn": {
        "anonymous": 404,
        "outsider": 404,
        "member": 404,
        "sibling_secretary": 404,
        "branch_secretary": 200,
        "bureau_secretary": 200,
    },
}


@pytest.mark.parametrize("which", list(ITEM_PAGE))
def test_it_shows_an_item_to_exactly_those_who_may_read_it(world, which):
    item = getattr(world, which)
    url = reverse("news-item", args=[item.pk])
    got = {who: _status(user, url) for who, user in _users(world).items()}
    assert got == ITEM_PAGE[which]


def test_a_public_organisations_published_news_is_readable_by_anyone(world):
    c = world.c
    actions.set_public(c.branch_secretary, c.branch1, public=True)
    for user in (None, c.outsider, c.sibling_secretary):
        assert _status(user, reverse("news-item", args=[world.published.pk])) == 200
        assert _status(user, reverse("news-org", args=[c.branch1.pk])) == 200
        assert _status(user, reverse("news-org-atom", args=[c.branch1.pk])) == 200
        # drafts and withdrawn items stay with the editors
        assert _status(user, reverse("news-item", args=[world.draft.pk])) == 404
        assert _status(user, reverse("news-item", args=[world.withdrawn.pk])) == 404
    page = signed_in(None).get(reverse("news-org", args=[c.branch1.pk])).text
    assert "已发布新闻" in page
    assert "草稿新闻" not in page and "已撤回新闻" not in page and "待审新闻" not in page
    assert "二支部新闻" not in page  # another organisation's


def test_a_non_public_organisations_page_and_feed_are_404_outside_its_scope(world):
    c = world.c
    for name in ("news-org", "news-org-atom"):
        url = reverse(name, args=[c.branch1.pk])
        got = {who: _status(user, url) for who, user in _users(world).items()}
        assert got == {
            "anonymous": 404,
            "outsider": 404,
            "member": 200,
            "sibling_secretary": 404,
            "branch_secretary": 200,
            "bureau_secretary": 200,
        }
    assert _status(None, reverse("news-org", args=[999999])) == 404


def test_the_editors_list_shows_the_scope_and_only_to_editors(world):
    c = world.c
    url = reverse("news-list")
    anonymous = signed_in(None).get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert _status(c.outsider, url) == 404
    assert _status(world.member, url) == 404
    page = signed_in(c.branch_secretary).get(url).text
    for title in ("草稿新闻", "待审新闻", "已发布新闻", "已撤回新闻"):
        assert title in page
    assert "二支部新闻" not in page
    sibling = signed_in(c.sibling_secretary).get(url).text
    assert "二支部新闻" in sibling and "草稿新闻" not in sibling
    bureau = signed_in(c.bureau_secretary).get(url + "?status=in_review").text
    assert "待审新闻" in bureau and "草稿新闻" not in bureau


def _snapshot():
    return (
        list(NewsItem.objects.order_by("pk").values_list("pk", "status", "title", "reason")),
        AuditLog.objects.count(),
        list(NewsSettings.objects.values_list("org_id", "public")),
    )


@pytest.mark.parametrize(
    ("name", "target", "data"),
    [
        ("news-submit", "draft", {}),
        ("news-approve", "review", {}),
        ("news-return", "review", {"reason": "不行"}),
        ("news-withdraw", "published", {"reason": "不行"}),
        ("news-edit", "draft", {"title": "篡改"}),
    ],
)
def test_it_refuses_steps_from_those_without_the_right_and_changes_nothing(
    world, name, target, data
):
    c = world.c
    url = reverse(name, args=[getattr(world, target).pk])
    before = _snapshot()
    anonymous = signed_in(None).post(url, data)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert _status(c.outsider, url, "post", **data) == 404
    assert _status(c.sibling_secretary, url, "post", **data) == 404
    # a member reads the published item but may not act on it
    assert _status(world.member, url, "post", **data) == (403 if target == "published" else 404)
    assert _snapshot() == before


def test_the_author_cannot_approve_their_own_item_from_the_page(world):
    c = world.c
    item = write(c.bureau_secretary, c.branch1, "局新闻", to=S.IN_REVIEW)
    before = _snapshot()
    assert _status(c.bureau_secretary, reverse("news-approve", args=[item.pk]), "post") == 403
    assert _snapshot() == before
    response = signed_in(c.branch_secretary).post(reverse("news-approve", args=[item.pk]))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == S.PUBLISHED


def test_pages_walk_the_flow(world):
    c = world.c
    secretary = signed_in(c.branch_secretary)
    response = secretary.post(
        reverse("news-new"),
        {"org": c.branch1.pk, "title": "新写的", "summary": "", "body": "第一段\n\n第二段"},
    )
    item = NewsItem.objects.get(title="新写的")
    assert response.status_code == 302
    page = secretary.get(reverse("news-item", args=[item.pk])).text
    assert "<p>第一段</p>" in page and "<p>第二段</p>" in page
    assert secretary.post(reverse("news-submit", args=[item.pk])).status_code == 302
    bureau = signed_in(c.bureau_secretary)
    assert bureau.post(reverse("news-return", args=[item.pk]), {"reason": ""}).status_code == 400
    assert bureau.post(reverse("news-approve", args=[item.pk])).status_code == 302
    item.refresh_from_db()
    assert item.status == S.PUBLISHED
    # the same step again: an illegal state, nothing written
    assert bureau.post(reverse("news-approve", args=[item.pk])).status_code == 409


def test_it_refuses_a_new_item_for_an_organisation_outside_the_scope(world):
    c = world.c
    count = NewsItem.objects.count()
    response = signed_in(c.sibling_secretary).post(
        reverse("news-new"), {"org": c.branch1.pk, "title": "越权"}
    )
    assert response.status_code == 400
    assert NewsItem.objects.count() == count


def test_it_escapes_markup_in_the_text(world):
    c = world.c
    item = write(c.branch_secretary, c.branch1, "<b>标题</b>", body="<script>alert(1)</script>")
    page = signed_in(c.branch_secretary).get(reverse("news-item", args=[item.pk])).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;标题&lt;/b&gt;" in page


def test_the_settings_switch_belongs_to_the_secretary_and_publicity_officer(world):
    c = world.c
    url = reverse("news-org-settings", args=[c.branch1.pk])
    before = _snapshot()
    assert _status(world.member, url, "post", public="1") == 404
    assert _status(c.outsider, url, "post", public="1") == 404
    assert _status(c.sibling_secretary, url, "post", public="1") == 404
    assert _snapshot() == before
    assert _status(c.branch_secretary, url, "post", public="1") == 302
    assert NewsSettings.objects.get(org=c.branch1).public is True
    assert _status(None, reverse("news-org", args=[c.branch1.pk])) == 200
    assert _status(c.branch_secretary, url, "post", public="0") == 302
    assert NewsSettings.objects.get(org=c.branch1).public is False
    assert _status(None, reverse("news-org", args=[c.branch1.pk])) == 404


def test_the_api_lists_published_news_in_scope_and_public_ones(world):
    c = world.c
    url = "/api/v1/news/"
    assert signed_in(None).get(url).status_code in (401, 403)

    def titles(user, query=""):
        response = signed_in(user).get(url + query)
        assert response.status_code == 200
        return sorted(row["title"] for row in response.json()["results"])

    assert titles(world.member) == ["已发布新闻"]
    assert titles(c.outsider) == []
    assert titles(c.bureau_secretary) == ["二支部新闻", "已发布新闻"]
    assert titles(c.bureau_secretary, f"?org={c.branch2.pk}") == ["二支部新闻"]
    actions.set_public(c.sibling_secretary, c.branch2, public=True)
    assert titles(c.outsider) == ["二支部新闻"]
    detail = signed_in(world.member).get(f"{url}{world.published.pk}/")
    assert detail.status_code == 200
    assert detail.json()["paragraphs"] == ["党员们走进社区。", "大家一起打扫楼道。"]
    for pk in (world.draft.pk, world.withdrawn.pk, world.sibling.pk + 1000):
        assert signed_in(world.member).get(f"{url}{pk}/").status_code == 404
    assert signed_in(c.outsider).get(f"{url}{world.published.pk}/").status_code == 404
