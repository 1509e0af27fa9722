"""Membership at a date: the periods kept by the orgs actions and `members_on`."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from juli.orgs import actions
from juli.orgs.models import Membership, Person
from juli.orgs.queries import members_on

TODAY = timezone.localdate()
# Dates of the current year's first half, always before today whatever day the tests run.
YEAR = TODAY.year - 1
MAY = datetime.date(YEAR, 5, 15)
JUNE_1 = datetime.date(YEAR, 6, 1)
JULY = datetime.date(YEAR, 7, 15)
AUGUST = datetime.date(YEAR, 8, 3)


def names(org, on):  # type: ignore[no-untyped-def]
    return list(members_on(org, on).values_list("name", flat=True))


@pytest.fixture
def transferred(cast):  # type: ignore[no-untyped-def]
    """A member of branch 2 since 2019, transferred to branch 1 on June 1."""
    person = actions.create_person(
        None,
        name="陆调动",
        phone="13800000031",
        party_org=cast.branch2,
        political_status="member",
        party_joined_on=datetime.date(2019, 7, 1),
    )
    actions.update_person(None, person, party_org=cast.branch1, transferred_on=JUNE_1)
    return person


def test_it_lists_a_transferred_member_on_the_roster_of_the_date(cast, transferred):  # type: ignore[no-untyped-def]
    assert "陆调动" in names(cast.branch2, MAY)
    assert "陆调动" not in names(cast.branch1, MAY)
    assert "陆调动" in names(cast.branch1, JULY)
    assert "陆调动" not in names(cast.branch2, JULY)
    # Half-open: the transfer day is the first day in the new branch.
    assert "陆调动" in names(cast.branch1, JUNE_1)
    assert "陆调动" not in names(cast.branch2, JUNE_1)
    # The bureau's party group sees them all year long, through one branch or the other.
    assert "陆调动" in names(cast.putuo, MAY)
    assert "陆调动" in names(cast.putuo, JULY)


def test_it_keeps_the_periods_half_open(cast, transferred):  # type: ignore[no-untyped-def]
    rows = list(
        Membership.objects.filter(person=transferred)
        .order_by("started_on")
        .values_list("org_id", "started_on", "ended_on")
    )
    assert rows == [
        (cast.branch2.pk, datetime.date(2019, 7, 1), JUNE_1),
        (cast.branch1.pk, JUNE_1, None),
    ]


def test_it_leaves_someone_who_joined_later_off_an_earlier_roster(cast):  # type: ignore[no-untyped-def]
    actions.create_person(
        None,
        name="新入党",
        phone="13800000032",
        party_org=cast.branch1,
        political_status="probationary",
        party_joined_on=AUGUST,
    )
    assert "新入党" not in names(cast.branch1, JULY)
    assert "新入党" in names(cast.branch1, AUGUST)


def test_it_starts_a_membership_on_the_day_given(cast):  # type: ignore[no-untyped-def]
    actions.create_person(
        None,
        name="转入者",
        phone="13800000033",
        party_org=cast.branch1,
        political_status="member",
        party_joined_on=datetime.date(2001, 7, 1),
        member_since=AUGUST,
    )
    assert "转入者" not in names(cast.branch1, JULY)
    assert "转入者" in names(cast.branch1, AUGUST)


def test_it_counts_a_person_without_dates_on_every_earlier_roster(cast):  # type: ignore[no-untyped-def]
    # The cast's 冯党员 was recorded without a date of joining: "since before Juli knew".
    assert "冯党员" in names(cast.branch1, datetime.date(2000, 1, 1))
    assert "冯党员" in names(cast.branch1, TODAY)


def test_it_lists_only_party_members_in_name_order_in_one_query(cast):  # type: ignore[no-untyped-def]
    actions.create_person(
        None,
        name="积极分子",
        phone="13800000034",
        party_org=cast.group1,
        political_status="activist",
    )
    actions.create_person(
        None, name="艾党员", phone="13800000035", party_org=cast.group1, political_status="member"
    )
    with CaptureQueriesContext(connection) as ctx:
        got = names(cast.branch1, TODAY)
    assert len(ctx) == 1
    # 单田芳, the secretary, is recorded without a political status (masses) in the cast.
    assert got == sorted(["冯党员", "艾党员"])
    assert names(cast.group1, TODAY) == ["艾党员"]


def test_it_ends_the_membership_of_someone_made_inactive(cast):  # type: ignore[no-untyped-def]
    person = actions.update_person(None, cast.member_person, is_active=False, transferred_on=JUNE_1)
    assert "冯党员" in names(cast.branch1, MAY)
    assert "冯党员" not in names(cast.branch1, JULY)
    actions.update_person(None, person, is_active=True)
    assert "冯党员" in names(cast.branch1, TODAY)
    assert "冯党员" not in names(cast.branch1, JULY)


def test_it_moves_the_members_of_a_merged_organisation(cast):  # type: ignore[no-untyped-def]
    member = actions.create_person(
        None,
        name="合并者",
        phone="13800000036",
        party_org=cast.branch2,
        political_status="member",
        party_joined_on=datetime.date(2010, 1, 1),
    )
    actions.merge_org(None, cast.branch2, cast.branch1, note="机构调整")
    yesterday = TODAY - datetime.timedelta(days=1)
    assert "合并者" in names(cast.branch2, yesterday)
    assert "合并者" not in names(cast.branch1, yesterday)
    assert "合并者" in names(cast.branch1, TODAY)
    rows = Membership.objects.filter(person=member).order_by("started_on", "id")
    assert [(r.org_id, r.ended_on, r.note) for r in rows] == [
        (cast.branch2.pk, TODAY, ""),
        (cast.branch1.pk, None, "机构调整"),
    ]


def test_it_refuses_a_transfer_dated_before_the_present_membership(cast, transferred):  # type: ignore[no-untyped-def]
    before = list(Membership.objects.values_list("pk", "org_id", "started_on", "ended_on"))
    with pytest.raises(ValidationError):
        actions.update_person(
            None, transferred, party_org=cast.branch2, transferred_on=datetime.date(YEAR, 3, 1)
        )
    with pytest.raises(ValidationError):
        actions.update_person(
            None,
            transferred,
            party_org=cast.branch2,
            transferred_on=TODAY + datetime.timedelta(days=1),
        )
    assert list(Membership.objects.values_list("pk", "org_id", "started_on", "ended_on")) == before
    assert Person.objects.get(pk=transferred.pk).party_org_id == cast.branch1.pk


def test_it_opens_one_membership_per_current_member_in_the_data_migration(cast):  # type: ignore[no-untyped-def]
    migration = importlib.import_module("juli.orgs.migrations.0004_membership")
    Membership.objects.all().delete()
    inactive = actions.create_person(
        None, name="离开者", phone="13800000037", party_org=cast.branch1, political_status="member"
    )
    Person.objects.filter(pk=inactive.pk).update(is_active=False)
    Membership.objects.all().delete()
    migration.open_current_memberships(django_apps, None)
    people = Person.objects.filter(party_org__isnull=False, is_active=True)
    assert people.count() == 5
    rows = Membership.objects.order_by("person_id")
    assert [(m.person_id, m.org_id, m.started_on, m.ended_on) for m in rows] == [
        (p.pk, p.party_org_id, p.party_joined_on, None) for p in people.order_by("pk")
    ]
