"""Compliance computed from records, against a world counted by hand.

Year 2024, "today" 2024-08-20 (August, the third quarter). The defaults apply: a branch
holds its assembly and a party lecture each quarter, its committee and a theme party day
each month; a group holds its group meeting each month (folded into its branch's row).

- 第一党支部 (with 第一党小组): committee Jan Feb Mar May(×2) Jul confirmed, Apr held but
  minutes not confirmed, Jun nothing; assembly Q1 only; lectures Q1 Q2 Q3; no theme day;
  the group met every month Jan–Jul but March.
- 第二党支部: committee every month Jan–Aug; assembly each quarter; lecture Q1, a Q2 one only
  planned; theme day every month but February (cancelled).
- 第三党支部, founded 10 May 2024: committee May (not owed) Jun Jul; lecture Jul; theme day
  Jul only.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from juli.meetings import compliance
from juli.meetings.compliance import State
from juli.meetings.models import Attendee, ComplianceRule, Meeting
from juli.orgs import actions as org_actions
from juli.orgs.models import PartyOrg

from .conftest import at, make_meeting

TODAY = datetime.date(2024, 8, 20)
D = datetime.date


def held(org: PartyOrg, kind: str, day: datetime.date, status: str = "confirmed") -> Meeting:
    m = make_meeting(org, kind, starts_at=at(day), with_members=False, announce=False)
    Meeting.objects.filter(pk=m.pk).update(status=status)
    return m


def roster(meeting: Meeting, *statuses: str, guest: bool = False) -> None:
    for n, status in enumerate(statuses):
        Attendee.objects.create(
            meeting=meeting, name=f"成员{n}", source="member", status=status, counts=True
        )
    if guest:
        Attendee.objects.create(
            meeting=meeting, name="来宾", source="guest", status="present", counts=False
        )


@pytest.fixture
def world(cast: Any) -> Any:
    c = cast
    PartyOrg.objects.filter(pk__in=[c.putuo.pk, c.branch1.pk, c.branch2.pk, c.group1.pk]).update(
        founded_on=D(2000, 7, 1)
    )
    c.branch3 = org_actions.create_org(
        None, c.putuo, name="第三党支部", kind="branch", code="PT-B3", founded_on=D(2024, 5, 10)
    )
    for name in ("putuo", "branch1", "branch2", "group1"):
        setattr(c, name, PartyOrg.objects.get(pk=getattr(c, name).pk))
    b1, b2, b3, g1 = c.branch1, c.branch2, c.branch3, c.group1
    for month in (1, 2, 3, 5, 7):
        held(b1, "branch_committee", D(2024, month, 8))
    held(b1, "branch_committee", D(2024, 5, 22))
    held(b1, "branch_committee", D(2024, 4, 9), status="held")  # minutes not confirmed
    c.b1_unconfirmed_aug = held(b1, "branch_committee", D(2024, 8, 6), status="held")
    roster(c.b1_unconfirmed_aug, "present", "present", "present")
    held(b1, "branch_assembly", D(2024, 2, 20))
    held(b1, "party_lecture", D(2024, 3, 15))
    held(b1, "party_lecture", D(2024, 6, 14))
    c.b1_lecture_jul = held(b1, "party_lecture", D(2024, 7, 12))
    roster(c.b1_lecture_jul, "present", "late", "leave", "absent", guest=True)
    for month in (1, 2, 4, 5, 6, 7):
        m = held(g1, "group_meeting", D(2024, month, 3))
    roster(m, "present", "absent")  # the July group meeting
    for month in range(1, 9):
        held(b2, "branch_committee", D(2024, month, 2))
    for day in (D(2024, 3, 1), D(2024, 5, 1), D(2024, 8, 5)):
        held(b2, "branch_assembly", day)
    held(b2, "party_lecture", D(2024, 1, 30))
    held(b2, "party_lecture", D(2024, 6, 28), status="planned")
    for month in (1, 3, 4, 5, 6, 7, 8):
        held(b2, "theme_day", D(2024, month, 1))
    held(b2, "theme_day", D(2024, 2, 1), status="cancelled")
    held(b3, "branch_committee", D(2024, 5, 20))
    held(b3, "branch_committee", D(2024, 6, 20))
    held(b3, "branch_committee", D(2024, 7, 20))
    held(b3, "party_lecture", D(2024, 7, 25))
    held(b3, "theme_day", D(2024, 7, 1))
    return c


def cells(table: compliance.Table) -> dict[tuple[str, str], tuple[int, int, str]]:
    return {
        (row.org.name, kind): (cell.required, cell.held, cell.state)
        for row in table.rows
        for kind, cell in row.cells.items()
    }


def test_it_counts_the_year_by_hand(world):
    t = compliance.table(world.putuo, 2024, "year", 1, TODAY)
    assert [r.org.name for r in t.rows] == ["第一党支部", "第二党支部", "第三党支部"]
    assert t.kinds == [
        "branch_assembly",
        "branch_committee",
        "group_meeting",
        "party_lecture",
        "theme_day",
    ]
    assert cells(t) == {
        ("第一党支部", "branch_committee"): (8, 5, State.OVERDUE),
        ("第一党支部", "branch_assembly"): (3, 1, State.OVERDUE),
        ("第一党支部", "party_lecture"): (3, 3, State.DONE),  # Q4 not yet due
        ("第一党支部", "theme_day"): (8, 0, State.OVERDUE),
        ("第一党支部", "group_meeting"): (8, 6, State.OVERDUE),
        ("第二党支部", "branch_committee"): (8, 8, State.DONE),
        ("第二党支部", "branch_assembly"): (3, 3, State.DONE),
        ("第二党支部", "party_lecture"): (3, 1, State.OVERDUE),
        ("第二党支部", "theme_day"): (8, 7, State.OVERDUE),
        ("第三党支部", "branch_committee"): (3, 2, State.DUE),
        ("第三党支部", "branch_assembly"): (1, 0, State.DUE),
        ("第三党支部", "party_lecture"): (1, 1, State.DONE),
        ("第三党支部", "theme_day"): (3, 1, State.OVERDUE),
    }
    b1 = {c.kind: c for c in t.rows[0].cells.values()}
    assert b1["branch_committee"].held_total == 6  # two in May, one counted
    assert (b1["branch_committee"].count(State.DONE), b1["branch_committee"].count(State.DUE)) == (
        5,
        1,
    )
    assert b1["branch_committee"].count(State.OVERDUE) == 2  # April (unconfirmed) and June
    assert b1["branch_committee"].count(State.FUTURE) == 4
    assert (b1["group_meeting"].members, b1["group_meeting"].members_done) == (1, 0)
    assert t.rows[0].groups == 1
    b3 = t.rows[2].cells["branch_committee"]
    assert b3.held_total == 3  # May was held but not owed
    assert b3.count(State.NOT_REQUIRED) == 5
    totals = {x.kind: (x.required, x.held, x.done, x.due, x.overdue) for x in t.totals}
    assert totals["branch_committee"] == (19, 15, 1, 1, 1)
    assert totals["theme_day"] == (19, 8, 0, 0, 3)


def test_it_counts_the_second_quarter_by_hand(world):
    t = compliance.table(world.putuo, 2024, "quarter", 2, TODAY)
    assert (t.window.start, t.window.end) == (D(2024, 4, 1), D(2024, 7, 1))
    got = cells(t)
    assert got[("第一党支部", "branch_committee")] == (3, 1, State.OVERDUE)
    assert got[("第一党支部", "branch_assembly")] == (1, 0, State.OVERDUE)
    assert got[("第一党支部", "party_lecture")] == (1, 1, State.DONE)
    assert got[("第一党支部", "group_meeting")] == (3, 3, State.DONE)
    assert got[("第二党支部", "party_lecture")] == (1, 0, State.OVERDUE)  # only planned
    assert got[("第三党支部", "branch_committee")] == (1, 1, State.DONE)  # Apr, May not owed
    assert got[("第三党支部", "branch_assembly")] == (0, 0, State.NOT_REQUIRED)
    assert got[("第三党支部", "theme_day")] == (1, 0, State.OVERDUE)


def test_it_shows_a_month_with_the_quarter_it_lies_in(world):
    t = compliance.table(world.putuo, 2024, "month", 8, TODAY)
    got = cells(t)
    assert got[("第一党支部", "branch_committee")] == (1, 0, State.DUE)  # Aug: only held
    assert got[("第一党支部", "branch_assembly")] == (1, 0, State.DUE)  # Q3
    assert got[("第二党支部", "branch_assembly")] == (1, 1, State.DONE)
    assert t.rows[0].cells["branch_assembly"].deadline == D(2024, 9, 30)


def test_it_rates_attendance_from_confirmed_minutes_only(world):
    t = compliance.table(world.putuo, 2024, "quarter", 3, TODAY)
    rates = {r.org.name: (r.attended, r.counted, r.rate) for r in t.rows}
    # lecture: present + late of 4 counted (the guest is not counted); group: 1 of 2;
    # the unconfirmed August committee's three present rows do not count.
    assert rates["第一党支部"] == (3, 6, 50.0)
    assert rates["第二党支部"] == (0, 0, None)
    assert (t.attended, t.counted, t.rate) == (3, 6, 50.0)


def test_it_lists_the_current_periods(world):
    due = compliance.current([world.branch1, world.group1], TODAY)
    got = [(d.org.name, d.kind, d.figure.held, d.deadline, d.state) for d in due]
    assert got == [
        ("第一党支部", "branch_assembly", 0, D(2024, 9, 30), State.DUE),
        ("第一党支部", "branch_committee", 0, D(2024, 8, 31), State.DUE),
        ("第一党支部", "party_lecture", 1, D(2024, 9, 30), State.DONE),
        ("第一党支部", "theme_day", 0, D(2024, 8, 31), State.DUE),
        ("第一党小组", "group_meeting", 0, D(2024, 8, 31), State.DUE),
    ]
    soon = compliance.pending([world.branch1], D(2024, 8, 25), 7)
    assert [(d.kind, d.deadline) for d in soon] == [
        ("branch_committee", D(2024, 8, 31)),
        ("theme_day", D(2024, 8, 31)),
    ]


def test_it_applies_the_nearest_rule_row(world):
    ComplianceRule.objects.create(
        year=2024, org=None, org_kind="branch", meeting_kind="theme_day", period="quarter"
    )
    ComplianceRule.objects.create(
        year=2024,
        org=world.branch2,
        org_path=world.branch2.path,
        org_kind="branch",
        meeting_kind="party_lecture",
        period="quarter",
        is_active=False,
    )
    ComplianceRule.objects.create(
        year=2023, org=None, org_kind="branch", meeting_kind="branch_committee", period="year"
    )
    got = cells(compliance.table(world.putuo, 2024, "year", 1, TODAY))
    assert got[("第一党支部", "theme_day")] == (3, 0, State.OVERDUE)  # district row, quarterly
    assert got[("第二党支部", "theme_day")] == (3, 3, State.DONE)  # Jan Mar, Apr-Jun, Jul Aug
    assert ("第二党支部", "party_lecture") not in got  # switched off for its subtree
    assert got[("第一党支部", "party_lecture")] == (3, 3, State.DONE)
    assert got[("第一党支部", "branch_committee")] == (8, 5, State.OVERDUE)  # 2023 row ignored


def test_it_costs_a_fixed_number_of_queries(world):
    for n in range(4, 40):
        org_actions.create_org(
            None,
            world.putuo,
            name=f"第{n}党支部",
            kind="branch",
            code=f"PT-X{n}",
            founded_on=D(2020, 1, 1),
        )
    with CaptureQueriesContext(connection) as ctx:
        t = compliance.table(world.putuo, 2024, "year", 1, TODAY)
    assert len(t.rows) == 39
    assert len(ctx.captured_queries) == 4  # orgs, rules, held counts, attendance
