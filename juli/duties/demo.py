"""Demo duty lists: the Anyang city-management bureau's "四级五岗" list (organ committee →
general branch → branch → party group; secretary, deputy, committee member, group leader,
member) and the Putuo greening bureau's list (party group → branch → party group), with
business leaders ("一岗双责"). The vacancies the demo shows are real gaps of the demo world:
Anyang's general branches have a secretary and a deputy but no committee members yet, and
the list requires them.

Everything is written through `juli.duties.actions` as the system, so the demo is audited
like real use. Anyang's list is written for last year and copied to this year, as an office
would do at New Year.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from juli.core.demo import DemoRun, demo_step
from juli.orgs.models import PartyOrg, Post
from juli.orgs.roles import Role

from . import actions
from .models import Duty, DutyList, DutyPost, DutyPostKind, LeaderDesignation

C = Duty.Category
K = PartyOrg.Kind
P = DutyPostKind

#: (text, category, frequency or deadline)
DutyRow = tuple[str, str, str]

MEMBER_DUTIES: list[DutyRow] = [
    ("按时参加“三会一课”、主题党日和集中学习,学懂弄通党的创新理论", C.IDEOLOGICAL, "每月"),
    ("按时足额交纳党费,主动向党组织汇报思想和工作情况", C.ORGANISATIONAL, "每月"),
    ("立足岗位亮身份、作表率,在市容整治和城市管理一线当先锋", C.CONDUCT, ""),
    ("严守党的纪律和规矩,参加组织生活会和民主评议党员", C.DISCIPLINE, "每年"),
]

SECRETARY_BASE: list[DutyRow] = [
    ("履行党建工作第一责任人职责,年底向上级党组织书面述职", C.POLITICAL, "年底前"),
    ("每年为党员讲专题党课不少于一次", C.IDEOLOGICAL, "每年"),
    ("与班子成员和党员逐一谈心谈话,掌握思想动态", C.CONDUCT, "每年"),
]

BUSINESS_LEADER_DUTIES: list[DutyRow] = [
    (
        "对分管科室和单位的党建工作负领导责任,党建与业务同研究、同部署、同考核",
        C.INTEGRATION,
        "每季度",
    ),
    ("落实分管领域党风廉政建设“一岗双责”,听取分管单位党建工作汇报", C.DISCIPLINE, "每半年"),
    ("以普通党员身份参加所在党支部组织生活", C.ORGANISATIONAL, "每月"),
]

#: level → [(post, printed title, required, [duties])]
ANYANG_LIST: dict[str, list[tuple[str, str, bool, list[DutyRow]]]] = {
    K.COMMITTEE: [
        (
            P.SECRETARY,
            "机关党委书记",
            True,
            [
                *SECRETARY_BASE[:1],
                (
                    "主持制定年度党建工作要点和“四级五岗”责任清单,逐级签订目标责任书",
                    C.ORGANISATIONAL,
                    "一季度",
                ),
                (
                    "组织开展“逐支部观摩、整单位提升”活动,带队观摩基层党支部",
                    C.ORGANISATIONAL,
                    "每半年",
                ),
                ("研判机关党员队伍思想和作风状况,落实全面从严治党主体责任", C.DISCIPLINE, "每季度"),
                *SECRETARY_BASE[1:2],
            ],
        ),
        (
            P.DEPUTY,
            "机关党委专职副书记",
            True,
            [
                (
                    "协助书记抓好机关党委日常工作,负责党建工作计划的分解、督办和考核",
                    C.ORGANISATIONAL,
                    "每月",
                ),
                (
                    "指导基层党组织落实“三会一课”、组织生活会和民主评议党员制度",
                    C.ORGANISATIONAL,
                    "每季度",
                ),
                ("组织“五星级党支部”创建评定和“抓两头带中间”排名通报", C.ORGANISATIONAL, "每年"),
            ],
        ),
        (
            P.COMMITTEE,
            "机关党委委员",
            True,
            [
                ("按分工负责组织、宣传或纪检工作,牵头联系若干基层党支部", C.ORGANISATIONAL, ""),
                ("抓好意识形态工作和宣传阵地管理,报送党建工作信息", C.IDEOLOGICAL, "每月"),
                ("开展党风廉政教育和警示教育,督促整改发现的问题", C.DISCIPLINE, "每季度"),
            ],
        ),
        (P.MEMBER, "机关党委直属党员", False, MEMBER_DUTIES),
        (P.BUSINESS_LEADER, "局领导班子成员(一岗双责)", False, BUSINESS_LEADER_DUTIES),
    ],
    K.GENERAL_BRANCH: [
        (
            P.SECRETARY,
            "党总支书记",
            True,
            [
                ("统筹所属党支部建设,召开党总支委员会研究党建工作", C.ORGANISATIONAL, "每季度"),
                ("督促所属党支部按期换届,配齐配强支部班子", C.ORGANISATIONAL, ""),
                ("推动党建与执法、环卫、市政等业务深度融合,打造党建示范点", C.INTEGRATION, "每年"),
                *SECRETARY_BASE[:1],
            ],
        ),
        (
            P.DEPUTY,
            "党总支副书记",
            True,
            [
                ("协助书记做好党员教育管理,检查指导所属支部工作台账", C.ORGANISATIONAL, "每季度"),
            ],
        ),
        (
            P.COMMITTEE,
            "党总支委员",
            True,
            [("按分工抓好组织、宣传、纪检工作,联系一至两个党支部", C.ORGANISATIONAL, "")],
        ),
        (P.BUSINESS_LEADER, "单位行政负责人(一岗双责)", False, BUSINESS_LEADER_DUTIES[:2]),
    ],
    K.BRANCH: [
        (
            P.SECRETARY,
            "党支部书记",
            True,
            [
                *SECRETARY_BASE[:1],
                ("按时召开支部党员大会、支委会、党小组会,讲好党课", C.ORGANISATIONAL, "每月"),
                ("对照“五星级党支部”标准开展创建,完善活动阵地和工作资料", C.ORGANISATIONAL, "每年"),
                ("做好发展党员、党员教育管理和党费收缴工作", C.ORGANISATIONAL, "每月"),
                *SECRETARY_BASE[2:],
            ],
        ),
        (
            P.DEPUTY,
            "党支部副书记",
            False,
            [("协助书记开展支部日常工作,书记外出时主持支部工作", C.ORGANISATIONAL, "")],
        ),
        (
            P.COMMITTEE,
            "党支部委员",
            True,
            [
                ("按分工负责组织、宣传或纪律检查工作,落实支部年度计划", C.ORGANISATIONAL, ""),
                ("整理支部学习和活动记录,做好信息宣传报送", C.IDEOLOGICAL, "每月"),
                ("监督党员遵守党纪、按期交纳党费,发现问题及时提醒", C.DISCIPLINE, "每季度"),
            ],
        ),
        (P.MEMBER, "党员", False, MEMBER_DUTIES),
        (
            P.BUSINESS_LEADER,
            "单位行政负责人(一岗双责)",
            False,
            [
                (
                    "把党建工作纳入本单位业务工作总体部署,保障党建活动阵地所需人力物力财力",
                    C.INTEGRATION,
                    "每年",
                ),
                ("支持支部书记开展工作,业务考核与党建考核同步进行", C.INTEGRATION, "年底前"),
            ],
        ),
    ],
    K.GROUP: [
        (
            P.GROUP_LEADER,
            "党小组组长",
            True,
            [
                ("组织小组党员参加支部活动,召开党小组会", C.ORGANISATIONAL, "每月"),
                ("了解小组党员思想和工作情况,及时向支部反映", C.IDEOLOGICAL, ""),
            ],
        ),
    ],
}

#: The Putuo bureau: its party group (党组) on top, branches and groups below.
PUTUO_LIST: dict[str, list[tuple[str, str, bool, list[DutyRow]]]] = {
    K.LEADING_GROUP: [
        (
            P.SECRETARY,
            "局党组书记",
            True,
            [
                ("履行全面从严治党第一责任人职责,把方向、管大局、保落实", C.POLITICAL, ""),
                (
                    "与各党支部书记签订基层党建工作目标责任书,年终逐项考核",
                    C.ORGANISATIONAL,
                    "一季度",
                ),
                (
                    "主持发布并推进年度“党建十大行动”,党建、绿化、环卫、市容四大板块同步谋划",
                    C.INTEGRATION,
                    "每年",
                ),
                (
                    "选好干部、管好党员、引好人才,每年专题研究干部和人才工作",
                    C.ORGANISATIONAL,
                    "每年",
                ),
            ],
        ),
        (
            P.DEPUTY,
            "局党组副书记",
            True,
            [
                (
                    "协助书记抓好组织、宣传、统战工作,主持召开组宣统工作会议",
                    C.ORGANISATIONAL,
                    "每年",
                ),
                ("督导各党支部落实党建责任制,推动党建品牌培育", C.ORGANISATIONAL, "每季度"),
            ],
        ),
        (
            P.COMMITTEE,
            "局党组成员",
            True,
            [
                ("对分管条线的党建工作负直接领导责任,联系一个基层党支部", C.INTEGRATION, ""),
                ("鼓好士气、导好舆论、树好新风,抓好分管领域意识形态工作", C.IDEOLOGICAL, "每半年"),
            ],
        ),
        (P.BUSINESS_LEADER, "局领导班子成员(一岗双责)", False, BUSINESS_LEADER_DUTIES),
    ],
    K.BRANCH: ANYANG_LIST[K.BRANCH],
    K.GROUP: ANYANG_LIST[K.GROUP],
}

ANYANG_CODE = "AY-JGDW"
PUTUO_CODE = "PT-DZ"


def _fill(
    duty_list: DutyList, table: dict[str, list[tuple[str, str, bool, list[DutyRow]]]]
) -> None:
    for level, posts in table.items():
        for order, (post, title, required, duties) in enumerate(posts, start=1):
            duty_post = actions.add_post(
                None, duty_list, level=level, post=post, title=title, required=required, order=order
            )
            for n, (text, category, frequency) in enumerate(duties, start=1):
                actions.add_duty(
                    None, duty_post, text=text, category=category, frequency=frequency, order=n
                )


def _holders(org: PartyOrg, role: str) -> list[Post]:
    today = timezone.localdate()
    return list(
        Post.objects.filter(org=org, role=role, ended_on__isnull=True, started_on__lte=today)
        .select_related("person")
        .order_by("pk")
    )


def build_demo(stdout: Any = None) -> dict[str, int]:
    """Build the demo duty lists; does nothing when the Anyang or Putuo organisations are
    missing or already have a list (a second run adds nothing)."""
    anyang = PartyOrg.objects.filter(code=ANYANG_CODE).first()
    putuo = PartyOrg.objects.filter(code=PUTUO_CODE).first()
    if anyang is None or putuo is None or DutyList.objects.filter(owner=anyang).exists():
        return {"duty_lists": DutyList.objects.count()}
    year = timezone.localdate().year

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")

    with transaction.atomic():
        say("Duty lists: Anyang's four levels and five posts, copied from last year …")
        last = actions.create_list(
            None,
            anyang,
            year=year - 1,
            title=f"安阳市城市管理局机关党委{year - 1}年度“四级五岗”党建责任清单",
            note="对照“四级五岗”责任清单明责、履责、尽责,形成环环相扣的责任链条。",
        )
        _fill(last, ANYANG_LIST)
        current = actions.copy_list(None, last, year=year)
        committee_secretary = DutyPost.objects.get(
            duty_list=current, level=K.COMMITTEE, post=P.SECRETARY
        )
        actions.add_duty(
            None,
            committee_secretary,
            text="组织“双争双强一创建”活动,推动基层党组织建设提质出彩",
            category=C.ORGANISATIONAL,
            frequency="全年",
        )

        say("Duty lists: the Putuo bureau's party group, branches and groups …")
        putuo_list = actions.create_list(
            None,
            putuo,
            year=year,
            title=f"普陀区绿化和市容管理局{year}年度党建工作责任清单",
            note="局党组、党支部、党小组三级,书记、副书记、委员、组长、党员五岗。",
        )
        _fill(putuo_list, PUTUO_LIST)

        say("Business leaders (一岗双责) …")
        leaders = 0
        for holder in _holders(anyang, Role.COMMITTEE_MEMBER)[:2]:
            actions.designate_leader(None, holder.person, anyang, title="副局长")
            leaders += 1
        for holder in _holders(putuo, Role.DEPUTY_SECRETARY)[:1]:
            actions.designate_leader(None, holder.person, putuo, title="副局长")
            leaders += 1
        centres = PartyOrg.objects.filter(
            path__startswith=putuo.path, kind=K.BRANCH, status=PartyOrg.Status.ACTIVE
        ).exclude(unit=putuo.unit)
        for branch in centres.order_by("path"):
            for holder in _holders(branch, Role.COMMITTEE_MEMBER)[:1]:
                actions.designate_leader(None, holder.person, branch, title="中心主任")
                leaders += 1

    return {
        "duty_lists": DutyList.objects.count(),
        "duty_posts": DutyPost.objects.count(),
        "duties": Duty.objects.count(),
        "business_leaders": LeaderDesignation.objects.count(),
    }


@demo_step("duties", after=("orgs",))
def build_duties_step(run: DemoRun) -> dict[str, int]:
    """This app's step of `juli demo` (see `juli.core.demo`)."""
    return build_demo(stdout=run.stdout)
