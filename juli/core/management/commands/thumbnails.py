"""`juli thumbnails`: make every missing photo thumbnail now (catch-up after lost jobs)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from juli.core.actions import missing_thumbnails, store_thumbnail


class Command(BaseCommand):
    help = "Make the thumbnails of staged uploads and case photos that have none."

    def handle(self, *args: Any, **options: Any) -> None:
        made = 0
        for label, pk in list(missing_thumbnails()):
            if store_thumbnail(label, pk):
                made += 1
        self.stdout.write(f"{made} thumbnail(s) made.")
