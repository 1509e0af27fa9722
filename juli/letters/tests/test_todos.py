"""Responsibility letters on the work-bench (`juli/letters/todos.py`): to sign, to
self-assess, to review and to publish, each for its own side only."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from juli.core import todos as registry
from juli.letters import actions
from juli.letters import todos as letter_todos
from juli.letters.models import Letter
from juli.orgs.auth import UsernameOrPhoneBackend

from .conftest import SIGNATURE, make_letters


def bench(user: Any) -> dict[str, int]:
    fresh = UsernameOrPhoneBackend().get_user(user.pk)
    return {
        k.key: k.count
        for g in registry.for_user(fresh)
        for k in g.kinds
        if k.key.startswith("letters.")
    }


def urls(user: Any, key: str) -> list[str]:
    fresh = UsernameOrPhoneBackend().get_user(user.pk)
    kind = registry.kind_for(fresh, key)
    assert kind is not None
    return [t.url for t in kind.items(fresh, 10, 0)]


@pytest.fixture
def june(monkeypatch: Any) -> None:
    """Mid-year: this year's signed letters do not wait for their assessment yet."""
    monkeypatch.setattr(
        letter_todos.timezone, "localdate", lambda value=None: datetime.date(2026, 6, 1)
    )


def test_it_asks_each_secretary_for_their_own_signature(cast: Any, june: None) -> None:
    w = make_letters(cast)
    c = cast
    assert bench(c.bureau_secretary) == {"letters.sign": 2}  # issuer of both letters
    assert bench(c.branch_secretary) == {"letters.sign": 1}  # receiver of the first
    assert bench(c.sibling_secretary) == {"letters.sign": 1}
    assert urls(c.branch_secretary, "letters.sign") == [f"/letters/{w.letter.pk}/sign/"]
    for other in (c.street_officer, c.district_admin, c.grid_worker, c.outsider):
        assert bench(other) == {}
    actions.sign_letter(c.branch_secretary, w.letter, "receiver", method="drawn", image=SIGNATURE)
    assert bench(c.branch_secretary) == {}
    assert bench(c.bureau_secretary) == {"letters.sign": 2}  # its own side still open
    actions.sign_letter(c.bureau_secretary, w.letter, "issuer", method="drawn", image=SIGNATURE)
    assert bench(c.bureau_secretary) == {"letters.sign": 1}


def test_it_walks_the_assessment_between_the_two_sides(
    cast: Any, monkeypatch: Any, june: None
) -> None:
    w = make_letters(cast)
    c = cast
    for signer, side in ((c.bureau_secretary, "issuer"), (c.branch_secretary, "receiver")):
        actions.sign_letter(signer, w.letter, side, method="drawn", image=SIGNATURE)
    letter = Letter.objects.get(pk=w.letter.pk)
    assert bench(c.branch_secretary) == {}  # June: the year is not over
    monkeypatch.setattr(
        letter_todos.timezone, "localdate", lambda value=None: datetime.date(2026, 12, 1)
    )
    assert bench(c.branch_secretary) == {"letters.self_assess": 1}
    assert urls(c.branch_secretary, "letters.self_assess") == [f"/letters/{letter.pk}/assessment/"]
    monkeypatch.setattr(
        letter_todos.timezone, "localdate", lambda value=None: datetime.date(2026, 6, 1)
    )
    items = list(letter.items.all())
    scores = {i.pk: (str(i.points), "") for i in items}
    actions.save_self_assessment(c.branch_secretary, letter, scores)  # a draft, in June
    assert bench(c.branch_secretary) == {"letters.self_assess": 1}  # started: it waits
    actions.save_self_assessment(c.branch_secretary, letter, scores, submit=True)
    assert bench(c.branch_secretary) == {}
    assert bench(c.sibling_secretary) == {"letters.sign": 1}  # their own letter, unsigned
    assert bench(c.bureau_secretary) == {"letters.sign": 1, "letters.review": 1}
    letter = Letter.objects.get(pk=letter.pk)
    actions.save_review(c.bureau_secretary, letter, {}, finish=True)
    assert bench(c.bureau_secretary) == {"letters.sign": 1, "letters.publish": 1}
    actions.publish(c.bureau_secretary, Letter.objects.get(pk=letter.pk))
    assert bench(c.bureau_secretary) == {"letters.sign": 1}
