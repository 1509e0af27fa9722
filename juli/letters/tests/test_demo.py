"""The letters demo: the Putuo bureau's letters with its four branches, signed, with evidence
across the year, last year's published and this year's assessment in progress."""

from __future__ import annotations

from typing import Any

import pytest

from juli.letters import demo, integrity
from juli.letters.models import Letter, Signature, Status
from juli.orgs.demo import build_demo as build_org_demo


@pytest.mark.django_db
def test_it_builds_the_putuo_letters_once(settings: Any) -> None:
    build_org_demo(people=0)
    counts = demo.build_demo()
    assert counts["letter_templates"] == 2
    assert counts["letters"] == 8 and counts["letters_signed"] == 8
    assert counts["evidence"] > 30
    assert demo.build_demo()["letters"] == 0  # a second run adds nothing
    year_letters = Letter.objects.filter(template__copied_from__isnull=False).order_by(
        "receiver_path"
    )
    assert [x.receiver_org.code for x in year_letters] == ["PT-JG", "PT-LH", "PT-HW", "PT-SR"]
    assert [x.status for x in year_letters] == [Status.SIGNED] * 4
    organ = year_letters[0]
    assert (
        organ.self_total is not None and organ.items.filter(self_score__isnull=False).count() == 10
    )
    assert organ.receiver_post.person.user.username == "branch_secretary"
    for letter in Letter.objects.all():
        assert integrity.verify(integrity.verification_code(letter)).state == "valid"
        assert Signature.objects.filter(letter=letter, voided_at__isnull=True).count() == 2
    assert set(Letter.objects.exclude(pk__in=year_letters).values_list("status", flat=True)) == {
        Status.PUBLISHED
    }
    assert year_letters[1].items.filter(specific=True).count() == 1
    signed_at = year_letters[0].signed_at
    assert signed_at is not None and signed_at.month == 3
