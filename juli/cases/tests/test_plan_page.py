"""The daily plan page (日调度) for officers: who sees it, making the plan, moving a point."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from juli.cases import inspections, points
from juli.cases.models import InspectionAssignment
from juli.core.models import AuditLog
from juli.orgs import actions as org_actions


@pytest.fixture
def second_inspector(world):  # type: ignore[no-untyped-def]
    person = org_actions.create_person(None, name="陈督查", phone="13900000002")
    org_actions.appoint(
        None, person, "inspector", area=world.c.dapuqiao, started_on=datetime.date(2024, 1, 1)
    )
    return org_actions.create_account(None, person, "inspector2", "x", validate_password=False)


def _plan(world):  # type: ignore[no-untyped-def]
    return inspections.plan_day(timezone.localdate())


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("outsider", 404),
        ("inspector", 404),
        ("grid_worker", 404),
        ("unit_staff", 404),
        ("branch_secretary", 404),
        ("street_officer", 200),
        ("district_admin", 200),
    ],
)
def test_it_shows_the_plan_only_to_planning_officers(client, world, who, status):
    if who:
        client.force_login(getattr(world.c, who))
    response = client.get(reverse("plan"))
    assert response.status_code == status
    if who is None:
        assert response["Location"] == f"{reverse('login')}?next={reverse('plan')}"


@pytest.mark.parametrize(("who", "status"), [(None, 302), ("outsider", 404), ("inspector", 404)])
def test_it_refuses_to_make_or_change_the_plan_for_others(client, world, who, status):
    _plan(world)
    row = InspectionAssignment.objects.get(point=world.point_a)
    before = list(InspectionAssignment.objects.values_list("pk", "inspector_id", "order"))
    if who:
        client.force_login(getattr(world.c, who))
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert client.post(reverse("plan-make"), {"date": tomorrow}).status_code == status
    reassign = reverse("plan-reassign", args=[row.pk])
    assert client.post(reassign, {"inspector": world.c.inspector.pk}).status_code == status
    assert list(InspectionAssignment.objects.values_list("pk", "inspector_id", "order")) == before


def _messages(response):  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]]


def test_it_makes_the_plan_once_through_the_page(client, world):
    client.force_login(world.c.street_officer)
    today = timezone.localdate().isoformat()
    first = client.post(reverse("plan-make"), {"date": today}, follow=True)
    assert first.redirect_chain == [(f"{reverse('plan')}?date={today}", 302)]
    assert _messages(first) == [
        f"Plan for {today}: 3 points assigned now, 0 already planned, "
        "0 due points without an inspector."
    ]
    again = client.post(reverse("plan-make"), {"date": today}, follow=True)
    assert _messages(again) == [
        f"Plan for {today}: 0 points assigned now, 3 already planned, "
        "0 due points without an inspector."
    ]
    assert InspectionAssignment.objects.count() == 3
    assert AuditLog.objects.filter(verb="assignment.plan").count() == 3


def test_it_groups_the_day_by_inspector_in_walking_order(client, world):
    _plan(world)
    inspections.submit_inspection(
        world.c.inspector,
        client_uuid=uuid.uuid4(),
        point=world.point_b,
        results=[(world.item_clean, True)],
        started_at=timezone.now(),
    )
    client.force_login(world.c.street_officer)
    response = client.get(reverse("plan"))
    [day] = response.context["inspectors"]
    assert day.name == "王督查"
    assert [(a.point.name, a.point.area.name, a.inspected) for a in day.rows] == [
        ("菜场A", "蒙西第一微网格", False),
        ("菜场B", "蒙西第一微网格", True),
        ("菜场C", "蒙西第二微网格", False),
    ]
    assert day.done == 1
    assert response.context["unplanned"] == [] and response.context["no_inspector"] == []
    html = response.content.decode()
    assert "3 points planned on this day." in html
    assert "Make the plan for this day" in html


def test_it_lists_due_points_not_planned_and_those_without_an_inspector(client, world):
    c = world.c
    community = org_actions.create_area(
        None, c.huaihai, name="淮海居民区", kind="community", code="310101014001"
    )
    grid = org_actions.create_area(
        None, community, name="淮海第一微网格", kind="micro_grid", code="3101010140010101"
    )
    lonely = points.create_point(
        None, code="P-H", name="淮海菜场", area=grid, category=world.market
    )
    client.force_login(c.district_admin)
    context = client.get(reverse("plan")).context
    assert [p.name for p in context["unplanned"]] == ["菜场A", "菜场B", "菜场C"]
    assert [p.name for p in context["no_inspector"]] == [lonely.name]
    client.post(reverse("plan-make"), {"date": timezone.localdate().isoformat()})
    context = client.get(reverse("plan")).context
    assert context["unplanned"] == []
    assert [p.name for p in context["no_inspector"]] == ["淮海菜场"]


def test_it_pages_by_day_and_keeps_the_past_as_it_was(client, world):
    client.force_login(world.c.street_officer)
    response = client.get(reverse("plan"), {"date": "2024-03-01"})
    assert response.context["date"] == datetime.date(2024, 3, 1)
    html = response.content.decode()
    assert f"{reverse('plan')}?date=2024-02-29" in html
    assert f"{reverse('plan')}?date=2024-03-02" in html
    assert "Make the plan for this day" not in html
    refused = client.post(reverse("plan-make"), {"date": "2024-03-01"}, follow=True)
    assert _messages(refused) == ["A day that is over cannot be planned any more."]
    assert not InspectionAssignment.objects.exists()
    bad = client.get(reverse("plan"), {"date": "2025-02-30"})
    assert bad.context["date"] == timezone.localdate()


def test_it_reassigns_a_point_to_another_inspector(client, world, second_inspector):
    _plan(world)  # balanced: 王督查 (the older account) walks A and B, 陈督查 walks C
    row = InspectionAssignment.objects.get(point=world.point_a)
    assert row.inspector == world.c.inspector
    client.force_login(world.c.street_officer)
    days = client.get(reverse("plan")).context["inspectors"]
    assert [(d.name, [a.point.name for a in d.rows]) for d in days] == [
        ("王督查", ["菜场A", "菜场B"]),
        ("陈督查", ["菜场C"]),
    ]
    assert days[0].rows[0].choices == [
        (world.c.inspector.pk, "王督查"),
        (second_inspector.pk, "陈督查"),
    ]
    response = client.post(
        reverse("plan-reassign", args=[row.pk]), {"inspector": second_inspector.pk}, follow=True
    )
    assert response.redirect_chain == [
        (f"{reverse('plan')}?date={row.date.isoformat()}#assignment-{row.pk}", 302)
    ]
    assert _messages(response) == ["菜场A now goes to 陈督查."]
    row.refresh_from_db()
    assert row.inspector == second_inspector
    assert AuditLog.objects.filter(verb="assignment.reassign", object_id=str(row.pk)).count() == 1
    days = response.context["inspectors"]
    assert [(d.name, [a.point.name for a in d.rows]) for d in days] == [
        ("王督查", ["菜场B"]),
        ("陈督查", ["菜场C", "菜场A"]),
    ]


def test_it_refuses_an_inspector_who_does_not_cover_the_point(client, world):
    _plan(world)
    row = InspectionAssignment.objects.get(point=world.point_a)
    client.force_login(world.c.street_officer)
    for chosen in (world.c.other_grid_worker.pk, "x", ""):
        response = client.post(reverse("plan-reassign", args=[row.pk]), {"inspector": chosen})
        assert response.status_code == 400
        assert _messages(response) == [
            "菜场A was not moved: Choose one of the inspectors of this point's area."
        ]
        [day] = response.context["inspectors"]
        assert day.rows[0].error == "Choose one of the inspectors of this point's area."
    row.refresh_from_db()
    assert row.inspector == world.c.inspector
    assert not AuditLog.objects.filter(verb="assignment.reassign").exists()


@pytest.mark.parametrize("n", [5, 40])
def test_it_shows_the_plan_in_a_fixed_number_of_queries(
    client, world, second_inspector, n, django_assert_num_queries
):
    for i in range(n - 3):
        points.create_point(
            None, code=f"Q-{i:03d}", name=f"点{i:02d}", area=world.c.grid2, category=world.market
        )
    _plan(world)
    assert InspectionAssignment.objects.count() == n
    client.force_login(world.c.street_officer)
    # Scope (session, the user joined with person and party organisation, posts, orgs
    # attached to areas); the day's assignments; inspector posts; due points; the bell's
    # count (no session save: written at sign-in, within SessionIdleMiddleware's interval).
    with django_assert_num_queries(8):
        response = client.get(reverse("plan"))
    assert sum(len(d.rows) for d in response.context["inspectors"]) == n
