"""The honours demo (seed 002): Huangpu's 百优支部 of last year, conferred on a hundred
branches from every field and published (numbered, certificates downloadable), this year's
call taking nominations (some in), and a 先锋党员 kind with a few honours for people."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from juli.core.demo import DemoRun, demo_step
from juli.orgs.demo import data as org_data
from juli.orgs.models import PartyOrg, Person

from . import actions
from .models import HonourCall, Target

BYZB_CRITERIA = (
    "政治功能和组织力突出;组织生活规范(“三会一课”达标);党员教育管理扎实;"
    "在基层治理、服务群众中作用发挥明显;年内无违纪违法问题。"
)
REASON = "该支部组织生活规范,在服务群众、基层治理中作用突出,群众满意度高。"
PIONEER_REASON = "在急难险重任务中冲锋在前,服务群众事迹突出。"


def build_demo(today: datetime.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    committee = PartyOrg.objects.filter(name=org_data.HUANGPU_COMMITTEE).first()
    if committee is None:
        return {"honour_kinds": 0}
    kind = actions.create_kind(
        None,
        org=committee,
        name="百优支部",
        code="BYZB",
        target=Target.ORG,
        description="黄浦区每年在全区各领域党支部中评选一百个“百优支部”,十个代表支部领取奖牌。",
        criteria=BYZB_CRITERIA,
        default_quota=100,
    )
    branches = list(
        PartyOrg.objects.filter(
            path__startswith=committee.path,
            kind=PartyOrg.Kind.BRANCH,
            status=PartyOrg.Status.ACTIVE,
        ).order_by("path")
    )
    last = today.year - 1
    call = actions.open_call(
        None, kind, year=last, quota=100, nominate_until=datetime.date(last, 11, 30)
    )
    day = datetime.date(last, 11, 1)
    for org in branches[:100]:
        nominator = PartyOrg.objects.get_parent(org) or committee
        actions.nominate(None, call, nominator=nominator, nominee_org=org, reason=REASON, today=day)
    for nomination in call.nominations.order_by("pk"):
        actions.review(None, nomination, accept=True, reason="")
    actions.close_nominations(None, call)
    call = actions.confer(None, call, conferred_on=datetime.date(last, 12, 20))
    call = actions.publish(None, call)

    this = actions.open_call(
        None,
        kind,
        year=today.year,
        quota=100,
        per_nominator_quota=20,
        nominate_until=today + datetime.timedelta(days=30),
    )
    for org in branches[100:][:8] or branches[:8]:
        nominator = PartyOrg.objects.get_parent(org) or committee
        actions.nominate(
            None, this, nominator=nominator, nominee_org=org, reason=REASON, today=today
        )

    pioneer = actions.create_kind(
        None,
        org=committee,
        name="先锋党员",
        code="XFDY",
        target=Target.PERSON,
        criteria="理想信念坚定,在本职岗位和基层治理中发挥先锋模范作用。",
        default_quota=20,
    )
    people = list(
        Person.objects.filter(
            org_path__startswith=committee.path,
            political_status=Person.PoliticalStatus.MEMBER,
        ).order_by("org_path", "pk")[:5]
    )
    person_call = actions.open_call(
        None, pioneer, year=last, quota=20, nominate_until=datetime.date(last, 11, 30)
    )
    for person in people:
        party_org = PartyOrg.objects.get(path=person.org_path)
        n = actions.nominate(
            None,
            person_call,
            nominator=party_org,
            nominee_person=person,
            reason=PIONEER_REASON,
            today=day,
        )
        actions.review(None, n, accept=True)
    if people:
        actions.close_nominations(None, person_call)
        actions.confer(None, person_call, conferred_on=datetime.date(last, 12, 20))
        actions.publish(None, person_call)
    return {
        "honour_kinds": 2,
        "honours": call.honours.count() + person_call.honours.count(),
        "nominations_open": this.nominations.count(),
        "calls": HonourCall.objects.count(),
    }


@demo_step("honours", after=("orgs",))
def build_honours_step(run: DemoRun) -> dict[str, Any]:
    return build_demo()
