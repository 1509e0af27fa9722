"""`juli generate --cases N`: a realistic district at scale, for benchmarks (bench/README.md).

Refuses to touch a district that exists already unless --append (then it adds N cases to
it). Writes in bulk (COPY on PostgreSQL): a benchmark fixture, audited by one summary row.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from juli.benchdata.generate import (
    DEFAULT_DISTRICT_CODE,
    DEFAULT_WEEKS,
    GenerateError,
    Shape,
    generate,
)


class Command(BaseCommand):
    help = (
        "Generate a district (10 streets, 2,000 micro-grids, 20,000 points, ~3,500 people) "
        "and N cases with their events over the last W weeks. For benchmarks, not production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True, help="how many cases")
        parser.add_argument(
            "--district-code",
            default=DEFAULT_DISTRICT_CODE,
            help=f"12-digit code of the district to create (default {DEFAULT_DISTRICT_CODE})",
        )
        parser.add_argument(
            "--weeks", type=int, default=DEFAULT_WEEKS, help="weeks of history ending today"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (reproducible)")
        parser.add_argument(
            "--shape",
            default="10x10x20x10",
            help="streets x communities x micro-grids x points per grid (default 10x10x20x10)",
        )
        parser.add_argument(
            "--append", action="store_true", help="add the cases to an existing generated district"
        )
        indexes = parser.add_mutually_exclusive_group()
        indexes.add_argument(
            "--defer-indexes",
            dest="defer_indexes",
            action="store_true",
            default=None,
            help="PostgreSQL: drop and rebuild the case tables' indexes (default from 100k cases)",
        )
        indexes.add_argument("--keep-indexes", dest="defer_indexes", action="store_false")
        parser.add_argument(
            "--no-rollups", action="store_true", help="do not refresh the stats rollups afterwards"
        )
        parser.add_argument(
            "--rollup-days",
            type=int,
            default=None,
            help="refresh the daily rollups of the last D days only (default: the whole period)",
        )
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["verbosity"] == 0 or options["json"]
        try:
            shape = Shape.parse(options["shape"])
            result = generate(
                options["cases"],
                district_code=options["district_code"],
                weeks=options["weeks"],
                seed=options["seed"],
                append=options["append"],
                shape=shape,
                defer_indexes=options["defer_indexes"],
                rollups=not options["no_rollups"],
                rollup_days=options["rollup_days"],
                log=None if quiet else (lambda m: self.stdout.write(m)),
            )
        except GenerateError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(
            f"District {result['district']}: {result['areas']:,} areas, {result['points']:,} "
            f"points; {result['cases']:,} cases and {result['events']:,} events "
            f"({result['first_day']} … {result['last_day']})."
        )
        self.stdout.write(
            "Statuses: " + ", ".join(f"{k} {v:,}" for k, v in result["statuses"].items())
        )
        if "rows_per_s" in result:
            self.stdout.write(
                f"{result['cases_per_s']:,} cases/s, {result['rows_per_s']:,} rows/s; "
                f"timings {result['seconds']}"
            )
