"""Dossier test world: branch 1 of the cast with a year of real records: its 2026 letter
signed, evidenced (a file), self-assessed, reviewed and published; a party lecture held
with a roster (one present, one on leave, one absent), a material and confirmed minutes.
Plus a test section registered for the duration of a test, to prove that the dossier
renders any section it does not know."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from juli.core import dossier as registry
from juli.core.dossier import Block, DossierFile, Section, SectionKind
from juli.letters import actions as letters
from juli.letters.tests.conftest import make_letters, sign_both
from juli.meetings.actions import attendance, plan
from juli.meetings.actions import minutes as minutes_actions
from juli.meetings.actions.plan import PartSpec
from juli.meetings.models import Attendee
from juli.meetings.tests.conftest import at, make_meeting, mw  # noqa: F401 - the fixture
from juli.orgs.models import PartyOrg

YEAR = 2026
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def dw(mw: Any) -> SimpleNamespace:  # noqa: F811
    c = mw.c
    w = SimpleNamespace(c=c, mw=mw)
    # The letter, from issue to publication.
    lw = make_letters(c)
    letter = sign_both(lw)
    first, second, third, fourth = list(letter.items.order_by("order"))
    w.evidence = letters.add_evidence(
        c.branch_secretary,
        letter,
        title="第一议题学习记录",
        items=[first],
        upload=SimpleUploadedFile("学习记录.pdf", PDF, "application/pdf"),
    )
    # A second file with the same name: the zip must keep both.
    letters.add_evidence(
        c.branch_secretary,
        letter,
        title="第一议题学习记录（补）",
        items=[first],
        upload=SimpleUploadedFile("学习记录.pdf", PDF + b"%2", "application/pdf"),
    )
    letters.add_evidence(c.branch_secretary, letter, title="志愿服务台账", items=[third], note="8h")
    letters.save_self_assessment(
        c.branch_secretary,
        letter,
        {
            first.pk: ("20", "全年12次"),
            second.pk: ("28.5", ""),
            third.pk: ("25", ""),
            fourth.pk: ("24", ""),
        },
        remark="全面完成年度目标",
        submit=True,
    )
    letters.save_review(
        c.bureau_secretary,
        letter,
        {third.pk: ("15", "志愿服务时长不足")},
        remark="总体较好",
        finish=True,
    )
    letters.publish(c.bureau_secretary, letter)
    w.letter = type(letter).objects.get(pk=letter.pk)
    w.lw = lw
    # Branch 1 exists since the start of the year (it owes every period of it).
    PartyOrg.objects.filter(pk=c.branch1.pk).update(founded_on=datetime.date(YEAR, 1, 1))
    c.branch1.refresh_from_db()
    # A party lecture held on 10 November, with its record confirmed.
    meeting = make_meeting(
        c.branch1,
        "party_lecture",
        title="专题党课：学习党章",
        starts_at=at(datetime.date(YEAR, 11, 10)),
        actor=c.branch_secretary,
        parts=[PartSpec(presider=c.branch_secretary_person, agenda=[("学习党章第一章", "单田芳")])],
    )
    plan.add_document(
        c.branch_secretary,
        meeting,
        upload=SimpleUploadedFile("党课讲稿.pdf", PDF, "application/pdf"),
        title="党课讲稿",
    )
    rows = {a.person_id: a for a in Attendee.objects.filter(meeting=meeting)}
    attendance.proxy_sign_in(
        c.branch_secretary, rows[mw.member_person.pk], reason="代签", now=meeting.starts_at
    )
    attendance.record_leave(c.branch_secretary, rows[mw.member2_person.pk], reason="出差")
    minutes = minutes_actions.start_minutes(c.branch_secretary, meeting)
    minutes_actions.confirm_minutes(c.branch_secretary, minutes)
    meeting.refresh_from_db()
    w.meeting = meeting
    w.minutes = minutes
    w.rows = rows
    return w


def _extra_build(org: Any, year: int, user: Any) -> Section | None:
    if year != YEAR:
        return None
    return Section(
        title="测试附加章节",
        blocks=[Block.heading("附加小标题"), Block.paragraph("附加段落内容")],
        files=[
            DossierFile("a/../b:c.txt", b"one", source="test bytes"),
            DossierFile("a/../b:c.txt", b"two", source="test bytes again"),
        ],
    )


def _broken_build(org: Any, year: int, user: Any) -> Section | None:
    raise RuntimeError("boom")


@pytest.fixture
def extra_section() -> Any:
    kind = registry.register(SectionKind("zz_extra", "Extra test section", _extra_build, 900))
    yield kind
    registry.unregister("zz_extra")


@pytest.fixture
def broken_section() -> Any:
    kind = registry.register(SectionKind("zz_broken", "Broken test section", _broken_build, 950))
    yield kind
    registry.unregister("zz_broken")


__all__ = ["mw"]
