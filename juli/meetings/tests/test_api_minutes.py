"""The minutes and make-up endpoints: scope, rights, the draft, confirm, revise with a reason
(409 / 400 and nothing written), make-ups, and their place in the OpenAPI schema."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from juli.core.models import AuditLog
from juli.meetings.actions import minutes as actions
from juli.meetings.actions.plan import PartSpec
from juli.meetings.models import Attendee, MakeUp, Minutes

from .conftest import make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def _meeting(mw, kind="branch_assembly"):
    meeting = make_meeting(
        mw.c.branch1,
        kind,
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        actor=mw.c.branch_secretary,
        parts=[PartSpec(presider=mw.member_person, agenda=[("学习", ""), ("议事", "")])],
    )
    Attendee.objects.filter(meeting=meeting, person=mw.member_person).update(status="present")
    return meeting


def _url(name, meeting):
    return reverse(name, args=[meeting.pk])


def test_it_scopes_the_minutes(api, mw):
    meeting = _meeting(mw)
    url = _url("api-meetings-minutes", meeting)
    assert api.get(url).status_code in (401, 403)
    for user in (mw.c.outsider, mw.c.sibling_secretary):
        api.force_authenticate(user)
        answer = api.get(url)
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
        assert api.post(_url("api-meetings-minutes-start", meeting)).status_code == 404
    api.force_authenticate(mw.member2)
    body = api.get(url).json()
    assert body["current"] is None and body["versions"] == [] and body["status"] == "planned"
    answer = api.post(_url("api-meetings-minutes-start", meeting))
    assert (answer.status_code, answer.json()["code"]) == (403, "permission_denied")
    assert not Minutes.objects.exists()


def test_the_whole_life_through_the_api(api, mw):
    meeting = _meeting(mw)
    api.force_authenticate(mw.c.branch_secretary)
    answer = api.post(_url("api-meetings-minutes-start", meeting))
    assert answer.status_code == 201
    body = answer.json()
    assert body["status"] == "held"
    assert [i["title"] for i in body["current"]["items"]] == ["学习", "议事"]
    ids = [i["id"] for i in body["current"]["items"]]
    answer = api.put(
        _url("api-meetings-minutes", meeting),
        {
            "summary": "全体党员大会",
            "items": [
                {"id": ids[0], "title": "学习", "summary": "学习党章", "speakers": "单田芳"},
                {"id": ids[1], "title": "议事", "summary": "", "speakers": ""},
            ],
            "resolutions": [
                {
                    "item": 2,
                    "text": "通过发展对象",
                    "owner": mw.member2_person.pk,
                    "due_on": "2027-01-15",
                },
                {"text": "下季度开展党课"},
            ],
        },
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    current = answer.json()["current"]
    assert [(r["number"], r["item"], r["owner_name"]) for r in current["resolutions"]] == [
        (1, 2, "卫党员"),
        (2, None, ""),
    ]
    answer = api.patch(_url("api-meetings-minutes", meeting), {"summary": "改"}, format="json")
    assert answer.json()["current"]["summary"] == "改"
    assert len(answer.json()["current"]["items"]) == 2
    assert api.post(_url("api-meetings-minutes-submit", meeting)).json()["current"]["submitted"]

    # A plain member may not confirm; the presider may.
    api.force_authenticate(mw.member2)
    assert api.post(_url("api-meetings-minutes-confirm", meeting)).status_code == 403
    api.force_authenticate(mw.member)
    answer = api.post(_url("api-meetings-minutes-confirm", meeting))
    assert answer.status_code == 200
    assert answer.json()["status"] == "confirmed"
    assert answer.json()["counts"]["present"] == 1

    # Frozen: a write is a 409, a revision without a reason a 400; nothing written.
    api.force_authenticate(mw.c.branch_secretary)
    audits = AuditLog.objects.count()
    answer = api.patch(_url("api-meetings-minutes", meeting), {"summary": "再改"}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (409, "confirmed")
    answer = api.post(_url("api-meetings-minutes-revise", meeting), {"reason": " "}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (400, "reason_required")
    assert AuditLog.objects.count() == audits
    assert Minutes.objects.filter(meeting=meeting).count() == 1

    answer = api.post(
        _url("api-meetings-minutes-revise", meeting), {"reason": "更正决定"}, format="json"
    )
    assert answer.status_code == 201
    body = answer.json()
    assert (body["status"], body["current"]["version"], body["current"]["change_reason"]) == (
        "held",
        2,
        "更正决定",
    )
    assert [v["version"] for v in body["versions"]] == [2, 1]
    assert body["versions"][1]["confirmed_at"] is not None


def test_make_ups_through_the_api(api, mw):
    meeting = _meeting(mw)
    minutes = actions.start_minutes(mw.c.branch_secretary, meeting)
    actions.confirm_minutes(mw.c.branch_secretary, minutes)
    make_up = MakeUp.objects.get(meeting=meeting, person=mw.member2_person)
    detail = reverse("api-meetings-makeup", args=[make_up.pk])
    submit = reverse("api-meetings-makeup-submit", args=[make_up.pk])
    confirm = reverse("api-meetings-makeup-confirm", args=[make_up.pk])

    api.force_authenticate(mw.c.outsider)
    assert api.get(detail).status_code == 404
    assert api.get(reverse("api-meetings-makeups")).json() == []
    api.force_authenticate(mw.member)  # came to the meeting: owes nothing, sees nothing
    assert api.get(detail).status_code == 404

    api.force_authenticate(mw.member2)
    mine = api.get(reverse("api-meetings-makeups") + "?mine=true").json()
    assert [(m["id"], m["away"], m["status"]) for m in mine] == [(make_up.pk, "absent", "open")]
    answer = api.post(submit, {"way": "note", "note": ""}, format="json")
    assert answer.status_code == 400
    answer = api.post(submit, {"way": "bogus"}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (400, "invalid")
    assert api.post(confirm).status_code == 403
    answer = api.post(submit, {"way": "session"}, format="json")
    assert answer.json()["status"] == "submitted"

    api.force_authenticate(mw.c.branch_secretary)
    answer = api.post(
        reverse("api-meetings-makeup-return", args=[make_up.pk]), {"reason": ""}, format="json"
    )
    assert (answer.status_code, answer.json()["code"]) == (400, "reason_required")
    answer = api.post(confirm)
    assert (answer.status_code, answer.json()["status"]) == (200, "confirmed")
    answer = api.post(confirm)
    assert (answer.status_code, answer.json()["code"]) == (409, "illegal_state")


def test_the_endpoints_are_in_the_schema(api, mw):
    api.force_authenticate(mw.c.branch_secretary)
    answer = api.get("/api/v1/schema/", {"format": "json"})
    assert answer.status_code == 200
    paths = answer.json()["paths"]
    for p in (
        "/api/v1/meetings/{id}/minutes/",
        "/api/v1/meetings/{id}/minutes/confirm/",
        "/api/v1/meetings/{id}/minutes/revise/",
        "/api/v1/meetings/makeups/",
        "/api/v1/meetings/makeups/{id}/submit/",
    ):
        assert p in paths, p
    revise = paths["/api/v1/meetings/{id}/minutes/revise/"]["post"]
    assert {"400", "403", "404", "409"} <= set(revise["responses"])
    assert "patch" in paths["/api/v1/meetings/{id}/minutes/"]
