"""The letters and meetings sections of the dossier, built from real records."""

from __future__ import annotations

from typing import Any

import pytest

from juli.core import dossier as registry
from juli.letters import dossier as letters_dossier
from juli.meetings import dossier as meetings_dossier
from juli.meetings.models import MakeUp

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def _facts(section: Any) -> dict[str, str]:
    return dict(next(b for b in section.blocks if b.kind == "facts").rows)


def _tables(section: Any) -> list[Any]:
    return [b for b in section.blocks if b.kind == "table"]


def test_both_sections_are_registered_in_order() -> None:
    keys = [k.key for k in registry.kinds()]
    assert keys.index("letters") < keys.index("meetings")
    assert {k.key: k.order for k in registry.kinds()}["letters"] == 10
    assert {k.key: k.order for k in registry.kinds()}["meetings"] == 20


def test_the_letters_section_holds_the_letter_its_scores_signatures_and_evidence(dw: Any) -> None:
    c = dw.c
    section = letters_dossier.build(c.branch1, YEAR, c.branch_secretary)
    assert section is not None
    assert section.title == "Responsibility letter"
    facts = _facts(section)
    assert facts["Issuing organisation"] == c.putuo.name
    assert facts["Status"] == "Published"
    assert facts["Full points"] == "100.0"
    assert facts["Self-assessed total"] == "97.5"
    # 20 + 28.5 + 15 (reviewed) + 24 = 87.5 → Good
    assert facts["Final total"] == "87.5"
    assert facts["Grade"] == "Good"
    items, signatures, evidence = _tables(section)
    assert [row[2] for row in items.rows] == ["20.0", "30.0", "25.0", "25.0"]
    assert [row[3] for row in items.rows] == ["20.0", "28.5", "25.0", "24.0"]
    assert [row[5] for row in items.rows] == ["20.0", "28.5", "15.0", "24.0"]
    assert items.rows[2][6] == "志愿服务时长不足"
    assert items.rows[0][4] == "全年12次"
    assert [(row[0], row[1], row[2]) for row in signatures.rows] == [
        ("Issuing party", c.putuo.name, "周局长"),
        ("Receiving party", c.branch1.name, "单田芳"),
    ]
    assert all(row[3] != "—" for row in signatures.rows)
    assert [row[1] for row in evidence.rows] == ["File", "File", "Note"]
    paragraphs = [b.text for b in section.blocks if b.kind == "paragraph"]
    assert paragraphs == ["全面完成年度目标", "总体较好"]
    assert [f.name for f in section.files] == ["学习记录.pdf", "学习记录.pdf"]
    assert section.files[0].file.read().startswith(b"%PDF")
    assert "第一议题学习记录" in section.files[0].source


def test_the_letters_section_is_empty_for_another_year_and_a_sibling(dw: Any) -> None:
    c = dw.c
    assert letters_dossier.build(c.branch1, YEAR - 1, c.branch_secretary) is None
    # The sibling branch has its letter, but never signed or assessed: it is shown as it is.
    sibling = letters_dossier.build(c.branch2, YEAR, c.sibling_secretary)
    assert sibling is not None
    assert _facts(sibling)["Status"] == "Issued, awaiting signatures"
    assert any(b.text == "Not signed yet." for b in sibling.blocks)
    # Read as its producer sees it: the sibling's secretary sees nothing of branch 1.
    assert letters_dossier.build(c.branch1, YEAR, c.sibling_secretary) is None


def test_the_meetings_section_holds_compliance_meetings_make_ups_and_files(dw: Any) -> None:
    c = dw.c
    section = meetings_dossier.build(c.branch1, YEAR, c.branch_secretary)
    assert section is not None
    assert section.title == "Meetings and compliance"
    facts = _facts(section)
    assert facts["Meetings held"] == "1"
    assert facts["With confirmed minutes"] == "1"
    rules, held, make_ups = _tables(section)
    lecture = next(r for r in rules.rows if r[1] == "Party lecture")
    # Quarterly, once, since 1 January: Q1–Q3 overdue, Q4 done by the lecture.
    assert lecture[2:] == ["Quarterly, 1 time", "1", "3", "4", "1", "Overdue"]
    committee = next(r for r in rules.rows if r[1] == "Branch committee meeting")
    # Monthly: twelve months owed, none held; January to November overdue (December too
    # once the year is over).
    assert committee[2:4] == ["Monthly, 1 time", "0"]
    assert committee[4] in {"11", "12"}
    assert committee[5:] == ["12", "0", "Overdue"]
    group = [r for r in rules.rows if r[0] == c.group1.name]
    assert [r[1] for r in group] == ["Party group meeting"]
    assert len(held.rows) == 1
    date, kind, title, expected, present, leave, absent, confirmed = held.rows[0]
    assert (kind, title) == ("Party lecture", "专题党课：学习党章")
    assert int(expected) == int(present) + int(leave) + int(absent)
    assert (present, leave) == ("1", "1")
    assert confirmed != "No"
    expected_make_ups = MakeUp.objects.filter(meeting=dw.meeting).count()
    assert expected_make_ups >= 1
    assert len(make_ups.rows) == expected_make_ups
    names = [f.name for f in section.files]
    assert names[0].endswith("专题党课：学习党章 会议记录 v1.pdf")
    assert names[1].endswith("专题党课：学习党章 党课讲稿.pdf")
    pdf = section.files[0].file()
    assert pdf.startswith(b"%PDF")
    assert "confirmed minutes version 1" in section.files[0].source


def test_the_meetings_section_is_none_for_a_year_the_branch_owed_nothing(dw: Any) -> None:
    c = dw.c
    # The cast's branches were entered this year: in the year before, nothing was owed.
    assert meetings_dossier.build(c.branch2, YEAR - 1, c.sibling_secretary) is None
