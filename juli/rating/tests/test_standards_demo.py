"""The demo's standards, built on the cast's 安阳市城市管理局机关党委 through the actions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from juli.rating import demo_standards
from juli.rating.models import Criterion


def total(standard: Any) -> Decimal:
    return sum((c.points for c in standard.criteria.all()), Decimal(0))


def test_it_builds_last_years_standard_and_this_years_copy(cast: Any) -> None:
    assert demo_standards.build_demo(year=2026) == {"standards": 2}
    last = demo_standards.standard_for(cast.anyang, 2025)
    this = demo_standards.standard_for(cast.anyang, 2026)
    assert last is not None and this is not None
    assert this.copied_from == last
    assert list(this.categories.values_list("name", flat=True)) == [
        "组织建设",
        "队伍建设",
        "组织生活",
        "制度落实",
        "作用发挥",
    ]
    assert this.criteria.count() == last.criteria.count() == 12
    assert total(last) == total(this) == Decimal(100)
    computed = set(
        this.criteria.filter(method=Criterion.Method.COMPUTED).values_list("metric", flat=True)
    )
    assert {"letters.grade", "meetings.compliance", "cases.on_time"} <= computed
    assert this.criteria.get(metric="meetings.compliance").points == Decimal(16)
    assert (last.star4, this.star4) == (Decimal(88), Decimal(90))
    assert list(this.vetoes.values_list("title", "cap_stars")) == [
        ("发生严重违纪违法案件", 0),
        ("发生重大安全责任事故", 2),
        ("意识形态工作出现严重问题", 0),
    ]
    assert last.vetoes.count() == 2
    # twice: nothing more
    assert demo_standards.build_demo(year=2026) == {"standards": 0}
