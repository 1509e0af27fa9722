"""`juli backup --out FILE`: the database and the uploaded files in one archive (see
`juli.core.backup`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from juli.core.backup import BackupError, make_archive


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one .tar.gz archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out",
            type=Path,
            default=None,
            help="Archive to write (default: juli-backup-<time>.tar.gz in the current folder).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"] or Path(
            f"juli-backup-{timezone.now().strftime('%Y%m%dT%H%M%SZ')}.tar.gz"
        )
        if out.exists():
            raise CommandError(f"{out} exists already; choose another name.")
        if not out.parent.is_dir():
            raise CommandError(f"The folder {out.parent} does not exist.")
        try:
            manifest = make_archive(out)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {len(manifest['tables'])} tables ({rows} rows) and "
                f"{len(manifest['files'])} files to {out} ({out.stat().st_size} bytes)."
            )
        )
