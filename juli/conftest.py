"""The shared cast of tests: a small world and one named person for every kind of user.

district_admin    Huangpu district (area)
street_officer    Dapuqiao street (area)
inspector         Dapuqiao street (area)
grid_worker       micro-grid 1 of Mengxi community (area)
other_grid_worker micro-grid 2 of Mengxi community (area)
unit_staff        a property company in Dapuqiao (unit)
branch_secretary  secretary of the Putuo bureau's first branch (org)
bureau_secretary  secretary of the Putuo bureau's party group (org, parent of the above)
sibling_secretary secretary of the Putuo bureau's second branch (org, sibling)
outsider          plain member of an Anyang branch, no post
platform_admin    superuser
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import translation

from juli.orgs import actions
from juli.orgs.models import Area, PartyOrg, Unit
from juli.orgs.roles import Role

PASSWORD = "juli-test-Pass1"  # noqa: S105 - the test cast's password


@pytest.fixture(autouse=True)
def _fast_hasher(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.JULI_DASHBOARD_CACHE_SECONDS = 0  # live figures; the cache has its own test
    settings.JULI_OPEN311_CACHE_SECONDS = 0  # likewise (test_open311.py)
    cache.clear()


@pytest.fixture(autouse=True)
def _jobs_and_media(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Background jobs run at once in tests, and uploaded files land in a temporary folder."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.JULI_TASKS_BACKEND = "immediate"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english(settings):  # type: ignore[no-untyped-def]
    """Tests read messages in English (the msgids); test_i18n checks the Chinese pages."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _person(name: str, phone: str, **kw):  # type: ignore[no-untyped-def]
    return actions.create_person(None, name=name, phone=phone, **kw)


def _login(name: str, person):  # type: ignore[no-untyped-def]
    return actions.create_account(None, person, name, PASSWORD, validate_password=False)


def build_cast() -> SimpleNamespace:
    c = SimpleNamespace()
    c.huangpu = actions.create_area(None, None, name="黄浦区", kind="district", code="310101000000")
    c.dapuqiao = actions.create_area(
        None, c.huangpu, name="打浦桥街道", kind="street", code="310101013000"
    )
    c.huaihai = actions.create_area(
        None, c.huangpu, name="淮海中路街道", kind="street", code="310101014000"
    )
    c.mengxi = actions.create_area(
        None, c.dapuqiao, name="蒙西居民区", kind="community", code="310101013001"
    )
    c.grid1 = actions.create_area(
        None, c.mengxi, name="蒙西第一微网格", kind="micro_grid", code="3101010130010101"
    )
    c.grid2 = actions.create_area(
        None, c.mengxi, name="蒙西第二微网格", kind="micro_grid", code="3101010130010102"
    )
    c.building1 = actions.create_area(
        None, c.grid1, name="蒙西1号楼组", kind="building_group", code="310101013001010101"
    )

    c.putuo_unit = actions.create_unit(None, name="普陀区绿化和市容管理局", kind="bureau")
    c.anyang_unit = actions.create_unit(None, name="安阳市城市管理局", kind="bureau")
    c.property_co = actions.create_unit(None, name="蒙西物业公司", kind="property", area=c.dapuqiao)

    c.putuo = actions.create_org(
        None,
        None,
        name="普陀区绿化和市容管理局党组",
        kind="leading_group",
        code="PT-DZ",
        unit=c.putuo_unit,
    )
    c.branch1 = actions.create_org(
        None, c.putuo, name="第一党支部", kind="branch", code="PT-B1", unit=c.putuo_unit
    )
    c.branch2 = actions.create_org(
        None, c.putuo, name="第二党支部", kind="branch", code="PT-B2", unit=c.putuo_unit
    )
    c.group1 = actions.create_org(
        None, c.branch1, name="第一党小组", kind="group", code="PT-B1-G1", unit=c.putuo_unit
    )
    c.anyang = actions.create_org(
        None,
        None,
        name="安阳市城市管理局机关党委",
        kind="committee",
        code="AY-JG",
        unit=c.anyang_unit,
    )
    c.lighting = actions.create_org(
        None, c.anyang, name="路灯管理中心党支部", kind="branch", code="AY-LD"
    )
    c.dpq_committee = actions.create_org(
        None,
        None,
        name="打浦桥街道党工委",
        kind="working_committee",
        code="DPQ-DGW",
        area=c.dapuqiao,
    )
    c.mengxi_org = actions.create_org(
        None,
        c.dpq_committee,
        name="蒙西居民区党总支",
        kind="general_branch",
        code="DPQ-MX",
        area=c.mengxi,
    )

    def staff(username, name, phone, role, **where):  # type: ignore[no-untyped-def]
        home = {k: v for k, v in where.items() if k in {"area", "party_org", "unit"}}
        person = _person(name, phone, **home)
        post_where = {k: v for k, v in where.items() if k in {"org", "area_post", "unit_post"}}
        actions.appoint(
            None,
            person,
            role,
            org=post_where.get("org"),
            area=post_where.get("area_post"),
            unit=post_where.get("unit_post"),
            started_on=datetime.date(2024, 1, 1),
        )
        user = _login(username, person)
        return person, user

    c.district_admin_person, c.district_admin = staff(
        "district_admin",
        "黄海明",
        "13800000001",
        Role.DISTRICT_ADMIN,
        area=c.huangpu,
        area_post=c.huangpu,
    )
    c.street_officer_person, c.street_officer = staff(
        "street_officer",
        "李东风",
        "13800000002",
        Role.STREET_OFFICER,
        area=c.dapuqiao,
        area_post=c.dapuqiao,
    )
    c.inspector_person, c.inspector = staff(
        "inspector", "王督查", "13800000003", Role.INSPECTOR, area=c.dapuqiao, area_post=c.dapuqiao
    )
    c.grid_worker_person, c.grid_worker = staff(
        "grid_worker", "赵网格", "13800000004", Role.GRID_WORKER, area=c.grid1, area_post=c.grid1
    )
    c.other_grid_worker_person, c.other_grid_worker = staff(
        "other_grid_worker",
        "钱网格",
        "13800000005",
        Role.GRID_WORKER,
        area=c.grid2,
        area_post=c.grid2,
    )
    c.unit_staff_person, c.unit_staff = staff(
        "unit_staff",
        "孙物业",
        "13800000006",
        Role.UNIT_STAFF,
        unit=c.property_co,
        unit_post=c.property_co,
    )
    c.branch_secretary_person, c.branch_secretary = staff(
        "branch_secretary",
        "单田芳",
        "13800000007",
        Role.PARTY_SECRETARY,
        party_org=c.branch1,
        org=c.branch1,
    )
    c.bureau_secretary_person, c.bureau_secretary = staff(
        "bureau_secretary",
        "周局长",
        "13800000008",
        Role.PARTY_SECRETARY,
        party_org=c.putuo,
        org=c.putuo,
    )
    c.sibling_secretary_person, c.sibling_secretary = staff(
        "sibling_secretary",
        "吴二支",
        "13800000009",
        Role.PARTY_SECRETARY,
        party_org=c.branch2,
        org=c.branch2,
    )
    c.outsider_person = _person(
        "郑安阳", "13800000010", party_org=c.lighting, political_status="member"
    )
    c.outsider = _login("outsider", c.outsider_person)
    c.member_person = _person(
        "冯党员", "13800000011", party_org=c.branch1, political_status="member"
    )
    c.platform_admin = actions.create_account(
        None, None, "platform_admin", PASSWORD, superuser=True, validate_password=False
    )
    for name in (
        "putuo",
        "branch1",
        "branch2",
        "group1",
        "anyang",
        "lighting",
        "dpq_committee",
        "mengxi_org",
    ):
        setattr(c, name, PartyOrg.objects.get(pk=getattr(c, name).pk))
    for name in ("huangpu", "dapuqiao", "huaihai", "mengxi", "grid1", "grid2", "building1"):
        setattr(c, name, Area.objects.get(pk=getattr(c, name).pk))
    for name in ("putuo_unit", "anyang_unit", "property_co"):
        setattr(c, name, Unit.objects.get(pk=getattr(c, name).pk))
    return c


@pytest.fixture
def cast(db):  # type: ignore[no-untyped-def]
    return build_cast()
