"""`juli ranking --area CODE --week 2026-W47 [--format pdf|xlsx --out FILE]`.

Computes the district's ranking of the week when there is none yet (and publishes it when
the district publishes automatically), then writes it as PDF or Excel when --out is given.
A published ranking is never recomputed: the command just exports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from juli.orgs.models import Area
from juli.rankings import actions, exports, scoring
from juli.rankings.models import Ranking


class Command(BaseCommand):
    help = "Compute a district's weekly ranking if missing, and export it as PDF or Excel."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", required=True, help="the district's area code")
        parser.add_argument("--week", required=True, help="ISO week, e.g. 2026-W47")
        parser.add_argument("--format", choices=["pdf", "xlsx"], help="default: --out's suffix")
        parser.add_argument("--out", help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        district = Area.objects.filter(code=options["area"], kind=Area.Kind.DISTRICT).first()
        if district is None:
            raise CommandError(f"no district with the code {options['area']!r}")
        try:
            week = scoring.week_label(scoring.parse_week(options["week"]))
        except scoring.WeekError:
            raise CommandError(f"not an ISO week: {options['week']!r} (e.g. 2026-W47)") from None
        ranking = Ranking.objects.filter(district=district, week=week).first()
        if ranking is None:
            try:
                ranking = actions.compute_ranking(None, district, week)
            except actions.RankingError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stdout.write(
                f"{district.code} {week}: {ranking.rows.count()} rows, {ranking.status}"
            )
        else:
            self.stdout.write(f"{district.code} {week}: already {ranking.status}")
        out = options.get("out")
        if not out:
            return
        fmt = options.get("format") or Path(out).suffix.lstrip(".").lower()
        if fmt not in {"pdf", "xlsx"}:
            raise CommandError("give --format pdf or xlsx")
        data = exports.ranking_pdf(ranking) if fmt == "pdf" else exports.ranking_xlsx(ranking)
        Path(out).write_bytes(data)
        self.stdout.write(f"wrote {out} ({len(data)} bytes)")
