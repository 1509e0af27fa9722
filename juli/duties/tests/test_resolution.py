"""Resolution: a person's duties are the union over their posts; the chain finds vacancies."""

from __future__ import annotations

import datetime

from django.utils import timezone

from juli.duties import actions, queries
from juli.duties.models import DutyList
from juli.orgs.models import Post
from juli.orgs.roles import Role

from .conftest import K, P, appoint


def _texts(held):  # type: ignore[no-untyped-def]
    return {(h.org.name, h.post): [d.text for d in h.duties] for h in held}


def test_it_gives_a_secretary_the_duties_of_the_post_at_the_level(world):
    held = queries.person_duties(world.c.branch_secretary_person)
    assert _texts(held) == {
        ("第一党支部", P.SECRETARY): ["按时召开支委会和党员大会", "年底向上级党组织述职"]
    }
    assert held[0].duty_list == world.putuo_list
    assert held[0].label == "党支部书记"


def test_it_gives_the_union_of_two_posts_without_duplicates(world):
    c = world.c
    person = c.branch_secretary_person
    appoint(person, Role.GROUP_LEADER, c.group1, "第一党小组组长")
    # The same post twice (re-appointed without ending the first) still counts once.
    appoint(person, Role.PARTY_SECRETARY, c.branch1, "书记")
    held = queries.person_duties(person)
    assert _texts(held) == {
        ("第一党支部", P.SECRETARY): ["按时召开支委会和党员大会", "年底向上级党组织述职"],
        ("第一党小组", P.GROUP_LEADER): ["每月召开党小组会"],
    }
    all_ids = [d.pk for h in held for d in h.duties]
    assert len(all_ids) == len(set(all_ids)) == 3


def test_it_adds_membership_and_business_leader_duties(world):
    c = world.c
    actions.designate_leader(None, c.member_person, c.branch1, title="中心主任")
    held = queries.person_duties(c.member_person)
    assert _texts(held) == {
        ("第一党支部", P.MEMBER): ["按时交纳党费", "参加三会一课"],
        ("第一党支部", P.BUSINESS_LEADER): ["党建与业务同部署同考核"],
    }
    assert [h.titles for h in held] == [[], ["中心主任"]]


def test_it_forgets_ended_posts_and_leaves_people_without_posts_empty(world):
    c = world.c
    Post.objects.filter(person=c.branch_secretary_person).update(
        ended_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert queries.person_duties(c.branch_secretary_person) == []
    assert queries.person_duties(c.grid_worker_person) == []
    assert queries.person_duties(None) == []


def test_it_reports_a_post_the_list_does_not_cover(world):
    held = queries.person_duties(world.c.outsider_person)  # member of Anyang's lighting branch
    assert len(held) == 1
    assert held[0].duty_list == world.anyang_list
    assert held[0].duty_post is None
    assert held[0].duties == []


def test_it_uses_the_latest_year_and_then_the_nearest_owner(world):
    c = world.c
    older = actions.create_list(None, c.putuo, year=world.year - 1, title="旧清单")
    branch_list = actions.create_list(None, c.branch1, year=world.year - 1, title="支部清单")
    lists = queries.candidate_lists([c.group1.path], world.year)
    assert queries.pick_list(c.group1.path, lists) == world.putuo_list
    lists = queries.candidate_lists([c.group1.path], world.year - 1)
    assert queries.pick_list(c.group1.path, lists) == branch_list
    assert queries.pick_list(c.branch2.path, lists) == older
    assert queries.candidate_lists([c.branch2.path], world.year - 2) == []


def test_it_finds_vacancies_and_rolls_them_up(world):
    c = world.c
    chain = queries.build_chain(c.putuo)
    by_name = {n.org.name: n for n in chain.nodes}
    assert [n.org.name for n in chain.nodes] == [
        "普陀区绿化和市容管理局党组",
        "第一党支部",
        "第一党小组",
        "第二党支部",
    ]
    assert {name: (n.vacancies, n.subtree_vacancies) for name, n in by_name.items()} == {
        "普陀区绿化和市容管理局党组": (1, 4),
        "第一党支部": (1, 2),
        "第一党小组": (1, 1),
        "第二党支部": (1, 1),
    }
    assert chain.vacancies == 4
    assert [r.duty_post.post for r in by_name["普陀区绿化和市容管理局党组"].vacant_rows] == [
        P.DEPUTY
    ]
    assert [r.duty_post.post for r in by_name["第一党支部"].vacant_rows] == [P.COMMITTEE]
    branch1 = by_name["第一党支部"]
    rows = {r.duty_post.post: r for r in branch1.rows}
    assert [h.person.name for h in rows[P.SECRETARY].holders] == ["单田芳"]
    assert rows[P.MEMBER].members == 1  # 冯党员; the secretary is not a party member in the cast
    assert rows[P.MEMBER].vacant is False  # optional
    assert rows[P.BUSINESS_LEADER].vacant is False


def test_it_fills_a_vacancy_when_someone_is_appointed(world):
    c = world.c
    appoint(c.member_person, Role.COMMITTEE_MEMBER, c.branch1, "组织委员")
    appoint(c.member_person, Role.GROUP_LEADER, c.group1, "组长")
    chain = queries.build_chain(c.branch1)
    assert [(n.org.name, n.vacancies, n.subtree_vacancies) for n in chain.nodes] == [
        ("第一党支部", 0, 0),
        ("第一党小组", 0, 0),
    ]
    assert chain.vacancies == 0


def test_it_counts_a_required_member_post_without_members_as_vacant(world):
    actions.update_post(None, world.br_member, required=True)
    chain = queries.build_chain(world.c.putuo)
    by_name = {n.org.name: n for n in chain.nodes}
    assert by_name["第二党支部"].vacancies == 2  # committee and members
    assert by_name["第一党支部"].vacancies == 1  # 冯党员 is a member
    assert chain.vacancies == 5


def test_it_leaves_merged_and_retired_organisations_out_of_the_chain(world):
    from juli.orgs import actions as org_actions

    org_actions.merge_org(None, world.c.branch2, world.c.branch1, note="合并")
    chain = queries.build_chain(world.c.putuo)
    assert [n.org.name for n in chain.nodes] == [
        "普陀区绿化和市容管理局党组",
        "第一党支部",
        "第一党小组",
    ]
    assert chain.vacancies == 3


def test_it_shows_nothing_for_a_year_before_any_list(world):
    chain = queries.build_chain(world.c.putuo, world.year - 5)
    assert all(n.duty_list is None and n.rows == [] for n in chain.nodes)
    assert chain.vacancies == 0


def test_a_copied_list_is_independent_of_its_source(world):
    copy = actions.copy_list(None, world.putuo_list, year=world.year + 1)
    assert copy.title == "普陀局党建责任清单"
    new_post = copy.posts.get(level=K.BRANCH, post=P.SECRETARY)
    assert [d.text for d in new_post.duties.all()] == [
        "按时召开支委会和党员大会",
        "年底向上级党组织述职",
    ]
    actions.add_duty(None, new_post, text="明年新增的责任")
    assert world.br_secretary.duties.count() == 2
    assert DutyList.objects.filter(owner=world.c.putuo).count() == 2
    held = queries.person_duties(world.c.branch_secretary_person, world.year + 1)
    assert [d.text for d in held[0].duties][-1] == "明年新增的责任"
