"""`juli worker`: run the background jobs (thumbnails …) queued in the database.

The package's `db_worker` under Juli's name, without code reloading by default (a reload
would interrupt a running task). `juli serve` starts one itself; production runs this as its
own service with JULI_EMBEDDED_WORKER=0. Options: --queue-name, --interval, --batch (run what
is queued, then exit), --max-tasks, --worker-id, --reload.
"""

from __future__ import annotations

from argparse import ArgumentParser

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    help = "Run Juli's background jobs (the database task queue)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(reload=False)
