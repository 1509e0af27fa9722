"""Writes through the organisation pages' forms: the right role succeeds and leaves an audit
row; everyone else is refused and nothing changes; bad input gets a clear message."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from juli.core.models import AuditLog
from juli.orgs import actions
from juli.orgs.models import Area, PartyOrg, Person, Post, TreeChange


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def fingerprint() -> tuple[Any, ...]:
    """Everything a refused POST could have touched."""
    return (
        list(
            PartyOrg.objects.order_by("pk").values_list(
                "pk", "path", "name", "code", "status", "merged_into_id"
            )
        ),
        list(Area.objects.order_by("pk").values_list("pk", "path", "name", "code")),
        list(
            Person.objects.order_by("pk").values_list(
                "pk", "name", "phone", "party_org_id", "org_path", "area_path", "is_active"
            )
        ),
        list(Post.objects.order_by("pk").values_list("pk", "person_id", "role", "ended_on")),
        TreeChange.objects.count(),
        AuditLog.objects.count(),
    )


def _org_data(org: PartyOrg, **changes: Any) -> dict[str, Any]:
    data = {
        "name": org.name,
        "short_name": org.short_name,
        "kind": org.kind,
        "code": org.code,
        "unit": org.unit_id or "",
        "area": org.area_id or "",
        "founded_on": "",
    }
    data.update(changes)
    return data


def _person_data(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "陈新人",
        "gender": "F",
        "birth_year": "1990",
        "phone": "13912345678",
        "political_status": "member",
        "party_joined_on": "2015-07-01",
        "occupation": "civil_servant",
        "party_org": "",
        "area": "",
        "unit": "",
        "is_active": "on",
    }
    data.update(changes)
    return data


def _last_audit() -> AuditLog:
    row = AuditLog.objects.order_by("-id").first()
    assert row is not None
    return row


# --- Refusals -------------------------------------------------------------------------------


def _refusals() -> list[Any]:
    """(url name, object, user, POST data builder, expected status)."""

    def org(target: str, **changes: Any) -> Any:
        return lambda c: _org_data(getattr(c, target), **changes)

    def ref(**ids: str) -> Any:
        return lambda c: {k: getattr(c, v).pk for k, v in ids.items()} | {"note": "调整"}

    post_of = {
        "branch_secretary_post": lambda c: Post.objects.get(person=c.branch_secretary_person),
        "grid_worker_post": lambda c: Post.objects.get(person=c.grid_worker_person),
    }
    cases = [
        ("org-edit", "branch1", "sibling_secretary", org("branch1", name="改名"), 404),
        ("org-edit", "branch1", "outsider", org("branch1", name="改名"), 404),
        ("org-edit", "branch1", "district_admin", org("branch1", name="改名"), 404),
        ("org-edit", "lighting", "outsider", org("lighting", name="改名"), 403),
        (
            "org-new-child",
            "branch1",
            "sibling_secretary",
            lambda c: {"name": "新小组", "kind": "group", "code": "PT-B1-G9"},
            404,
        ),
        (
            "org-new-child",
            "lighting",
            "outsider",
            lambda c: {"name": "新小组", "kind": "group", "code": "AY-LD-G9"},
            403,
        ),
        ("org-move", "branch1", "branch_secretary", ref(new_parent="anyang"), 403),
        ("org-move", "group1", "sibling_secretary", ref(new_parent="branch2"), 404),
        ("org-retire", "branch1", "branch_secretary", lambda c: {"note": "撤销"}, 403),
        ("org-retire", "group1", "sibling_secretary", lambda c: {"note": "撤销"}, 404),
        ("org-merge", "branch2", "branch_secretary", ref(target="branch1"), 404),
        ("org-merge", "branch1", "branch_secretary", ref(target="branch2"), 403),
        (
            "post-new",
            "branch1",
            "sibling_secretary",
            lambda c: {"person": c.member_person.pk, "role": "committee_member"},
            404,
        ),
        (
            "post-new",
            "lighting",
            "outsider",
            lambda c: {"person": c.outsider_person.pk, "role": "party_secretary"},
            403,
        ),
        (
            "area-edit",
            "grid1",
            "grid_worker",
            lambda c: {"name": "改名", "code": c.grid1.code},
            403,
        ),
        (
            "area-edit",
            "grid2",
            "grid_worker",
            lambda c: {"name": "改名", "code": c.grid2.code},
            404,
        ),
        (
            "area-new-child",
            "mengxi",
            "inspector",
            lambda c: {"name": "新网格", "kind": "micro_grid", "code": "3101010130010109"},
            403,
        ),
        ("area-move", "grid1", "grid_worker", ref(new_parent="mengxi"), 403),
        (
            "area-post-new",
            "grid1",
            "grid_worker",
            lambda c: {"person": c.grid_worker_person.pk, "role": "grid_leader"},
            403,
        ),
        (
            "area-post-new",
            "grid1",
            "other_grid_worker",
            lambda c: {"person": c.other_grid_worker_person.pk, "role": "grid_leader"},
            404,
        ),
        (
            "unit-post-new",
            "property_co",
            "unit_staff",
            lambda c: {"person": c.unit_staff_person.pk, "role": "alliance_contact"},
            403,
        ),
        (
            "unit-post-new",
            "property_co",
            "outsider",
            lambda c: {"person": c.outsider_person.pk, "role": "unit_staff"},
            404,
        ),
        ("person-new", None, "grid_worker", lambda c: _person_data(area=c.grid1.pk), 403),
        ("person-new", None, "inspector", lambda c: _person_data(area=c.dapuqiao.pk), 403),
        (
            "person-edit",
            "member_person",
            "sibling_secretary",
            lambda c: _person_data(name="改名"),
            404,
        ),
        (
            "person-edit",
            "grid_worker_person",
            "grid_worker",
            lambda c: _person_data(name="改名", area=c.grid1.pk),
            403,
        ),
        ("post-end", "branch_secretary_post", "sibling_secretary", lambda c: {}, 404),
        ("post-end", "branch_secretary_post", "outsider", lambda c: {}, 404),
        ("post-end", "grid_worker_post", "grid_worker", lambda c: {}, 403),
        ("post-end", "grid_worker_post", "other_grid_worker", lambda c: {}, 404),
    ]
    return [pytest.param(*case, post_of, id=f"{case[0]}-{case[1]}-{case[2]}") for case in cases]


@pytest.mark.parametrize(("name", "target", "user", "data", "status", "post_of"), _refusals())
def test_it_refuses_writes_outside_the_users_rights_and_changes_nothing(
    client, cast, name, target, user, data, status, post_of
):
    if target is None:
        url = reverse(name)
    else:
        obj = post_of[target](cast) if target in post_of else getattr(cast, target)
        url = reverse(name, args=[obj.pk])
    before = fingerprint()
    client.force_login(getattr(cast, user))
    response = client.post(url, data(cast))
    assert response.status_code == status
    assert fingerprint() == before
    # The anonymous are sent to log in, and nothing changes either.
    client.logout()
    response = client.post(url, data(cast))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert fingerprint() == before


def test_it_ends_posts_by_post_only(client, cast):
    post = Post.objects.get(person=cast.branch_secretary_person)
    client.force_login(cast.bureau_secretary)
    assert client.get(reverse("post-end", args=[post.pk])).status_code == 405
    post.refresh_from_db()
    assert post.ended_on is None


@pytest.mark.parametrize("pk", [999_999, 2**62])
def test_it_answers_404_to_writes_on_ids_that_do_not_exist(client, cast, pk):
    client.force_login(cast.platform_admin)
    before = fingerprint()
    for name in (
        "org-edit",
        "org-move",
        "org-retire",
        "org-merge",
        "post-new",
        "post-end",
        "area-edit",
        "person-edit",
    ):
        assert client.post(reverse(name, args=[pk]), {"note": "x"}).status_code == 404, name
    assert fingerprint() == before


# --- Bad input ------------------------------------------------------------------------------


def test_it_refuses_to_move_an_org_under_its_own_descendant(client, cast):
    before = fingerprint()
    client.force_login(cast.bureau_secretary)
    response = client.post(
        reverse("org-move", args=[cast.branch1.pk]), {"new_parent": cast.group1.pk, "note": ""}
    )
    assert response.status_code == 200
    assert "An organisation cannot be moved under itself or its own descendant." in (
        response.content.decode()
    )
    assert fingerprint() == before


def test_it_refuses_a_forged_or_invisible_move_target_alike(client, cast):
    """An id outside the scope gets the very answer of an id that does not exist."""
    before = fingerprint()
    client.force_login(cast.bureau_secretary)
    url = reverse("org-move", args=[cast.group1.pk])
    invisible = client.post(url, {"new_parent": cast.lighting.pk})
    missing = client.post(url, {"new_parent": 999_999})
    assert invisible.status_code == missing.status_code == 200
    assert invisible.context["form"].errors == missing.context["form"].errors
    assert "new_parent" in missing.context["form"].errors
    assert fingerprint() == before


def test_it_offers_only_possible_move_targets(client, cast):
    client.force_login(cast.bureau_secretary)
    response = client.get(reverse("org-move", args=[cast.group1.pk]))
    offered = {
        pk for pk, _label in response.context["form"].fields["new_parent"].widget.choices if pk
    }
    # A group goes under a branch; not its current branch, not itself.
    assert offered == {cast.branch2.pk}


def test_it_refuses_a_malformed_phone_and_creates_nobody(client, cast):
    before = fingerprint()
    client.force_login(cast.branch_secretary)
    response = client.post(
        reverse("person-new"), _person_data(phone="12345", party_org=cast.branch1.pk)
    )
    assert response.status_code == 200
    assert "Enter an 11-digit mainland mobile number, such as 13812345678." in (
        response.content.decode()
    )
    assert fingerprint() == before


def test_it_refuses_a_duplicate_org_code(client, cast):
    before = fingerprint()
    client.force_login(cast.bureau_secretary)
    response = client.post(
        reverse("org-new-child", args=[cast.branch1.pk]),
        {"name": "第二党小组", "kind": "group", "code": "PT-B1-G1", "unit": cast.putuo_unit.pk},
    )
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert fingerprint() == before


def test_it_refuses_a_kind_that_cannot_sit_there(client, cast):
    before = fingerprint()
    client.force_login(cast.bureau_secretary)
    response = client.post(
        reverse("org-new-child", args=[cast.branch1.pk]),
        {"name": "新支部", "kind": "branch", "code": "PT-B1-B9"},
    )
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert fingerprint() == before


def test_it_asks_for_the_reason_to_retire(client, cast):
    before = fingerprint()
    client.force_login(cast.bureau_secretary)
    response = client.post(reverse("org-retire", args=[cast.group1.pk]), {"note": "  "})
    assert response.status_code == 200
    assert "note" in response.context["form"].errors
    assert fingerprint() == before


def test_it_refuses_to_retire_an_org_with_members(client, cast):
    before = fingerprint()
    client.force_login(cast.bureau_secretary)
    response = client.post(reverse("org-retire", args=[cast.branch2.pk]), {"note": "撤销决定"})
    assert response.status_code == 200
    assert "Transfer its members to another organisation first, or merge it." in (
        response.content.decode()
    )
    assert fingerprint() == before


def test_it_shows_the_area_code_rule(client, cast):
    before = fingerprint()
    client.force_login(cast.street_officer)
    response = client.post(
        reverse("area-new-child", args=[cast.dapuqiao.pk]),
        {"name": "新居民区", "kind": "community", "code": "DPQ-X"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        "Districts, streets and communities use the 12-digit statistical division code."
    ]
    assert fingerprint() == before


def test_it_refuses_a_role_held_elsewhere(client, cast):
    before = fingerprint()
    client.force_login(cast.street_officer)
    response = client.post(
        reverse("area-post-new", args=[cast.grid2.pk]),
        {"person": cast.grid_worker_person.pk, "role": "party_secretary"},
    )
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert fingerprint() == before


def test_it_reports_an_already_ended_post(client, cast):
    post = Post.objects.get(person=cast.grid_worker_person)
    actions.end_post(cast.street_officer, post)
    before = fingerprint()
    client.force_login(cast.street_officer)
    response = client.post(reverse("post-end", args=[post.pk]), follow=True)
    assert "This post has already ended." in response.content.decode()
    assert fingerprint() == before


# --- Writes that succeed ------------------------------------------------------------------


def test_it_moves_an_org_and_keeps_the_record(client, cast):
    client.force_login(cast.bureau_secretary)
    response = client.post(
        reverse("org-move", args=[cast.group1.pk]),
        {"new_parent": cast.branch2.pk, "note": "组织调整 2025-3号"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("org-detail", args=[cast.group1.pk])
    group = PartyOrg.objects.get(pk=cast.group1.pk)
    assert PartyOrg.objects.get_parent(group).pk == cast.branch2.pk
    change = TreeChange.objects.filter(node_id=group.pk, verb="moved").get()
    assert (change.old_parent_name, change.new_parent_name) == ("第一党支部", "第二党支部")
    row = _last_audit()
    assert (row.verb, row.actor_id, row.object_id, row.note) == (
        "org.move",
        cast.bureau_secretary.pk,
        str(group.pk),
        "组织调整 2025-3号",
    )
    assert row.ip == "127.0.0.1"


def test_it_creates_a_sub_organisation(client, cast):
    client.force_login(cast.branch_secretary)
    response = client.post(
        reverse("org-new-child", args=[cast.branch1.pk]),
        {"name": "第二党小组", "kind": "group", "code": "PT-B1-G2", "unit": cast.putuo_unit.pk},
    )
    org = PartyOrg.objects.get(code="PT-B1-G2")
    assert response["Location"] == reverse("org-detail", args=[org.pk])
    assert PartyOrg.objects.get_parent(org).pk == cast.branch1.pk
    assert (org.name, org.unit_id) == ("第二党小组", cast.putuo_unit.pk)
    assert (_last_audit().verb, _last_audit().actor_id) == ("org.create", cast.branch_secretary.pk)


def test_it_renames_an_org(client, cast):
    client.force_login(cast.branch_secretary)
    response = client.post(
        reverse("org-edit", args=[cast.branch1.pk]),
        _org_data(cast.branch1, name="第一党支部（机关）", founded_on="2001-07-01"),
    )
    assert response.status_code == 302
    org = PartyOrg.objects.get(pk=cast.branch1.pk)
    assert (org.name, org.founded_on) == ("第一党支部（机关）", datetime.date(2001, 7, 1))
    assert TreeChange.objects.filter(node_id=org.pk, verb="renamed").count() == 1
    row = _last_audit()
    assert row.verb == "org.update"
    assert ("name", "第一党支部", "第一党支部（机关）") in row.changed_fields()


def test_it_retires_an_org(client, cast):
    client.force_login(cast.bureau_secretary)
    response = client.post(reverse("org-retire", args=[cast.group1.pk]), {"note": "撤销决定 1号"})
    assert response.status_code == 302
    assert PartyOrg.objects.get(pk=cast.group1.pk).status == "retired"
    assert (_last_audit().verb, _last_audit().note) == ("org.retire", "撤销决定 1号")


def test_it_merges_an_org(client, cast):
    client.force_login(cast.bureau_secretary)
    response = client.post(
        reverse("org-merge", args=[cast.branch2.pk]),
        {"target": cast.branch1.pk, "note": "合并决定 2号"},
    )
    assert response["Location"] == reverse("org-detail", args=[cast.branch1.pk])
    source = PartyOrg.objects.get(pk=cast.branch2.pk)
    assert (source.status, source.merged_into_id) == ("merged", cast.branch1.pk)
    assert Person.objects.get(pk=cast.sibling_secretary_person.pk).party_org_id == cast.branch1.pk
    assert AuditLog.objects.filter(verb="org.merge", object_id=str(source.pk)).count() == 1


def test_it_appoints_and_ends_a_post(client, cast):
    client.force_login(cast.branch_secretary)
    response = client.post(
        reverse("post-new", args=[cast.branch1.pk]),
        {
            "person": cast.member_person.pk,
            "role": "committee_member",
            "title": "组织委员",
            "started_on": "2025-01-01",
        },
    )
    assert response["Location"] == reverse("org-detail", args=[cast.branch1.pk])
    post = Post.objects.get(person=cast.member_person)
    assert (post.role, post.title, post.org_id, post.started_on) == (
        "committee_member",
        "组织委员",
        cast.branch1.pk,
        datetime.date(2025, 1, 1),
    )
    assert _last_audit().verb == "post.appoint"
    response = client.post(reverse("post-end", args=[post.pk]), {"note": "换届"})
    assert response["Location"] == reverse("org-detail", args=[cast.branch1.pk])
    post.refresh_from_db()
    assert post.ended_on == timezone.localdate()
    assert (_last_audit().verb, _last_audit().note) == ("post.end", "换届")


def test_it_adds_a_person_with_a_valid_phone(client, cast):
    client.force_login(cast.branch_secretary)
    response = client.post(reverse("person-new"), _person_data(party_org=cast.branch1.pk))
    person = Person.objects.get(phone="13912345678")
    assert response["Location"] == reverse("person-detail", args=[person.pk])
    assert (person.name, person.party_org_id, person.org_path) == (
        "陈新人",
        cast.branch1.pk,
        cast.branch1.path,
    )
    assert (_last_audit().verb, _last_audit().actor_id) == (
        "person.create",
        cast.branch_secretary.pk,
    )


def test_it_edits_a_person(client, cast):
    client.force_login(cast.branch_secretary)
    response = client.post(
        reverse("person-edit", args=[cast.member_person.pk]),
        _person_data(
            name="冯党员", phone="13800000011", party_org=cast.branch1.pk, occupation="teacher"
        ),
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=cast.member_person.pk).occupation == "teacher"
    assert ("occupation", "other", "teacher") in _last_audit().changed_fields()


def test_it_creates_and_moves_areas(client, cast):
    client.force_login(cast.street_officer)
    response = client.post(
        reverse("area-new-child", args=[cast.dapuqiao.pk]),
        {
            "name": "建一居民区",
            "kind": "community",
            "code": "310101013002",
            "centre_lat": "31.205",
            "centre_lng": "121.47",
        },
    )
    community = Area.objects.get(code="310101013002")
    assert response["Location"] == reverse("area-detail", args=[community.pk])
    assert _last_audit().verb == "area.create"
    response = client.post(
        reverse("area-move", args=[cast.grid2.pk]), {"new_parent": community.pk, "note": "调整"}
    )
    assert response.status_code == 302
    grid = Area.objects.get(pk=cast.grid2.pk)
    assert Area.objects.get_parent(grid).pk == community.pk
    # The people of the grid moved with it.
    assert Person.objects.get(pk=cast.other_grid_worker_person.pk).area_path == grid.path
    assert _last_audit().verb == "area.move"


def test_it_appoints_a_grid_worker_in_an_area(client, cast):
    client.force_login(cast.street_officer)
    response = client.post(
        reverse("area-post-new", args=[cast.grid2.pk]),
        {
            "person": cast.grid_worker_person.pk,
            "role": "mobile_grid_worker",
            "certificate_no": "DPQ-2025-0001",
        },
    )
    assert response.status_code == 302
    post = Post.objects.get(area=cast.grid2, person=cast.grid_worker_person)
    assert (post.role, post.certificate_no) == ("mobile_grid_worker", "DPQ-2025-0001")
    assert _last_audit().verb == "post.appoint"


def test_it_appoints_unit_staff(client, cast):
    client.force_login(cast.street_officer)
    response = client.post(
        reverse("unit-post-new", args=[cast.property_co.pk]),
        {"person": cast.inspector_person.pk, "role": "unit_staff"},
    )
    assert response["Location"] == reverse("unit-detail", args=[cast.property_co.pk])
    assert Post.objects.filter(unit=cast.property_co, person=cast.inspector_person).count() == 1
