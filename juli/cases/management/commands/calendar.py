"""`juli calendar --year 2026`: load China's public holidays and adjusted working days.

Source: the General Office of the State Council's yearly notices on holiday arrangements
(国务院办公厅关于{year}年部分节假日安排的通知): for 2025 国办发明电〔2024〕12号 of
12 November 2024, for 2026 the notice of 4 November 2025 (as published by Xinhua). Transcribed by hand; every day
below was checked against the weekday it falls on (holiday blocks and make-up days line up
with weekends as the notices say). A year not listed here is refused: add it from the
notice, or enter the days in the admin (工作日历). Loading is idempotent: days already
loaded are left as they are, changed ones are corrected, and nothing else is touched.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from juli.cases.actions import set_calendar_day
from juli.cases.models import CalendarDay

D = datetime.date
H = CalendarDay.Kind.HOLIDAY
W = CalendarDay.Kind.WORKDAY


def _span(
    first: datetime.date, last: datetime.date, name: str
) -> list[tuple[datetime.date, str, str]]:
    days = (last - first).days + 1
    return [(first + datetime.timedelta(days=i), H, name) for i in range(days)]


#: year → [(date, kind, name)]
HOLIDAYS: dict[int, list[tuple[datetime.date, str, str]]] = {
    2025: [
        (D(2025, 1, 1), H, "元旦"),
        *_span(D(2025, 1, 28), D(2025, 2, 4), "春节"),
        (D(2025, 1, 26), W, "春节调休上班"),
        (D(2025, 2, 8), W, "春节调休上班"),
        *_span(D(2025, 4, 4), D(2025, 4, 6), "清明节"),
        *_span(D(2025, 5, 1), D(2025, 5, 5), "劳动节"),
        (D(2025, 4, 27), W, "劳动节调休上班"),
        *_span(D(2025, 5, 31), D(2025, 6, 2), "端午节"),
        *_span(D(2025, 10, 1), D(2025, 10, 8), "国庆节、中秋节"),
        (D(2025, 9, 28), W, "国庆节调休上班"),
        (D(2025, 10, 11), W, "国庆节调休上班"),
    ],
    2026: [
        *_span(D(2026, 1, 1), D(2026, 1, 3), "元旦"),
        (D(2026, 1, 4), W, "元旦调休上班"),
        *_span(D(2026, 2, 15), D(2026, 2, 23), "春节"),
        (D(2026, 2, 14), W, "春节调休上班"),
        (D(2026, 2, 28), W, "春节调休上班"),
        *_span(D(2026, 4, 4), D(2026, 4, 6), "清明节"),
        *_span(D(2026, 5, 1), D(2026, 5, 5), "劳动节"),
        (D(2026, 5, 9), W, "劳动节调休上班"),
        *_span(D(2026, 6, 19), D(2026, 6, 21), "端午节"),
        *_span(D(2026, 9, 25), D(2026, 9, 27), "中秋节"),
        *_span(D(2026, 10, 1), D(2026, 10, 7), "国庆节"),
        (D(2026, 9, 20), W, "国庆节调休上班"),
        (D(2026, 10, 10), W, "国庆节调休上班"),
    ],
}


class Command(BaseCommand):
    help = "Load China's public holidays and adjusted working days of a year (2025, 2026)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            required=True,
            metavar="YYYY",
            help=f"Year to load; repeat for several. Known: {', '.join(map(str, HOLIDAYS))}.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for year in options["year"]:
            if year not in HOLIDAYS:
                raise CommandError(
                    f"No holiday schedule for {year} in Juli yet: add it from the State "
                    "Council notice, or enter the days in the admin."
                )
        for year in options["year"]:
            changed = 0
            for date, kind, name in HOLIDAYS[year]:
                before = CalendarDay.objects.filter(date=date, kind=kind, name=name).exists()
                set_calendar_day(None, date, kind, name)
                changed += not before
            holidays = sum(1 for _d, k, _n in HOLIDAYS[year] if k == H)
            workdays = len(HOLIDAYS[year]) - holidays
            self.stdout.write(
                f"{year}: {holidays} holidays, {workdays} adjusted working days "
                f"({changed} new or corrected)."
            )
