"""`juli celery …`: Celery's command line with Juli's app (config/celery.py).

    juli celery worker --loglevel INFO --concurrency 4     # runs the tasks
    juli celery beat --loglevel INFO                       # sends `juli.tick` every minute
    juli celery inspect active

Everything after `celery` goes to Celery unchanged. Set JULI_TASKS_BACKEND=celery (and
JULI_CELERY_BROKER_URL) on the web servers, the workers and beat alike.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run Celery (worker, beat, inspect …) with Juli's app; arguments go to Celery."

    def run_from_argv(self, argv: list[str]) -> None:
        # Not argparse: Celery's own options (-l, -c, -Q …) must reach Celery untouched.
        from config.celery import app

        app.start(argv=argv[2:] or ["--help"])

    def handle(self, *args: Any, **options: Any) -> None:  # pragma: no cover - not used
        from config.celery import app

        app.start(argv=list(args) or ["--help"])
