"""/api/v1/ of the duty lists: scoped reads, managers' writes, refusals, the schema."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.test import APIClient

from juli.core.models import AuditLog
from juli.duties.models import Duty, DutyList, DutyPost

from .test_pages import _state


def _api(user=None):  # type: ignore[no-untyped-def]
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_it_refuses_anonymous_calls_with_401(world):
    for url in (
        reverse("api-duty-list-list"),
        reverse("api-duty-list-detail", args=[world.putuo_list.pk]),
        reverse("api-duties-mine"),
        reverse("api-duty-chain", args=[world.c.branch1.pk]),
        reverse("api-duty-detail", args=[world.d_br_sec1.pk]),
        reverse("api-duty-post-detail", args=[world.br_secretary.pk]),
    ):
        assert _api().get(url).status_code == 401, url
    assert _api().post(reverse("api-duty-list-list"), {}).status_code == 401


def test_it_lists_the_lists_that_bind_the_caller(world):
    c = world.c
    expected = {
        "bureau_secretary": ["普陀局党建责任清单"],
        "sibling_secretary": ["普陀局党建责任清单"],
        "outsider": ["安阳机关党委责任清单"],
        "grid_worker": [],
        "platform_admin": ["普陀局党建责任清单", "安阳机关党委责任清单"],
    }
    for name, titles in expected.items():
        body = _api(getattr(c, name)).get(reverse("api-duty-list-list")).json()
        assert sorted(row["title"] for row in body) == sorted(titles), name
    detail = _api(c.member_person.user).get(
        reverse("api-duty-list-detail", args=[world.putuo_list.pk])
    )
    assert detail.status_code == 200
    body = detail.json()
    assert body["can_manage"] is False
    top = [p["label"] for p in body["posts"] if p["level"] == "leading_group"]
    assert top == ["局党组书记", "局党组副书记", "Party member"]
    assert (
        _api(c.outsider)
        .get(reverse("api-duty-list-detail", args=[world.putuo_list.pk]))
        .status_code
        == 404
    )


def test_it_gives_my_duties(world):
    body = _api(world.c.branch_secretary).get(reverse("api-duties-mine")).json()
    assert body["year"] == world.year
    assert [(p["org"]["name"], p["post"], p["label"]) for p in body["posts"]] == [
        ("第一党支部", "party_secretary", "党支部书记")
    ]
    assert [d["text"] for d in body["posts"][0]["duties"]] == [
        "按时召开支委会和党员大会",
        "年底向上级党组织述职",
    ]
    assert _api(world.c.grid_worker).get(reverse("api-duties-mine")).json()["posts"] == []
    bad = _api(world.c.grid_worker).get(reverse("api-duties-mine"), {"year": "1"})
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")


def test_it_gives_the_chain_to_officers_over_it_only(world):
    c = world.c
    url = reverse("api-duty-chain", args=[c.putuo.pk])
    body = _api(c.bureau_secretary).get(url).json()
    assert body["vacancies"] == 4
    assert [
        (n["org"]["name"], n["depth"], n["vacancies"], n["subtree_vacancies"])
        for n in body["nodes"]
    ] == [
        ("普陀区绿化和市容管理局党组", 0, 1, 4),
        ("第一党支部", 1, 1, 2),
        ("第一党小组", 2, 1, 1),
        ("第二党支部", 1, 1, 1),
    ]
    assert body["nodes"][1]["parent"] == c.putuo.pk
    assert body["nodes"][0]["parent"] is None
    deputy = body["nodes"][0]["rows"][1]
    assert (deputy["post"], deputy["vacant"], deputy["holders"]) == ("deputy_secretary", True, [])
    for user, status in [
        (c.branch_secretary, 404),
        (c.sibling_secretary, 404),
        (c.outsider, 404),
        (c.member_person.user, 404),
        (c.platform_admin, 200),
    ]:
        assert _api(user).get(url).status_code == status
    branch2 = reverse("api-duty-chain", args=[c.branch2.pk])
    assert _api(c.branch_secretary).get(branch2).status_code == 404
    assert _api(c.sibling_secretary).get(branch2).status_code == 200
    assert _api(c.bureau_secretary).get(reverse("api-duty-chain", args=[10**20])).status_code == 404


def test_a_manager_writes_through_the_api_and_others_are_refused(world):
    c = world.c
    manager = _api(c.bureau_secretary)
    created = manager.post(
        reverse("api-duty-list-list"),
        {"owner": c.putuo.pk, "year": world.year + 1, "title": "明年清单"},
        format="json",
    )
    assert created.status_code == 201
    new_id = created.json()["id"]
    post = manager.post(
        reverse("api-duty-post-list"),
        {"duty_list": new_id, "level": "branch", "post": "party_secretary", "title": "书记"},
        format="json",
    )
    assert post.status_code == 201
    again = manager.post(
        reverse("api-duty-post-list"),
        {"duty_list": new_id, "level": "branch", "post": "party_secretary"},
        format="json",
    )
    assert (again.status_code, again.json()["id"]) == (200, post.json()["id"])
    duty = manager.post(
        reverse("api-duty-list"),
        {"duty_post": post.json()["id"], "text": "抓好支部建设", "category": "organisational"},
        format="json",
    )
    assert duty.status_code == 201
    repeat = manager.post(
        reverse("api-duty-list"),
        {"duty_post": post.json()["id"], "text": "抓好支部建设", "category": "organisational"},
        format="json",
    )
    assert repeat.status_code == 200
    patched = manager.patch(
        reverse("api-duty-detail", args=[duty.json()["id"]]), {"frequency": "每月"}, format="json"
    )
    assert patched.json()["frequency"] == "每月"
    assert manager.delete(reverse("api-duty-detail", args=[duty.json()["id"]])).status_code == 204
    verbs = list(
        AuditLog.objects.filter(verb__startswith="duty")
        .order_by("-pk")
        .values_list("verb", flat=True)[:4]
    )
    assert verbs == ["duty.delete", "duty.update", "duty.create", "duty_post.create"]

    wrong = manager.post(
        reverse("api-duty-post-list"),
        {"duty_list": new_id, "level": "group", "post": "party_secretary"},
        format="json",
    )
    assert (wrong.status_code, wrong.json()["code"]) == (400, "post_not_at_level")

    before = _state()
    copy = manager.post(
        reverse("api-duty-list-copy", args=[world.putuo_list.pk]),
        {"year": world.year + 1},
        format="json",
    )
    assert (copy.status_code, copy.json()["code"]) == (400, "year_exists")
    branch = _api(c.branch_secretary)
    assert (
        branch.post(
            reverse("api-duty-list-copy", args=[world.putuo_list.pk]),
            {"year": world.year + 5},
            format="json",
        ).status_code
        == 403
    )
    assert (
        branch.patch(
            reverse("api-duty-detail", args=[world.d_br_sec1.pk]), {"text": "改"}, format="json"
        ).status_code
        == 403
    )
    assert (
        branch.delete(reverse("api-duty-post-detail", args=[world.br_secretary.pk])).status_code
        == 403
    )
    outsider = _api(c.outsider)
    assert (
        outsider.patch(
            reverse("api-duty-list-detail", args=[world.putuo_list.pk]),
            {"title": "x"},
            format="json",
        ).status_code
        == 404
    )
    assert (
        outsider.post(
            reverse("api-duty-list"),
            {"duty_post": world.br_secretary.pk, "text": "x"},
            format="json",
        ).status_code
        == 404
    )
    assert (
        outsider.post(
            reverse("api-duty-list-list"),
            {"owner": c.putuo.pk, "year": 2030, "title": "x"},
            format="json",
        ).status_code
        == 404
    )
    assert _state() == before
    good = manager.post(
        reverse("api-duty-list-copy", args=[world.putuo_list.pk]),
        {"year": world.year + 2},
        format="json",
    )
    assert good.status_code == 201
    assert (
        DutyList.objects.get(pk=good.json()["id"]).posts.count()
        == DutyPost.objects.filter(duty_list=world.putuo_list).count()
    )
    assert Duty.objects.filter(duty_post__duty_list_id=good.json()["id"]).count() == 11


def test_the_schema_documents_the_endpoints(world):
    body = (
        _api(world.c.bureau_secretary)
        .get(reverse("api-schema"), {"format": "json"})
        .content.decode()
    )
    for path in (
        "/api/v1/duty-lists/",
        "/api/v1/duty-lists/{id}/copy/",
        "/api/v1/duty-posts/",
        "/api/v1/duties/",
        "/api/v1/duties/mine/",
        "/api/v1/duty-chains/{org_id}/",
    ):
        assert path in body, path
