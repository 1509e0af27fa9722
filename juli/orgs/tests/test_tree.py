"""Tree changes keep history; bad moves are refused and change nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from juli.core.models import AppendOnlyError, AuditLog
from juli.orgs import actions
from juli.orgs.models import PartyOrg, Person, Post, TreeChange


def test_it_refuses_to_move_an_org_under_its_own_descendant(cast):
    before = (cast.branch1.path, PartyOrg.objects.count(), AuditLog.objects.count())
    with pytest.raises(ValidationError, match="own descendant"):
        actions.move_org(cast.bureau_secretary, cast.branch1, cast.group1)
    cast.branch1.refresh_from_db()
    assert (cast.branch1.path, PartyOrg.objects.count(), AuditLog.objects.count()) == before


def test_it_refuses_to_move_an_org_under_itself(cast):
    with pytest.raises(ValidationError):
        actions.move_org(None, cast.branch1, cast.branch1)


def test_it_refuses_a_move_into_a_kind_that_cannot_hold_it(cast):
    with pytest.raises(ValidationError, match="cannot sit under"):
        actions.move_org(None, cast.branch2, cast.branch1)


def test_it_moves_a_subtree_and_keeps_its_history(cast):
    general = actions.create_org(
        cast.bureau_secretary, cast.putuo, name="机关党总支", kind="general_branch", code="PT-ZZ"
    )
    old_path = cast.branch1.path
    actions.move_org(cast.bureau_secretary, cast.branch1, general, note="机构调整")
    cast.branch1.refresh_from_db()
    cast.group1.refresh_from_db()
    assert PartyOrg.objects.get_parent(cast.branch1).pk == general.pk
    assert cast.group1.path.startswith(cast.branch1.path)
    # People's copied paths follow the subtree, so scoping still works in one query.
    member = Person.objects.get(pk=cast.member_person.pk)
    assert member.org_path == cast.branch1.path
    change = TreeChange.objects.get(node_id=cast.branch1.pk, verb="moved")
    assert (change.old_path, change.new_path, change.old_parent_name, change.new_parent_name) == (
        old_path,
        cast.branch1.path,
        "普陀区绿化和市容管理局党组",
        "机关党总支",
    )
    row = AuditLog.objects.get(verb="org.move")
    assert row.before == {"parent": cast.putuo.pk, "path": old_path}
    assert row.actor == cast.bureau_secretary


def test_it_refuses_a_move_by_someone_without_rights_over_both_places(cast):
    with pytest.raises(PermissionDenied):
        actions.move_org(cast.branch_secretary, cast.group1, cast.branch2)
    with pytest.raises(PermissionDenied):
        # A secretary cannot move their own organisation: that is decided above them.
        actions.move_org(cast.branch_secretary, cast.branch1, cast.putuo)


def test_it_merges_an_org_moving_members_and_ending_posts(cast):
    actions.merge_org(cast.bureau_secretary, cast.branch1, cast.branch2, note="支部合并")
    cast.branch1.refresh_from_db()
    assert cast.branch1.status == "merged"
    assert cast.branch1.merged_into_id == cast.branch2.pk
    assert Person.objects.get(pk=cast.member_person.pk).party_org_id == cast.branch2.pk
    post = Post.objects.get(person=cast.branch_secretary_person, org=cast.branch1)
    assert post.ended_on is not None
    # The group moved over with its history kept.
    cast.group1.refresh_from_db()
    assert PartyOrg.objects.get_parent(cast.group1).pk == cast.branch2.pk
    assert TreeChange.objects.filter(node_id=cast.branch1.pk, verb="merged").count() == 1
    assert TreeChange.objects.filter(node_id=cast.group1.pk, verb="moved").count() == 1


def test_it_refuses_to_retire_an_org_that_still_has_children_or_members(cast):
    with pytest.raises(ValidationError, match="child organisations"):
        actions.retire_org(cast.bureau_secretary, cast.branch1, note="撤销")
    with pytest.raises(ValidationError, match="reason"):
        actions.retire_org(cast.bureau_secretary, cast.branch2, note=" ")


def test_it_retires_an_org_and_keeps_it_visible_as_history(cast):
    retired = actions.create_org(
        cast.bureau_secretary,
        cast.putuo,
        name="离退休党支部",
        kind="branch",
        code="PT-LT",
        is_retired_members=True,
    )
    actions.retire_org(cast.bureau_secretary, retired, note="并入社区管理")
    retired.refresh_from_db()
    assert retired.status == "retired" and retired.ended_at is not None
    assert PartyOrg.objects.filter(pk=retired.pk).exists()
    with pytest.raises(ValidationError, match="cannot take new children"):
        actions.create_org(None, retired, name="小组", kind="group", code="PT-LT-1")


@pytest.mark.parametrize("phone", ["12345", "23800000000", "1380000000a", "138000000001"])
def test_it_refuses_malformed_phone_numbers_with_a_clear_message(cast, phone):
    count = Person.objects.count()
    with pytest.raises(ValidationError) as info:
        actions.create_person(cast.street_officer, name="新居民", phone=phone, area=cast.mengxi)
    assert "11-digit" in str(info.value)
    assert Person.objects.count() == count


def test_it_refuses_a_duplicate_phone(cast):
    with pytest.raises(ValidationError):
        actions.create_person(
            cast.street_officer, name="重号", phone="13800000004", area=cast.mengxi
        )


def test_it_refuses_areas_without_a_statistical_code(cast):
    with pytest.raises(ValidationError, match="12-digit"):
        actions.create_area(
            cast.district_admin, cast.huangpu, name="新街道", kind="street", code="12"
        )


def test_it_refuses_a_role_in_the_wrong_kind_of_place(cast):
    with pytest.raises(ValidationError):
        actions.appoint(cast.street_officer, cast.member_person, "grid_worker", org=cast.mengxi_org)


def test_it_keeps_the_audit_log_append_only(cast):
    row = AuditLog.objects.first()
    assert row is not None
    row.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=row.pk).update(note="x")


@pytest.mark.django_db(transaction=True)
def test_it_refuses_raw_rewrites_of_the_audit_log_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the database trigger exists on PostgreSQL only")
    from django.db import DatabaseError, transaction

    actions.create_unit(None, name="测试单位", kind="company")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_auditlog SET note = 'x'")


def test_it_records_before_and_after_and_the_ip(cast, rf):
    from juli.core.context import request_ip

    with request_ip("10.1.2.3"):
        actions.update_person(cast.street_officer, cast.grid_worker_person, occupation="volunteer")
    row = AuditLog.objects.get(verb="person.update")
    assert row.ip == "10.1.2.3"
    assert row.changed_fields() == [("occupation", "other", "volunteer")]
    assert row.scope_kind == "area" and row.scope_path == cast.grid1.path


def test_it_answers_healthz_with_the_database_status(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"]["ok"] is True
