"""The demo world: the organisations the source reports name, invented people, demo logins.

`build_demo` writes it through the organisation actions (audited, as the system) on a
database without areas or organisations; `DEMO_LOGINS` lists the accounts it creates, all
with the password in `settings.JULI_DEMO_PASSWORD`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from juli.core.demo import DEFAULT_PEOPLE, DemoRun, demo_step

if TYPE_CHECKING:
    from .base import Writer

#: (username, what the account is, in Chinese and English), in the order `juli serve` prints.
DEMO_LOGINS: list[tuple[str, str]] = [
    ("district_admin", "黄浦区 区级管理员 / Huangpu district administrator"),
    ("street_officer", "打浦桥街道 街道干部(李东风) / Dapuqiao street officer"),
    ("inspector", "打浦桥街道 督查员 / Dapuqiao street inspector"),
    ("grid_worker", "蒙西第一微网格 网格员 / Mengxi micro-grid 1 grid worker"),
    ("mobile_grid_worker", "蒙西第一微网格 移动网格员 / Mengxi micro-grid 1 mobile grid worker"),
    ("unit_staff", "蒙西物业公司 责任单位人员 / Mengxi property company staff (responsible unit)"),
    ("branch_secretary", "普陀区绿化市容局机关党支部 书记 / Putuo bureau organ branch secretary"),
    ("bureau_secretary", "普陀区绿化和市容管理局党组 书记 / Putuo bureau party group secretary"),
    ("anyang_secretary", "安阳市城市管理局机关党委 书记 / Anyang bureau organ committee secretary"),
    ("alliance_contact", "瑞金医院 联席会议联络员 / Ruijin Hospital alliance contact"),
    ("guangminglu_inspector", "光明路街道 督查员 / Guangminglu street inspector"),
    ("outsider", "路灯管理中心党支部 普通党员,无职务 / Anyang branch member, no post"),
    ("platform_admin", "平台管理员(超级用户) / platform administrator (superuser)"),
]


def build_demo(people: int = DEFAULT_PEOPLE, stdout: Writer | None = None) -> dict[str, Any]:
    """Build the demo world and return counts of what exists (plus `seconds` taken).

    `people` is the total number of people wanted; the officers, grid workers and unit staff
    the structure needs are always created, so a smaller number yields just those. The caller
    makes sure the database holds no areas or organisations yet: codes are unique, and a
    second build on top of a first fails (and rolls back) on the first duplicate.
    """
    from .builder import DemoBuilder

    return DemoBuilder(people=people, stdout=stdout).build()


def is_empty() -> bool:
    """True when no area and no party organisation exists: the demo may be built."""
    from juli.orgs.models import Area, PartyOrg

    return not (Area.objects.exists() or PartyOrg.objects.exists())


@demo_step(
    "orgs",
    logins=DEMO_LOGINS,
    headline="Demo world built in {seconds} s: {summary}.",
    base=True,
    empty=is_empty,
)
def build_orgs_demo(run: DemoRun) -> dict[str, Any]:
    """The first step of `juli demo` (see `juli.core.demo`)."""
    return build_demo(people=run.people, stdout=run.stdout)
