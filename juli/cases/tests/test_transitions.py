"""Every move of the TRANSITIONS table from every state: legal ones move and leave one event,
illegal ones raise and change nothing."""

from __future__ import annotations

import itertools

import pytest
from django.http import Http404

from juli.cases import access, actions
from juli.cases.models import TRANSITIONS, Case, CaseEvent
from juli.cases.workflow import TransitionError
from juli.core.models import AuditLog

from .conftest import new_case, photo, put

#: Who makes each move in these tests: a holder of a role the table names.
ACTOR = {"rectify": "unit_staff", "verify": "inspector", "send_back": "inspector"}


def _kwargs(action: str, w) -> dict:  # type: ignore[no-untyped-def]
    if action == "defer":
        return {"requested_by": w.c.inspector}
    return {}


@pytest.mark.parametrize(
    ("action", "status"), list(itertools.product(TRANSITIONS, Case.Status.values))
)
def test_it_allows_exactly_the_moves_of_the_table(world, action, status):
    w = world
    case = put(new_case(w), status, w)
    actor = getattr(w.c, ACTOR.get(action, "street_officer"))
    move = TRANSITIONS[action]
    events = CaseEvent.objects.filter(case=case).count()
    audits = AuditLog.objects.count()
    if status in move.sources:
        moved = actions.transition(actor, case, action, note="理由", **_kwargs(action, w))
        assert moved.status == move.target
        assert Case.objects.get(pk=case.pk).status == move.target
        event = CaseEvent.objects.filter(case=case).latest("pk")
        assert (event.action, event.from_status, event.to_status, event.actor) == (
            action,
            status,
            move.target,
            actor,
        )
        assert CaseEvent.objects.filter(case=case).count() == events + 1
        assert AuditLog.objects.filter(verb=f"case.{action}", object_id=str(case.pk)).count() == 1
    else:
        before = Case.objects.filter(pk=case.pk).values().get()
        # The system (actor None) reaches the state check; a person who cannot see the case
        # (unit staff before dispatch) is answered 404 before anything else.
        with pytest.raises(TransitionError) as err:
            actions.transition(None, case, action, note="理由", **_kwargs(action, w))
        assert err.value.code == "illegal_state"
        expected = TransitionError if access.can_see_case(actor, case) else Http404
        with pytest.raises(expected) as err2:
            actions.transition(actor, case, action, note="理由", **_kwargs(action, w))
        if expected is TransitionError:
            assert isinstance(err2.value, TransitionError)
            assert err2.value.code == "illegal_state"
        assert Case.objects.filter(pk=case.pk).values().get() == before
        assert CaseEvent.objects.filter(case=case).count() == events
        assert AuditLog.objects.count() == audits


def test_it_walks_the_whole_loop_with_the_right_people(world):
    w, c = world, world.c
    case = new_case(w)
    assert case.status == "reported" and case.number.endswith("-000001")
    case = actions.accept_case(c.street_officer, case)
    case = actions.dispatch_case(c.street_officer, case, unit=c.property_co)
    assert case.deadline is not None and case.dispatched_at is not None
    actions.attach_photo(c.unit_staff, case, "after", photo((1, 2, 3)).file)
    case = actions.rectify_case(c.unit_staff, case, note="已清理")
    assert case.rectified_by == c.unit_staff
    case = actions.send_back_case(c.inspector, case, note="仍有垃圾")
    assert (case.status, case.rectified_by) == ("dispatched", None)
    case = actions.rectify_case(c.unit_staff, case)
    case = actions.verify_case(c.inspector, case)
    assert case.verified_by == c.inspector
    case = actions.close_case(c.street_officer, case)
    assert case.closed_at is not None
    case = actions.reopen_case(c.street_officer, case, note="群众再次反映")
    assert (case.status, case.closed_at, case.verified_by) == ("accepted", None, None)
    case = actions.defer_case(c.district_admin, case, requested_by=c.street_officer, note="待改造")
    assert (case.deferred_approver, case.deferred_by, case.deferred_reason) == (
        c.district_admin,
        c.street_officer,
        "待改造",
    )
    case = actions.resume_case(c.street_officer, case)
    assert case.status == "dispatched"
    assert list(case.events.values_list("action", flat=True)) == [
        "report",
        "accept",
        "dispatch",
        "rectify",
        "send_back",
        "rectify",
        "verify",
        "close",
        "reopen",
        "defer",
        "resume",
    ]


def test_it_keeps_the_deadline_on_send_back_and_restarts_it_on_resume(world, settings):
    w, c = world, world.c
    case = put(new_case(w), "rectified", w)
    deadline = case.deadline
    case = actions.send_back_case(c.inspector, case, note="不合格")
    assert case.deadline == deadline
    case = actions.defer_case(c.street_officer, case, requested_by=c.unit_staff, note="需改造")
    case = actions.resume_case(c.street_officer, case)
    assert case.deadline is not None and case.dispatched_at is not None
    assert case.deadline != deadline and case.deadline > case.dispatched_at


def test_it_refuses_an_unknown_action_or_argument(world):
    case = new_case(world)
    with pytest.raises(TransitionError) as err:
        actions.transition(world.c.street_officer, case, "approve")
    assert err.value.code == "unknown_action"
    with pytest.raises(TransitionError) as err:
        actions.transition(world.c.street_officer, case, "accept", unit=world.c.property_co)
    assert err.value.code == "unexpected_argument"


def test_it_dispatches_only_to_units_in_the_actors_scope(world):
    """The pages and the API offer only units in scope; the action itself holds the line
    too, for any other caller (a command, a future endpoint)."""
    from django.core.exceptions import PermissionDenied

    from juli.orgs import actions as org_actions

    elsewhere = org_actions.create_unit(
        None, name="淮海物业公司", kind="property", area=world.c.huaihai
    )
    case = put(new_case(world), "accepted", world)
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(PermissionDenied):
        actions.dispatch_case(world.c.street_officer, case, unit=elsewhere)
    assert Case.objects.get(pk=case.pk).status == "accepted"
    assert CaseEvent.objects.filter(case=case).count() == events
    # The case's own unit, and a unit in scope, are fine; the district sees the other street.
    done = actions.dispatch_case(world.c.street_officer, case, unit=world.c.property_co)
    assert done.status == "dispatched" and done.unit_id == world.c.property_co.pk
    other = put(new_case(world), "accepted", world)
    moved = actions.dispatch_case(world.c.district_admin, other, unit=elsewhere)
    assert moved.unit_id == elsewhere.pk
