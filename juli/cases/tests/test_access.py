"""Who sees which case and who may make which move: scope, roles and the four-eyes rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from juli.cases import access, actions
from juli.cases.models import Case, CaseEvent
from juli.cases.workflow import TransitionError
from juli.core.models import AuditLog

from .conftest import new_case, photo, put


def _unchanged(case: Case, events: int, audits: int) -> None:
    assert Case.objects.get(pk=case.pk).status == case.status
    assert CaseEvent.objects.filter(case=case).count() == events
    assert AuditLog.objects.count() == audits


def test_it_hides_another_grids_case_from_a_grid_worker(world):
    case = new_case(world, area=world.c.grid2, actor=world.c.other_grid_worker)
    with pytest.raises(Http404):
        access.access_case(world.c.grid_worker, case.pk)
    assert access.access_case(world.c.other_grid_worker, case.pk) == case
    assert not access.visible_cases(world.c.grid_worker).filter(pk=case.pk).exists()


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        ("district_admin", True),
        ("street_officer", True),
        ("inspector", True),
        ("grid_worker", True),
        ("other_grid_worker", False),
        ("unit_staff", False),  # not dispatched to the unit yet
        ("branch_secretary", False),
        ("outsider", False),
        ("platform_admin", True),
    ],
)
def test_it_scopes_cases_to_the_area_subtree(world, viewer, sees):
    case = new_case(world)
    user = getattr(world.c, viewer)
    assert access.visible_cases(user).filter(pk=case.pk).exists() is sees
    assert access.can_see_case(user, case) is sees
    if not sees:
        with pytest.raises(Http404):
            access.access_case(user, case.pk)


def test_it_shows_unit_staff_the_cases_dispatched_to_their_unit(world):
    c = world.c
    case = actions.accept_case(c.street_officer, new_case(world))
    assert not access.visible_cases(c.unit_staff).exists()
    actions.dispatch_case(c.street_officer, case, unit=c.property_co)
    assert list(access.visible_cases(c.unit_staff)) == [case]
    assert access.access_case(c.unit_staff, case.pk, write=True) == case


def test_it_answers_404_for_garbage_ids(world):
    with pytest.raises(Http404):
        access.access_case(world.c.street_officer, "abc")


@pytest.mark.parametrize(
    ("action", "status", "actor"),
    [
        ("accept", "reported", "grid_worker"),
        ("accept", "reported", "inspector"),
        ("reject", "reported", "inspector"),
        ("dispatch", "accepted", "inspector"),
        ("rectify", "dispatched", "inspector"),
        ("rectify", "dispatched", "grid_worker"),
        ("verify", "rectified", "grid_worker"),
        ("verify", "rectified", "unit_staff"),
        ("close", "verified", "inspector"),
        ("close", "verified", "unit_staff"),
        ("reopen", "closed", "inspector"),
    ],
)
def test_it_refuses_a_role_the_table_does_not_name(world, action, status, actor):
    case = put(new_case(world), status, world)
    events, audits = CaseEvent.objects.filter(case=case).count(), AuditLog.objects.count()
    with pytest.raises(PermissionDenied):
        actions.transition(getattr(world.c, actor), case, action, note="x")
    _unchanged(case, events, audits)
    assert action not in access.available_actions(getattr(world.c, actor), case)


@pytest.mark.parametrize("actor", ["other_grid_worker", "outsider", "branch_secretary"])
def test_it_answers_404_to_an_actor_outside_the_cases_scope(world, actor):
    case = new_case(world)
    events, audits = CaseEvent.objects.filter(case=case).count(), AuditLog.objects.count()
    with pytest.raises(Http404):
        actions.accept_case(getattr(world.c, actor), case)
    _unchanged(case, events, audits)


def test_it_refuses_a_street_officer_of_another_street(world):
    from juli.orgs import actions as org_actions

    other = org_actions.create_person(None, name="淮海官", phone="13900000001")
    org_actions.appoint(None, other, "street_officer", area=world.c.huaihai)
    user = org_actions.create_account(None, other, "huaihai", "x", validate_password=False)
    with pytest.raises(Http404):
        actions.accept_case(user, new_case(world))


def test_it_does_not_let_the_rectifier_verify(world):
    c = world.c
    case = put(new_case(world), "dispatched", world)
    case = actions.rectify_case(c.street_officer, case)  # on the unit's behalf
    events, audits = CaseEvent.objects.filter(case=case).count(), AuditLog.objects.count()
    for step in (actions.verify_case, actions.send_back_case):
        with pytest.raises(TransitionError) as err:
            step(c.street_officer, case, note="x")
        assert err.value.code == "same_person"
    _unchanged(case, events, audits)
    assert access.available_actions(c.street_officer, case) == []
    assert access.available_actions(c.inspector, case) == ["verify", "send_back"]
    assert actions.verify_case(c.inspector, case).status == "verified"


def test_it_wants_an_approver_other_than_the_requester(world):
    c = world.c
    case = put(new_case(world), "dispatched", world)
    events, audits = CaseEvent.objects.filter(case=case).count(), AuditLog.objects.count()
    with pytest.raises(TransitionError) as err:
        actions.defer_case(c.street_officer, case, requested_by=c.street_officer, note="缺资金")
    assert err.value.code == "same_person"
    with pytest.raises(PermissionDenied):  # the approver holds an office role
        actions.defer_case(c.inspector, case, requested_by=c.unit_staff, note="缺资金")
    with pytest.raises(TransitionError) as err:
        actions.defer_case(c.street_officer, case, requested_by=c.other_grid_worker, note="缺资金")
    assert err.value.code == "requester_out_of_scope"
    with pytest.raises(TransitionError) as err:
        actions.transition(c.street_officer, case, "defer", note="缺资金")
    assert err.value.code == "requester_required"
    _unchanged(case, events, audits)
    case = actions.defer_case(c.street_officer, case, requested_by=c.unit_staff, note="缺资金")
    assert (case.status, case.deferred_approver, case.deferred_by) == (
        "deferred",
        c.street_officer,
        c.unit_staff,
    )


def test_it_needs_an_after_photo_to_rectify(world):
    c = world.c
    case = actions.accept_case(c.street_officer, new_case(world))
    case = actions.dispatch_case(c.street_officer, case, unit=c.property_co)
    with pytest.raises(TransitionError) as err:
        actions.rectify_case(c.unit_staff, case)
    assert err.value.code == "after_photo_required"
    actions.attach_photo(c.grid_worker, case, "before", photo().file)
    with pytest.raises(TransitionError):  # a before-photo does not count
        actions.rectify_case(c.unit_staff, case)
    actions.attach_photo(c.unit_staff, case, "after", photo((9, 9, 9)).file, {"width": 1})
    assert actions.rectify_case(c.unit_staff, case).status == "rectified"


@pytest.mark.parametrize("action", ["reject", "send_back", "reopen", "defer"])
def test_it_wants_a_reason_for_refusals_and_reversals(world, action):
    status = {
        "reject": "reported",
        "send_back": "rectified",
        "reopen": "closed",
        "defer": "accepted",
    }
    case = put(new_case(world), status[action], world)
    actor = world.c.inspector if action == "send_back" else world.c.street_officer
    extra = {"requested_by": world.c.inspector} if action == "defer" else {}
    with pytest.raises(TransitionError) as err:
        actions.transition(actor, case, action, note="  ", **extra)
    assert err.value.code == "note_required"


def test_it_needs_a_unit_to_dispatch(world):
    case = actions.accept_case(world.c.street_officer, new_case(world))
    with pytest.raises(TransitionError) as err:
        actions.dispatch_case(world.c.street_officer, case)
    assert err.value.code == "unit_required"


def test_it_lets_only_who_may_rectify_add_after_photos(world):
    c = world.c
    case = put(new_case(world), "dispatched", world)
    with pytest.raises(PermissionDenied):
        actions.attach_photo(c.grid_worker, case, "after", photo((5, 5, 5)).file)
    with pytest.raises(Http404):
        actions.attach_photo(c.other_grid_worker, case, "before", photo((5, 5, 5)).file)
    first = actions.attach_photo(c.unit_staff, case, "after", photo((5, 5, 5)).file)
    again = actions.attach_photo(c.unit_staff, case, "after", photo((5, 5, 5)).file)
    assert first == again and case.photos.filter(kind="after").count() == 2  # put() added one
