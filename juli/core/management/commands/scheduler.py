"""`juli scheduler`: fire the periodic jobs (juli/core/schedule.py) without running tasks.

`juli worker` already does this in a thread; run `juli scheduler` on its own when the workers
run with --no-scheduler, or with the Celery backend instead of `juli celery beat`. Any
number may run: each slot fires once. `--once` ticks once and exits; `--list` prints the
table with each job's latest slot and whether it fired.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from juli.core import schedule
from juli.core.models import ScheduledRun


class Command(BaseCommand):
    help = "Fire the periodic jobs that are due, every few seconds (or once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Tick once, then exit.")
        parser.add_argument("--list", action="store_true", help="Print the schedule and exit.")
        parser.add_argument("--interval", type=float, default=None, help="Seconds between ticks.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            self._list()
            return
        if options["once"]:
            for fired in schedule.tick():
                state = f"skipped: {fired.error}" if fired.error else f"queued {fired.result_id}"
                self.stdout.write(f"{fired.job} {fired.slot.isoformat()} {state}")
            return
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write("Scheduler started.")
        schedule.run_forever(stop, interval=options["interval"])

    def _list(self) -> None:
        now = timezone.now()
        for job in schedule.jobs():
            slot = job.latest_slot(now)
            fired = ScheduledRun.objects.filter(name=job.name, slot=slot).first()
            state = "not fired" if fired is None else ("error" if fired.error else "fired")
            self.stdout.write(
                f"{job.name:<18} {job.describe():<22} {slot:%Y-%m-%d %H:%M} {state}  "
                f"{job.task_path}"
            )
