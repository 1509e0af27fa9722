"""`juli bulletin --area CODE --date YYYY-MM-DD --format pdf|xlsx --out FILE`

Writes one daily bulletin as a file: the published snapshot when the bulletin is published,
otherwise the figures computed now from the records (nothing is stored either way).
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from juli.bulletins import actions, documents
from juli.bulletins.models import BULLETIN_AREA_KINDS, Bulletin
from juli.orgs.models import Area


class Command(BaseCommand):
    help = "Write the daily bulletin of a street or district as a PDF or an Excel file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", required=True, help="the area's code (street or district)")
        parser.add_argument("--date", required=True, help="the day, YYYY-MM-DD (local time)")
        parser.add_argument("--format", required=True, choices=["pdf", "xlsx"])
        parser.add_argument("--out", required=True, help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        area = Area.objects.filter(code=options["area"]).first()
        if area is None:
            raise CommandError(f"No area has the code {options['area']!r}.")
        if area.kind not in BULLETIN_AREA_KINDS:
            raise CommandError(
                f"{area.name} ({area.code}) is a {area.kind}: bulletins are made for streets "
                "and districts."
            )
        try:
            day = datetime.date.fromisoformat(options["date"])
        except ValueError:
            raise CommandError(f"Not a date (YYYY-MM-DD): {options['date']!r}.") from None
        if day > timezone.localdate():
            raise CommandError(f"{day} has not happened yet.")
        out = Path(options["out"])
        folder = out.parent if str(out.parent) else Path(".")
        if out.is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK):
            raise CommandError(f"Cannot write {out}: the folder is missing or not writable.")

        bulletin = Bulletin.objects.filter(area=area, date=day).first()
        if bulletin is not None and bulletin.status == Bulletin.Status.PUBLISHED:
            figures, notes, source = bulletin.figures, bulletin.notes, "published snapshot"
        else:
            figures = actions.compute_figures(area, day)
            notes = bulletin.notes if bulletin is not None else ""
            source = "computed from the records"
        if options["format"] == "pdf":
            line = documents.status_line(bulletin)
            content = documents.pdf_bytes(figures, notes=notes, status_line=line)
        else:
            content = documents.xlsx_bytes(figures, notes=notes)
        try:
            out.write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error.strerror}.") from None
        self.stdout.write(f"Wrote {out} ({len(content)} bytes, {source}).")
