"""The cases part of the admin: reference data for district admins, cases read-only."""

from __future__ import annotations

import pytest

from .conftest import new_case, put


@pytest.mark.parametrize(
    "page",
    [
        "/admin/cases/case/",
        "/admin/cases/point/",
        "/admin/cases/pointcategory/",
        "/admin/cases/casecategory/",
        "/admin/cases/calendarday/",
        "/admin/cases/caseevent/",
        "/admin/cases/inspectionassignment/",
        "/admin/cases/pointcategory/add/",
        "/admin/cases/calendarday/add/",
    ],
)
def test_it_opens_the_cases_admin_to_district_admins(client, world, page):
    put(new_case(world), "dispatched", world)
    client.force_login(world.c.district_admin)
    assert client.get(page).status_code == 200


def test_it_keeps_cases_read_only_in_the_admin(client, world):
    case = new_case(world)
    client.force_login(world.c.district_admin)
    assert client.get(f"/admin/cases/case/{case.pk}/change/").status_code == 200
    assert client.get("/admin/cases/case/add/").status_code == 403
    client.force_login(world.c.street_officer)
    assert client.get("/admin/cases/case/").status_code == 302


def test_it_audits_calendar_edits_in_the_admin(client, world):
    from juli.cases.models import CalendarDay
    from juli.core.models import AuditLog

    client.force_login(world.c.district_admin)
    response = client.post(
        "/admin/cases/calendarday/add/", {"date": "2026-12-31", "kind": "holiday", "name": "试"}
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get()
    assert AuditLog.objects.filter(verb="admin.add", object_id=str(day.pk)).count() == 1
