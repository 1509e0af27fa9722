"""`juli serve` (what `make run` calls) keeps the demo logins in view: it prints them last,
once the server listens and after the worker started, and at the default verbosity the
worker prints no line per task and the console e-mail backend one line per message.

The command runs in-process with Django's `runserver` stubbed where it would block (its
`run` binds, prints the banner through `on_bind`, and returns), the worker process replaced
by a stand-in, and the demo skipped (as on a database that already holds one).
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail as django_mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.core.management.commands import runserver

from juli.core import demo, jobs, mail
from juli.core.management.commands import serve
from juli.core.management.commands.worker import Command as Worker

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class StandInWorker:
    pid = 4242

    def poll(self) -> None:
        return None


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """What the command started, in order: ("worker", verbosity), ("bound", port)."""
    events: list[Any] = []

    def start(verbosity: int | None = None) -> StandInWorker:
        events.append(("worker", verbosity))
        return StandInWorker()

    def run(addr: str, port: int, handler: Any, *, on_bind: Any, **kwargs: Any) -> None:
        events.append(("bound", port))
        on_bind(port)

    monkeypatch.setattr(jobs, "start_embedded_worker", start)
    monkeypatch.setattr(jobs, "stop_embedded_worker", lambda process: events.append("stopped"))
    monkeypatch.setattr(runserver, "run", run)
    monkeypatch.setattr(serve.signal, "signal", lambda *args: None)  # keep pytest's SIGTERM
    monkeypatch.setattr(demo, "is_empty", lambda: False)  # a database that has its demo
    monkeypatch.setenv(mail.BODIES_ENV, "0")
    yield events


def run_serve(*args: str, **options: Any) -> list[str]:
    out = io.StringIO()
    call_command("serve", *args, "--port", "8999", stdout=out, stderr=io.StringIO(), **options)
    return ANSI.sub("", out.getvalue()).splitlines()


def test_it_prints_the_logins_last_after_the_worker_and_the_server_started(
    db: None, started: list[Any]
) -> None:
    lines = run_serve()
    assert started == [("bound", 8999), ("worker", 0), "stopped"]
    heading = lines.index("Demo logins (password: juli-demo)")
    table = [line.split()[0] for line in lines[heading + 1 :] if line.strip()]
    assert table == [name for name, _ in demo.logins()]
    assert lines[-1] == ""  # the table is the last thing printed
    before = "\n".join(lines[:heading])
    assert "Background worker and scheduler started (pid 4242)." in before
    assert "Starting development server at http://127.0.0.1:8999/" in before
    assert before.index("Starting development server") < before.index("Background worker")


def test_it_shows_the_workers_task_lines_and_whole_e_mails_at_verbosity_two(
    db: None, started: list[Any]
) -> None:
    run_serve(verbosity=2)
    assert started[1] == ("worker", 1)
    assert os.environ[mail.BODIES_ENV] == "1"  # the worker inherits it


def test_it_prints_without_logins_when_asked_for_no_demo(db: None, started: list[Any]) -> None:
    lines = run_serve("--no-demo")
    assert not [line for line in lines if line.startswith("Demo logins")]
    assert started == [("bound", 8999), ("worker", 0), "stopped"]


def test_it_starts_no_worker_when_the_port_is_taken(
    db: None, started: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """runserver ends with os._exit on a taken port, past every `finally`: the worker is
    started only once the server listens, so none is left running."""

    def taken(*args: Any, **kwargs: Any) -> None:
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(runserver, "run", taken)
    monkeypatch.setattr(os, "_exit", lambda code: started.append(("exit", code)))
    run_serve()
    assert started == [("exit", 1), "stopped"]


def message() -> EmailMultiAlternatives:
    msg = EmailMultiAlternatives(
        "案件 DPQ-0001 已派遣\t 请处理", "正文第一行\n正文第二行", to=["a@x.cn", "b@y.cn"]
    )
    msg.attach_alternative("<p>正文</p>", "text/html")
    return msg


def test_the_dev_e_mail_backend_writes_one_line_per_message() -> None:
    stream = io.StringIO()
    backend = mail.EmailBackend(stream=stream)
    assert backend.send_messages([message(), message()]) == 2
    assert stream.getvalue().splitlines() == [
        "e-mail to a@x.cn, b@y.cn: 案件 DPQ-0001 已派遣 请处理",
        "e-mail to a@x.cn, b@y.cn: 案件 DPQ-0001 已派遣 请处理",
    ]


def test_the_dev_e_mail_backend_writes_whole_messages_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(mail.BODIES_ENV, "1")
    stream = io.StringIO()
    mail.EmailBackend(stream=stream).send_messages([message()])
    text = stream.getvalue()
    assert "Content-Type: text/html" in text and "To: a@x.cn, b@y.cn" in text
    assert text.count("\n") > 10


def test_the_dev_e_mail_backend_is_the_default_while_debugging() -> None:
    import config.settings as production

    if "JULI_EMAIL_BACKEND" in os.environ:
        pytest.skip("JULI_EMAIL_BACKEND chooses the backend here")
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    dev = "juli.core.mail.EmailBackend"
    assert (dev if production.DEBUG else smtp) == production.EMAIL_BACKEND
    assert type(django_mail.get_connection(backend=dev)) is mail.EmailBackend


@pytest.fixture
def worker_loggers() -> Iterator[dict[str, logging.Logger]]:
    names = ("django_tasks", "django.tasks", "django_tasks_db", "juli")
    loggers = {name: logging.getLogger(name) for name in names}
    levels = {name: lg.level for name, lg in loggers.items()}
    handlers = {name: list(lg.handlers) for name, lg in loggers.items()}
    yield loggers
    for name, lg in loggers.items():
        lg.setLevel(levels[name])
        lg.handlers = handlers[name]


def test_the_quiet_worker_keeps_warnings_and_drops_the_line_per_task(
    worker_loggers: dict[str, logging.Logger],
) -> None:
    Worker(stdout=io.StringIO()).configure_logging(0)
    schedule = logging.getLogger("juli.core.schedule")
    assert not schedule.isEnabledFor(logging.INFO)  # "scheduled job … fired"
    assert schedule.isEnabledFor(logging.WARNING)
    queue = worker_loggers["django_tasks_db"]
    assert (queue.isEnabledFor(logging.INFO), queue.isEnabledFor(logging.WARNING)) == (
        False,
        True,
    )
    Worker(stdout=io.StringIO()).configure_logging(1)
    assert queue.isEnabledFor(logging.INFO)  # "Task id=… state=RUNNING" at -v 1
