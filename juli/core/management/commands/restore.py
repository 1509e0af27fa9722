"""`juli restore ARCHIVE`: load a `juli backup` archive into an empty database and media
folder, then check every table's row count and every file's checksum against it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from juli.core.backup import (
    BackupError,
    default_target,
    read_manifest,
    restore_archive,
    target_from_url,
)


class Command(BaseCommand):
    help = (
        "Restore a backup archive into an empty database (this installation's, or "
        "--database-url) and media folder, and check it against the archive's manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--database-url",
            default="",
            help="Restore into this database instead of the configured one (a drill).",
        )
        parser.add_argument(
            "--media-root",
            type=Path,
            default=None,
            help="Restore the files here instead of MEDIA_ROOT.",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Drop what the target database holds before restoring.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        if not archive.is_file():
            raise CommandError(f"{archive} does not exist.")
        try:
            read_manifest(archive)
            target = default_target()
            if options["database_url"]:
                target = target_from_url(
                    options["database_url"], options["media_root"] or target.media_root
                )
            elif options["media_root"]:
                target.media_root = options["media_root"]
            connections.close_all()  # the restore replaces what these connections point at
            report = restore_archive(archive, target, replace=options["replace"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        for table, (expected, found) in sorted(report.mismatched_tables.items()):
            self.stderr.write(f"{table}: {found} rows, the archive says {expected}")
        for name in report.bad_files:
            self.stderr.write(f"file missing or changed: {name}")
        if not report.ok:
            raise CommandError("The restored data does not match the archive.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored and checked {report.tables} tables ({report.rows} rows) and "
                f"{report.files} files."
            )
        )
