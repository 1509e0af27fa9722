from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from juli.core.models import AuditLog
from juli.honours import actions
from juli.honours.actions import HonourError
from juli.honours.models import HonourCall, Nomination


def _nominate(user: Any, call: HonourCall, nominator: Any, org: Any) -> Nomination:
    return actions.nominate(user, call, nominator=nominator, nominee_org=org, reason="表现突出")


def test_it_nominates_a_branch_of_its_own_subtree(hw: Any) -> None:
    c = hw.cast
    n = _nominate(c.bureau_secretary, hw.call, c.putuo, c.branch1)
    assert (n.status, n.nominee_name, n.nominator_path) == ("nominated", "第一党支部", c.putuo.path)
    assert AuditLog.objects.filter(verb="nomination.create", object_id=str(n.pk)).count() == 1
    assert list(n.events.values_list("action", flat=True)) == ["nominate"]


def test_it_refuses_a_nomination_over_the_quota_and_writes_nothing(hw: Any) -> None:
    c = hw.cast
    _nominate(c.bureau_secretary, hw.call, c.putuo, c.branch1)
    _nominate(c.bureau_secretary, hw.call, c.putuo, c.branch2)
    with pytest.raises(HonourError) as exc:
        _nominate(c.bureau_secretary, hw.call, c.putuo, c.putuo)
    assert exc.value.code == "over_quota"
    assert "2 places, 2 taken" in str(exc.value)
    assert Nomination.objects.count() == 2


def test_it_refuses_a_nomination_over_the_quota_per_nominator(hw: Any) -> None:
    c = hw.cast
    call = actions.open_call(
        None,
        hw.person_kind,
        year=2025,
        nominate_until=datetime.date(2099, 1, 1),
        quota=5,
        per_nominator_quota=1,
    )
    actions.nominate(
        c.branch_secretary, call, nominator=c.branch1, nominee_person=c.member_person, reason="好"
    )
    with pytest.raises(HonourError) as exc:
        actions.nominate(
            c.branch_secretary,
            call,
            nominator=c.branch1,
            nominee_person=c.branch_secretary_person,
            reason="好",
        )
    assert exc.value.code == "over_quota"
    assert "nominator" in exc.value.message_dict
    assert Nomination.objects.filter(call=call).count() == 1


def test_it_refuses_a_nominee_outside_the_nominators_subtree(hw: Any) -> None:
    c = hw.cast
    with pytest.raises(HonourError) as exc:
        _nominate(c.branch_secretary, hw.call, c.branch1, c.branch2)
    assert exc.value.code == "outside_subtree"
    assert Nomination.objects.count() == 0


def test_it_refuses_a_duplicate_nominee(hw: Any) -> None:
    c = hw.cast
    _nominate(c.branch_secretary, hw.call, c.branch1, c.branch1)
    with pytest.raises(HonourError) as exc:
        _nominate(c.bureau_secretary, hw.call, c.putuo, c.branch1)
    assert exc.value.code == "duplicate"
    assert Nomination.objects.count() == 1


def test_it_refuses_a_nominator_the_kind_does_not_allow(hw: Any) -> None:
    c = hw.cast
    hw.kind.nominators.set([c.putuo])
    with pytest.raises(PermissionDenied):
        _nominate(c.branch_secretary, hw.call, c.branch1, c.branch1)
    with pytest.raises(PermissionDenied):  # an outsider's organisation
        _nominate(c.sibling_secretary, hw.call, c.putuo, c.branch2)
    assert Nomination.objects.count() == 0


def test_it_refuses_nominations_after_the_deadline(hw: Any) -> None:
    c = hw.cast
    with pytest.raises(HonourError) as exc:
        actions.nominate(
            c.bureau_secretary,
            hw.call,
            nominator=c.putuo,
            nominee_org=c.branch1,
            reason="x",
            today=datetime.date(2100, 1, 1),
        )
    assert exc.value.code == "deadline_passed"


def test_it_reviews_confers_and_publishes_with_numbers(hw: Any) -> None:
    c = hw.cast
    a = _nominate(c.bureau_secretary, hw.call, c.putuo, c.branch2)
    b = _nominate(c.bureau_secretary, hw.call, c.putuo, c.branch1)
    with pytest.raises(HonourError) as exc:  # a rejection needs a reason
        actions.review(c.bureau_secretary, a, accept=False)
    assert exc.value.code == "invalid"
    actions.review(c.bureau_secretary, a, accept=False, reason="材料不全")
    actions.review(c.bureau_secretary, b, accept=True)
    actions.close_nominations(c.bureau_secretary, hw.call)
    call = actions.confer(c.bureau_secretary, hw.call, conferred_on=datetime.date(2025, 7, 1))
    honour = call.honours.get()
    assert (honour.number, honour.holder_name, honour.status) == (
        "2025-BYZB-001",
        "第一党支部",
        "conferred",
    )
    assert Nomination.objects.get(pk=b.pk).status == "conferred"
    call = actions.publish(c.bureau_secretary, call)
    honour.refresh_from_db()
    assert honour.status == "published" and honour.published_at == call.published_at
    verbs = set(AuditLog.objects.values_list("verb", flat=True))
    assert {"honour_call.close", "honour_call.confer", "honour_call.publish"} <= verbs


def test_it_refuses_illegal_moves_and_writes_nothing(hw: Any) -> None:
    c = hw.cast
    with pytest.raises(HonourError) as exc:
        actions.publish(c.bureau_secretary, hw.call)
    assert exc.value.code == "illegal_state"
    actions.close_nominations(c.bureau_secretary, hw.call)
    with pytest.raises(HonourError) as exc:  # nothing accepted
        actions.confer(c.bureau_secretary, hw.call)
    assert exc.value.code == "none_accepted"
    with pytest.raises(HonourError) as exc:  # no nominations in review
        _nominate(c.bureau_secretary, hw.call, c.putuo, c.branch1)
    assert exc.value.code == "illegal_state"
    assert HonourCall.objects.get(pk=hw.call.pk).status == "reviewing"


def test_it_refuses_conferral_while_a_nomination_is_undecided(hw: Any) -> None:
    c = hw.cast
    a = _nominate(c.bureau_secretary, hw.call, c.putuo, c.branch1)
    _nominate(c.bureau_secretary, hw.call, c.putuo, c.branch2)
    actions.review(c.bureau_secretary, a, accept=True)
    actions.close_nominations(c.bureau_secretary, hw.call)
    with pytest.raises(HonourError) as exc:
        actions.confer(c.bureau_secretary, hw.call)
    assert exc.value.code == "undecided"
    assert not hw.call.honours.exists()


def test_it_lets_only_the_runners_review(hw: Any) -> None:
    c = hw.cast
    n = _nominate(c.branch_secretary, hw.call, c.branch1, c.branch1)
    with pytest.raises(PermissionDenied):
        actions.review(c.branch_secretary, n, accept=True)
    assert Nomination.objects.get(pk=n.pk).status == "nominated"


def test_it_frees_the_place_of_a_withdrawn_nomination(hw: Any) -> None:
    c = hw.cast
    a = _nominate(c.bureau_secretary, hw.call, c.putuo, c.branch1)
    _nominate(c.bureau_secretary, hw.call, c.putuo, c.branch2)
    actions.withdraw(c.bureau_secretary, a)
    _nominate(c.bureau_secretary, hw.call, c.putuo, c.branch1)  # again, after withdrawal
    assert Nomination.objects.filter(status="nominated").count() == 2
