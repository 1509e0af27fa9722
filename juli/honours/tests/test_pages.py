"""Pages, the org-page panel and the API: access (404 outside, 403 not allowed) and flows."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from juli.honours import actions
from juli.honours.models import Honour, Nomination


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("bureau_secretary", 200),
        ("branch_secretary", 200),
        ("outsider", 404),
        ("district_admin", 404),
    ],
)
def test_it_opens_the_call_page_only_in_scope(client: Any, hw: Any, user: str, status: int) -> None:
    client.force_login(getattr(hw.cast, user))
    assert client.get(reverse("honours-call", args=[hw.call.pk])).status_code == status


def test_it_lists_kinds_for_members(client: Any, hw: Any) -> None:
    client.force_login(hw.cast.branch_secretary)
    page = client.get(reverse("honours-kinds")).content.decode()
    assert 'data-kind="BYZB"' in page


def test_it_nominates_through_the_page_and_refuses_over_quota(client: Any, hw: Any) -> None:
    c = hw.cast
    client.force_login(c.bureau_secretary)
    url = reverse("honours-nominate", args=[hw.call.pk])
    for org in (c.branch1, c.branch2):
        r = client.post(url, {"nominator": c.putuo.pk, "nominee_org": org.pk, "reason": "好"})
        assert r.status_code == 302
    r = client.post(url, {"nominator": c.putuo.pk, "nominee_org": c.putuo.pk, "reason": "好"})
    assert r.status_code == 400
    assert "Over the quota" in r.content.decode()
    assert Nomination.objects.count() == 2


def test_it_refuses_steps_to_those_who_do_not_run_the_call(client: Any, hw: Any) -> None:
    client.force_login(hw.cast.branch_secretary)
    r = client.post(reverse("honours-call-step", args=[hw.call.pk, "close"]))
    assert r.status_code == 403
    client.force_login(hw.cast.outsider)
    r = client.post(reverse("honours-call-step", args=[hw.call.pk, "close"]))
    assert r.status_code == 404
    assert hw.call.events.count() == 1  # only the opening


def _conferred(hw: Any) -> Honour:
    c = hw.cast
    n = actions.nominate(
        c.bureau_secretary, hw.call, nominator=c.putuo, nominee_org=c.branch1, reason="好"
    )
    actions.review(c.bureau_secretary, n, accept=True)
    actions.close_nominations(c.bureau_secretary, hw.call)
    actions.confer(c.bureau_secretary, hw.call, conferred_on=datetime.date(2025, 7, 1))
    actions.publish(c.bureau_secretary, hw.call)
    return Honour.objects.get()


def test_it_shows_the_honour_on_the_branch_page_and_the_list(client: Any, hw: Any) -> None:
    honour = _conferred(hw)
    client.force_login(hw.cast.branch_secretary)
    page = client.get(reverse("org-detail", args=[hw.cast.branch1.pk])).content.decode()
    assert 'id="panel-honours"' in page and honour.number in page
    page = client.get(reverse("honours-list")).content.decode()
    assert honour.number in page
    client.force_login(hw.cast.sibling_secretary)  # published: seen inside the subtree
    assert client.get(reverse("honours-honour", args=[honour.pk])).status_code == 200
    client.force_login(hw.cast.outsider)
    assert client.get(reverse("honours-honour", args=[honour.pk])).status_code == 404


def test_it_nominates_through_the_api_once_and_refuses_over_quota(hw: Any) -> None:
    from rest_framework.test import APIClient

    c = hw.cast
    api = APIClient()
    api.force_authenticate(c.bureau_secretary)
    url = f"/api/v1/honours/calls/{hw.call.pk}/nominations/"
    body = {"nominator": c.putuo.pk, "nominee_org": c.branch1.pk, "reason": "好"}
    key = "0b5c7c1e-7d0e-4a8e-9a53-9a3a2b6d1f01"
    r1 = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    r2 = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert r1.status_code == r2.status_code == 201 and r1.json() == r2.json()
    api.post(url, {**body, "nominee_org": c.branch2.pk}, format="json")
    r = api.post(url, {**body, "nominee_org": c.putuo.pk}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "over_quota"
    assert Nomination.objects.count() == 2
    r = api.post(f"/api/v1/honours/calls/{hw.call.pk}/publish/")
    assert r.status_code == 409
    api.force_authenticate(c.sibling_secretary)
    r = api.post(
        url, {"nominator": c.putuo.pk, "nominee_org": c.branch2.pk, "reason": "x"}, format="json"
    )
    assert r.status_code == 403
    api.force_authenticate(c.outsider)
    assert api.get(f"/api/v1/honours/calls/{hw.call.pk}/").status_code == 404


def test_it_lists_honours_in_the_api_with_their_code(hw: Any) -> None:
    from rest_framework.test import APIClient

    honour = _conferred(hw)
    api = APIClient()
    api.force_authenticate(hw.cast.branch_secretary)
    r = api.get(f"/api/v1/honours/honours/{honour.pk}/")
    assert r.status_code == 200 and r.json()["verification_code"].startswith("HR-")
    r = api.get(f"/api/v1/honours/honours/{honour.pk}/certificate/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
