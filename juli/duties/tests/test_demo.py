"""The demo duty lists over the demo world: Anyang's four levels and five posts, Putuo's
list, business leaders, and the vacancies the demo shows."""

from __future__ import annotations

from django.urls import reverse

from juli.core.models import AuditLog
from juli.duties import demo, queries
from juli.duties.models import DutyList, LeaderDesignation
from juli.orgs.demo import build_demo as build_org_demo
from juli.orgs.models import PartyOrg, User


def test_the_demo_builds_the_lists_once_with_visible_vacancies(db, client):
    build_org_demo(people=0)
    made = demo.build_demo()
    assert made["duty_lists"] == 3
    assert made["business_leaders"] == 6
    assert made["duties"] > 100
    year = queries.this_year()
    anyang = PartyOrg.objects.get(code=demo.ANYANG_CODE)
    lists = DutyList.objects.filter(owner=anyang).order_by("year")
    assert [dl.year for dl in lists] == [year - 1, year]
    assert lists[1].copied_from == lists[0]
    assert AuditLog.objects.filter(verb="duty_list.copy").count() == 1

    chain = queries.build_chain(anyang)
    vacant = [(n.org.name, r.duty_post.label) for n in chain.nodes for r in n.vacant_rows]
    assert len(vacant) == chain.vacancies == 4
    assert {label for _org, label in vacant} == {"党总支委员"}
    assert all(name.endswith("党总支") for name, _label in vacant)
    branches = [n for n in chain.nodes if n.org.kind == PartyOrg.Kind.BRANCH]
    assert len(branches) >= 40
    assert all(n.duty_list == lists[1] and n.rows for n in branches)

    secretary = User.objects.get(username="anyang_secretary")
    held = queries.person_duties(secretary.person)
    assert [h.label for h in held] == ["机关党委书记", "机关党委直属党员"]
    assert "组织“双争双强一创建”活动,推动基层党组织建设提质出彩" in [d.text for d in held[0].duties]
    leaders = LeaderDesignation.objects.filter(org=anyang)
    assert leaders.count() == 2
    union = queries.person_duties(leaders[0].person)
    assert {h.post for h in union} >= {"committee_member", "business_leader"}

    putuo = PartyOrg.objects.get(code=demo.PUTUO_CODE)
    assert queries.build_chain(putuo).vacancies == 0
    client.force_login(User.objects.get(username="bureau_secretary"))
    body = client.get(reverse("duties-mine")).content.decode()
    assert "局党组书记" in body

    # A second run adds nothing.
    assert demo.build_demo() == {"duty_lists": 3}
