"""Helpers of the job-runner tests: child processes on the test database, Redis for Celery.

Child processes (`juli worker`, `juli celery worker`) must use the test database, not the
development one: `child_env()` passes its name (SQLite file or PostgreSQL database) down.
Redis tests use database 9 of the local Redis (9–15 under xdist), flushed before and after; without Redis they
skip, except under CI (CI set), where they fail: a job test that silently skips in CI is a
test that cannot fail.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection


def _redis_url() -> str:
    """Database 9 of the local Redis; under xdist 9 + the worker's index (up to 15), so that
    parallel test processes never flush each other's queues."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    db = 9 + (int(worker) % 7 if worker.isdigit() else 0)
    base = os.environ.get("JULI_TEST_REDIS_URL", "redis://127.0.0.1:6379")
    return f"{base.rstrip('/')}/{db}"


REDIS_URL = _redis_url()
ROOT = Path(settings.BASE_DIR)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def database_env() -> dict[str, str]:
    """The variables that point a child process at this test's database."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return {"DATABASE_URL": "", "JULI_SQLITE_PATH": str(db["NAME"])}
    auth = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return {"DATABASE_URL": f"postgres://{auth}@{host}:{port}/{db['NAME']}"}


def child_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, **database_env(), "JULI_MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    env.update({"JULI_LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1", **extra})
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return env


def start(args: list[str], log: Path, **extra: str) -> subprocess.Popen[bytes]:
    """`python -m juli.cli <args>` in its own process group, output to `log`."""
    handle = log.open("ab")
    return subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
        [sys.executable, "-m", "juli.cli", *args],
        cwd=ROOT,
        env=child_env(**extra),
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """kill -9 the process and every child it started (a worker lost with its machine)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kill_group(process)


def wait_for(check: Callable[[], Any], timeout: float, what: str, log: Path | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{tail}")


@pytest.fixture
def redis_db() -> Iterator[str]:
    """An empty Redis database of this test process; skipped without Redis (failed in CI)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError as e:
        reason = f"Redis at {REDIS_URL} is unreachable ({e})"
        if in_ci():
            pytest.fail(f"CI: {reason}", pytrace=False)
        pytest.skip(reason)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def celery_on_redis(redis_db: str, settings: Any) -> Iterator[Any]:
    """This process sends tasks to Celery through Redis database 9 (the CeleryBackend)."""
    from config.celery import app

    saved = (app.conf.broker_url, app.conf.result_backend)
    app.conf.broker_url = app.conf.result_backend = redis_db
    _reset(app)
    settings.TASKS = {"default": {"BACKEND": "juli.core.celery_backend.CeleryBackend"}}
    settings.JULI_TASKS_BACKEND = "celery"
    yield app
    app.conf.broker_url, app.conf.result_backend = saved
    _reset(app)


def _reset(app: Any) -> None:
    """Forget the connections and result backend made for the previous broker URL."""
    app._after_fork()  # drops the connection and producer pools
    app._backend_cache = None
    if hasattr(app._local, "backend"):
        del app._local.backend
