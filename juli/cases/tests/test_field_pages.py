"""The phone pages under /m/: who may open them, what they list, the offline plumbing."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from juli.cases import inspections
from juli.cases.models import Case, Inspection
from juli.core.models import AuditLog
from juli.orgs import actions as org_actions

from .conftest import new_case, put

FIELD_USERS = ["inspector", "grid_worker", "other_grid_worker", "unit_staff"]
NOT_FIELD = ["district_admin", "street_officer", "branch_secretary", "outsider", "platform_admin"]


def _get(client, user, url):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize(
    ("who", "status"),
    [*((u, 200) for u in FIELD_USERS), *((u, 404) for u in NOT_FIELD)],
)
def test_it_opens_the_field_home_to_field_roles_only(client, world, who, status):
    audits = AuditLog.objects.count()
    response = _get(client, getattr(world.c, who), reverse("field-home"))
    assert response.status_code == status
    assert AuditLog.objects.count() == audits


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    response = client.get(reverse("field-home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/m/"


def test_it_lists_todays_points_in_walking_order_for_the_inspector(client, world):
    inspections.plan_day(timezone.localdate())
    response = _get(client, world.c.inspector, reverse("field-home"))
    assert [a.point.name for a in response.context["points"]] == ["菜场A", "菜场B", "菜场C"]
    assert response.context["can_report"] is True
    assert response.context["to_rectify"] == []
    content = response.content.decode()
    assert f'href="/m/points/{world.point_a.pk}/inspect/"' in content
    assert 'id="outbox-status" data-count="0"' in content


def test_it_lists_only_the_units_dispatched_cases_for_unit_staff(client, world):
    mine = put(new_case(world, title="楼道堆物"), "dispatched", world)
    theirs = put(new_case(world, title="垃圾满溢"), "dispatched", world)
    other = org_actions.create_unit(None, name="另一家物业", kind="property", area=world.c.dapuqiao)
    Case.objects.filter(pk=theirs.pk).update(unit=other)
    put(new_case(world, title="已整改"), "rectified", world)
    response = _get(client, world.c.unit_staff, reverse("field-home"))
    assert [c.pk for c in response.context["to_rectify"]] == [mine.pk]
    assert response.context["points"] == []
    assert response.context["can_report"] is False
    assert (
        _get(client, world.c.unit_staff, reverse("field-case", args=[theirs.pk])).status_code == 404
    )
    page = _get(client, world.c.unit_staff, reverse("field-case", args=[mine.pk]))
    assert page.status_code == 200
    assert page.context["actions"] == ["rectify"]


def test_it_lists_the_cases_to_verify_with_verify_and_send_back(client, world):
    case = put(new_case(world), "rectified", world)
    response = _get(client, world.c.inspector, reverse("field-home"))
    assert [c.pk for c in response.context["to_verify"]] == [case.pk]
    page = _get(client, world.c.inspector, reverse("field-case", args=[case.pk]))
    assert page.context["actions"] == ["verify", "send_back"]
    assert 'id="verify-form"' in page.content.decode()
    assert 'id="rectify-form"' not in page.content.decode()


def test_it_shows_the_checklist_of_the_points_category(client, world):
    response = _get(client, world.c.inspector, reverse("field-inspect", args=[world.point_a.pk]))
    assert response.status_code == 200
    assert [i.text for i in response.context["items"]] == ["地面无垃圾", "设施完好"]
    content = response.content.decode()
    assert content.count('accept="image/*" capture="environment"') == 2
    assert content.count('value="pass" checked') == 2


def test_it_hides_another_streets_point_from_the_inspector(client, world):
    community = org_actions.create_area(
        None, world.c.huaihai, name="淮海居民区", kind="community", code="310101014001"
    )
    grid = org_actions.create_area(
        None, community, name="淮海第一微网格", kind="micro_grid", code="3101010140010101"
    )
    from juli.cases import points

    elsewhere = points.create_point(
        None, code="P-H", name="淮海菜场", area=grid, category=world.market
    )
    response = _get(client, world.c.inspector, reverse("field-inspect", args=[elsewhere.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["grid_worker", "unit_staff", "street_officer", "outsider"])
def test_it_lets_only_inspectors_open_a_checklist(client, world, who):
    response = _get(
        client, getattr(world.c, who), reverse("field-inspect", args=[world.point_a.pk])
    )
    assert response.status_code == 404
    assert Inspection.objects.count() == 0


def test_it_offers_the_grid_workers_own_grid_to_report_in(client, world):
    response = _get(client, world.c.grid_worker, reverse("field-report"))
    assert response.status_code == 200
    assert [a.name for a in response.context["areas"]] == ["蒙西第一微网格", "蒙西1号楼组"]
    assert [p.name for p in response.context["points"]] == ["菜场A", "菜场B"]
    assert [c.code for c in response.context["categories"]] == ["facility", "hazard", "litter"]


@pytest.mark.parametrize(("who", "status"), [("unit_staff", 404), ("street_officer", 404)])
def test_it_refuses_the_report_page_to_who_may_not_report(client, world, who, status):
    assert _get(client, getattr(world.c, who), reverse("field-report")).status_code == status


def test_it_hides_another_grids_case_from_a_grid_worker(client, world):
    case = new_case(world, area=world.c.grid2, actor=world.c.other_grid_worker)
    response = _get(client, world.c.grid_worker, reverse("field-case", args=[case.pk]))
    assert response.status_code == 404
    mine = _get(client, world.c.other_grid_worker, reverse("field-case", args=[case.pk]))
    assert mine.status_code == 200
    assert mine.context["actions"] == []


def test_it_serves_the_service_worker_under_m(client, world):
    response = client.get("/m/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    body = response.content.decode()
    assert 'const HOME = "/m/";' in body
    assert '"/static/css/juli.css"' in body
    assert '"/static/js/field/outbox.js"' in body
    assert "no-cache" in response["Cache-Control"]


def test_it_serves_the_manifest_scoped_to_m(client, world):
    response = client.get(reverse("field-manifest"))
    data = json.loads(response.content)
    assert response["Content-Type"] == "application/manifest+json"
    assert (data["start_url"], data["scope"], data["display"]) == ("/m/", "/m/", "standalone")
