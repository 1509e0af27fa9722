"""What a case and a district give the public feed: the public reply and the public flag
(office page and API, audited and in the case's history), the reporter's contacts on the
office page (never public), the district's feed settings (page and admin)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from juli.cases.models import Case, CaseEvent
from juli.core.models import AuditLog
from juli.orgs import actions as org_actions
from juli.orgs.models import User
from juli.orgs.roles import Role

from .conftest import new_case

REPLY = "已安排保洁队清运，感谢您的反映。"


def _public_report(client: Client) -> Case:
    response = client.post(
        "/open311/v2/requests.json",
        {
            "service_code": "litter",
            "description": "路口有垃圾",
            "address_string": "上海市 蒙西第二微网格 建国中路12号302室",
            "first_name": "王",
            "last_name": "五",
            "phone": "13812345678",
            "email": "wangwu@example.com",
        },
    )
    assert response.status_code == 201
    return Case.objects.get(number=response.json()[0]["service_request_id"])


def _office_inspector(world: Any) -> Any:
    """The inspector with an office post elsewhere as well: sees the case page over the
    inspector's area, but holds no role there that contacts people or runs the loop."""
    org_actions.appoint(
        None,
        world.c.inspector_person,
        Role.PARTY_SECRETARY,
        org=world.c.branch2,
        started_on=datetime.date(2024, 1, 1),
    )
    return User.objects.get(pk=world.c.inspector.pk)


def _state(case: Case) -> tuple[Any, ...]:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.public_reply,
        fresh.is_public,
        CaseEvent.objects.filter(case=case).count(),
        AuditLog.objects.count(),
    )


def test_it_shows_the_reporters_contacts_to_officers_with_phones_masked_by_role(world, client):
    case = _public_report(client)
    client.force_login(world.c.street_officer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    for text in ("王 五", "13812345678", "wangwu@example.com", "建国中路12号302室"):
        assert text in page
    client.force_login(_office_inspector(world))
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "138****5678" in page
    assert "13812345678" not in page
    assert "建国中路12号302室" in page  # the address is for whoever handles the case


def test_it_sets_the_public_reply_and_flag_on_the_case_page_audited_and_in_the_history(
    world, client
):
    case = new_case(world)
    client.force_login(world.c.street_officer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Public reply (shown in the public feed)" in page
    url = f"/cases/{case.pk}/publication/"
    response = client.post(url, {"public_reply": f"  {REPLY} ", "is_public": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.public_reply, fresh.is_public) == (REPLY, True)
    events = list(CaseEvent.objects.filter(case=case).values_list("action", "note", "actor"))
    assert events == [
        ("report", "", world.c.grid_worker.pk),
        ("public_reply", REPLY, world.c.street_officer.pk),
        ("publish", "", world.c.street_officer.pk),
    ]
    audit = AuditLog.objects.get(verb="case.publication")
    assert (audit.before, audit.after) == (
        {"public_reply": "", "is_public": False, "feed_withdrawn": False},
        {"public_reply": REPLY, "is_public": True, "feed_withdrawn": False},
    )
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Public reply written" in page and "Listed in the public feed" in page
    # The same form again (a double click) changes and records nothing.
    before = _state(case)
    assert client.post(url, {"public_reply": REPLY, "is_public": "on"}).status_code == 302
    assert _state(case) == before
    # Unticking takes the case off the feed; the reply stays.
    client.post(url, {"public_reply": REPLY})
    assert Case.objects.get(pk=case.pk).is_public is False
    assert CaseEvent.objects.filter(case=case).last().action == "unpublish"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("viewer", "status"),
    [("grid_worker", 404), ("branch_secretary", 404), ("office_inspector", 403)],
)
def test_it_refuses_the_public_reply_to_anyone_but_the_cases_office(world, client, viewer, status):
    case = new_case(world)
    user = _office_inspector(world) if viewer == "office_inspector" else getattr(world.c, viewer)
    before = _state(case)
    client.force_login(user)
    response = client.post(f"/cases/{case.pk}/publication/", {"public_reply": REPLY})
    assert response.status_code == status
    assert _state(case) == before
    if viewer == "office_inspector":  # sees the page, without the form
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert f'action="/cases/{case.pk}/publication/"' not in page


def test_it_refuses_a_public_reply_longer_than_500_characters(world, client):
    case = new_case(world)
    before = _state(case)
    client.force_login(world.c.street_officer)
    response = client.post(f"/cases/{case.pk}/publication/", {"public_reply": "字" * 501})
    assert response.status_code == 400
    assert "Ensure this value has at most 500 characters (it has 501)." in response.content.decode()
    assert _state(case) == before


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def test_it_sets_the_public_reply_and_flag_through_the_api(world):
    case = new_case(world)
    url = f"/api/v1/cases/{case.pk}/publication/"
    before = _state(case)
    refused = _api(world.c.grid_worker).post(url, {"public_reply": REPLY}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert _api(world.c.outsider).post(url, {"is_public": True}, format="json").status_code == 404
    assert _state(case) == before
    response = _api(world.c.street_officer).post(
        url, {"public_reply": REPLY, "is_public": True}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["public_reply"], body["is_public"]) == (case.pk, REPLY, True)
    assert [e["action"] for e in body["timeline"]] == ["report", "public_reply", "publish"]
    # Either field alone: the other stays as it is.
    again = _api(world.c.street_officer).post(url, {"is_public": False}, format="json").json()
    assert (again["public_reply"], again["is_public"]) == (REPLY, False)
    bad = _api(world.c.street_officer).post(url, {"public_reply": "字" * 501}, format="json")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    assert AuditLog.objects.filter(verb="case.publication").count() == 2


def test_it_lets_the_district_admin_set_the_public_feed(world, client):
    from juli.cases.models import PublicFeedSettings

    client.force_login(world.c.street_officer)
    assert client.get("/public-feed/").status_code == 404
    client.force_login(world.c.district_admin)
    page = client.get("/public-feed/").content.decode()
    assert "Public feed (Open311)" in page and "黄浦区" in page
    response = client.post(
        "/public-feed/",
        {
            "district": world.c.huangpu.pk,
            "feed": "all",
            "coordinate_decimals": "4",
            "name_agencies": "on",
        },
    )
    assert response.status_code == 302
    row = PublicFeedSettings.objects.get(district=world.c.huangpu)
    assert (row.feed, row.coordinate_decimals, row.name_agencies) == ("all", 4, True)
    assert AuditLog.objects.filter(verb="public_feed.settings").count() == 1
    bad = client.post(
        "/public-feed/",
        {"district": world.c.huangpu.pk, "feed": "all", "coordinate_decimals": "7"},
    )
    assert bad.status_code == 400
    assert PublicFeedSettings.objects.get(district=world.c.huangpu).coordinate_decimals == 4


def test_it_edits_the_public_feed_in_the_admin_through_the_action(world, client):
    from juli.cases.models import PublicFeedSettings

    client.force_login(world.c.district_admin)
    assert client.get("/admin/cases/publicfeedsettings/").status_code == 200
    response = client.post(
        "/admin/cases/publicfeedsettings/add/",
        {"district": world.c.huangpu.pk, "feed": "off", "coordinate_decimals": "3"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = PublicFeedSettings.objects.get(district=world.c.huangpu)
    assert (row.feed, row.updated_by) == ("off", world.c.district_admin)
    assert AuditLog.objects.filter(verb="public_feed.settings").count() == 1


def test_it_withdraws_a_public_report_from_the_feed_and_restores_it(world, client):
    """Moderation: a public report whose description names someone is taken off the feed
    from the case page (audited, in the history), answered 404 publicly, and put back."""
    case = _public_report(client)
    number = case.number
    assert client.get(f"/open311/v2/requests/{number}.json").status_code == 200
    officer = Client()
    officer.force_login(world.c.street_officer)
    page = officer.get(f"/cases/{case.pk}/").content.decode()
    assert "Withdraw this report from the public feed" in page
    assert "List this case in the public feed" not in page  # a public report is listed anyway
    url = f"/cases/{case.pk}/publication/"
    assert officer.post(url, {"public_reply": "", "feed_withdrawn": "on"}).status_code == 302
    assert Case.objects.get(pk=case.pk).feed_withdrawn is True
    assert client.get(f"/open311/v2/requests/{number}.json").status_code == 404
    listed = client.get("/open311/v2/requests.json").json()
    assert number not in [row["service_request_id"] for row in listed]
    assert number not in client.get("/open311/v2/requests.xml").content.decode()
    page = officer.get(f"/cases/{case.pk}/").content.decode()
    assert "Withdrawn: the public feed (Open311) does not list this case." in page
    audit = AuditLog.objects.get(verb="case.publication")
    assert audit.before is not None and audit.after is not None
    assert (audit.before["feed_withdrawn"], audit.after["feed_withdrawn"]) == (False, True)
    assert CaseEvent.objects.filter(case=case).last().action == "unpublish"  # type: ignore[union-attr]
    # Put back through the API: listed again.
    api = _api(world.c.street_officer)
    body = api.post(
        f"/api/v1/cases/{case.pk}/publication/", {"feed_withdrawn": False}, format="json"
    ).json()
    assert body["feed_withdrawn"] is False
    assert client.get(f"/open311/v2/requests/{number}.json").status_code == 200
    assert CaseEvent.objects.filter(case=case).last().action == "publish"  # type: ignore[union-attr]


def test_it_never_lists_a_withdrawn_case_even_when_the_district_lists_every_case(world, client):
    from juli.cases import publication

    case = new_case(world)
    publication.update_feed_settings(world.c.district_admin, world.c.huangpu, feed="all")
    assert client.get(f"/open311/v2/requests/{case.number}.json").status_code == 200
    publication.update_publication(world.c.street_officer, case, feed_withdrawn=True)
    assert client.get(f"/open311/v2/requests/{case.number}.json").status_code == 404
    # An internal case's page offers the public flag, not the withdrawal.
    officer = Client()
    officer.force_login(world.c.street_officer)
    page = officer.get(f"/cases/{case.pk}/").content.decode()
    assert "List this case in the public feed" in page
    assert "Withdraw this report from the public feed" not in page
