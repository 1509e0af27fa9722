"""The demo world: what `juli demo` builds, that it builds the same world every time, that
its logins work and are scoped, and the `juli areas` printout.

Building the world takes seconds, so this module builds it once (committed to the test
database by a module-scoped `django_db_setup`) and empties the database again afterwards;
each test still runs in its own rolled-back transaction.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory, override_settings

from juli.core.models import AuditLog
from juli.orgs import access
from juli.orgs.demo import DEMO_LOGINS, build_demo
from juli.orgs.models import Area, PartyOrg, Person, Post, TreeChange, Unit, User
from juli.orgs.roles import Role

PEOPLE = 540  # above the ~485 the structure needs, so the filler runs too, yet quick

HUANGPU_STREETS = {
    "南京东路街道",
    "外滩街道",
    "半淞园路街道",
    "小东门街道",
    "豫园街道",
    "老西门街道",
    "五里桥街道",
    "打浦桥街道",
    "淮海中路街道",
    "瑞金二路街道",
}

#: What `juli demo` printed when the module's world was built.
django_db_setup_output: list[str] = []


@pytest.fixture(scope="module")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The test database with the demo world in it, for this module only."""
    out = io.StringIO()
    with django_db_blocker.unblock():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            call_command("demo", "--if-empty", "--no-cases", "--people", str(PEOPLE), stdout=out)
        django_db_setup_output.append(out.getvalue())
        yield
        # Other modules expect an empty database.
        call_command("flush", interactive=False, verbosity=0)


def fingerprint() -> dict[str, Any]:
    """Everything that identifies the world, without ids or timestamps."""

    def rows(qs: Any) -> list[Any]:
        return sorted(qs, key=repr)  # repr: rows mix None and values in the same column

    return {
        "areas": rows(
            Area.objects.values_list("path", "code", "name", "kind", "centre_lat", "centre_lng")
        ),
        "units": rows(
            Unit.objects.values_list("name", "kind", "code", "parent__name", "area__code")
        ),
        "orgs": rows(
            PartyOrg.objects.values_list(
                "path",
                "code",
                "name",
                "kind",
                "status",
                "area__code",
                "unit__name",
                "founded_on",
                "merged_into__code",
                "is_retired_members",
            )
        ),
        "people": rows(
            Person.objects.values_list(
                "name",
                "gender",
                "birth_year",
                "phone",
                "political_status",
                "occupation",
                "party_joined_on",
                "party_org__code",
                "area__code",
                "unit__name",
                "org_path",
            )
        ),
        "posts": rows(
            Post.objects.values_list(
                "person__phone",
                "role",
                "title",
                "org__code",
                "area__code",
                "unit__name",
                "started_on",
                "ended_on",
                "certificate_no",
            )
        ),
        "users": rows(User.objects.values_list("username", "person__phone", "is_superuser")),
        "tree": rows(
            TreeChange.objects.values_list(
                "tree", "verb", "old_path", "new_path", "old_name", "new_name", "note"
            )
        ),
        "audit": rows(Counter(AuditLog.objects.values_list("verb", flat=True)).items()),
    }


def login(username: str) -> User:
    return User.objects.get(username=username)


def org_named(name: str) -> PartyOrg:
    return PartyOrg.objects.get(name=name)


# --- building ---------------------------------------------------------------------------------


def test_it_builds_on_an_empty_database_with_if_empty(db):
    assert "Demo world built" in django_db_setup_output[0]
    assert f"people {PEOPLE}," in django_db_setup_output[0]
    assert Person.objects.count() == PEOPLE


def test_it_builds_the_same_world_every_time(db):
    first = fingerprint()
    call_command("flush", interactive=False, verbosity=0)
    assert Area.objects.count() == 0
    build_demo(people=PEOPLE)
    assert fingerprint() == first


def test_it_does_nothing_with_if_empty_on_a_filled_database(db):
    before = fingerprint()
    out = io.StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "no demo" in out.getvalue()
    assert fingerprint() == before


def test_it_refuses_to_build_over_existing_data_without_if_empty(db):
    audit_rows = AuditLog.objects.count()
    with pytest.raises(CommandError, match="not empty"):
        call_command("demo", stdout=io.StringIO())
    assert AuditLog.objects.count() == audit_rows


def test_it_writes_everything_through_audited_actions_as_the_system(db):
    verbs = Counter(AuditLog.objects.values_list("verb", flat=True))
    assert verbs["person.create"] == Person.objects.count()
    assert verbs["org.create"] == PartyOrg.objects.count()
    assert verbs["area.create"] == Area.objects.count()
    assert verbs["unit.create"] == Unit.objects.count()
    assert verbs["post.appoint"] == Post.objects.count()
    assert verbs["account.create"] == User.objects.count() == len(DEMO_LOGINS)
    assert (verbs["org.retire"], verbs["org.move"], verbs["org.merge"]) == (1, 1, 1)
    assert not AuditLog.objects.filter(actor__isnull=False).exists()


# --- what the world contains ----------------------------------------------------------------


def test_it_recreates_the_putuo_bureau_with_four_branches_and_a_retired_one(db):
    putuo = org_named("普陀区绿化和市容管理局党组")
    assert putuo.kind == PartyOrg.Kind.LEADING_GROUP
    branches = PartyOrg.objects.filter(path__startswith=putuo.path, kind=PartyOrg.Kind.BRANCH)
    assert sorted(branches.filter(status="active").values_list("short_name", flat=True)) == [
        "市容中心党支部",
        "机关党支部",
        "环卫中心党支部",
        "绿化中心党支部",
    ]
    retired = branches.get(status=PartyOrg.Status.RETIRED)
    assert (retired.short_name, retired.is_retired_members) == ("机关退休党支部", True)
    assert retired.members.count() == 0
    assert Post.objects.filter(org=retired, ended_on__isnull=True).count() == 0
    assert Post.objects.filter(org=retired).count() == 1  # its secretary, post ended
    change = TreeChange.objects.get(node_id=retired.pk, verb=TreeChange.Verb.RETIRED)
    assert "撤销" in change.note


def test_it_recreates_anyang_with_forty_branches_a_move_and_a_merger(db):
    anyang = org_named("安阳市城市管理局机关党委")
    branches = PartyOrg.objects.filter(path__startswith=anyang.path, kind=PartyOrg.Kind.BRANCH)
    assert branches.filter(status=PartyOrg.Status.ACTIVE).count() == 42
    assert branches.filter(name="路灯管理中心党支部", status="active").exists()
    moved = org_named("公厕管理所党支部")
    assert PartyOrg.objects.get_parent(moved) == org_named("环卫处党总支")
    move = TreeChange.objects.get(node_id=moved.pk, verb=TreeChange.Verb.MOVED)
    assert (move.old_parent_name, move.new_parent_name) == (
        "安阳市城市管理局机关党委",
        "环卫处党总支",
    )
    merged, target = org_named("桥梁管理所党支部"), org_named("道路维修所党支部")
    assert (merged.status, merged.merged_into) == (PartyOrg.Status.MERGED, target)
    assert merged.members.count() == 0
    assert target.members.count() > 1


def test_it_builds_huangpu_with_its_ten_streets_and_dapuqiao_grids(db):
    huangpu = Area.objects.get(code="310101000000")
    streets = Area.objects.get_children(huangpu)
    assert set(streets.values_list("name", flat=True)) == HUANGPU_STREETS
    assert all(re.fullmatch(r"310101\d{3}000", s.code) for s in streets)
    mengxi = Area.objects.get(name="蒙西居民区")
    assert Area.objects.get_parent(mengxi).name == "打浦桥街道"
    grids = Area.objects.get_children(mengxi)
    assert {g.kind for g in grids} == {Area.Kind.MICRO_GRID}
    assert all(g.code.startswith(mengxi.code) and len(g.code) == 14 for g in grids)
    assert (
        Area.objects.filter(kind=Area.Kind.BUILDING_GROUP, path__startswith=mengxi.path).count()
        >= 8
    )
    committee = org_named("打浦桥街道党工委")
    assert (committee.kind, committee.area) == (
        PartyOrg.Kind.WORKING_COMMITTEE,
        Area.objects.get_parent(mengxi),
    )
    # Each level of the street's party tree sits on the matching level of its area tree.
    kinds = set(
        PartyOrg.objects.filter(path__startswith=committee.path)
        .exclude(pk=committee.pk)
        .values_list("area__kind", "kind")
    )
    assert kinds == {
        ("community", "general_branch"),
        ("micro_grid", "branch"),
        ("building_group", "group"),
    }
    assert all(
        a.centre_lat and 31 < a.centre_lat < 31.3
        for a in Area.objects.filter(path__startswith=huangpu.path)
    )


def test_it_builds_guangminglu_street_in_huimin_district(db):
    street = Area.objects.get(name="光明路街道")
    assert Area.objects.get_parent(street).name == "回民区"
    assert Area.objects.get_children(street).count() == 5
    assert Area.objects.filter(path__startswith=street.path, kind="micro_grid").exists()
    assert org_named("光明路街道党工委").area == street


def test_it_uses_statistical_codes_down_to_the_community(db):
    for area in Area.objects.filter(kind__in=["district", "street", "community"]):
        assert re.fullmatch(r"\d{12}", area.code), area


def test_it_creates_hundreds_of_people_with_unique_valid_phones(db):
    phones = list(Person.objects.values_list("phone", flat=True))
    assert len(phones) == len(set(phones)) == PEOPLE
    assert all(re.fullmatch(r"1[3-9]\d{9}", p or "") for p in phones)
    occupations = set(Person.objects.values_list("occupation", flat=True))
    assert {"courier", "delivery_rider", "ride_hailing", "shop_owner", "volunteer"} <= occupations
    in_orgs = Person.objects.filter(party_org__isnull=False)
    assert set(in_orgs.values_list("political_status", flat=True)) <= {"member", "probationary"}


def test_it_gives_every_active_organisation_a_secretary_or_group_leader(db):
    led = Post.objects.filter(
        role__in=[Role.PARTY_SECRETARY, Role.GROUP_LEADER], ended_on__isnull=True
    ).values("org")
    leaderless = PartyOrg.objects.filter(status="active").exclude(pk__in=led)
    assert list(leaderless.values_list("name", flat=True)) == []


def test_it_gives_every_mobile_grid_worker_a_certificate(db):
    posts = Post.objects.filter(role=Role.MOBILE_GRID_WORKER)
    assert posts.count() == 2 * 19 + 5  # two per Dapuqiao micro-grid, one per Guangminglu one
    numbers = list(posts.values_list("certificate_no", flat=True))
    assert all(numbers) and len(set(numbers)) == len(numbers)
    assert set(posts.values_list("area__kind", flat=True)) == {"micro_grid"}


def test_it_finds_li_dongfeng_by_pinyin_initials(db):
    assert list(
        Person.objects.filter(search_key__contains="ldf").values_list("name", flat=True)
    ) == ["李东风"]


# --- logins and their scopes --------------------------------------------------------------------


@pytest.mark.parametrize("username", [name for name, _ in DEMO_LOGINS])
def test_it_lets_every_demo_login_in_with_the_demo_password(db, username):
    request = RequestFactory().post("/accounts/login/")
    user = authenticate(request, username=username, password=settings.JULI_DEMO_PASSWORD)
    assert user is not None and user.username == username


def test_it_scopes_the_branch_secretary_to_their_branch(db):
    user = login("branch_secretary")
    names = set(access.visible_orgs(user).values_list("name", flat=True))
    assert names == {"普陀区绿化市容局机关党支部", "党建宣传小组", "第二党小组"}
    assert access.visible_areas(user).count() == 0
    assert access.visible_orgs(user).filter(name__contains="党建").exists()


def test_it_scopes_the_grid_worker_to_their_micro_grid(db):
    user = login("grid_worker")
    grid = Area.objects.get(name="蒙西第一微网格")
    assert user.person is not None
    assert user.person.area == grid
    subtree = set(Area.objects.filter(path__startswith=grid.path))
    assert set(access.visible_areas(user)) == subtree
    orgs = access.visible_orgs(user)
    assert orgs.count() == len(subtree)  # the grid's branch and one group per building group
    assert all(o.area in subtree for o in orgs)


def test_it_shows_the_outsider_only_their_anyang_branch(db):
    user = login("outsider")
    assert list(access.visible_orgs(user).values_list("name", flat=True)) == ["路灯管理中心党支部"]
    assert access.visible_areas(user).count() == 0
    assert not Post.objects.filter(person=user.person).exists()


def test_it_scopes_the_street_officer_and_inspector_to_dapuqiao(db):
    dapuqiao = Area.objects.get(name="打浦桥街道")
    expected = set(Area.objects.filter(path__startswith=dapuqiao.path))
    for username in ("street_officer", "inspector"):
        assert set(access.visible_areas(login(username))) == expected
    officer = login("street_officer").person
    assert officer is not None and officer.name == "李东风"


def test_it_scopes_the_district_admin_to_huangpu(db):
    user = login("district_admin")
    huangpu = Area.objects.get(code="310101000000")
    assert set(access.visible_areas(user)) == set(
        Area.objects.filter(path__startswith=huangpu.path)
    )
    assert not access.visible_areas(user).filter(name="光明路街道").exists()


def test_it_scopes_unit_logins_to_their_unit(db):
    assert list(access.visible_units(login("unit_staff")).values_list("name", flat=True)) == [
        "蒙西物业公司"
    ]
    assert list(access.visible_units(login("alliance_contact")).values_list("name", flat=True)) == [
        "上海交通大学医学院附属瑞金医院"
    ]


def test_it_makes_platform_admin_a_superuser_without_a_person(db):
    user = login("platform_admin")
    assert (user.is_superuser, user.person) == (True, None)
    assert access.visible_orgs(user).count() == PartyOrg.objects.count()


# --- juli areas ---------------------------------------------------------------------------------


def areas(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("areas", *args, stdout=out)
    return out.getvalue().splitlines()


def test_it_prints_the_area_tree_indented_with_codes(db):
    lines = areas()
    assert lines[0] == "黄浦区 [310101000000] district"
    assert "  打浦桥街道 [310101021000] street" in lines
    assert "    蒙西居民区 [310101021001] community" in lines
    assert "      蒙西第一微网格 [31010102100101] micro_grid" in lines
    assert len(lines) == Area.objects.count()


def test_it_limits_the_area_tree_by_root_and_depth(db):
    assert areas("--depth", "1") == [
        "黄浦区 [310101000000] district",
        "回民区 [150103000000] district",
    ]
    lines = areas("--root", "310101021001", "--depth", "2")
    assert lines[0] == "蒙西居民区 [310101021001] community"
    assert lines[1] == "  蒙西第一微网格 [31010102100101] micro_grid"
    assert len(lines) == 1 + Area.objects.get_children_count(Area.objects.get(code="310101021001"))
    with pytest.raises(CommandError):
        areas("--root", "999")
