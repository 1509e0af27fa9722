"""Hand-over screens (issue 14, item 5) and the case list's search (item 6).

The verify panel (who rectified, for which unit, when, their note, before/after side by
side), a send-back's reason and the rejected round's photos kept out of the current round,
立案并派遣 in one step (page and API), a finished case led by its outcome, and the search by
number, words, traditional script and pinyin initials, within scope.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from juli.cases import actions, queries
from juli.cases.models import Case, CaseEvent, CasePhoto
from juli.core.models import AuditLog
from juli.orgs import actions as org_actions
from juli.orgs.models import User

from .conftest import new_case, photo, put

# --- Set-up: the loop as people walk it --------------------------------------------------------


def dispatched(w: Any, **kw: Any) -> Case:
    """A grid worker's report, accepted and dispatched to the property company."""
    case = new_case(w, photos=[photo((200, 0, 0), "before.png")], **kw)
    case = actions.accept_case(w.c.street_officer, case)
    return actions.dispatch_case(w.c.street_officer, case, unit=w.c.property_co)


def rectified(w: Any, *, by: Any = None, note: str = "已清运垃圾", rgb: Any = (0, 200, 0)) -> Case:
    case = dispatched(w)
    return actions.rectify_case(by or w.c.unit_staff, case, note=note, photos=[photo(rgb, "a.png")])


def sent_back(w: Any) -> Case:
    case = rectified(w)
    return actions.send_back_case(w.c.inspector, case, note="墙角仍有垃圾袋")


def _office(client: Any, user: Any, case: Case) -> Any:
    client.force_login(user)
    return client.get(reverse("case-detail", args=[case.pk]))


def _phone(client: Any, user: Any, case: Case) -> Any:
    client.force_login(user)
    return client.get(reverse("field-case", args=[case.pk]))


def _after(case: Case) -> list[CasePhoto]:
    return list(case.photos.filter(kind=CasePhoto.Kind.AFTER).order_by("created_at", "pk"))


def _before(case: Case) -> list[CasePhoto]:
    return list(case.photos.filter(kind=CasePhoto.Kind.BEFORE).order_by("created_at", "pk"))


# --- 1. The verify panel ----------------------------------------------------------------------


def test_it_shows_the_verifier_who_rectified_when_their_note_and_the_photos_side_by_side(
    client, world
):
    case = rectified(world)
    response = _office(client, world.c.street_officer, case)
    body = response.content.decode()
    panel = response.context["verify_panel"]
    assert panel["event"].actor == world.c.unit_staff
    assert panel["event"].note == "已清运垃圾"
    assert panel["unit"] == world.c.property_co
    assert panel["on_behalf"] is False
    assert panel["pairs"] == [(_before(case)[0], _after(case)[0])]
    assert [f.action for f in response.context["panel_forms"]] == ["verify", "send_back"]
    section = body[body.index('class="card sec-verify"') : body.index('class="case-layout"')]
    assert "孙物业" in section
    assert "蒙西物业公司" in section
    assert "已清运垃圾" in section
    assert case.rectified_at is not None
    assert _local(case.rectified_at) in section
    # Before left, after right, then the buttons.
    assert section.index("pair-before") < section.index("pair-after")
    assert section.index("pair-after") < section.index('data-action="verify"')
    assert section.index('data-action="verify"') < section.index('data-action="send_back"')


def _local(at: Any) -> str:
    from django.utils import timezone

    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def test_it_says_when_an_officer_recorded_the_rectification_for_the_unit(client, world):
    case = rectified(world, by=world.c.street_officer, note="街道代为整改")
    response = _office(client, world.c.district_admin, case)
    assert response.context["verify_panel"]["on_behalf"] is True
    assert "recorded by the office on the unit's behalf" in response.content.decode()


def test_it_shows_the_panel_but_no_buttons_to_who_rectified(client, world):
    case = rectified(world, by=world.c.street_officer)
    response = _office(client, world.c.street_officer, case)
    assert response.context["verify_panel"] is not None
    assert response.context["panel_forms"] == []
    assert 'data-action="verify"' not in response.content.decode()


def test_it_shows_the_inspector_the_verify_panel_above_the_buttons_on_the_phone(client, world):
    case = rectified(world)
    response = _phone(client, world.c.inspector, case)
    body = response.content.decode()
    panel = response.context["verify_panel"]
    assert panel["pairs"] == [(_before(case)[0], _after(case)[0])]
    assert body.index('id="verify-title"') < body.index('id="verify-form"')
    assert body.index('id="verify-form"') < body.index('id="send-back-form"')
    section = body[body.index('id="verify-title"') : body.index('id="verify-form"')]
    for text in ("孙物业", "蒙西物业公司", "已清运垃圾", _local(case.rectified_at)):
        assert text in section


def test_it_has_no_verify_panel_before_the_case_is_rectified(client, world):
    case = dispatched(world)
    assert _office(client, world.c.street_officer, case).context["verify_panel"] is None
    assert _phone(client, world.c.unit_staff, case).context["verify_panel"] is None


# --- 2. Sent back -------------------------------------------------------------------------------


def test_it_shows_the_unit_the_reason_and_hides_the_rejected_after_photos(client, world):
    case = sent_back(world)
    rejected = _after(case)
    response = _phone(client, world.c.unit_staff, case)
    body = response.content.decode()
    assert response.context["sent_back"].note == "墙角仍有垃圾袋"
    head = body[: body.index('id="rectify-form"')]
    assert "墙角仍有垃圾袋" in head
    assert 'class="notice danger sent-back"' in head
    assert response.context["after"] == []
    assert rejected[0].file.url not in head  # not among the current round's photos
    history = body[body.index('class="card field-history"') :]
    assert rejected[0].file.url in history
    assert "Previous round's rectification photos (not accepted)" in history
    assert "rectify-form" in body  # the unit rectifies again


def test_it_shows_the_office_the_reason_and_keeps_the_rejected_round_in_the_history(client, world):
    case = sent_back(world)
    rejected = _after(case)[0]
    response = _office(client, world.c.street_officer, case)
    body = response.content.decode()
    assert response.context["after"] == []
    top = body[: body.index('class="case-layout"')]
    assert "墙角仍有垃圾袋" in top
    history = body[body.index("sec-history") :]
    assert rejected.file.url in history
    assert "Previous round's rectification photos (not accepted)" in history
    rectify = next(e for e in response.context["timeline"] if e.action == "rectify")
    assert rectify.past_round.photos == [rejected]


def test_it_puts_photos_into_the_round_they_were_sent_for(client, world):
    case = sent_back(world)
    first = _after(case)[0]
    # The unit attaches a new photo while the case is back with them: the current round's.
    new = actions.attach_photo(world.c.unit_staff, case, "after", photo((0, 0, 210)).file)
    response = _phone(client, world.c.unit_staff, case)
    assert response.context["after"] == [new]
    case = actions.rectify_case(world.c.unit_staff, case, note="再次清理")
    events = queries.case_timeline(case)
    sorted_ = queries.sort_photos(events, list(case.photos.all()))
    assert [r.outcome for r in sorted_.rounds] == ["sent_back", "current"]
    assert [r.photos for r in sorted_.rounds] == [[first], [new]]
    assert sorted_.after == [new]
    assert sorted_.sent_back is None
    panel = _office(client, world.c.street_officer, case).context["verify_panel"]
    assert panel["event"].note == "再次清理"
    assert panel["pairs"] == [(_before(case)[0], new)]


def test_it_keeps_a_reopened_cases_old_round_out_of_the_new_one(world):
    case = rectified(world)
    case = actions.verify_case(world.c.inspector, case)
    case = actions.close_case(world.c.street_officer, case)
    old = _after(case)
    case = actions.reopen_case(world.c.street_officer, case, note="复发")
    sorted_ = queries.sort_photos(queries.case_timeline(case), list(case.photos.all()))
    assert [r.outcome for r in sorted_.rounds] == ["superseded"]
    assert sorted_.rounds[0].photos == old
    assert sorted_.after == []


# --- 3. Accept and dispatch in one step --------------------------------------------------------


def _post(client: Any, user: Any, case: Case, action: str, **data: Any) -> Any:
    client.force_login(user)
    payload = {
        f"{action}-client_uuid": str(data.pop("client_uuid", uuid.uuid4())),
        f"{action}-expected_status": data.pop("expected", case.status),
    }
    payload |= {f"{action}-{k}": v for k, v in data.items()}
    return client.post(reverse("case-act", args=[case.pk, action]), payload)


def _snapshot(case: Case) -> tuple[Any, ...]:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.unit_id,
        fresh.accepted_at,
        fresh.dispatched_at,
        CaseEvent.objects.filter(case=case).count(),
        AuditLog.objects.count(),
    )


def test_it_offers_accept_and_dispatch_first_and_open_to_the_officer(client, world):
    case = new_case(world, point=world.point_a)
    response = _office(client, world.c.street_officer, case)
    forms = response.context["step_forms"]
    assert [f.action for f in forms] == ["accept_dispatch", "accept", "reject"]
    assert [f.open for f in forms] == [True, False, False]
    assert [f.button for f in forms] == ["primary", "primary", "danger"]
    assert forms[0]["unit"].value() == world.c.property_co.pk  # the point's unit, proposed
    body = response.content.decode()
    assert body.index('data-action="accept_dispatch"') < body.index('data-action="accept"')


@pytest.mark.parametrize("viewer", ["inspector", "unit_staff", "grid_worker"])
def test_it_offers_accept_and_dispatch_to_no_one_else(world, viewer):
    from juli.cases import access

    case = new_case(world)
    assert access.can_accept_and_dispatch(getattr(world.c, viewer), case) is False
    assert access.can_accept_and_dispatch(world.c.district_admin, case) is True
    accepted = actions.accept_case(world.c.street_officer, case)
    assert access.can_accept_and_dispatch(world.c.street_officer, accepted) is False


def test_it_accepts_and_dispatches_in_one_step_with_two_events_and_two_audit_rows(client, world):
    case = new_case(world)
    audits = AuditLog.objects.count()
    response = _post(
        client, world.c.street_officer, case, "accept_dispatch", unit=world.c.property_co.pk
    )
    assert response.status_code == 302
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.unit) == ("dispatched", world.c.property_co)
    assert fresh.accepted_at is not None and fresh.dispatched_at is not None
    assert fresh.deadline is not None
    events = list(case.events.order_by("at", "pk").values_list("action", "from_status", "actor"))
    assert events == [
        ("report", "", world.c.grid_worker.pk),
        ("accept", "reported", world.c.street_officer.pk),
        ("dispatch", "accepted", world.c.street_officer.pk),
    ]
    verbs = list(AuditLog.objects.order_by("pk").values_list("verb", flat=True)[audits:])
    assert verbs == ["case.accept", "case.dispatch"]
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Done: accept and dispatch."]


@pytest.mark.parametrize(
    ("unit", "status"),
    [
        ("anyang_unit", 400),  # outside the officer's scope
        ("retired", 400),  # inactive
        ("", 400),  # none chosen
    ],
)
def test_it_refuses_accept_and_dispatch_for_a_bad_unit_and_changes_nothing(
    client, world, unit, status
):
    case = new_case(world)
    if unit == "retired":
        retired = org_actions.create_unit(
            None, name="已撤销物业", kind="property", area=world.c.dapuqiao
        )
        unit_id: Any = retired.pk
        from juli.orgs.models import Unit

        Unit.objects.filter(pk=retired.pk).update(is_active=False)
    else:
        unit_id = getattr(world.c, unit).pk if unit else ""
    before = _snapshot(case)
    response = _post(client, world.c.street_officer, case, "accept_dispatch", unit=unit_id)
    assert response.status_code == status
    assert _snapshot(case) == before
    assert 'class="field has-error"' in response.content.decode()


def test_it_refuses_accept_and_dispatch_of_a_case_already_accepted(client, world):
    case = actions.accept_case(world.c.street_officer, new_case(world))
    before = _snapshot(case)
    response = _post(
        client,
        world.c.district_admin,
        case,
        "accept_dispatch",
        unit=world.c.property_co.pk,
        expected="reported",
    )
    assert response.status_code == 409
    assert _snapshot(case) == before


@pytest.mark.parametrize("viewer", ["inspector", "grid_worker", "unit_staff", "outsider"])
def test_it_refuses_accept_and_dispatch_to_other_roles(client, world, viewer):
    case = new_case(world)
    before = _snapshot(case)
    response = _post(
        client, getattr(world.c, viewer), case, "accept_dispatch", unit=world.c.property_co.pk
    )
    assert response.status_code == 404
    assert _snapshot(case) == before


def test_it_answers_already_done_to_accept_and_dispatch_posted_twice(client, world):
    case = new_case(world)
    first = _post(
        client, world.c.street_officer, case, "accept_dispatch", unit=world.c.property_co.pk
    )
    again = _post(
        client,
        world.c.street_officer,
        case,
        "accept_dispatch",
        unit=world.c.property_co.pk,
        expected="reported",
    )
    assert first.status_code == again.status_code == 302
    assert [str(m) for m in again.wsgi_request._messages][-1] == "This step was already done."
    assert case.events.filter(action="dispatch").count() == 1


def test_it_rolls_back_the_accept_when_the_dispatch_is_refused(world):
    case = new_case(world)
    before = _snapshot(case)
    with pytest.raises(actions.workflow.ArgumentOutOfScope):
        actions.accept_and_dispatch(world.c.street_officer, case, unit=world.c.anyang_unit)
    assert _snapshot(case) == before
    with pytest.raises(actions.TransitionError) as refused:
        actions.accept_and_dispatch(world.c.street_officer, case, requested_by=world.c.inspector)
    assert refused.value.code == "unexpected_argument"
    assert _snapshot(case) == before


# --- 4. A finished case leads with its outcome -------------------------------------------------


def _closed(w: Any) -> Case:
    case = actions.verify_case(w.c.inspector, rectified(w))
    return actions.close_case(w.c.street_officer, case, note="整改到位")


def test_it_leads_a_closed_case_with_its_outcome_and_keeps_reopen_collapsed(client, world):
    case = _closed(world)
    response = _office(client, world.c.street_officer, case)
    body = response.content.decode()
    assert body.index('class="card sec-outcome outcome-closed"') < body.index("sec-actions")
    outcome = body[body.index("sec-outcome") : body.index('class="case-layout"')]
    for text in ("整改到位", "孙物业", "王督查", "李东风"):
        assert text in outcome
    forms = response.context["step_forms"]
    assert [(f.action, f.open, f.button) for f in forms] == [("reopen", False, "secondary")]
    assert re.search(r'<details class="case-action cautious"\s+data-action="reopen">', body)
    assert 'class="primary"' not in body[body.index("sec-actions") : body.index("sec-public")]
    assert "autofocus" not in body
    assert 'name="reopen-note"' in body  # the reason, required by the step


def test_it_still_opens_reopen_when_its_reason_was_missing(client, world):
    case = _closed(world)
    response = _post(client, world.c.street_officer, case, "reopen", note="")
    assert response.status_code == 400
    assert [(f.action, f.open) for f in response.context["step_forms"]] == [("reopen", True)]
    assert Case.objects.get(pk=case.pk).status == "closed"


def test_it_leads_a_rejected_case_with_the_reason(client, world):
    case = actions.reject_case(world.c.street_officer, new_case(world), note="重复上报")
    response = _office(client, world.c.street_officer, case)
    body = response.content.decode()
    outcome = body[body.index("sec-outcome") : body.index('class="case-layout"')]
    assert "重复上报" in outcome
    assert response.context["step_forms"] == []
    assert 'class="primary"' not in body[body.index("sec-actions") : body.index("sec-public")]


def test_it_never_opens_a_cautious_step_first(client, world):
    case = rectified(world)
    forms = _office(client, world.c.street_officer, case).context["panel_forms"]
    assert [(f.action, f.open, f.button) for f in forms] == [
        ("verify", True, "primary"),
        ("send_back", False, "danger"),
    ]


# --- 5. The case list's search -----------------------------------------------------------------


@pytest.fixture
def searchable(world):  # type: ignore[no-untyped-def]
    """Cases with distinct words: three in the officer's street, one in another street."""
    w = world
    w.pile = new_case(w, title="楼道堆物", description="三楼楼道口堆放纸箱")
    w.litter_case = new_case(w, title="暴露垃圾", point=w.point_b)
    w.address = new_case(w, title="井盖缺失", reporter_address="打浦路88号")
    w.far = actions.report_case(
        w.c.district_admin,
        client_uuid=uuid.uuid4(),
        source=Case.Source.HOTLINE,
        category=w.litter,
        area=w.c.huaihai,
        title="楼道堆物",
        description="淮海中路同样的问题",
    )
    return w


def _search(client: Any, user: Any, q: str) -> list[str]:
    client.force_login(user)
    response = client.get(reverse("case-list"), {"q": q})
    assert response.status_code == 200
    return sorted(c.title for c in response.context["page"].rows)


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("楼道", ["楼道堆物"]),  # a word of the title
        ("纸箱", ["楼道堆物"]),  # of the description
        ("打浦路88号", ["井盖缺失"]),  # of the reporter's address
        ("菜场B", ["暴露垃圾"]),  # the point's name
        ("樓道", ["楼道堆物"]),  # traditional script
        ("lddw", ["楼道堆物"]),  # pinyin initials of the title
        ("LDDW", ["楼道堆物"]),  # in capitals
        ("bllj", ["暴露垃圾"]),
        ("loudaoduiwu", ["楼道堆物"]),  # full pinyin
        ("duiwu", ["楼道堆物"]),  # a part of it
        ("楼道 纸箱", ["楼道堆物"]),  # every word must be found
        ("楼道 井盖", []),
        ("蒙西", ["井盖缺失", "暴露垃圾", "楼道堆物"]),  # the area's name
        ("mxdy", ["井盖缺失", "暴露垃圾", "楼道堆物"]),  # its pinyin initials (蒙西第一微网格)
        ("没有这样的案件", []),
    ],
)
def test_it_finds_cases_by_words_in_any_script(client, searchable, query, titles):
    assert _search(client, searchable.c.street_officer, query) == titles


def test_it_keeps_the_search_key_when_the_text_changes(searchable):
    case = Case.objects.get(title="楼道堆物", description__contains="纸箱")
    assert "ldd" in case.search_key and "纸箱" in case.search_key
    case.title = "樓梯間堆物"
    case.save(update_fields=["title"])  # the key is written with the field
    case.refresh_from_db()
    assert "楼梯间堆物" in case.search_key and "ltjdw" in case.search_key
    assert "纸箱" in case.search_key  # the description is still in it
    Case.objects.filter(pk=case.pk).update(title="别的")  # .update() bypasses save(): unused
    case.save(update_fields=["status"])  # a step writes no text: the key stays as it was
    case.refresh_from_db()
    assert "ltjdw" in case.search_key


def test_it_finds_a_case_by_its_number_or_the_start_of_it(client, searchable):
    w = searchable
    number = w.address.number  # 2026-000003 or the like: the third of the year here
    officer = w.c.street_officer
    sequence = number.split("-")[1]
    assert _search(client, officer, number) == ["井盖缺失"]
    assert _search(client, officer, sequence) == ["井盖缺失"]  # 000003
    assert _search(client, officer, str(int(sequence))) == ["井盖缺失"]  # 3
    assert _search(client, officer, number.replace("-", "")) == ["井盖缺失"]
    # The start of a number: every case of the year so far in scope.
    assert _search(client, officer, number[:-1]) == ["井盖缺失", "暴露垃圾", "楼道堆物"]
    assert _search(client, officer, sequence[:-1]) == ["井盖缺失", "暴露垃圾", "楼道堆物"]


def test_it_never_finds_a_case_outside_the_scope(client, searchable):
    w = searchable
    assert _search(client, w.c.street_officer, "淮海中路") == []
    assert _search(client, w.c.street_officer, w.far.number) == []
    assert _search(client, w.c.district_admin, "淮海中路") == ["楼道堆物"]
    assert _search(client, w.c.district_admin, "楼道") == ["楼道堆物", "楼道堆物"]
    grid = _api(w.c.grid_worker).get("/api/v1/cases/", {"q": "楼道"}).json()["results"]
    assert [c["id"] for c in grid] == [w.pile.pk]  # grid 1 only


def test_it_keeps_the_other_filters_and_the_keyset_pages_with_a_search(client, world):
    for i in range(55):
        case = new_case(world, title=f"楼道堆物{i}")
        if i % 5 == 0:
            put(case, "dispatched", world)
    new_case(world, title="暴露垃圾")
    client.force_login(world.c.street_officer)
    first = client.get(reverse("case-list"), {"q": "楼道"})
    page = first.context["page"]
    assert len(page.rows) == 50 and page.next_cursor is not None
    second = client.get(reverse("case-list"), {"q": "楼道", "after": page.next_cursor})
    seen = {c.pk for c in page.rows} | {c.pk for c in second.context["page"].rows}
    assert len(seen) == 55
    filtered = client.get(reverse("case-list"), {"q": "lddw", "status": "dispatched"})
    assert len(filtered.context["page"].rows) == 11


def test_it_searches_in_a_fixed_number_of_queries(client, searchable, django_assert_num_queries):
    client.force_login(searchable.c.street_officer)
    with django_assert_num_queries(9):  # as the list without a search
        response = client.get(reverse("case-list"), {"q": "lddw"})
    assert len(response.context["page"].rows) == 1


def test_it_says_at_the_field_when_the_search_is_too_long(client, searchable):
    client.force_login(searchable.c.street_officer)
    response = client.get(reverse("case-list"), {"q": "楼" * 61})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="field case-search has-error"' in body
    field = body[body.index('class="field case-search has-error"') :]
    assert field.index("at most 60 characters") < field.index('name="area"')


def test_it_labels_the_case_search_and_the_unit_filters_own_search_apart(client, world):
    client.force_login(world.c.street_officer)
    body = client.get(reverse("case-list")).content.decode()
    assert re.search(r'<label for="id_q">Search cases</label><input type="search" name="q"', body)
    assert re.search(
        r'<label class="picker-label"><span>Search responsible units</span>'
        r'<input type="search" name="q" form="-"',
        body,
    )


def test_it_exports_what_the_search_found(world):
    from django.utils.datastructures import MultiValueDict

    from juli.cases import exports

    params = exports.filter_params(MultiValueDict({"q": ["楼道"], "after": ["x"]}))
    assert params == {"filters": {"q": ["楼道"]}}
    assert exports._filters(params, world.c.street_officer).q == "楼道"


# --- The API -----------------------------------------------------------------------------------


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def test_it_searches_the_api_case_list_within_scope(searchable):
    w = searchable
    officer = _api(w.c.street_officer)
    found = officer.get("/api/v1/cases/", {"q": "lddw"}).json()["results"]
    assert [c["id"] for c in found] == [w.pile.pk]
    by_number = officer.get("/api/v1/cases/", {"q": w.address.number}).json()["results"]
    assert [c["id"] for c in by_number] == [w.address.pk]
    assert officer.get("/api/v1/cases/", {"q": w.far.number}).json()["results"] == []
    admin = _api(w.c.district_admin).get("/api/v1/cases/", {"q": "樓道"}).json()["results"]
    assert sorted(c["id"] for c in admin) == sorted([w.pile.pk, w.far.pk])
    assert len(officer.get("/api/v1/cases/", {"q": ""}).json()["results"]) == 3


def test_it_refuses_an_over_long_api_search(searchable):
    response = _api(searchable.c.street_officer).get("/api/v1/cases/", {"q": "楼" * 61})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"q"}


def _step(user: Any, case: Case, **body: Any) -> Any:
    return _api(user).post(f"/api/v1/cases/{case.pk}/transitions/", body, format="json")


def test_it_accepts_and_dispatches_through_the_api(world):
    case = new_case(world, point=world.point_a)
    response = _step(world.c.street_officer, case, action="accept_dispatch", note="请今日处理")
    assert response.status_code == 200
    assert response.json()["status"] == "dispatched"
    assert response.json()["unit"]["id"] == world.c.property_co.pk  # the point's unit
    events = list(case.events.order_by("at", "pk").values_list("action", "note"))
    assert events == [("report", ""), ("accept", ""), ("dispatch", "请今日处理")]


@pytest.mark.parametrize(
    ("who", "body", "status", "code"),
    [
        ("street_officer", {"unit": "anyang_unit"}, 400, "invalid"),  # out of scope: unknown
        ("street_officer", {}, 400, "unit_required"),  # no unit on the case, none named
        (
            "street_officer",
            {"unit": "property_co", "requested_by": "inspector"},
            400,
            "unexpected_argument",
        ),
        ("grid_worker", {"unit": "property_co"}, 403, "permission_denied"),
        ("other_grid_worker", {"unit": "property_co"}, 404, "not_found"),
    ],
)
def test_it_refuses_accept_and_dispatch_through_the_api_and_changes_nothing(
    world, who, body, status, code
):
    case = new_case(world)
    for key, value in list(body.items()):
        body[key] = getattr(world.c, value).pk
    before = _snapshot(case)
    response = _step(getattr(world.c, who), case, action="accept_dispatch", **body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert _snapshot(case) == before


def test_it_refuses_accept_and_dispatch_of_an_accepted_case_through_the_api(world):
    case = actions.accept_case(world.c.street_officer, new_case(world))
    before = _snapshot(case)
    response = _step(
        world.c.street_officer, case, action="accept_dispatch", unit=world.c.property_co.pk
    )
    assert (response.status_code, response.json()["code"]) == (409, "illegal_state")
    assert _snapshot(case) == before


def test_it_documents_the_search_and_the_combined_step_in_the_schema(db):
    import yaml

    schema = yaml.safe_load(APIClient().get("/api/v1/schema/").content)
    listing = schema["paths"]["/api/v1/cases/"]["get"]
    q = next(p for p in listing["parameters"] if p["name"] == "q")
    assert q["in"] == "query"
    assert q["schema"]["type"] == "string"
    assert q["schema"].get("maxLength") == 60
    post = schema["paths"]["/api/v1/cases/{id}/transitions/"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    components = schema["components"]["schemas"]
    action = components[body.rsplit("/", 1)[-1]]["properties"]["action"]
    enum = components[action["allOf"][0]["$ref"].rsplit("/", 1)[-1]]["enum"]
    assert enum[-1] == "accept_dispatch"
    assert "accept_dispatch" in action["description"]
