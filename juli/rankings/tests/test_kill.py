"""The computation killed half-way (SIGKILL, mid-transaction) leaves nothing behind, and the
next run publishes exactly one full ranking. Runs on the SQLite test file and on PostgreSQL:
the child process is pointed at the test database this test uses."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from juli.rankings.actions import PAUSE_ENV
from juli.rankings.models import Ranking, RankingRow

from .conftest import WEEK

ROOT = Path(settings.BASE_DIR)


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["JULI_TASKS_BACKEND"] = "immediate"
    env["JULI_TIME_ZONE"] = settings.TIME_ZONE
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        env["JULI_SQLITE_PATH"] = str(db["NAME"])
    else:
        user = quote(db.get("USER") or "")
        password = quote(db.get("PASSWORD") or "")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = db.get("HOST") or "localhost"
        port = f":{db['PORT']}" if db.get("PORT") else ""
        env["DATABASE_URL"] = f"postgres://{auth}{host}{port}/{db['NAME']}"
    return env


def _command(code: str) -> list[str]:
    return [sys.executable, "-m", "juli.cli", "ranking", "--area", code, "--week", WEEK]


def _wait_for_pause(proc: subprocess.Popen[bytes], timeout: float = 90) -> str:
    assert proc.stderr is not None
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _w, _x = select.select([proc.stderr], [], [], 0.5)
        if ready:
            chunk = os.read(proc.stderr.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
            if b"paused mid-transaction" in seen:
                return seen.decode(errors="replace")
    proc.kill()
    raise AssertionError(f"the child never paused: {seen.decode(errors='replace')}")


@pytest.mark.django_db(transaction=True)
def test_a_killed_computation_leaves_nothing_and_the_rerun_publishes_one_full_ranking(rworld):
    code = rworld.c.huangpu.code
    env = _child_env()
    proc = subprocess.Popen(  # noqa: S603 - our own command
        _command(code),
        cwd=ROOT,
        env={**env, PAUSE_ENV: "120"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_pause(proc)
        # The first level's rows are written, the transaction is open: kill it now.
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert Ranking.objects.count() == 0
    assert RankingRow.objects.count() == 0

    rerun = subprocess.run(  # noqa: S603
        _command(code), cwd=ROOT, env=env, capture_output=True, timeout=120
    )
    assert rerun.returncode == 0, rerun.stderr.decode()
    assert b"8 rows, published" in rerun.stdout
    again = subprocess.run(  # noqa: S603
        _command(code), cwd=ROOT, env=env, capture_output=True, timeout=120
    )
    assert again.returncode == 0 and b"already published" in again.stdout

    ranking = Ranking.objects.get()
    assert ranking.status == Ranking.Status.PUBLISHED and ranking.week == WEEK
    counts = {lvl: ranking.rows.filter(level=lvl).count() for lvl in RankingRow.Level.values}
    assert counts == {"street": 4, "community": 2, "unit": 2}
    assert list(ranking.events.values_list("action", flat=True)) == ["compute", "publish"]
