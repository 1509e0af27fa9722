"""`juli serve`: what `make run` does. Migrate, build the demo world on an empty database,
serve on HOST:PORT (default 127.0.0.1:8000), and once the server listens start the
background-job worker and scheduler (a child process, see `juli.core.jobs`) and print the
demo logins, last, so that they stay in view.

At the default verbosity the terminal stays readable: the worker prints warnings and errors
only (no line per task or fired job) and the development e-mail backend one line per message
(`juli.core.mail`). `-v 2` shows the worker's line per task and every e-mail whole.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import BaseCommand

from juli.core import demo, jobs, mail


class Command(BaseCommand):
    help = "Migrate, build the demo world if the database is empty, serve and print the logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--no-demo", action="store_true", help="Do not build the demo world.")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        if verbosity > 1:
            # Read by the e-mail backend of this process and of the worker it starts.
            os.environ[mail.BODIES_ENV] = "1"
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS("Database ready."))
        if not options["no_demo"]:
            call_command("demo", if_empty=True, stdout=self.stdout, verbosity=verbosity)
        # A plain `kill` (SIGTERM) must also stop the worker: turn it into a normal exit so
        # that the `finally` below runs (Ctrl+C reaches the worker's process group anyway).
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        self._worker: subprocess.Popen[bytes] | None = None
        try:
            call_command(
                self._runserver(verbosity=verbosity, show_logins=not options["no_demo"]),
                f"{options['host']}:{options['port']}",
                use_reloader=False,
                use_threading=True,
            )
        finally:
            jobs.stop_embedded_worker(self._worker)

    def _runserver(self, *, verbosity: int, show_logins: bool) -> BaseCommand:
        """Django's `runserver` (staticfiles' while it is installed) that, once it listens and
        has printed its banner, starts the worker and then prints the logins: they come last.
        Starting the worker only then also means that a port already in use (which ends
        runserver with `os._exit`, past any `finally`) leaves no worker behind."""
        command = load_command_class(get_commands()["runserver"], "runserver")
        command.stdout, command.stderr = self.stdout, self.stderr  # one stream, in order
        banner = command.on_bind  # type: ignore[attr-defined]

        def on_bind(server_port: int) -> None:
            banner(server_port)
            self._worker = jobs.start_embedded_worker(verbosity=max(verbosity - 1, 0))
            if self._worker is not None:
                self.stdout.write(
                    f"Background worker and scheduler started (pid {self._worker.pid})."
                )
            if show_logins:
                self._print_logins()
            self.stdout.flush()

        command.on_bind = on_bind  # type: ignore[attr-defined]
        return command

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
