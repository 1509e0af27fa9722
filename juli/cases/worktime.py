"""Working time: deadlines that skip nights, lunch, weekends and public holidays.

A working day is Monday to Friday unless a `CalendarDay` says otherwise: a public holiday
(法定节假日) is off even on a weekday, an adjusted working day (调休上班日) is on even on a
Saturday or Sunday. Within a working day only the working periods count, by default
09:00–12:00 and 13:00–18:00 Asia/Shanghai (8 hours). Both are settings:

    JULI_WORKING_PERIODS = [("09:00", "12:00"), ("13:00", "18:00")]
    JULI_WORK_TIME_ZONE = "Asia/Shanghai"

Rules, chosen so that every deadline is reproducible from (start, limit) alone:

- `add_working_hours(start, h)`: walk forward from `start`, counting only working periods,
  until `h` hours have been counted. A start outside working time begins counting at the
  next working period. A deadline that falls exactly on the end of a period is that end
  (Friday 18:00, not Monday 09:00).
- `add_working_days(start, d)` is `add_working_hours(start, d × hours of a working day)`:
  the same clock time `d` working days later when `start` is within working time (dispatched
  Friday 15:00 with 1 day → Monday 15:00), and the end of the d-th working day when `start`
  is outside it (dispatched Friday 20:00 → Monday 18:00). The day of dispatch is not lost
  and not given away.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings

DEFAULT_PERIODS = (("09:00", "12:00"), ("13:00", "18:00"))
DEFAULT_TIME_ZONE = "Asia/Shanghai"
#: Give up rather than loop for ever on a calendar with no working day at all.
MAX_DAYS = 3 * 366


def zone() -> ZoneInfo:
    return ZoneInfo(getattr(settings, "JULI_WORK_TIME_ZONE", DEFAULT_TIME_ZONE))


def periods() -> tuple[tuple[datetime.time, datetime.time], ...]:
    """The working periods of a working day, sorted, as (start, end) times."""
    raw = getattr(settings, "JULI_WORKING_PERIODS", DEFAULT_PERIODS)
    return _parse_periods(tuple((str(a), str(b)) for a, b in raw))


@cache
def _parse_periods(
    raw: tuple[tuple[str, str], ...],
) -> tuple[tuple[datetime.time, datetime.time], ...]:
    out = sorted((datetime.time.fromisoformat(a), datetime.time.fromisoformat(b)) for a, b in raw)
    for (a, b), nxt in zip(out, [*out[1:], None], strict=True):
        if not a < b or (nxt is not None and b > nxt[0]):
            raise ValueError(f"JULI_WORKING_PERIODS must be ordered, non-overlapping: {raw}")
    if not out:
        raise ValueError("JULI_WORKING_PERIODS is empty")
    return tuple(out)


def hours_per_day() -> Decimal:
    total = sum(
        (
            datetime.datetime.combine(datetime.date.min, b)
            - datetime.datetime.combine(datetime.date.min, a)
            for a, b in periods()
        ),
        datetime.timedelta(),
    )
    return Decimal(int(total.total_seconds())) / 3600


class Calendar:
    """Working days, reading the `CalendarDay` exceptions one year at a time (one query each).

    Make one per computation: admins' edits to the calendar count from the next one.
    """

    def __init__(self) -> None:
        self._years: dict[int, dict[datetime.date, str]] = {}

    def _exceptions(self, year: int) -> dict[datetime.date, str]:
        if year not in self._years:
            from .models import CalendarDay

            self._years[year] = dict(
                CalendarDay.objects.filter(date__year=year).values_list("date", "kind")
            )
        return self._years[year]

    def is_workday(self, day: datetime.date) -> bool:
        from .models import CalendarDay

        kind = self._exceptions(day.year).get(day)
        if kind == CalendarDay.Kind.HOLIDAY:
            return False
        if kind == CalendarDay.Kind.WORKDAY:
            return True
        return day.weekday() < 5


def is_workday(day: datetime.date) -> bool:
    """Is `day` a working day (weekday not a holiday, or an adjusted working day)?"""
    return Calendar().is_workday(day)


def _as_delta(hours: float | int | Decimal) -> datetime.timedelta:
    seconds = Decimal(str(hours)) * 3600
    if seconds < 0:
        raise ValueError("working time cannot be negative")
    return datetime.timedelta(seconds=int(seconds.to_integral_value()))


def add_working_hours(
    start: datetime.datetime, hours: float | int | Decimal, *, calendar: Calendar | None = None
) -> datetime.datetime:
    """The aware moment `hours` working hours after the aware `start` (see module rules)."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("start must be an aware datetime")
    remaining = _as_delta(hours)
    tz = zone()
    cursor = start.astimezone(tz)
    if not remaining:
        return cursor
    cal = calendar or Calendar()
    day = cursor.date()
    for _ in range(MAX_DAYS):
        if cal.is_workday(day):
            for a, b in periods():
                p_start = datetime.datetime.combine(day, a, tzinfo=tz)
                p_end = datetime.datetime.combine(day, b, tzinfo=tz)
                if cursor >= p_end:
                    continue
                begin = max(cursor, p_start)
                available = p_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
                cursor = p_end
        day += datetime.timedelta(days=1)
        cursor = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    raise ValueError("no working time found within three years: check the calendar")


def add_working_days(
    start: datetime.datetime, days: int | Decimal, *, calendar: Calendar | None = None
) -> datetime.datetime:
    """`days` working days after `start`: `days` × the hours of a working day of working time."""
    return add_working_hours(start, Decimal(str(days)) * hours_per_day(), calendar=calendar)


def working_seconds(start: datetime.datetime, end: datetime.datetime, calendar: Calendar) -> int:
    """Working seconds between two aware moments (0 when `end` is not after `start`)."""
    if end <= start:
        return 0
    tz = zone()
    start, end = start.astimezone(tz), end.astimezone(tz)
    total = datetime.timedelta()
    day = start.date()
    for _n in range(MAX_DAYS):
        if day > end.date():
            break
        if calendar.is_workday(day):
            for a, b in periods():
                begin = max(start, datetime.datetime.combine(day, a, tzinfo=tz))
                stop = min(end, datetime.datetime.combine(day, b, tzinfo=tz))
                if stop > begin:
                    total += stop - begin
        day += datetime.timedelta(days=1)
    return int(total.total_seconds())


def working_hours_before(
    end: datetime.datetime, hours: int, calendar: Calendar
) -> datetime.datetime:
    """The moment `hours` working hours before `end` (walking back through the calendar)."""
    tz = zone()
    end = end.astimezone(tz)
    remaining = datetime.timedelta(hours=hours)
    day = end.date()
    for _n in range(MAX_DAYS):
        if calendar.is_workday(day):
            for a, b in reversed(periods()):
                p_start = datetime.datetime.combine(day, a, tzinfo=tz)
                p_end = min(end, datetime.datetime.combine(day, b, tzinfo=tz))
                if p_end <= p_start:
                    continue
                if remaining <= p_end - p_start:
                    return p_end - remaining
                remaining -= p_end - p_start
        day -= datetime.timedelta(days=1)
    raise ValueError("no working time found within three years: check the calendar")
