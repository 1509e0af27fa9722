"""Demo standards: the Anyang bureau organ committee's (安阳市城市管理局机关党委) 五星级党支部
standard for last year, and this year's copied from it and edited (as an issuer does every
December); the Huangpu district committee's standard for last year (issued through its
organisation department, 中共上海市黄浦区委组织部: the committee is the party organisation).

Five categories (组织建设, 队伍建设, 组织生活, 制度落实, 作用发挥), twelve criteria, 100
points. Computed from records: the letter's grade (`letters.grade`), meeting compliance
(`meetings.compliance`), cases closed on time (`cases.on_time`) and, when the observation
app offers them, the observation score and rectifications closed (`observation.score`,
`observation.rectified`; else those two are judged from the evidence). Three veto items
this year (last year's two, and 意识形态工作出现严重问题).

Everything is written through `actions.standards`. Other demo steps find a standard with
`standard_for(org, year)`.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from juli.core import metrics
from juli.core.demo import DemoRun, demo_step
from juli.orgs.demo.data import ANYANG_COMMITTEE, HUANGPU_COMMITTEE
from juli.orgs.models import PartyOrg

from .actions import standards as actions
from .models import RatingStandard

ANYANG_TITLE = "{year}年度五星级党支部评定标准"
HUANGPU_TITLE = "{year}年度基层党支部星级评定标准"


def standard_for(org: PartyOrg, year: int) -> RatingStandard | None:
    """The demo's standard of `org` for `year` (None: the step did not build one)."""
    titles = [ANYANG_TITLE.format(year=year), HUANGPU_TITLE.format(year=year)]
    found = RatingStandard.objects.filter(org=org, year=year, title__in=titles).order_by("id")
    return found.first() or RatingStandard.objects.filter(org=org, year=year).order_by("id").first()


def _computed_or_judged(
    title: str, points: str, metric: str, hint: str, *, full_share: str = "1"
) -> dict[str, Any]:
    """A computed criterion, or a judged one with `hint` when the metric is not registered
    (the observation app absent)."""
    if metrics.get(metric) is not None:
        return {
            "title": title,
            "points": points,
            "method": "computed",
            "metric": metric,
            "full_share": full_share,
            "evidence_hint": hint,
        }
    return {"title": title, "points": points, "method": "judged", "evidence_hint": hint}


def _judged(title: str, points: str, hint: str, description: str = "") -> dict[str, Any]:
    return {
        "title": title,
        "points": points,
        "method": "judged",
        "evidence_hint": hint,
        "description": description,
    }


def spec() -> dict[str, Any]:
    """The five-star standard: 12 criteria, 100 points."""
    return {
        "description": (
            "对照“五星级党支部”创建标准，逐支部观摩、整单位提升。系统已掌握的记录（三会一课、"
            "目标责任书考核、问题办结、观摩整改）自动计分，其余由评审人员依佐证评定。"
        ),
        "thresholds": {"star1": "60", "star2": "70", "star3": "80", "star4": "88", "star5": "95"},
        "categories": [
            {
                "name": "组织建设",
                "criteria": [
                    _judged(
                        "支部班子健全、按期换届",
                        "6",
                        "支部委员会名单、换届选举批复",
                        "支委会成员配齐，书记、委员分工明确，按期换届。",
                    ),
                    _judged(
                        "发展党员和组织关系管理规范",
                        "6",
                        "发展党员材料、组织关系转接记录",
                    ),
                    {
                        "title": "目标责任书年终考核等次",
                        "points": "8",
                        "method": "computed",
                        "metric": "letters.grade",
                        "description": "优秀得满分，良好85%，合格70%，不合格不得分。",
                    },
                ],
            },
            {
                "name": "队伍建设",
                "criteria": [
                    _judged("党员教育培训和学习教育", "8", "学习计划、培训签到、心得体会"),
                    _judged("党员先锋模范作用发挥", "7", "志愿服务记录、先进事迹材料"),
                ],
            },
            {
                "name": "组织生活",
                "criteria": [
                    {
                        "title": "三会一课、主题党日按时召开",
                        "points": "15",
                        "method": "computed",
                        "metric": "meetings.compliance",
                        "full_share": "0.9",
                        "description": "按规定周期召开并确认会议记录，完成90%及以上得满分。",
                    },
                    _judged("组织生活会和民主评议党员", "5", "组织生活会记录、民主评议结果"),
                    _judged("主题党日活动质量", "5", "活动方案、照片、简报"),
                ],
            },
            {
                "name": "制度落实",
                "criteria": [
                    _computed_or_judged(
                        "观摩评议得分", "10", "observation.score", "观摩评分表、反馈意见"
                    ),
                    _computed_or_judged(
                        "观摩整改事项按期销号", "10", "observation.rectified", "整改台账、销号佐证"
                    ),
                ],
            },
            {
                "name": "作用发挥",
                "criteria": [
                    {
                        "title": "问题按时办结率",
                        "points": "12",
                        "method": "computed",
                        "metric": "cases.on_time",
                        "full_share": "0.95",
                        "description": "支部联系区域内结案问题按时整改的比例，95%及以上得满分。",
                    },
                    _judged(
                        "服务群众、推动中心工作成效",
                        "8",
                        "工作台账、群众评价、表彰证书",
                    ),
                ],
            },
        ],
        "vetoes": [
            {
                "title": "发生严重违纪违法案件",
                "description": "支部班子成员或党员受到党纪重处分、政务撤职以上处分或被追究刑事责任。",
                "cap_stars": 0,
            },
            {
                "title": "发生重大安全责任事故",
                "description": "负有责任的重大安全生产事故或群体性事件。",
                "cap_stars": 2,
            },
        ],
    }


def build_anyang(org: PartyOrg, year: int) -> list[RatingStandard]:
    """Last year's standard, and this year's copied from it and edited."""
    built = []
    last = standard_for(org, year - 1)
    if last is None:
        last = actions.create_standard(
            None, org, year=year - 1, title=ANYANG_TITLE.format(year=year - 1), **spec()
        )
        built.append(last)
    if standard_for(org, year) is None:
        this = actions.copy_standard(None, last, year=year, title=ANYANG_TITLE.format(year=year))
        # This year: meetings weigh more, the theme day's quality less; four stars need 90.
        meetings = this.criteria.get(metric="meetings.compliance")
        actions.update_criterion(None, meetings, {"points": "16"})
        theme = this.criteria.get(title="主题党日活动质量")
        actions.update_criterion(None, theme, {"points": "4"})
        actions.update_standard(None, this, thresholds={"star4": "90"})
        actions.add_veto(
            None,
            this,
            {
                "title": "意识形态工作出现严重问题",
                "description": "阵地管理失守、发生严重意识形态事件。",
                "cap_stars": 0,
            },
        )
        built.append(this)
    return built


def build_huangpu(org: PartyOrg, year: int) -> list[RatingStandard]:
    if standard_for(org, year) is not None:
        return []
    data = spec()
    data["description"] = "黄浦区基层党支部星级评定，评定结果作为“百优支部”推荐的依据。"
    return [
        actions.create_standard(None, org, year=year, title=HUANGPU_TITLE.format(year=year), **data)
    ]


def build_demo(year: int | None = None) -> dict[str, int]:
    year = year or timezone.localdate().year
    built: list[RatingStandard] = []
    anyang = PartyOrg.objects.filter(name=ANYANG_COMMITTEE).first()
    if anyang is not None:
        built += build_anyang(anyang, year)
    huangpu = PartyOrg.objects.filter(name=HUANGPU_COMMITTEE).first()
    if huangpu is not None:
        built += build_huangpu(huangpu, year - 1)
    return {"standards": len(built)}


@demo_step("rating_standards", after=("orgs",))
def build_rating_standards_step(run: DemoRun) -> dict[str, int]:
    return build_demo()
