"""The meetings demo on the smallest org demo world: the seed-000 conference, a year of the
Putuo branches' 三会一课 with its gaps, Anyang's theme days, this week's meetings."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from juli.meetings import demo
from juli.meetings.models import Attendee, MakeUp, Meeting, MeetingKind
from juli.orgs.demo import build_demo as build_org_demo
from juli.orgs.models import PartyOrg, Post, User
from juli.orgs.queries import members_on
from juli.orgs.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The world is built once for the module (it takes a while) inside a transaction that
    is rolled back after the module's last test; each test runs in a savepoint of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        build_org_demo(people=0)
        yield demo.build_demo()
        transaction.set_rollback(True)


def _org(code: str) -> PartyOrg:
    return PartyOrg.objects.get(code=code)


def test_it_records_the_conference_of_seed_000_in_two_halves(built):  # type: ignore[no-untyped-def]
    meeting = Meeting.objects.get(title=demo.CONFERENCE_TITLE)
    assert meeting.kind == MeetingKind.WORK_CONFERENCE
    assert meeting.org.name == "普陀区绿化和市容管理局党组"
    assert meeting.status == Meeting.Status.CONFIRMED
    assert timezone.localtime(meeting.starts_at).date() == datetime.date(2024, 3, 26)
    parts = list(meeting.parts.order_by("order"))
    assert [p.title for p in parts] == ["上半场", "下半场"]
    assert parts[0].presider_id != parts[1].presider_id
    assert all(p.presider_id for p in parts)
    by_category = dict(meeting.attendees.values_list("category").annotate(n=Count("id")).order_by())
    assert by_category[Attendee.Category.ATTEND] >= 6  # leaders and the two district guests
    assert by_category[Attendee.Category.TAKE_PART] > 30
    guests = meeting.attendees.filter(source=Attendee.Source.GUEST)
    assert sorted(guests.values_list("name", flat=True)) == sorted(
        n for n, _t in demo.CONFERENCE_GUESTS
    )
    assert set(guests.values_list("status", flat=True)) == {Attendee.Status.PRESENT}
    assert meeting.attendees.filter(affiliation="局党组书记").count() == 1
    confirmed = meeting.minutes.get(confirmed_at__isnull=False)
    assert list(confirmed.resolutions.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]


def test_it_holds_a_year_of_three_and_one_with_the_gaps(built):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    year_ago = today.replace(day=1) - datetime.timedelta(days=340)
    for code in demo.BRANCH_CODES:
        kinds = dict(
            Meeting.objects.filter(org=_org(code), starts_at__lt=timezone.now())
            .values_list("kind")
            .annotate(n=Count("id"))
            .order_by()
        )
        # A 支委会 every month before today (this month's may not have come yet).
        assert kinds[MeetingKind.BRANCH_COMMITTEE] in (11, 12)
        assert kinds[MeetingKind.BRANCH_ASSEMBLY] in (3, 4)
        assert Meeting.objects.filter(org=_org(code), starts_at__date__lt=year_ago).count() == 0
    behind_year, behind_q = demo._previous_quarter(today)
    months = [behind_q * 3 + m for m in (1, 2, 3)]
    lectures = Meeting.objects.filter(kind=MeetingKind.PARTY_LECTURE)
    assert not lectures.filter(
        org=_org(demo.BEHIND_ON_LECTURES),
        starts_at__year=behind_year,
        starts_at__month__in=months,
    ).exists()
    assert (
        lectures.filter(
            org=_org(demo.ORGAN), starts_at__year=behind_year, starts_at__month__in=months
        ).count()
        == 1
    )
    # The groups of the organ branch meet monthly too.
    assert Meeting.objects.filter(kind=MeetingKind.GROUP_MEETING).count() >= 2 * 11


def test_it_leaves_each_branch_latest_minutes_in_draft(built):  # type: ignore[no-untyped-def]
    for code in demo.BRANCH_CODES:
        past = Meeting.objects.filter(
            org=_org(code), ends_at__lt=timezone.now(), kind__in=list(MeetingKind)
        ).order_by("-starts_at")
        held = [m.status for m in past[:3]]
        if code == demo.ORGAN:
            assert held[:2] == [Meeting.Status.HELD, Meeting.Status.HELD]
        else:
            assert held[:2] == [Meeting.Status.HELD, Meeting.Status.CONFIRMED]
        assert past.filter(status=Meeting.Status.CONFIRMED).count() == past.count() - (
            2 if code == demo.ORGAN else 1
        )


def test_it_has_one_member_often_on_leave_with_reasons(built):  # type: ignore[no-untyped-def]
    rows = Attendee.objects.filter(person__name=demo.OFTEN_ON_LEAVE_NAME)
    leave = rows.filter(status=Attendee.Status.LEAVE)
    assert rows.count() >= 15
    assert leave.count() >= rows.count() // 3
    assert all(r.leave_reason for r in leave)
    others = Attendee.objects.filter(meeting__org__code=demo.GREENING).exclude(
        person__name=demo.OFTEN_ON_LEAVE_NAME
    )
    assert others.filter(status=Attendee.Status.LEAVE).count() < others.count() // 8


def test_it_creates_make_ups_some_confirmed_some_open(built):  # type: ignore[no-untyped-def]
    make_ups = MakeUp.objects.all()
    assert make_ups.count() == built["make_ups"] > 0
    assert set(make_ups.values_list("meeting__kind", flat=True)) <= {
        MeetingKind.PARTY_LECTURE,
        MeetingKind.BRANCH_ASSEMBLY,
    }
    assert make_ups.filter(status=MakeUp.Status.CONFIRMED).count() == built["make_ups_confirmed"]
    assert make_ups.filter(status=MakeUp.Status.OPEN).exists()
    assert make_ups.filter(status=MakeUp.Status.CONFIRMED).exists()
    # Every absence or leave from a confirmed 党课 or 党员大会 owes one.
    owing = Attendee.objects.filter(
        meeting__status=Meeting.Status.CONFIRMED,
        meeting__kind__in=[MeetingKind.PARTY_LECTURE, MeetingKind.BRANCH_ASSEMBLY],
        source=Attendee.Source.MEMBER,
        status__in=[Attendee.Status.ABSENT, Attendee.Status.LEAVE],
    )
    assert owing.count() == make_ups.count()


def test_it_plans_this_week_for_the_demo_logins(built):  # type: ignore[no-untyped-def]
    member = User.objects.get(username="party_member")
    organ = _org(demo.ORGAN)
    today = timezone.localdate()
    assert member.person in members_on(organ, today)
    upcoming = Meeting.objects.filter(org=organ, status=Meeting.Status.PLANNED).order_by(
        "starts_at"
    )
    assert [m.kind for m in upcoming] == [
        MeetingKind.THEME_DAY,
        MeetingKind.BRANCH_COMMITTEE,
        MeetingKind.PARTY_LECTURE,
    ]
    now_meeting = upcoming[0]
    assert now_meeting.starts_at <= timezone.now() < now_meeting.ends_at
    assert now_meeting.attendees.filter(person=member.person, status="expected").exists()
    signed = now_meeting.attendees.filter(status__in=["present", "late"])
    assert signed.count() == 2
    assert signed.exclude(proxy_reason="").count() == 1
    tomorrow = today + datetime.timedelta(days=1)
    assert all(timezone.localtime(m.starts_at).date() == tomorrow for m in upcoming[1:])
    assert upcoming[2].attendees.filter(person=member.person).exists()


def test_it_keeps_rosters_by_membership_at_the_date(built):  # type: ignore[no-untyped-def]
    # 陶立新 moved from the sanitation centre branch to the organ branch four months ago.
    rows = Attendee.objects.filter(person__name=demo.TRANSFERRED_NAME, source="member")
    first = demo._month_starts(timezone.localdate(), 4)[0]
    before = rows.filter(meeting__starts_at__date__lt=first)
    after = rows.filter(meeting__starts_at__date__gte=first)
    assert before.exists() and after.exists()
    assert set(before.values_list("meeting__org__code", flat=True)) == {demo.SANITATION}
    assert set(after.values_list("meeting__org__path", flat=True)) <= set(
        PartyOrg.objects.filter(path__startswith=_org(demo.ORGAN).path).values_list(
            "path", flat=True
        )
    )


def test_it_gives_the_organ_branch_a_publicity_officer(built):  # type: ignore[no-untyped-def]
    post = Post.objects.get(org__code=demo.ORGAN, role=Role.PUBLICITY_OFFICER)
    assert post.title == "宣传委员"
    assert Post.objects.filter(
        org__code=demo.ORGAN, person=post.person, role=Role.COMMITTEE_MEMBER
    ).exists()


def test_it_builds_anyang_theme_days_and_adds_nothing_twice(built):  # type: ignore[no-untyped-def]
    anyang = PartyOrg.objects.get(name="安阳市城市管理局机关党委")
    theme = Meeting.objects.filter(org_path__startswith=anyang.path, kind=MeetingKind.THEME_DAY)
    assert theme.count() >= 8
    assert theme.filter(status=Meeting.Status.CONFIRMED).count() == theme.count()
    total = Meeting.objects.count()
    assert total == built["meetings"]
    assert demo.build_demo()["meetings"] == 0
    assert Meeting.objects.count() == total


def test_it_makes_news_from_three_meetings(built):  # type: ignore[no-untyped-def]
    from juli.news import demo as news_demo
    from juli.news.models import NewsItem, NewsSettings

    assert news_demo.build_demo() == {"news": 3, "news_published": 1}
    items = {i.status: i for i in NewsItem.objects.all()}
    assert set(items) == {"published", "in_review", "draft"}
    published = items["published"]
    conference = Meeting.objects.get(title=demo.CONFERENCE_TITLE)
    assert published.org_id == conference.org_id
    assert published.source_id == conference.pk
    assert timezone.localtime(published.published_at).date() == datetime.date(2024, 3, 27)
    assert NewsSettings.objects.get(org=conference.org).public is True
    assert items["in_review"].source_id in set(
        Meeting.objects.filter(kind=MeetingKind.THEME_DAY).values_list("pk", flat=True)
    )
    # Never the names of absentees.
    for item in items.values():
        meeting = Meeting.objects.get(pk=item.source_id)
        for row in meeting.attendees.filter(status__in=["absent", "leave"]):
            assert row.name not in item.body
    assert news_demo.build_demo() == {"news": 0, "news_published": 0}
