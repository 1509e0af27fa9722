"""Search in either script, and the Atom feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from juli.news import actions, queries
from juli.news.models import NewsItem

from .conftest import signed_in, write

S = NewsItem.Status
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def two(cast):
    simplified = write(
        cast.branch_secretary,
        cast.branch1,
        "支部党建工作推进会",
        to=S.PUBLISHED,
        reviewer=cast.bureau_secretary,
    )
    traditional = write(
        cast.branch_secretary,
        cast.branch1,
        "黨員志願服務隊走進社區",
        body="開展黨建聯建活動。",
        to=S.PUBLISHED,
        reviewer=cast.bureau_secretary,
    )
    other = write(
        cast.branch_secretary,
        cast.branch1,
        "绿化养护检查",
        body="检查树木。",
        to=S.PUBLISHED,
        reviewer=cast.bureau_secretary,
    )
    return simplified, traditional, other


def test_it_finds_simplified_text_from_a_traditional_query_and_back(two):
    simplified, traditional, other = two
    everything = NewsItem.objects.all()
    assert set(queries.search(everything, "黨建")) == {simplified, traditional}
    assert set(queries.search(everything, "党建")) == {simplified, traditional}
    assert set(queries.search(everything, "志愿服务")) == {traditional}
    assert set(queries.search(everything, "志願 社區")) == {traditional}
    assert set(queries.search(everything, "黨建 推進")) == {simplified}
    assert list(queries.search(everything, "不存在的词")) == []


def test_the_pages_and_the_api_search_both_scripts(two):
    simplified, traditional, other = two
    c = signed_in(two[0].author)
    org = simplified.org
    page = c.get(reverse("news-org", args=[org.pk]), {"q": "黨建"}).text
    assert simplified.title in page and traditional.title in page and other.title not in page
    page = c.get(reverse("news-list"), {"q": "党建"}).text
    assert simplified.title in page and traditional.title in page and other.title not in page
    rows = c.get("/api/v1/news/", {"q": "黨建"}).json()["results"]
    assert {r["id"] for r in rows} == {simplified.pk, traditional.pk}


def test_a_search_through_htmx_answers_the_list_only(two):
    c = signed_in(two[0].author)
    response = c.get(
        reverse("news-org", args=[two[0].org_id]), {"q": "绿化"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="news-items"')
    assert "绿化养护检查" in response.text and "推进会" not in response.text


def test_it_keeps_the_search_key_when_a_draft_is_edited(cast):
    item = write(cast.branch_secretary, cast.branch1, "草稿")
    actions.update_item(cast.branch_secretary, item, title="黨建新聞", body="")
    assert list(queries.search(NewsItem.objects.all(), "党建新闻")) == [item]


def test_the_atom_feed_is_valid_xml_with_the_published_entries(two, cast):
    actions.set_public(cast.branch_secretary, cast.branch1, public=True)
    write(cast.branch_secretary, cast.branch1, "未发布的稿子")
    response = signed_in(None).get(reverse("news-org-atom", args=[cast.branch1.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own response)
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}title") == "News of 第一党支部"
    entries = root.findall(f"{ATOM}entry")
    titles = {e.findtext(f"{ATOM}title") for e in entries}
    assert titles == {"支部党建工作推进会", "黨員志願服務隊走進社區", "绿化养护检查"}
    for entry in entries:
        assert entry.find(f"{ATOM}link").get("href").startswith("http://testserver/news/")
        assert entry.findtext(f"{ATOM}updated")
        assert entry.findtext(f"{ATOM}id")
    summary = next(
        e.findtext(f"{ATOM}summary")
        for e in entries
        if e.findtext(f"{ATOM}title") == "黨員志願服務隊走進社區"
    )
    assert "開展黨建聯建活動。" in summary


def test_a_withdrawn_item_leaves_the_feed(two, cast):
    simplified = two[0]
    actions.withdraw_item(cast.bureau_secretary, simplified, reason="撤回")
    response = signed_in(cast.branch_secretary).get(
        reverse("news-org-atom", args=[cast.branch1.pk])
    )
    root = ET.fromstring(response.content)  # noqa: S314 (our own response)
    titles = {e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")}
    assert simplified.title not in titles and len(titles) == 2
