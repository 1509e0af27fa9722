"""`juli demo`: build the demo world on an empty database (see `juli.orgs.demo`), then the
months of inspections and cases over it (see `juli.cases.demo`; `--no-cases` skips them)."""

from __future__ import annotations

import importlib
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from juli.cases.demo import DEFAULT_DAYS, build_cases_demo
from juli.orgs.demo import DEFAULT_PEOPLE, DEMO_LOGINS, build_demo, is_empty

#: Later parts of the demo, each a module with `build_demo(stdout=None) -> dict[str, int]`
#: and optionally `DEMO_LOGINS` (the accounts it creates), run in this order after the
#: organisations and the cases (`--no-cases` skips them too).
DEMO_STEPS = (
    "juli.stats.demo",
    "juli.bulletins.demo",
    "juli.rankings.demo",
    "juli.notify.demo",
    "juli.letters.demo",
    "juli.duties.demo",
)


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
        if not is_empty():
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
        counts = build_demo(people=options["people"], stdout=self.stdout if verbose else None)
        seconds = counts.pop("seconds")
        summary = ", ".join(f"{name} {n}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo world built in {seconds} s: {summary}."))
        extra_logins: list[tuple[str, str]] = []
        if not options["no_cases"]:
            cases = build_cases_demo(options["days"], stdout=self.stdout if verbose else None)
            seconds, extra_logins = cases.pop("seconds"), cases.pop("logins")
            summary = ", ".join(f"{name} {n}" for name, n in cases.items())
            self.stdout.write(
                self.style.SUCCESS(
                    f"{options['days']} days of inspections and cases built in {seconds} s: "
                    f"{summary}."
                )
            )
        if not options["no_cases"]:
            for dotted in DEMO_STEPS:
                module = importlib.import_module(dotted)
                started = time.monotonic()
                made = module.build_demo(stdout=self.stdout if verbose else None)
                summary = ", ".join(f"{name} {n}" for name, n in made.items())
                seconds = round(time.monotonic() - started, 1)
                if options["verbosity"] > 0:
                    self.stdout.write(self.style.SUCCESS(f"{dotted}: {summary} ({seconds} s)."))
                extra_logins += getattr(module, "DEMO_LOGINS", [])
        if options["verbosity"] > 0:
            # One line only: `juli serve` prints the full table with descriptions after this.
            names = ", ".join(username for username, _ in [*DEMO_LOGINS, *extra_logins])
            self.stdout.write(f"Demo logins: {names} (password {settings.JULI_DEMO_PASSWORD}).")
