"""The access matrix: every page and endpoint, for anonymous, outsider, the sibling branch,
the issuing party group (parent), the receiving branch, an unrelated district administrator
and a superuser. Out of scope is 404; refusals change nothing and write no audit row."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from juli.core.models import AuditLog
from juli.letters import actions
from juli.letters.models import Evidence, Letter, LetterEvent, LetterItem, Signature

from .conftest import make_letters, sign_both

WHO = [
    "anonymous",
    "outsider",
    "sibling_secretary",
    "bureau_secretary",
    "branch_secretary",
    "district_admin",
    "platform_admin",
]


@pytest.fixture
def aw(cast: Any) -> SimpleNamespace:
    w = make_letters(cast)
    w.letter = sign_both(w)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    w.evidence = actions.add_evidence(
        cast.branch_secretary,
        w.letter,
        title="会议记录",
        items=[w.letter.items.first()],
        upload=SimpleUploadedFile("记录.pdf", pdf, "application/pdf"),
    )
    w.signature = Signature.objects.filter(letter=w.letter).first()
    w.item = w.letter.items.first()
    w.template_item = w.template.items.first()
    return w


def _client(client: Any, cast: Any, who: str) -> Any:
    if who != "anonymous":
        client.force_login(getattr(cast, who))
    return client


def _state() -> tuple[int, ...]:
    return (
        AuditLog.objects.count(),
        LetterEvent.objects.count(),
        Signature.objects.count(),
        Evidence.objects.count(),
        LetterItem.objects.count(),
    )


PAGES = {
    # name: (url pattern, {who: status})
    # The list opens (empty) for any office post over party organisations, as the menu
    # says (`access.reads_letters`): the district admin's street committees have no letters.
    "letter-list": ("/letters/", [302, 404, 200, 200, 200, 200, 200]),
    "templates": ("/letters/templates/", [302, 404, 200, 200, 200, 404, 200]),
    "template": ("/letters/templates/{t}/", [302, 404, 404, 200, 404, 404, 200]),
    "session": ("/letters/templates/{t}/session/", [302, 404, 404, 200, 404, 404, 200]),
    "compare": ("/letters/templates/{t}/compare/", [302, 404, 404, 200, 404, 404, 200]),
    "compare-xlsx": (
        "/letters/templates/{t}/compare/?format=xlsx",
        [302, 404, 404, 200, 404, 404, 200],
    ),
    "template-item": ("/letters/templates/items/{ti}/", [302, 404, 404, 200, 404, 404, 200]),
    "letter": ("/letters/{l}/", [302, 404, 404, 200, 200, 404, 200]),
    "sign": ("/letters/{l}/sign/", [302, 404, 404, 200, 200, 404, 403]),
    "pdf": ("/letters/{l}/pdf/", [302, 404, 404, 200, 200, 404, 200]),
    "evidence": ("/letters/{l}/evidence/", [302, 404, 404, 200, 200, 404, 200]),
    "assessment": ("/letters/{l}/assessment/", [302, 404, 404, 200, 200, 404, 200]),
    "letter-item": ("/letters/items/{li}/", [302, 404, 404, 200, 403, 404, 200]),
    "evidence-file": ("/letters/evidence/{e}/file/", [302, 404, 404, 200, 200, 404, 200]),
    "signature": ("/letters/signatures/{s}/", [302, 404, 404, 200, 200, 404, 200]),
    "verify": ("/letters/verify/", [200, 200, 200, 200, 200, 200, 200]),
}


def _url(pattern: str, w: Any) -> str:
    return pattern.format(
        t=w.template.pk,
        ti=w.template_item.pk,
        l=w.letter.pk,
        li=w.item.pk,
        e=w.evidence.pk,
        s=w.signature.pk,
    )


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("who", WHO)
def test_every_page_answers_by_scope(client: Any, cast: Any, aw: Any, page: str, who: str) -> None:
    pattern, expected = PAGES[page]
    response = _client(client, cast, who).get(_url(pattern, aw))
    assert response.status_code == expected[WHO.index(who)]
    if response.status_code == 302:
        assert response["Location"].startswith("/login/")


def test_a_branch_never_sees_another_branchs_letter(client: Any, cast: Any, aw: Any) -> None:
    client.force_login(cast.sibling_secretary)
    body = client.get("/letters/").content.decode()
    assert "第二党支部" in body and "第一党支部" not in body
    client.force_login(cast.branch_secretary)
    body = client.get("/letters/").content.decode()
    assert "第一党支部" in body and "第二党支部" not in body
    assert client.get(f"/letters/{aw.sibling_letter.pk}/").status_code == 404
    client.force_login(cast.bureau_secretary)
    body = client.get("/letters/").content.decode()
    assert "第一党支部" in body and "第二党支部" in body


def test_the_list_opens_for_whoever_the_menu_shows_it_to(client: Any, cast: Any, aw: Any) -> None:
    """Menu and list ask the same scope-only rule: the district admin (office post over its
    street committees, no letters there) gets an empty list that says where letters come
    from; the outsider (a plain member) neither the entry nor the page."""
    from juli.core.menu import menu_for
    from juli.letters.access import reads_letters

    assert (reads_letters(cast.district_admin), reads_letters(cast.outsider)) == (True, False)
    client.force_login(cast.district_admin)
    response = client.get("/letters/")
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "Letters appear here once a party organisation in your scope issues them" in (
        response.content.decode()
    )
    entries = [e.key for item in menu_for(cast.outsider) for e in [item.entry, *item.entries] if e]
    assert "letters" not in entries


POSTS: dict[str, tuple[str, dict[str, Any], dict[str, int]]] = {
    # what is posted where, and who may not: {who: status}
    "issue": (
        "/letters/{l}/",
        {"what": "issue"},
        {
            "anonymous": 302,
            "outsider": 404,
            "sibling_secretary": 404,
            "branch_secretary": 403,
            "district_admin": 404,
        },
    ),
    "add-item": (
        "/letters/{l}/",
        {"what": "item", "section": "x", "order": "9", "content": "x", "points": "1"},
        {"anonymous": 302, "outsider": 404, "sibling_secretary": 404, "branch_secretary": 403},
    ),
    "edit-item": (
        "/letters/items/{li}/",
        {"section": "x", "order": "1", "content": "改", "points": "1"},
        {"anonymous": 302, "sibling_secretary": 404, "branch_secretary": 403},
    ),
    "template-item": (
        "/letters/templates/{t}/",
        {"what": "item", "section": "x", "order": "9", "content": "x", "points": "1"},
        {"anonymous": 302, "sibling_secretary": 404, "branch_secretary": 404, "outsider": 404},
    ),
    "sign": (
        "/letters/{l}/sign/",
        {
            "side": "issuer",
            "method": "password",
            "password": "x",
            "client_uuid": "5c0d7a43-0000-4000-8000-000000000001",
        },
        {"anonymous": 302, "sibling_secretary": 404, "platform_admin": 403},
    ),
    "evidence": (
        "/letters/{l}/evidence/",
        {"title": "x", "items": ["0"], "note": "x", "happened_on": "2026-05-01"},
        {"anonymous": 302, "sibling_secretary": 404, "outsider": 404, "district_admin": 404},
    ),
    "remove": (
        "/letters/evidence/{e}/remove/",
        {},
        {"anonymous": 302, "sibling_secretary": 404, "outsider": 404},
    ),
    "assess": (
        "/letters/{l}/assessment/",
        {"what": "self"},
        {"anonymous": 302, "sibling_secretary": 404, "outsider": 404},
    ),
    "session": (
        "/letters/templates/{t}/session/",
        {"letter": "{l}", "side": "issuer"},
        {"anonymous": 302, "sibling_secretary": 404, "branch_secretary": 404},
    ),
}


@pytest.mark.parametrize(
    ("name", "who"), [(n, w) for n, (_u, _d, refusals) in sorted(POSTS.items()) for w in refusals]
)
def test_refused_writes_change_nothing(
    client: Any, cast: Any, aw: Any, name: str, who: str
) -> None:
    pattern, raw, refusals = POSTS[name]
    data = {k: (v.format(l=aw.letter.pk) if isinstance(v, str) else v) for k, v in raw.items()}
    before = _state()
    letter_before = Letter.objects.filter(pk=aw.letter.pk).values().get()
    response = _client(client, cast, who).post(_url(pattern, aw), data)
    assert response.status_code == refusals[who]
    assert _state() == before
    assert Letter.objects.filter(pk=aw.letter.pk).values().get() == letter_before


API = {
    "list": ("/api/v1/letters/", [401, 200, 200, 200, 200, 200, 200]),
    "detail": ("/api/v1/letters/{l}/", [401, 404, 404, 200, 200, 404, 200]),
    "assessment": ("/api/v1/letters/{l}/assessment/", [401, 404, 404, 200, 200, 404, 200]),
    "items": ("/api/v1/letter-items/?letter={l}", [401, 200, 200, 200, 200, 200, 200]),
    "item": ("/api/v1/letter-items/{li}/", [401, 404, 404, 200, 200, 404, 200]),
    "evidence-list": ("/api/v1/evidence/?letter={l}", [401, 200, 200, 200, 200, 200, 200]),
    "evidence": ("/api/v1/evidence/{e}/", [401, 404, 404, 200, 200, 404, 200]),
}


@pytest.mark.parametrize("endpoint", sorted(API))
@pytest.mark.parametrize("who", WHO)
def test_every_endpoint_answers_by_scope(
    client: Any, cast: Any, aw: Any, endpoint: str, who: str
) -> None:
    pattern, expected = API[endpoint]
    response = _client(client, cast, who).get(_url(pattern, aw))
    assert response.status_code == expected[WHO.index(who)]
    if endpoint in {"list", "items", "evidence-list"} and response.status_code == 200:
        ids = [row["id"] for row in response.json()["results"]]
        sees = who in {"bureau_secretary", "branch_secretary", "platform_admin"}
        own = {"list": aw.letter.pk, "items": aw.item.pk, "evidence-list": aw.evidence.pk}[endpoint]
        assert (own in ids) is sees


def test_the_letters_api_is_in_the_schema(client: Any, cast: Any) -> None:
    client.force_login(cast.platform_admin)
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    for path in [
        "/api/v1/letters/",
        "/api/v1/letters/{id}/sign/",
        "/api/v1/letters/{id}/self-assessment/",
        "/api/v1/letters/{id}/review/",
        "/api/v1/letters/{id}/assessment/",
        "/api/v1/letter-items/",
        "/api/v1/evidence/",
        "/api/v1/evidence/{id}/",
    ]:
        assert path in paths, path


def test_list_pages_use_a_fixed_number_of_queries(
    client: Any, cast: Any, django_assert_max_num_queries: Any
) -> None:
    w = make_letters(cast)
    client.force_login(cast.bureau_secretary)
    client.get("/letters/")
    with django_assert_max_num_queries(20) as small:
        client.get("/letters/")
    from juli.orgs import actions as org_actions

    for n in range(3, 9):
        org = org_actions.create_org(
            None, cast.putuo, name=f"第{n}党支部", kind="branch", code=f"PT-BX{n}"
        )
        person = org_actions.create_person(
            None, name=f"书记{n}", phone=f"1390000{n:04d}", party_org=org
        )
        org_actions.appoint(None, person, "party_secretary", org=org)
        actions.prepare_letters(None, w.template, [org])
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/letters/")
    assert response.content.decode().count('href="/letters/') >= 8
