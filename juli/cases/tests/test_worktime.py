"""Working-time deadlines: exact datetimes across weekends, holidays and 调休 Saturdays."""

from __future__ import annotations

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from juli.cases import worktime
from juli.cases.models import CalendarDay

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, mi, tzinfo=SH)


@pytest.fixture
def calendar_2026(db):  # type: ignore[no-untyped-def]
    call_command("calendar", year=[2026], stdout=StringIO())


@pytest.mark.parametrize(
    ("start", "hours", "deadline"),
    [
        # Friday 16:00 + 4 h: two hours on Friday, two on Monday (the weekend is skipped).
        (at(2026, 11, 20, 16), 4, at(2026, 11, 23, 11)),
        # Lunch 12:00–13:00 does not count.
        (at(2026, 11, 23, 11), 2, at(2026, 11, 23, 14)),
        # Before 09:00 the clock starts at 09:00.
        (at(2026, 11, 23, 7), 1, at(2026, 11, 23, 10)),
        # Ending exactly at 18:00 stays on that day.
        (at(2026, 11, 20, 14), 4, at(2026, 11, 20, 18)),
        # Qingming: Friday 3 April 17:00 + 2 h → Tuesday 7 April 10:00 (Sat–Mon off).
        (at(2026, 4, 3, 17), 2, at(2026, 4, 7, 10)),
        # Spring Festival 调休: Saturday 14 February is a working day.
        (at(2026, 2, 13, 17), 2, at(2026, 2, 14, 10)),
        # ... and the holiday starts the next day: Saturday 14 Feb 17:00 + 2 h → Tuesday 24 Feb.
        (at(2026, 2, 14, 17), 2, at(2026, 2, 24, 10)),
        # A start on a holiday waits for the first working day.
        (at(2026, 10, 3, 10), 1, at(2026, 10, 8, 10)),
        # A zero limit is the start itself.
        (at(2026, 11, 21, 3), 0, at(2026, 11, 21, 3)),
    ],
)
def test_it_adds_working_hours_exactly(calendar_2026, start, hours, deadline):
    assert worktime.add_working_hours(start, hours) == deadline


@pytest.mark.parametrize(
    ("start", "days", "deadline"),
    [
        # Same clock time the next working day: Friday 15:00 + 1 day → Monday 15:00.
        (at(2026, 11, 20, 15), 1, at(2026, 11, 23, 15)),
        # Outside working time: the end of the next working day.
        (at(2026, 11, 20, 20), 1, at(2026, 11, 23, 18)),
        # National Day: Wednesday 30 Sep 17:00 + 1 day → Thursday 8 Oct 17:00.
        (at(2026, 9, 30, 17), 1, at(2026, 10, 8, 17)),
        # Labour Day: Thursday 30 April 10:00 + 3 days → Friday 8 May 10:00 (1–5 May off).
        (at(2026, 4, 30, 10), 3, at(2026, 5, 8, 10)),
        # 调休 Sunday 4 January works: Friday 2 January is a holiday.
        (at(2025, 12, 31, 10), 1, at(2026, 1, 4, 10)),
    ],
)
def test_it_adds_working_days_exactly(calendar_2026, start, days, deadline):
    assert worktime.add_working_days(start, days) == deadline


def test_it_knows_workdays_from_the_calendar(calendar_2026):
    assert worktime.is_workday(datetime.date(2026, 2, 14))  # 调休 Saturday
    assert not worktime.is_workday(datetime.date(2026, 2, 16))  # Monday in Spring Festival
    assert not worktime.is_workday(datetime.date(2026, 11, 21))  # ordinary Saturday
    assert worktime.is_workday(datetime.date(2026, 11, 23))  # ordinary Monday


def test_it_follows_configured_working_periods(db, settings):
    settings.JULI_WORKING_PERIODS = [("08:30", "11:30"), ("14:00", "17:30")]
    assert worktime.add_working_hours(at(2026, 11, 23, 11), 1) == at(2026, 11, 23, 14, 30)
    assert worktime.add_working_days(at(2026, 11, 23, 8, 30), 1) == at(2026, 11, 23, 17, 30)


def test_it_refuses_naive_starts(db):
    with pytest.raises(ValueError, match="aware"):
        worktime.add_working_hours(datetime.datetime(2026, 1, 5, 9), 1)  # noqa: DTZ001


def test_it_loads_a_years_holidays_idempotently(db):
    out = StringIO()
    call_command("calendar", year=[2026], stdout=out)
    assert "2026: 33 holidays, 6 adjusted working days (39 new or corrected)." in out.getvalue()
    out = StringIO()
    call_command("calendar", year=[2026], stdout=out)
    assert "(0 new or corrected)" in out.getvalue()
    assert CalendarDay.objects.count() == 39
    assert set(CalendarDay.objects.filter(kind="workday").values_list("date", flat=True)) == {
        datetime.date(2026, 1, 4),
        datetime.date(2026, 2, 14),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 5, 9),
        datetime.date(2026, 9, 20),
        datetime.date(2026, 10, 10),
    }
    call_command("calendar", year=[2025], stdout=StringIO())
    assert CalendarDay.objects.filter(date__year=2025, kind="workday").count() == 5


def test_it_refuses_a_year_it_does_not_know(db):
    with pytest.raises(CommandError, match="2030"):
        call_command("calendar", year=[2030], stdout=StringIO())


def test_it_computes_category_deadlines_in_working_or_clock_time(world, calendar_2026):
    friday = at(2026, 11, 20, 16)
    assert world.litter.deadline_from(friday) == at(2026, 11, 23, 11)
    assert world.facility.deadline_from(friday) == at(2026, 11, 23, 16)
    assert world.hazard.deadline_from(friday) == at(2026, 11, 21, 16)
