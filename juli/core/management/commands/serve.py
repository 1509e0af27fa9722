"""`juli serve`: what `make run` does. Migrate, build the demo world on an empty database,
print the demo logins, start the background-job worker (a child process, see
`juli.core.jobs`), then serve on HOST:PORT (default 127.0.0.1:8000)."""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from juli.core import demo, jobs


class Command(BaseCommand):
    help = "Migrate, build the demo world if the database is empty, print logins and serve."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--no-demo", action="store_true", help="Do not build the demo world.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS("Database ready."))
        if not options["no_demo"]:
            call_command("demo", if_empty=True, stdout=self.stdout)
            self._print_logins()
        # A plain `kill` (SIGTERM) must also stop the worker: turn it into a normal exit so
        # that the `finally` below runs (Ctrl+C reaches the worker's process group anyway).
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        worker = jobs.start_embedded_worker()
        if worker is not None:
            self.stdout.write(f"Background worker started (pid {worker.pid}).")
        try:
            call_command(
                "runserver",
                f"{options['host']}:{options['port']}",
                use_reloader=False,
                use_threading=True,
            )
        finally:
            jobs.stop_embedded_worker(worker)

    def _print_logins(self) -> None:
        logins = demo.logins()
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(f"Demo logins (password: {settings.JULI_DEMO_PASSWORD})")
        )
        width = max(len(name) for name, _ in logins)
        for name, description in logins:
            self.stdout.write(f"  {name.ljust(width)}  {description}")
        self.stdout.write("")
