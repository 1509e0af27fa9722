"""Office pages of the case loop: access, pinned query counts, the case actions, the map."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.urls import reverse

from juli.cases import actions
from juli.cases.models import CalendarDay, Case, CaseEvent, CasePhoto

from .conftest import new_case, put

PAGES = ["case-list", "case-map", "case-map-data", "point-list", "point-export", "point-template"]


def _get(client, user, url):  # type: ignore[no-untyped-def]
    if user is not None:
        client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("name", PAGES)
def test_it_sends_anonymous_visitors_to_the_login_page(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("outsider", 404),
        ("grid_worker", 404),
        ("other_grid_worker", 404),
        ("inspector", 404),
        ("unit_staff", 404),
        ("street_officer", 200),
        ("district_admin", 200),
        ("platform_admin", 200),
    ],
)
def test_it_opens_the_office_pages_to_office_roles_only(client, world, name, viewer, status):
    response = _get(client, getattr(world.c, viewer), reverse(name))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("outsider", 404),
        ("grid_worker", 404),
        ("other_grid_worker", 404),
        ("branch_secretary", 404),  # an office role, but not over this area
        ("street_officer", 200),
        ("district_admin", 200),
    ],
)
def test_it_scopes_the_case_and_point_pages(client, world, viewer, status):
    case = new_case(world)
    user = getattr(world.c, viewer)
    assert _get(client, user, reverse("case-detail", args=[case.pk])).status_code == status
    point_url = reverse("point-detail", args=[world.point_a.pk])
    assert _get(client, user, point_url).status_code == status


def test_it_lists_only_the_cases_in_scope(client, world):
    mine = new_case(world, title="一网格问题")
    new_case(world, area=world.c.grid2, actor=world.c.other_grid_worker, title="二网格问题")
    client.force_login(world.c.branch_secretary)  # office role without the area
    assert "一网格问题" not in client.get(reverse("case-list")).content.decode()
    client.force_login(world.c.street_officer)
    body = client.get(reverse("case-list"), {"area": world.c.grid1.pk}).content.decode()
    assert mine.number in body
    assert "二网格问题" not in body


def _many_cases(world, n):  # type: ignore[no-untyped-def]
    for i in range(n):
        case = new_case(world, title=f"问题{i}", point=world.point_a if i % 2 else None)
        if i % 3 == 0:
            put(case, "dispatched", world)


@pytest.mark.parametrize("n", [5, 60])
def test_it_lists_cases_in_a_fixed_number_of_queries(client, world, n, django_assert_num_queries):
    _many_cases(world, n)
    client.force_login(world.c.street_officer)
    url = reverse("case-list")
    # session, user with their person and party organisation (joined: the membership),
    # posts, orgs attached to areas (the scope); the page; the header bell's unread count;
    # area, category and unit selects of the filter form. The session is not saved: it was written at sign-in, less than a
    # refresh interval ago (juli.core.middleware.SessionIdleMiddleware).
    with django_assert_num_queries(9):
        response = client.get(url, {"status": "", "overdue": ""})
    assert response.status_code == 200
    assert len(response.context["page"].rows) == min(n, 50)


def test_it_pages_the_case_list_by_cursor(client, world):
    _many_cases(world, 55)
    client.force_login(world.c.street_officer)
    first = client.get(reverse("case-list"))
    cursor = first.context["page"].next_cursor
    assert cursor is not None
    second = client.get(reverse("case-list"), {"after": cursor})
    assert len(second.context["page"].rows) == 5
    assert second.context["page"].next_cursor is None
    seen = {c.pk for c in first.context["page"].rows} | {c.pk for c in second.context["page"].rows}
    assert len(seen) == 55


def test_it_renders_only_the_rows_for_htmx(client, world):
    new_case(world)
    client.force_login(world.c.street_officer)
    response = client.get(reverse("case-list"), headers={"HX-Request": "true"})
    assert b"<html" not in response.content
    assert b"<table" in response.content


def test_it_filters_overdue_cases(client, world):
    late = put(new_case(world, title="超期"), "dispatched", world)
    Case.objects.filter(pk=late.pk).update(
        deadline=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    put(new_case(world, title="未超期"), "dispatched", world)
    client.force_login(world.c.street_officer)
    page = client.get(reverse("case-list"), {"overdue": "on"}).context["page"]
    assert [c.title for c in page.rows] == ["超期"]


@pytest.mark.parametrize("n", [5, 60])
def test_it_lists_points_in_a_fixed_number_of_queries(client, world, n, django_assert_num_queries):
    from juli.cases import points

    for i in range(n):
        points.create_point(
            None, code=f"Q-{i:03d}", name=f"点{i}", area=world.c.grid1, category=world.market
        )
    client.force_login(world.c.street_officer)
    # As the case list: scope (4: the person and membership joined to the user), the page,
    # the bell's count, three selects.
    with django_assert_num_queries(9):
        response = client.get(reverse("point-list"))
    assert len(response.context["rows"]) == min(n + 3, 50)


def test_it_shows_a_point_with_its_checklist_and_open_cases(client, world):
    case = new_case(world, point=world.point_a)
    client.force_login(world.c.street_officer)
    body = client.get(reverse("point-detail", args=[world.point_a.pk])).content.decode()
    assert "地面无垃圾" in body
    assert case.number in body


# --- Case detail and its actions -------------------------------------------------------------


def _post(client, user, case, action, **data):  # type: ignore[no-untyped-def]
    client.force_login(user)
    payload = {
        f"{action}-client_uuid": str(data.pop("client_uuid", uuid.uuid4())),
        f"{action}-expected_status": data.pop("expected", case.status),
    }
    payload |= {f"{action}-{k}": v for k, v in data.items()}
    return client.post(reverse("case-act", args=[case.pk, action]), payload)


def _status(case: Case) -> str:
    return Case.objects.get(pk=case.pk).status


def test_it_shows_the_case_with_its_timeline_and_available_actions(client, world):
    case = new_case(world, lat="31.200100", lng="121.470100")
    client.force_login(world.c.street_officer)
    response = client.get(reverse("case-detail", args=[case.pk]))
    body = response.content.decode()
    # 立案并派遣 first (the officer may make both steps), then each step alone.
    assert [f.action for f in response.context["forms"]] == ["accept_dispatch", "accept", "reject"]
    assert 'id="case-minimap"' in body
    assert "leaflet.js" in body
    assert [e.action for e in response.context["timeline"]] == ["report"]


@pytest.mark.parametrize(
    ("start", "action", "data", "target"),
    [
        ("reported", "accept", {}, "accepted"),
        ("reported", "reject", {"note": "重复上报"}, "rejected"),
        ("accepted", "dispatch", {"unit": "property_co"}, "dispatched"),
        ("rectified", "verify", {}, "verified"),
        ("rectified", "send_back", {"note": "仍有垃圾"}, "dispatched"),
        ("verified", "close", {}, "closed"),
        ("dispatched", "defer", {"note": "待拆迁", "requested_by": "unit_staff"}, "deferred"),
        ("deferred", "resume", {"unit": "property_co"}, "dispatched"),
        ("closed", "reopen", {"note": "复发"}, "accepted"),
    ],
)
def test_it_makes_each_step_from_its_form(client, world, start, action, data, target):
    case = new_case(world)
    if start != "reported":
        case = put(case, start, world)
    for key, value in list(data.items()):
        if value in {"property_co", "unit_staff"}:
            data[key] = getattr(world.c, value).pk
    response = _post(client, world.c.street_officer, case, action, **data)
    assert response.status_code == 302
    assert _status(case) == target
    assert CaseEvent.objects.filter(case=case, action=action).count() == 1


def test_it_refuses_an_illegal_move_and_changes_nothing(client, world):
    case = put(new_case(world), "dispatched", world)
    response = _post(client, world.c.street_officer, case, "close", expected="verified")
    assert response.status_code == 409
    assert "cannot be given" in response.content.decode()
    assert _status(case) == "dispatched"
    assert not CaseEvent.objects.filter(case=case, action="close").exists()


def test_it_shows_a_missing_reason(client, world):
    case = new_case(world)
    response = _post(client, world.c.street_officer, case, "reject", note="")
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert _status(case) == "reported"


def test_it_answers_already_done_to_the_same_form_posted_twice(client, world):
    case = new_case(world)
    form_id = uuid.uuid4()
    first = _post(client, world.c.street_officer, case, "accept", client_uuid=form_id)
    second = _post(
        client, world.c.street_officer, case, "accept", client_uuid=form_id, expected="reported"
    )
    assert first.status_code == second.status_code == 302
    messages = [str(m) for m in second.wsgi_request._messages]
    assert messages[-1] == "This step was already done."
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1


def test_it_recognises_a_resend_with_a_new_form_id_as_already_done(client, world):
    case = new_case(world)
    _post(client, world.c.street_officer, case, "accept")
    again = _post(client, world.c.street_officer, case, "accept", expected="reported")
    assert again.status_code == 302
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1


@pytest.mark.parametrize("viewer", ["grid_worker", "other_grid_worker", "outsider", "inspector"])
def test_it_changes_nothing_for_a_post_by_a_wrong_role(client, world, viewer):
    case = new_case(world)
    response = _post(client, getattr(world.c, viewer), case, "accept")
    assert response.status_code == 404
    assert _status(case) == "reported"
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_it_refuses_the_unit_staff_an_office_step(client, world):
    case = put(new_case(world), "dispatched", world)
    response = _post(client, world.c.unit_staff, case, "defer", note="x")
    assert response.status_code == 404
    assert _status(case) == "dispatched"


def test_it_refuses_an_unknown_action(client, world):
    case = new_case(world)
    assert _post(client, world.c.street_officer, case, "explode").status_code == 404


def test_it_rectifies_with_an_after_photo_or_says_why_not(client, world, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import tiny_png

    case = put(new_case(world), "dispatched", world)
    CasePhoto.objects.filter(case=case).delete()
    upload = SimpleUploadedFile("after.png", tiny_png((0, 0, 255)), content_type="image/png")
    client.force_login(world.c.street_officer)
    payload = {
        "rectify-client_uuid": str(uuid.uuid4()),
        "rectify-expected_status": "dispatched",
        "rectify-photo": upload,
    }
    try:
        import juli.core.uploads  # noqa: F401
    except ImportError:
        response = client.post(reverse("case-act", args=[case.pk, "rectify"]), payload)
        assert response.status_code == 400
        assert "Photo uploads are not available yet" in response.content.decode()
        assert _status(case) == "dispatched"
        return
    response = client.post(reverse("case-act", args=[case.pk, "rectify"]), payload)
    assert response.status_code == 302
    assert _status(case) == "rectified"
    assert CasePhoto.objects.filter(case=case, kind="after").count() == 1


# --- Map ----------------------------------------------------------------------------------------


def test_it_serves_the_open_cases_of_the_scope_as_map_data(client, world):
    world.c.grid1.boundary = {
        "type": "Polygon",
        "coordinates": [[[121.46, 31.19], [121.48, 31.19], [121.48, 31.21], [121.46, 31.19]]],
    }
    world.c.grid1.save()
    open_case = new_case(world, point=world.point_a)
    late = put(new_case(world, title="超期"), "dispatched", world)
    Case.objects.filter(pk=late.pk).update(
        deadline=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    put(new_case(world), "closed", world)
    new_case(world, area=world.c.grid2, actor=world.c.other_grid_worker)
    client.force_login(world.c.street_officer)
    data = client.get(reverse("case-map-data")).json()
    assert data["total"] == 3
    assert data["overdue"] == 1
    assert data["counts"]["reported"] == 2
    assert data["counts"]["dispatched"] == 1
    by_id = {c["id"]: c for c in data["cases"]}
    assert by_id[open_case.pk]["lat"] == 31.2
    assert by_id[late.pk]["overdue"] is True
    assert [a["name"] for a in data["areas"]] == ["蒙西第一微网格"]


def test_it_limits_the_map_data_to_the_grid_workers_own_scope(client, world):
    client.force_login(world.c.branch_secretary)
    new_case(world)
    data = client.get(reverse("case-map-data")).json()
    assert data["total"] == 0
    assert data["cases"] == []


# --- Calendar -----------------------------------------------------------------------------------


def test_it_lets_a_district_admin_edit_the_calendar(client, world):
    client.force_login(world.c.district_admin)
    url = reverse("calendar")
    response = client.post(url, {"date": "2026-10-01", "kind": "holiday", "name": "国庆节"})
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=datetime.date(2026, 10, 1)).name == "国庆节"
    body = client.get(url, {"year": 2026}).content.decode()
    assert "国庆节" in body
    client.post(url, {"clear": "2026-10-01"})
    assert not CalendarDay.objects.exists()


@pytest.mark.parametrize("viewer", ["street_officer", "grid_worker", "outsider"])
def test_it_keeps_the_calendar_from_everyone_else(client, world, viewer):
    client.force_login(getattr(world.c, viewer))
    url = reverse("calendar")
    assert client.get(url).status_code == 404
    assert client.post(url, {"date": "2026-10-01", "kind": "holiday"}).status_code == 404
    assert not CalendarDay.objects.exists()


def test_it_has_actions_for_every_transition():
    from juli.cases.forms import ACTION_FORMS
    from juli.cases.models import TRANSITIONS

    assert set(ACTION_FORMS) == set(TRANSITIONS)
    assert actions.transition is not None
