"""The duties world on top of the shared cast (juli/conftest.py).

putuo list (this year, owned by the Putuo party group, 普陀 党组):
  leading_group  secretary (required, 2 duties), deputy (required, 1: VACANT at putuo),
                 member (optional, 1)
  branch         secretary (required, 2), committee (required, 1: VACANT in branch1 and
                 branch2), member (optional, 2), business_leader (optional, 1)
  group          group_leader (required, 1: VACANT in group1)
Vacancies: putuo 1, branch1 1, branch2 1, group1 1 → putuo's subtree 4, branch1's 2.

anyang list (this year, owned by the Anyang organ committee): branch secretary only.
member       a login for the cast's plain member of branch1 (冯党员)
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from juli.conftest import PASSWORD  # noqa: F401 - re-exported for the tests
from juli.duties import actions
from juli.duties.models import Duty, DutyPostKind
from juli.orgs import actions as org_actions
from juli.orgs.models import PartyOrg

K = PartyOrg.Kind
P = DutyPostKind
C = Duty.Category


def build_world(c: SimpleNamespace) -> SimpleNamespace:
    w = SimpleNamespace(c=c, year=timezone.localdate().year)
    w.putuo_list = actions.create_list(None, c.putuo, year=w.year, title="普陀局党建责任清单")
    add = actions.add_post
    w.lg_secretary = add(
        None, w.putuo_list, level=K.LEADING_GROUP, post=P.SECRETARY, title="局党组书记"
    )
    w.lg_deputy = add(
        None, w.putuo_list, level=K.LEADING_GROUP, post=P.DEPUTY, title="局党组副书记"
    )
    w.lg_member = add(None, w.putuo_list, level=K.LEADING_GROUP, post=P.MEMBER, required=False)
    w.br_secretary = add(None, w.putuo_list, level=K.BRANCH, post=P.SECRETARY, title="党支部书记")
    w.br_committee = add(None, w.putuo_list, level=K.BRANCH, post=P.COMMITTEE, title="党支部委员")
    w.br_member = add(
        None, w.putuo_list, level=K.BRANCH, post=P.MEMBER, title="党员", required=False
    )
    w.br_leader = add(None, w.putuo_list, level=K.BRANCH, post=P.BUSINESS_LEADER, required=False)
    w.gr_leader = add(None, w.putuo_list, level=K.GROUP, post=P.GROUP_LEADER, title="党小组组长")
    duty = actions.add_duty
    w.d_lg_sec1 = duty(
        None, w.lg_secretary, text="履行全面从严治党第一责任人职责", category=C.POLITICAL
    )
    w.d_lg_sec2 = duty(
        None, w.lg_secretary, text="与各党支部书记签订目标责任书", frequency="一季度"
    )
    w.d_lg_dep = duty(None, w.lg_deputy, text="协助书记抓好组织宣传统战工作")
    w.d_lg_mem = duty(None, w.lg_member, text="参加局党组理论学习中心组学习")
    w.d_br_sec1 = duty(None, w.br_secretary, text="按时召开支委会和党员大会", frequency="每月")
    w.d_br_sec2 = duty(None, w.br_secretary, text="年底向上级党组织述职", category=C.POLITICAL)
    w.d_br_com = duty(None, w.br_committee, text="按分工负责组织宣传纪检工作")
    w.d_br_mem1 = duty(None, w.br_member, text="按时交纳党费", frequency="每月")
    w.d_br_mem2 = duty(None, w.br_member, text="参加三会一课", category=C.IDEOLOGICAL)
    w.d_br_lead = duty(None, w.br_leader, text="党建与业务同部署同考核", category=C.INTEGRATION)
    w.d_gr_lead = duty(None, w.gr_leader, text="每月召开党小组会", frequency="每月")

    w.anyang_list = actions.create_list(None, c.anyang, year=w.year, title="安阳机关党委责任清单")
    w.ay_secretary = add(None, w.anyang_list, level=K.BRANCH, post=P.SECRETARY)
    duty(None, w.ay_secretary, text="对照五星级党支部标准开展创建")

    w.member = org_actions.create_account(
        None, c.member_person, "member", PASSWORD, validate_password=False
    )
    return w


@pytest.fixture
def world(cast):  # type: ignore[no-untyped-def]
    return build_world(cast)


def appoint(person, role, org, title=""):  # type: ignore[no-untyped-def]
    return org_actions.appoint(
        None, person, role, org=org, title=title, started_on=datetime.date(2024, 1, 1)
    )
