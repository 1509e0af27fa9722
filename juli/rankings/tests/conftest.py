"""A small, exactly known week of cases on top of the shared cast (juli/conftest.py).

Week W = 2026-W10 (Mon 2 March – Sun 8 March 2026, Asia/Shanghai). Streets of Huangpu:
打浦桥 (community 蒙西 with grid1/grid2), 淮海中路 (community 淮海社区 with one grid),
南京东路 and 外滩 (empty). Units: 蒙西物业公司 (property_co) and 环卫公司 (sanitation).
Points: P1 grid1 zero-deduction (property_co), P2 grid2 zero-deduction (property_co),
P3 淮海 grid zero-deduction (sanitation), P4 淮海 grid (sanitation).
The cases and events, and the figures they must give, are listed in test_scoring.py.
"""

from __future__ import annotations

import datetime
import itertools
import zoneinfo
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from juli.cases.models import Case, CaseCategory, CaseEvent, Point, PointCategory
from juli.orgs import actions as org_actions
from juli.orgs.models import Area
from juli.rankings import actions
from juli.rankings.models import DEFAULT_WEIGHTS

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
WEEK = "2026-W10"
PREVIOUS_WEEK = "2026-W09"
MONDAY = datetime.date(2026, 3, 2)
_numbers = itertools.count(1)


def at(day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """Local time `day` days after Monday of week W (negative: before)."""
    d = MONDAY + datetime.timedelta(days=day)
    return datetime.datetime(d.year, d.month, d.day, hour, minute, tzinfo=TZ)


def make_case(point: Point | None, category: CaseCategory, **fields: Any) -> Case:
    area = fields.pop("area", None) or point.area  # type: ignore[union-attr]
    fields.setdefault("status", Case.Status.DISPATCHED)
    return Case.objects.create(
        number=f"T{next(_numbers):06d}",
        source=Case.Source.INSPECTION,
        category=category,
        point=point,
        area=area,
        area_path=area.path,
        title=fields.pop("title", "问题"),
        **fields,
    )


def event(case: Case, action: str, when: datetime.datetime) -> CaseEvent:
    return CaseEvent.objects.create(case=case, action=action, at=when)


@pytest.fixture
def rworld(cast):  # type: ignore[no-untyped-def]
    c = cast
    w = SimpleNamespace(c=c)
    w.nanjing = org_actions.create_area(
        None, c.huangpu, name="南京东路街道", kind="street", code="310101002000"
    )
    w.waitan = org_actions.create_area(
        None, c.huangpu, name="外滩街道", kind="street", code="310101015000"
    )
    w.hh_community = org_actions.create_area(
        None, c.huaihai, name="淮海社区", kind="community", code="310101014001"
    )
    w.hh_grid = org_actions.create_area(
        None, w.hh_community, name="淮海第一微网格", kind="micro_grid", code="3101010140010101"
    )
    w.sanitation = org_actions.create_unit(None, name="环卫公司", kind="sanitation")
    w.hh_community, w.hh_grid = (Area.objects.get(pk=a.pk) for a in (w.hh_community, w.hh_grid))
    w.nanjing, w.waitan = (Area.objects.get(pk=a.pk) for a in (w.nanjing, w.waitan))
    w.litter = CaseCategory.objects.create(code="litter", name="暴露垃圾", time_limit=4)
    w.facility = CaseCategory.objects.create(code="facility", name="设施破损", time_limit=1)
    market = PointCategory.objects.create(code="market", name="菜场")
    early = datetime.datetime(2025, 1, 1, tzinfo=TZ)

    def point(code: str, name: str, area: Area, unit: Any, zero: bool) -> Point:
        return Point.objects.create(
            code=code,
            name=name,
            area=area,
            category=market,
            responsible_unit=unit,
            zero_deduction=zero,
            created_at=early,
        )

    w.p1 = point("P1", "菜场甲", c.grid1, c.property_co, True)
    w.p2 = point("P2", "菜场乙", c.grid2, c.property_co, True)
    w.p3 = point("P3", "菜场丙", w.hh_grid, w.sanitation, True)
    w.p4 = point("P4", "菜场丁", w.hh_grid, w.sanitation, False)
    pc, san, D = c.property_co, w.sanitation, Decimal
    # 打浦桥 / 蒙西 / property_co
    w.c1 = make_case(
        w.p1,
        w.litter,
        unit=pc,
        deduction=D(2),
        reported_at=at(0, 10),
        deadline=at(0, 14),
        rectified_at=at(0, 13),
        verified_at=at(1, 9),
        status=Case.Status.VERIFIED,
    )
    w.c2 = make_case(
        w.p1,
        w.litter,
        unit=pc,
        deduction=D(2),
        reported_at=at(2, 9),
        deadline=at(2, 18),
        rectified_at=at(4, 9),
        verified_at=at(5, 10),
        status=Case.Status.VERIFIED,
    )
    w.c3 = make_case(
        w.p1, w.litter, unit=pc, deduction=D(1), reported_at=at(4, 16), deadline=at(7, 12)
    )
    w.c4 = make_case(w.p2, w.facility, unit=pc, deduction=D(0), reported_at=at(5, 8))
    w.c5 = make_case(
        w.p2, w.facility, deduction=D(5), reported_at=at(5, 9), status=Case.Status.REJECTED
    )
    # 淮海中路 / 淮海社区 / sanitation
    w.c6 = make_case(
        w.p3,
        w.litter,
        unit=san,
        deduction=D("1.5"),
        reported_at=at(1, 8),
        deadline=at(3, 12),
        rectified_at=at(3, 11),
        status=Case.Status.RECTIFIED,
    )
    w.c7 = make_case(
        w.p4, w.facility, unit=san, deduction=D(1), reported_at=at(2, 8), deadline=at(8, 12)
    )
    w.c8 = make_case(
        w.p4, w.facility, deduction=D(1), reported_at=at(6, 20), status=Case.Status.REPORTED
    )
    # Reported the week before, due and verified in week W.
    w.c9 = make_case(
        w.p3,
        w.litter,
        unit=san,
        deduction=D(3),
        reported_at=at(-3, 10),
        deadline=at(1, 12),
        rectified_at=at(0, 15),
        verified_at=at(1, 16),
        status=Case.Status.VERIFIED,
    )
    # Reported 70 days before: outside the look-back, never counted.
    w.c10 = make_case(
        w.p4,
        w.litter,
        unit=san,
        deduction=D(4),
        reported_at=at(-70, 10),
        deadline=at(2, 12),
        verified_at=at(5, 11),
        status=Case.Status.VERIFIED,
        rectified_at=at(5, 9),
    )
    event(w.c1, "verify", at(1, 9))
    event(w.c2, "send_back", at(3, 10))
    event(w.c2, "verify", at(5, 10))
    event(w.c9, "verify", at(1, 16))
    event(w.c10, "verify", at(5, 11))
    event(w.c1, "rectify", at(0, 13))  # not a verification decision
    event(w.c3, "verify", at(7, 9))  # the Monday after: next week
    w.settings = actions.update_settings(
        None, c.huangpu, enabled=True, auto_publish=True, weights=dict(DEFAULT_WEIGHTS)
    )
    return w
