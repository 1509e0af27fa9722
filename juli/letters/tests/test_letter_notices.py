"""Every hand-over of a responsibility letter is told (issue 14): issued → the receiving
secretary; signed → the other party; self-assessment submitted → the issuing secretary;
returned, graded, published → the receiving secretary. One row each, the actor never; the
organisation's channel that takes the kind gets one delivery; a replay adds nothing."""

from __future__ import annotations

from typing import Any

import pytest

from juli.letters import actions, notices
from juli.letters.models import Letter
from juli.notify import actions as notify_actions
from juli.notify.models import Delivery, Notification

from .conftest import SIGNATURE, make_letters, sign_both

LETTER_KINDS = [
    "letter_issued",
    "letter_signed",
    "letter_assessed",
    "letter_returned",
    "letter_graded",
    "letter_published",
]


@pytest.fixture
def channels(cast: Any) -> Any:
    """The first branch's channel takes every letter kind; the party group's takes none."""
    branch = notify_actions.create_channel(
        None,
        cast.branch1,
        name="一支部群",
        kind="email",
        target="b1@example.cn",
        kinds=LETTER_KINDS,
    )
    notify_actions.create_channel(
        None, cast.putuo, name="局党组", kind="email", target="dz@example.cn", kinds=["ranking"]
    )
    return branch


def _told(letter: Letter, kind: str) -> list[str]:
    return sorted(
        Notification.objects.filter(kind=kind, url=f"/letters/{letter.pk}/").values_list(
            "recipient__username", flat=True
        )
    )


def _scores(letter: Letter, value: str = "20") -> dict[int, tuple[str, str]]:
    return {item.pk: (str(min(int(value), int(item.points))), "") for item in letter.items.all()}


def test_it_tells_the_receiving_secretary_of_an_issued_letter(cast: Any, channels: Any) -> None:
    w = make_letters(cast)
    assert _told(w.letter, "letter_issued") == ["branch_secretary"]
    assert _told(w.sibling_letter, "letter_issued") == ["sibling_secretary"]
    row = Notification.objects.get(recipient=cast.branch_secretary)
    assert row.text == (
        "“2026年度基层党建工作目标责任书” from 普陀区绿化和市容管理局党组 awaits your signature"
    )
    # The first branch's channel: its own letter only; the party group's takes no letter kind.
    (delivery,) = Delivery.objects.all()
    assert (delivery.channel, delivery.kind) == (channels, "letter_issued")


def test_each_signature_tells_the_other_party(cast: Any, channels: Any) -> None:
    w = make_letters(cast)
    actions.sign_letter(cast.bureau_secretary, w.letter, "issuer", method="drawn", image=SIGNATURE)
    assert _told(w.letter, "letter_signed") == ["branch_secretary"]
    (first,) = Notification.objects.filter(kind="letter_signed")
    assert first.text.endswith("your signature is awaited")
    actions.sign_letter(
        cast.branch_secretary, w.letter, "receiver", method="drawn", image=SIGNATURE
    )
    assert _told(w.letter, "letter_signed") == ["branch_secretary", "bureau_secretary"]
    last = Notification.objects.get(kind="letter_signed", recipient=cast.bureau_secretary)
    assert last.text == (
        "“2026年度基层党建工作目标责任书” is signed by both parties (第一党支部 signed last)"
    )
    # The signer is never told of their own signature.
    assert not Notification.objects.filter(
        kind="letter_signed", recipient=cast.branch_secretary, pk__gt=first.pk
    ).exists()
    # The second signature went to the issuer side: the branch's channel is not the issuer's.
    assert Delivery.objects.filter(kind="letter_signed").count() == 1


def test_the_assessment_steps_tell_the_next_party(cast: Any, channels: Any) -> None:
    w = make_letters(cast)
    letter = sign_both(w)
    letter = actions.save_self_assessment(
        cast.branch_secretary, letter, _scores(letter), submit=True
    )
    assert _told(letter, "letter_assessed") == ["bureau_secretary"]
    letter = actions.return_self_assessment(cast.bureau_secretary, letter, note="请补充佐证")
    assert _told(letter, "letter_returned") == ["branch_secretary"]
    returned = Notification.objects.get(kind="letter_returned")
    assert returned.text.endswith("was returned: 请补充佐证")
    letter = actions.save_self_assessment(
        cast.branch_secretary, letter, _scores(letter), submit=True
    )
    assert _told(letter, "letter_assessed") == ["bureau_secretary", "bureau_secretary"]
    letter = actions.save_review(cast.bureau_secretary, letter, {}, finish=True)
    graded = Notification.objects.get(kind="letter_graded")
    assert graded.recipient == cast.branch_secretary
    assert graded.text == (
        f"“2026年度基层党建工作目标责任书” assessed: {letter.final_total} points, "
        f"{actions.GRADE_LABELS[letter.grade]}"
    )
    letter = actions.publish(cast.bureau_secretary, letter)
    assert _told(letter, "letter_published") == ["branch_secretary"]
    # Drafts of scores tell nobody.
    assert Notification.objects.filter(recipient=cast.bureau_secretary).count() == 3
    # The branch's channel took every step addressed to the branch.
    assert sorted(Delivery.objects.values_list("kind", flat=True)) == [
        "letter_graded",
        "letter_issued",
        "letter_published",
        "letter_returned",
        "letter_signed",
    ]


def test_a_replayed_notice_adds_nothing(cast: Any, channels: Any) -> None:
    w = make_letters(cast, issue=False)
    letter = actions.issue_letter(None, w.letter)
    rows, deliveries = Notification.objects.count(), Delivery.objects.count()
    assert (rows, deliveries) == (1, 1)
    from django.utils import timezone

    now = timezone.now()
    for _ in range(2):
        notices._tell(
            letter,
            "issue",
            notices.ISSUED,
            "x",  # type: ignore[arg-type]
            "receiver",
            None,
            now=now,
        )
    assert (Notification.objects.count(), Delivery.objects.count()) == (2, 2)
