"""The standards pages: reading, editing a draft in place, new and copy, the frozen
standard, and refusals that write nothing.

The Putuo party group's 2026 standard (conftest: 组织生活 with a computed criterion of the
stub metric, 作用发挥 with two judged ones, one veto item). The bureau secretary issues it;
the branch secretary and the sibling secretary read it; the outsider (Anyang) sees nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from juli.core.models import AuditLog
from juli.rating.models import Criterion, RatingStandard, StandardCategory, VetoItem

from .conftest import STUB, make_round, make_standard

HTMX = {"HX-Request": "true"}


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def sw(cast: Any, stub_metric: Any) -> Any:
    cast.standard = make_standard(cast.putuo)
    cast.other = make_standard(cast.anyang)
    return cast


def state(standard: RatingStandard) -> tuple[Any, ...]:
    standard.refresh_from_db()
    return (
        standard.title,
        standard.thresholds,
        list(standard.categories.values_list("name", "order")),
        list(standard.criteria.values_list("title", "points", "method", "metric", "full_share")),
        list(standard.vetoes.values_list("title", "cap_stars")),
    )


def edit_url(standard: RatingStandard, part: str, item: int | None = None) -> str:
    if item is None:
        return reverse("rating-standard-edit", args=[standard.pk, part])
    return reverse("rating-standard-edit-item", args=[standard.pk, part, item])


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, 302),
        ("outsider", 404),
        ("branch_secretary", 200),
        ("sibling_secretary", 200),
        ("bureau_secretary", 200),
        ("platform_admin", 200),
    ],
)
def test_it_shows_the_standard_to_those_inside(sw: Any, who: str | None, expected: int) -> None:
    user = getattr(sw, who) if who else None
    response = client_for(user).get(reverse("rating-standard", args=[sw.standard.pk]))
    assert response.status_code == expected


@pytest.mark.parametrize(("who", "expected"), [("outsider", 404), ("branch_secretary", 403)])
def test_it_refuses_edits_from_readers_and_outsiders(sw: Any, who: str, expected: int) -> None:
    before = state(sw.standard)
    audits = AuditLog.objects.count()
    response = client_for(getattr(sw, who)).post(
        edit_url(sw.standard, "category"), {"newcat-name": "队伍建设"}
    )
    assert response.status_code == expected
    assert state(sw.standard) == before
    assert AuditLog.objects.count() == audits


def test_the_list_shows_what_one_sees(sw: Any) -> None:
    response = client_for(sw.bureau_secretary).get(reverse("rating-standards"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-standard="{sw.standard.pk}"' in body
    assert f'data-standard="{sw.other.pk}"' not in body
    assert 'id="standard-new"' in body
    reader = client_for(sw.branch_secretary).get(reverse("rating-standards")).content.decode()
    assert f'data-standard="{sw.standard.pk}"' in reader
    outsider = client_for(sw.outsider).get(reverse("rating-standards")).content.decode()
    assert f'data-standard="{sw.standard.pk}"' not in outsider
    assert 'id="standard-new"' not in outsider


def test_the_list_costs_a_fixed_number_of_queries(sw: Any) -> None:
    client = client_for(sw.bureau_secretary)
    client.get(reverse("rating-standards"))
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("rating-standards"))
    for year in (2024, 2025):
        make_standard(sw.putuo, year=year)
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("rating-standards"))
    assert len(more) == len(first)


# --- Reading ---------------------------------------------------------------------------------


def test_a_branch_reads_how_each_criterion_is_scored(sw: Any) -> None:
    body = (
        client_for(sw.branch_secretary)
        .get(reverse("rating-standard", args=[sw.standard.pk]))
        .content.decode()
    )
    assert "三会一课按时召开" in body and "党员先锋作用" in body
    assert f"Measured by {STUB.label}." in body
    assert "Full points from 90 per cent" in body
    assert 'data-total="100.00"' in body
    assert "发生严重违纪案件" in body and "at most 2 stars" in body
    assert 'data-editable="0"' in body and "hx-post" not in body


# --- Editing ---------------------------------------------------------------------------------


def test_the_editor_builds_the_draft_in_place(sw: Any) -> None:
    client = client_for(sw.bureau_secretary)
    s = sw.standard
    assert client.post(edit_url(s, "category"), {"newcat-name": "队伍建设"}).status_code == 302
    team = StandardCategory.objects.get(standard=s, name="队伍建设")
    response = client.post(
        edit_url(s, "criterion"),
        {
            "category_pk": team.pk,
            f"new{team.pk}-category": team.pk,
            f"new{team.pk}-title": "党员教育培训",
            f"new{team.pk}-points": "10",
            f"new{team.pk}-method": "computed",
            f"new{team.pk}-metric": STUB.key,
            f"new{team.pk}-full_share": "80",
            f"new{team.pk}-evidence_hint": "",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "党员教育培训" in response.content.decode()
    added = Criterion.objects.get(standard=s, title="党员教育培训")
    assert (added.category, added.points, added.full_share) == (
        team,
        Decimal("10.00"),
        Decimal("0.800"),
    )
    response = client.post(
        edit_url(s, "thresholds"),
        {"t-star1": "50", "t-star2": "65", "t-star3": "75", "t-star4": "85", "t-star5": "95"},
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.thresholds == [Decimal(v) for v in ("50", "65", "75", "85", "95")]
    veto = s.vetoes.get()
    response = client.post(
        edit_url(s, "veto", veto.pk),
        {f"v{veto.pk}-title": "发生严重违纪违法案件", f"v{veto.pk}-cap_stars": "0"},
    )
    assert response.status_code == 302
    assert VetoItem.objects.get(pk=veto.pk).cap_stars == 0
    judged = s.criteria.get(title="服务群众成效")
    assert client.post(edit_url(s, "criterion", judged.pk), {"delete": "1"}).status_code == 302
    assert not Criterion.objects.filter(pk=judged.pk).exists()
    assert AuditLog.objects.filter(verb__startswith="rating.standard.").count() >= 5


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("points", "0", "Ensure this value is greater than or equal to 0.5."),
        ("points", "101", "Enter a number from 0.5 to 100."),
        ("metric", "nope.metric", "Select a valid choice."),
    ],
)
def test_a_bad_criterion_is_refused_at_its_field(
    sw: Any, field: str, value: str, message: str
) -> None:
    s = sw.standard
    crit = s.criteria.get(method="computed")
    before = state(s)
    data = {
        f"c{crit.pk}-category": crit.category_id,
        f"c{crit.pk}-title": crit.title,
        f"c{crit.pk}-points": "40",
        f"c{crit.pk}-method": "computed",
        f"c{crit.pk}-metric": STUB.key,
        f"c{crit.pk}-full_share": "90",
    }
    data[f"c{crit.pk}-{field}"] = value
    response = client_for(sw.bureau_secretary).post(edit_url(s, "criterion", crit.pk), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'data-error-for="{field}"' in body
    assert message.split(" ")[0] in body
    assert state(s) == before


def test_thresholds_must_ascend(sw: Any) -> None:
    before = state(sw.standard)
    response = client_for(sw.bureau_secretary).post(
        edit_url(sw.standard, "thresholds"),
        {"t-star1": "60", "t-star2": "70", "t-star3": "65", "t-star4": "88", "t-star5": "95"},
        headers=HTMX,
    )
    assert response.status_code == 200  # htmx swaps the body with the error in it
    body = response.content.decode()
    assert 'data-error-for="star3"' in body
    assert "at least the score of the star below it" in body
    assert state(sw.standard) == before


def test_a_criterion_of_another_standard_is_not_found(sw: Any) -> None:
    foreign = sw.other.criteria.first()
    before = state(sw.standard), state(sw.other)
    response = client_for(sw.platform_admin).post(
        edit_url(sw.standard, "criterion", foreign.pk), {"delete": "1"}
    )
    assert response.status_code == 404
    # a category of another standard in the form: refused at the field
    crit = sw.standard.criteria.get(method="computed")
    response = client_for(sw.platform_admin).post(
        edit_url(sw.standard, "criterion", crit.pk),
        {
            f"c{crit.pk}-category": foreign.category_id,
            f"c{crit.pk}-title": "x",
            f"c{crit.pk}-points": "5",
            f"c{crit.pk}-method": "judged",
        },
    )
    assert response.status_code == 400
    assert 'data-error-for="category"' in response.content.decode()
    assert (state(sw.standard), state(sw.other)) == before


def test_a_standard_in_use_cannot_change_and_offers_a_copy(sw: Any) -> None:
    make_round(sw.putuo, sw.standard)
    client = client_for(sw.bureau_secretary)
    body = client.get(reverse("rating-standard", args=[sw.standard.pk])).content.decode()
    assert 'id="standard-frozen"' in body and "hx-post" not in body
    assert reverse("rating-standard-copy", args=[sw.standard.pk]) in body
    before = state(sw.standard)
    response = client.post(edit_url(sw.standard, "category"), {"newcat-name": "新类别"})
    assert response.status_code == 409
    assert state(sw.standard) == before


# --- New and copy ----------------------------------------------------------------------------


def test_new_and_copy(sw: Any) -> None:
    client = client_for(sw.bureau_secretary)
    assert client.get(reverse("rating-standard-new")).status_code == 200
    response = client.post(
        reverse("rating-standard-new"),
        {"org": sw.putuo.pk, "year": "2026", "title": "党建示范点标准", "description": ""},
    )
    created = RatingStandard.objects.get(title="党建示范点标准")
    assert response.status_code == 302 and response["Location"].endswith(f"/{created.pk}/")
    # a duplicate title of the same year: at the field, nothing written
    response = client.post(
        reverse("rating-standard-new"),
        {"org": sw.putuo.pk, "year": "2026", "title": "党建示范点标准"},
    )
    assert response.status_code == 400
    assert 'data-error-for="title"' in response.content.decode()
    assert RatingStandard.objects.filter(title="党建示范点标准").count() == 1
    copy_url = reverse("rating-standard-copy", args=[sw.standard.pk])
    page = client.get(copy_url).content.decode()
    assert "2027年五星级党支部标准" in page
    response = client.post(
        copy_url, {"org": sw.putuo.pk, "year": "2027", "title": "2027年五星级党支部标准"}
    )
    copy = RatingStandard.objects.get(year=2027)
    assert response.status_code == 302
    assert copy.copied_from == sw.standard and copy.criteria.count() == 3
    # an organisation the user does not issue for is not a choice
    response = client.post(copy_url, {"org": sw.anyang.pk, "year": "2027", "title": "x"})
    assert response.status_code == 400
    assert not RatingStandard.objects.filter(title="x").exists()


def test_readers_cannot_open_new_or_copy_for_others(sw: Any) -> None:
    assert client_for(sw.outsider).get(reverse("rating-standard-new")).status_code == 404
    response = client_for(sw.outsider).get(reverse("rating-standard-copy", args=[sw.standard.pk]))
    assert response.status_code == 404
