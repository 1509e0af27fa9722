"""A known day of the case loop in Dapuqiao (and one case in Huaihai), built through the
case actions with explicit timestamps, so that every figure of the bulletin is known.

The day D is Wednesday 2026-11-18 (Asia/Shanghai). On D:

- inspections (inspector): 菜场A 09:00 fails both items (cases a1 litter 2.00, a2 facility
  1.50, each with a before-photo), 菜场B 10:00 fails the facility item (b1, 1.50, photo),
  菜场C 11:00 passes → 3 inspections, 3 points, deduction 5.00;
- a1 dispatched 09:30 to the property company, rectified 11:00 (unit staff), verified
  14:00 (inspector), closed 15:00 (street officer); a2 dispatched 10:30 (deadline Thursday);
  b1 never dispatched (its point has no unit);
- g1: the grid worker reports a hazard in grid 1 at 08:00, dispatched 08:30 (deadline D+1);
- h1: the street officer enters a hotline report in 建一居民区 at 23:30 (not accepted);
- hh1: the district admin enters a hotline hazard in Huaihai street at 12:00;
- excluded by time: x0 reported D-1 23:59:59, x1 reported D+1 00:00.

Older cases (hazards in grid 1 reported D-3 09:00, 24 clock hours):
o1 dispatched D-3 10:00 and left (overdue at E); o2 dispatched D-3 10:00, rectified D-1,
sent back on D 16:00 (deadline kept → overdue); o3 dispatched D-3 10:00, rectified on D
09:00 (rectified on D, not overdue); o4 dispatched D-1 20:00 (deadline D 20:00 → overdue);
o5 dispatched D-1 23:00, deferred on D 22:00 (not overdue).
"""

from __future__ import annotations

import datetime
import uuid
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from juli.cases import actions as case_actions
from juli.cases.inspections import ResultInput, submit_inspection
from juli.cases.models import Case, CasePhoto
from juli.cases.tests.conftest import photo, world  # noqa: F401 - the cases world fixture
from juli.conftest import PASSWORD
from juli.orgs import actions as org_actions
from juli.orgs.roles import Role

TZ = ZoneInfo("Asia/Shanghai")
D = datetime.date(2026, 11, 18)


def at(day_offset: int, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    day = D + datetime.timedelta(days=day_offset)
    return datetime.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TZ)


def report(actor: Any, when: datetime.datetime, **kw: Any) -> Case:
    return case_actions.report_case(
        actor,
        client_uuid=uuid.uuid4(),
        source=kw.pop("source", Case.Source.GRID_WORKER),
        title=kw.pop("title", "问题"),
        at=when,
        **kw,
    )


def step(actor: Any, case: Case, action: str, when: datetime.datetime, **kw: Any) -> Case:
    if action == "rectify":
        upload = photo((0, 200, 0), f"after-{case.pk}-{when:%H%M}.png")
        case_actions._store_photo(case, CasePhoto.Kind.AFTER, upload, actor, at=when)
    return case_actions.transition(actor, case, action, at=when, **kw)


@pytest.fixture
def committee_secretary(cast):  # type: ignore[no-untyped-def]
    """Secretary of the Dapuqiao working committee: an office role that reads the street's
    bulletins (the committee is attached to the street) but does not run the case loop."""
    person = org_actions.create_person(None, name="陈书记", phone="13800000021")
    org_actions.appoint(
        None,
        person,
        Role.PARTY_SECRETARY,
        org=cast.dpq_committee,
        started_on=datetime.date(2024, 1, 1),
    )
    return org_actions.create_account(
        None, person, "committee_secretary", PASSWORD, validate_password=False
    )


@pytest.fixture
def day(world):  # type: ignore[no-untyped-def]  # noqa: F811
    w = world
    c = w.c
    s = SimpleNamespace(w=w, c=c)
    s.jianyi = org_actions.create_area(
        None, c.dapuqiao, name="建一居民区", kind="community", code="310101013002"
    )
    officer, inspector, staff = c.street_officer, c.inspector, c.unit_staff

    def inspect(point: Any, when: datetime.datetime, failed: list[Any], colour: int) -> Any:
        results = [
            ResultInput(item, item not in failed, photos=[photo((colour, i, 0), f"b{i}.png")])
            if item in failed
            else ResultInput(item, True)
            for i, item in enumerate([w.item_clean, w.item_facility])
        ]
        return submit_inspection(
            inspector,
            client_uuid=uuid.uuid4(),
            point=point,
            results=results,
            started_at=when - datetime.timedelta(minutes=5),
            at=when,
        )

    inspect(w.point_a, at(0, 9), [w.item_clean, w.item_facility], 10)
    inspect(w.point_b, at(0, 10), [w.item_facility], 20)
    inspect(w.point_c, at(0, 11), [], 30)
    s.a1 = Case.objects.get(point=w.point_a, category=w.litter)
    s.a2 = Case.objects.get(point=w.point_a, category=w.facility)
    s.b1 = Case.objects.get(point=w.point_b)

    step(officer, s.a1, "dispatch", at(0, 9, 30), unit=c.property_co)
    step(staff, s.a1, "rectify", at(0, 11))
    step(inspector, s.a1, "verify", at(0, 14))
    step(officer, s.a1, "close", at(0, 15))
    step(officer, s.a2, "dispatch", at(0, 10, 30), unit=c.property_co)

    s.g1 = report(c.grid_worker, at(0, 8), category=w.hazard, area=c.grid1, title="电线裸露")
    step(officer, s.g1, "accept", at(0, 8, 20))
    step(officer, s.g1, "dispatch", at(0, 8, 30), unit=c.property_co)
    s.h1 = report(
        officer, at(0, 23, 30), category=w.litter, area=s.jianyi, source=Case.Source.HOTLINE
    )
    s.hh1 = report(
        c.district_admin,
        at(0, 12),
        category=w.hazard,
        area=c.huaihai,
        source=Case.Source.HOTLINE,
        title="井盖缺失",
    )
    s.x0 = report(c.grid_worker, at(-1, 23, 59, 59), category=w.litter, area=c.grid1)
    s.x1 = report(c.grid_worker, at(1, 0), category=w.litter, area=c.grid1)

    def old(dispatch_at: datetime.datetime) -> Case:
        case = report(c.grid_worker, at(-3, 9), category=w.hazard, area=c.grid1)
        step(officer, case, "accept", at(-3, 9, 30))
        return step(officer, case, "dispatch", dispatch_at, unit=c.property_co)

    s.o1 = old(at(-3, 10))
    s.o2 = old(at(-3, 10))
    step(staff, s.o2, "rectify", at(-1, 12))
    step(inspector, s.o2, "send_back", at(0, 16), note="没有整改到位")
    s.o3 = old(at(-3, 10))
    step(staff, s.o3, "rectify", at(0, 9))
    s.o4 = old(at(-1, 20))
    s.o5 = old(at(-1, 23))
    step(officer, s.o5, "defer", at(0, 22), requested_by=staff, note="需要协调电力公司")
    for name in ("a1", "a2", "b1", "g1", "h1", "o1", "o2", "o3", "o4", "o5"):
        setattr(s, name, Case.objects.get(pk=getattr(s, name).pk))
    return s
