"""`juli plan_day [--date YYYY-MM-DD]`: make the day's inspection plan (日调度). Idempotent."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from juli.cases.inspections import plan_day


class Command(BaseCommand):
    help = "Assign every point due on the day to an inspector of its street (default: today)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="Day to plan; default today.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = (
                datetime.date.fromisoformat(options["date"])
                if options["date"]
                else timezone.localdate()
            )
        except ValueError as e:
            raise CommandError(f"--date: {e}") from e
        report = plan_day(day)
        self.stdout.write(
            f"{day}: {len(report.created)} points assigned, {report.already_planned} already "
            f"planned, {len(report.unassigned)} without an inspector."
        )
        for point in report.unassigned:
            self.stdout.write(f"  no inspector above {point.code} {point.name}")
