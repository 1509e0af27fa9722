"""The rating rounds demo on the smallest org demo world (with the demo standards): last
year's round published with stars, adjusted scores and a veto; this year's in every state;
the reviewer login belongs to no branch and may review every branch."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from juli.orgs.demo import build_demo as build_org_demo
from juli.orgs.demo.data import ANYANG_COMMITTEE
from juli.orgs.models import User
from juli.rating import demo_rounds, demo_standards
from juli.rating.access import belongs_to, can_review
from juli.rating.models import Assessment, CriterionScore, RatingRound, VetoFinding

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
        demo_standards.build_demo()
        yield demo_rounds.build_demo()
        transaction.set_rollback(True)


def test_last_year_is_published_with_stars(built):  # type: ignore[no-untyped-def]
    year = timezone.localdate().year
    last = RatingRound.objects.get(org__name=ANYANG_COMMITTEE, year=year - 1)
    assert last.status == "published" and last.published_at is not None
    assert last.published_at.date() < timezone.localdate()
    rows = Assessment.objects.filter(round=last)
    assert rows.count() == built["rated_last_year"] >= 40
    assert not rows.exclude(status="published").exists()
    assert not rows.filter(current_stars__isnull=True).exists()
    assert not rows.filter(frozen_at__isnull=True).exists()
    assert rows.filter(rank=1).exists()
    assert VetoFinding.objects.filter(assessment__round=last).count() == 1
    adjusted = CriterionScore.objects.filter(assessment__round=last, review_points__isnull=False)
    assert adjusted.count() >= 2
    assert not adjusted.filter(review_reason="").exists()
    assert last.publicity_ends is not None and last.publicity_ends < timezone.localdate()


def test_this_year_has_every_state(built):  # type: ignore[no-untyped-def]
    this = RatingRound.objects.get(org__name=ANYANG_COMMITTEE, year=timezone.localdate().year)
    assert this.status == "open"
    states = set(this.assessments.values_list("status", flat=True))
    assert states == {"draft", "submitted", "returned", "reviewed"}
    drafts = this.assessments.filter(status="draft")
    touched = drafts.filter(scores__criterion__method="judged", scores__self_points__isnull=False)
    assert 0 < touched.distinct().count() < drafts.count()
    assert this.created_at.date() <= timezone.localdate() - datetime.timedelta(days=29)


def test_the_reviewer_login_belongs_to_no_branch(built):  # type: ignore[no-untyped-def]
    user = User.objects.get(username=demo_rounds.REVIEWER)
    a = Assessment.objects.filter(round__year=timezone.localdate().year).first()
    assert a is not None
    assert can_review(user, a) and not belongs_to(user, a.org_path)
    assert ("rating_reviewer", demo_rounds.DEMO_LOGINS[0][1]) in demo_rounds.DEMO_LOGINS


def test_it_builds_once(built):  # type: ignore[no-untyped-def]
    assert demo_rounds.build_demo() == {}
