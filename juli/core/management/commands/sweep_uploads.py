"""`juli sweep_uploads`: delete staged photos never attached to a case, and orphan files.

Run daily (cron or a systemd timer). Deleted uploads are audited as the system.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from juli.core.actions import sweep_uploads


class Command(BaseCommand):
    help = "Delete unattached staged uploads and photo files no row references."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-hours",
            type=int,
            default=settings.JULI_UPLOAD_TTL_HOURS,
            help="Only what is older than this (default: JULI_UPLOAD_TTL_HOURS).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be deleted; delete nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = sweep_uploads(
            older_than=datetime.timedelta(hours=options["older_than_hours"]),
            dry_run=options["dry_run"],
        )
        verb = "would delete" if options["dry_run"] else "deleted"
        for pk in report.uploads:
            self.stdout.write(f"upload {pk}")
        for name in report.orphan_files:
            self.stdout.write(f"orphan {name}")
        self.stdout.write(
            f"{verb} {len(report.uploads)} upload(s) and {len(report.orphan_files)} orphan file(s)."
        )
