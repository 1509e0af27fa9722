"""Reporting a case: who may report where, public reports, retries and numbers."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from juli.cases import actions
from juli.cases.models import Case, CaseEvent

from .conftest import new_case, photo


@pytest.mark.parametrize(
    ("reporter", "allowed"),
    [
        ("grid_worker", True),
        ("inspector", True),
        ("street_officer", True),
        ("district_admin", True),
        ("other_grid_worker", False),
        ("unit_staff", False),
        ("outsider", False),
    ],
)
def test_it_lets_reporting_roles_report_in_their_area_only(world, reporter, allowed):
    user = getattr(world.c, reporter)
    if allowed:
        assert new_case(world, actor=user).status == "reported"
    else:
        with pytest.raises(PermissionDenied):
            new_case(world, actor=user)
        assert not Case.objects.exists()


def test_it_takes_public_reports_without_an_account(world):
    case = actions.report_case(
        None,
        client_uuid=uuid.uuid4(),
        source="public",
        category=world.litter,
        point=world.point_a,
        title="门口垃圾",
        reporter_name="市民",
        reporter_phone="13712345678",
        reporter_email="a@example.org",
        photos=[photo(), photo((0, 0, 9))],
    )
    assert (case.reporter, case.reporter_name, case.area, case.unit) == (
        None,
        "市民",
        world.c.grid1,
        world.c.property_co,
    )
    assert case.photos.filter(kind="before").count() == 2
    assert CaseEvent.objects.get(case=case).actor is None


def test_it_numbers_cases_by_year_without_gaps(world):
    year = timezone.localdate().year
    numbers = [new_case(world).number for _ in range(3)]
    assert numbers == [f"{year}-000001", f"{year}-000002", f"{year}-000003"]


def test_it_returns_the_same_case_for_a_retry_and_refuses_a_different_body(world):
    key = uuid.uuid4()
    kw = {
        "client_uuid": key,
        "source": "grid_worker",
        "category": world.litter,
        "area": world.c.grid1,
    }
    first = actions.report_case(world.c.grid_worker, title="堆物", **kw)
    assert actions.report_case(world.c.grid_worker, title="堆物", **kw) == first
    with pytest.raises(actions.ConflictError) as err:
        actions.report_case(world.c.grid_worker, title="别的", **kw)
    assert err.value.code == "conflict"
    assert Case.objects.count() == 1


def test_it_validates_the_report(world):
    base = {
        "client_uuid": uuid.uuid4(),
        "category": world.litter,
        "area": world.c.grid1,
        "title": "x",
    }
    with pytest.raises(ValidationError):
        actions.report_case(None, source="rumour", **base)
    with pytest.raises(ValidationError):
        actions.report_case(None, source="public", lat=Decimal("95"), **base)
    with pytest.raises(ValidationError):
        actions.report_case(None, source="public", **{**base, "area": None})
    assert not Case.objects.exists()
