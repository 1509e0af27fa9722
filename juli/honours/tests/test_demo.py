"""The honours demo on the org demo world: Huangpu's hundred 百优支部 of last year."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from juli.core.verification import verification_code, verify
from juli.honours import demo
from juli.honours.models import Honour, HonourCall
from juli.orgs.demo import build_demo as build_org_demo
from juli.orgs.demo import data as org_data
from juli.orgs.models import PartyOrg

pytestmark = pytest.mark.django_db

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Built once for the module (with the tests' fast password hasher: the demo makes
    accounts) in a transaction rolled back after its last test."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER),
        transaction.atomic(),
    ):
        build_org_demo(people=0)
        yield demo.build_demo()
        transaction.set_rollback(True)


def test_it_confers_a_hundred_numbered_honours_on_huangpu_branches(built):  # type: ignore[no-untyped-def]
    committee = PartyOrg.objects.get(name=org_data.HUANGPU_COMMITTEE)
    branches = PartyOrg.objects.filter(path__startswith=committee.path, kind="branch")
    assert branches.count() >= 100
    last = timezone.localdate().year - 1
    call = HonourCall.objects.get(kind__code="BYZB", year=last)
    assert call.status == "published"
    numbers = list(call.honours.order_by("number").values_list("number", flat=True))
    assert len(numbers) == 100
    assert numbers[0] == f"{last}-BYZB-001" and numbers[-1] == f"{last}-BYZB-100"
    honour = call.honours.first()
    assert verify(verification_code(honour)).state == "valid"
    this = HonourCall.objects.get(kind__code="BYZB", year=last + 1)
    assert this.status == "nominating" and this.nominations.count() == built["nominations_open"] > 0
    assert Honour.objects.filter(person__isnull=False).count() == built["honours"] - 100
