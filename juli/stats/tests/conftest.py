"""A known week of the loop on top of the cases world (juli/cases/tests/conftest.py).

`story` makes, through the actions, with times fixed relative to `base` (10:00 local,
three days ago), in Dapuqiao (grid1, grid2) and Huaihai:

A hazard, grid1: reported, accepted, dispatched (+1h), rectified on time (+3h), verified, closed
B road (48 h), grid2: reported, dispatched (+1h), rectified late (+50h), sent back, rectified
  late again, verified, closed (day +2)
C hazard, grid1: reported and rejected (+2h)
D hazard, grid1: reported, dispatched (+1h): overdue since +25h, open
E hazard, Huaihai street: reported by the district admin, open
F litter, grid1: an inspection of 菜场A fails 地面无垃圾 (+6h): accepted at once, 2 points, open
"""

from __future__ import annotations

import datetime
import uuid
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from juli.cases import actions
from juli.cases.inspections import submit_inspection
from juli.cases.models import Case
from juli.cases.tests.conftest import _media, photo, world  # noqa: F401 - fixtures


def _report(w: Any, category: Any, area: Any, at: datetime.datetime, actor: Any = None) -> Case:
    return actions.report_case(
        actor or w.c.inspector,
        client_uuid=uuid.uuid4(),
        source=Case.Source.GRID_WORKER,
        category=category,
        area=area,
        title="楼道堆物",
        lat=w.point_a.lat,
        lng=w.point_a.lng,
        at=at,
    )


def run_story(w: Any) -> SimpleNamespace:
    c = w.c
    base = datetime.datetime.combine(
        timezone.localdate() - datetime.timedelta(days=3),
        datetime.time(10, 0),
        tzinfo=timezone.get_current_timezone(),
    )

    def h(hours: float) -> datetime.datetime:
        return base + datetime.timedelta(hours=hours)

    w.road = actions.create_case_category(
        None, code="road", name="道路破损", time_limit=48, time_unit="hours", in_working_time=False
    )
    s = SimpleNamespace(base=base, h=h)

    def dispatched(case: Case, at: datetime.datetime) -> Case:
        case = actions.transition(c.street_officer, case, "accept", at=at)
        return actions.transition(c.street_officer, case, "dispatch", unit=c.property_co, at=at)

    def rectified(case: Case, at: datetime.datetime) -> Case:
        upload = photo((0, 200, 0), "after.png")
        actions.attach_photo(c.unit_staff, case, "after", upload.file, upload.meta, at=at)
        return actions.transition(c.unit_staff, case, "rectify", at=at)

    s.a = _report(w, w.hazard, c.grid1, h(0))
    s.a = dispatched(s.a, h(1))
    s.a = rectified(s.a, h(3))
    s.a = actions.transition(c.inspector, s.a, "verify", at=h(4))
    s.a = actions.transition(c.street_officer, s.a, "close", at=h(5))

    s.b = _report(w, w.road, c.grid2, h(0))
    s.b = dispatched(s.b, h(1))
    s.b = rectified(s.b, h(50))
    s.b = actions.transition(c.inspector, s.b, "send_back", note="没扫干净", at=h(50.5))
    s.b = actions.transition(c.unit_staff, s.b, "rectify", at=h(51))
    s.b = actions.transition(c.inspector, s.b, "verify", at=h(52))
    s.b = actions.transition(c.street_officer, s.b, "close", at=h(53))

    s.c = _report(w, w.hazard, c.grid1, h(2))
    s.c = actions.transition(c.street_officer, s.c, "reject", note="重复上报", at=h(2))

    s.d = _report(w, w.hazard, c.grid1, h(0))
    s.d = dispatched(s.d, h(1))

    s.e = _report(w, w.hazard, c.huaihai, h(0), actor=c.district_admin)

    submit_inspection(
        c.inspector,
        client_uuid=uuid.uuid4(),
        point=w.point_a,
        results=[(w.item_clean, False, "地面有垃圾", [photo()]), (w.item_facility, True, "", [])],
        started_at=h(6),
        lat=w.point_a.lat,
        lng=w.point_a.lng,
        at=h(6),
    )
    s.f = Case.objects.get(source=Case.Source.INSPECTION)
    return s


@pytest.fixture
def story(world):  # type: ignore[no-untyped-def]  # noqa: F811
    s = run_story(world)
    s.w = world
    s.c = world.c
    return s
