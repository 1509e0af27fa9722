"""`juli demo`: build the demo world on an empty database: every app's demo step
(`juli.core.demo`), in dependency order: the organisations, then the months of inspections and
cases over them, then the reports, channels, letters and duty lists (`--no-cases` builds the
organisations only)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from juli.core import demo
from juli.core.demo import DEFAULT_DAYS, DEFAULT_PEOPLE, DemoRun


class Command(BaseCommand):
    help = "Build the demo world: organisations, areas, invented people, posts and demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when any area or party organisation exists.",
        )
        parser.add_argument(
            "--people",
            type=int,
            default=DEFAULT_PEOPLE,
            help="Total number of people (at least those the structure needs). "
            f"Default {DEFAULT_PEOPLE}.",
        )
        parser.add_argument(
            "--no-cases",
            action="store_true",
            help="Build the organisations only: no points, inspections, cases, reports or letters.",
        )
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_DAYS,
            help=f"Days of inspections and cases, ending today. Default {DEFAULT_DAYS}.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        steps = demo.steps(base_only=options["no_cases"])
        if not demo.is_empty():
            if options["if_empty"]:
                self.stdout.write("The database already holds areas or organisations; no demo.")
                return
            # Building on top of real or earlier data would collide on codes halfway through.
            raise CommandError(
                "The database is not empty. Use --if-empty to skip, or start from an empty "
                "database (juli flush)."
            )
        if options["people"] < 0:
            raise CommandError("--people must be zero or more.")
        if options["days"] < 1:
            raise CommandError("--days must be one or more.")
        verbose = options["verbosity"] > 1
        run = DemoRun(
            people=options["people"],
            days=options["days"],
            stdout=self.stdout if verbose else None,
        )
        logins: list[tuple[str, str]] = []
        for step in steps:
            started = time.monotonic()
            made = dict(step.build(run))
            seconds = made.pop("seconds", None)
            if seconds is None:
                seconds = round(time.monotonic() - started, 1)
            logins += [*step.logins, *made.pop("logins", [])]
            summary = ", ".join(f"{name} {n}" for name, n in made.items())
            if step.headline:
                line = step.headline.format(
                    seconds=seconds, summary=summary, people=run.people, days=run.days
                )
                self.stdout.write(self.style.SUCCESS(line))
            elif options["verbosity"] > 0:
                self.stdout.write(self.style.SUCCESS(f"{step.module}: {summary} ({seconds} s)."))
        if options["verbosity"] > 0:
            # One line only: `juli serve` prints the full table with descriptions after this.
            names = ", ".join(username for username, _ in logins)
            self.stdout.write(f"Demo logins: {names} (password {settings.JULI_DEMO_PASSWORD}).")
