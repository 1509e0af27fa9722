"""`juli worker`: run the background jobs queued in the database, and the periodic jobs.

The package's `db_worker` under Juli's name, without code reloading by default (a reload
would interrupt a running task). Beside the task loop a thread beats for this worker (so that
a task it leaves RUNNING when killed is queued again, see `juli.core.schedule`) and, unless
--no-scheduler or JULI_SCHEDULER=0, fires the periodic jobs that are due. Any number of
workers may run: each slot fires once. `juli serve` starts one itself; production runs this
as its own service with JULI_EMBEDDED_WORKER=0. Options: --queue-name, --interval, --batch
(run what is queued, then exit; no scheduler), --max-tasks, --worker-id, --reload.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.compat import TASKS_LOGGER
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from juli.core import schedule

logger = logging.getLogger("juli.worker")

#: Seconds between attempts to reach the database again after it went away.
RECONNECT_SECONDS = (1, 2, 5, 10)


class Command(DatabaseWorkerCommand):
    help = "Run Juli's background jobs (the database task queue) and the periodic jobs."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(reload=False)
        parser.add_argument(
            "--no-scheduler",
            action="store_false",
            dest="scheduler",
            default=settings.JULI_SCHEDULER,
            help="Do not fire the periodic jobs from this worker (JULI_SCHEDULER=0).",
        )

    def configure_logging(self, verbosity: int) -> None:
        """`-v 0` is quiet, not silent (the package's 0 hides even a failed task): warnings
        and errors only, from the queue and from Juli's tasks and scheduler alike, so that the
        worker `juli serve` embeds prints no line per task or fired job. `-v 1` (the default)
        adds a line per task and job, `-v 2` the debug lines."""
        super().configure_logging(verbosity)
        if verbosity == 0:
            for name in (TASKS_LOGGER, "django_tasks_db", "juli"):
                logging.getLogger(name).setLevel(logging.WARNING)

    def handle(self, *args: Any, **options: Any) -> None:
        in_reloaded_child = os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"
        stop = threading.Event()
        if not options["batch"] and (not options["reload"] or in_reloaded_child):
            thread = threading.Thread(
                target=schedule.run_forever,
                args=(stop,),
                kwargs={
                    "worker_id": options["worker_id"],
                    "host": socket.gethostname(),
                    "pid": os.getpid(),
                    "schedule": options["scheduler"],
                },
                name="juli-scheduler",
                daemon=True,
            )
            thread.start()
        try:
            self._run(*args, **options)
        finally:
            stop.set()

    def _run(self, *args: Any, **options: Any) -> None:
        """The package's loop, again after the database went away (a restart, a failover):
        its own failure bookkeeping raises on the dead connection and would end the process,
        leaving every queued job waiting for someone to start a worker (found by the
        PostgreSQL drill). The task that was running is put back in the queue at once: it is
        this worker's, and this worker is no longer running it."""
        while True:
            try:
                super().handle(*args, **options)
                return
            except (OperationalError, InterfaceError) as error:
                if options.get("batch"):
                    raise
                logger.warning("worker %s lost the database (%s)", options["worker_id"], error)
                self._reconnect()
                requeued = schedule.requeue_tasks_of(options["worker_id"])
                logger.warning("database back; %d task(s) of this worker queued again", requeued)

    @staticmethod
    def _reconnect() -> None:
        for attempt in itertools.count():
            connections.close_all()
            try:
                connections["default"].ensure_connection()
                return
            except (OperationalError, InterfaceError):
                time.sleep(RECONNECT_SECONDS[min(attempt, len(RECONNECT_SECONDS) - 1)])
