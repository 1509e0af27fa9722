"""Fault drill: PostgreSQL restarted while phones submit cases with photos.

    .venv/bin/python bench/drills/pg_restart.py [--clients 8] [--seconds 30] [--restarts 2]
    .venv/bin/python bench/drills/pg_restart.py --quick [--database juli_drill]   # CI

gunicorn on PostgreSQL (`juli_bench_10k`), clients submitting as the phone does (stage a
300 KB photo with its UUID, report the case naming it, retry with the same UUIDs after no
answer or a 5xx). The cluster is restarted (`pg_ctlcluster … restart`, which ends every
connection) `--restarts` times during the load. Checked afterwards, as in
`kill_web_worker.py`: every submission the client saw succeed has exactly one case with one
photo on disk, no UUID has two cases, and no file is left that no row references once
`juli sweep_uploads` has run. Writes bench/results/drill-pg-restart.json; exits non-zero if
a check fails.

--quick (CI): the small district of `kill_web_worker.py --quick`, 4 clients for 12 s, one
restart. Then, as a service manager would, the job worker is started again if the restart
ended it (`job_worker_exit` in the result: `juli worker` exits when a task's connection is
cut), its queue must drain, and every confirmed photo must have its thumbnail. The result is
printed (and written to `--out`), not to bench/results.

Run as root (or as the clusters' owner). It restarts EVERY local cluster: whatever else is
connected (a long `juli generate`, a test run) loses its connections. Before exiting it waits
until PostgreSQL answers again, and starts a cluster a failed restart left down.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kill_web_worker import (  # noqa: E402
    drive,
    failures,
    finish,
    options,
    parse,
    settle_jobs,
    start,
    start_job_worker,
    verify,
)

PY = sys.executable


def _cluster(action: str) -> None:
    for version in sorted(os.listdir("/etc/postgresql")):
        subprocess.run(  # noqa: S603
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],  # noqa: S607
            check=action == "restart",
            capture_output=True,
        )


def restart_postgres() -> float:
    """Restart every local cluster; returns the seconds it took."""
    started = time.monotonic()
    _cluster("restart")
    return round(time.monotonic() - started, 1)


def pg_ready() -> bool:
    return (
        subprocess.run(
            ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432", "-t", "3"],  # noqa: S607
            capture_output=True,
        ).returncode
        == 0
    )


def wait_for_postgres(timeout: float = 60) -> bool:
    """Until PostgreSQL answers (starting the clusters once if it does not within 10 s)."""
    deadline, started = time.monotonic() + timeout, time.monotonic()
    while time.monotonic() < deadline:
        if pg_ready():
            return True
        if time.monotonic() - started > 10:
            _cluster("start")
            started = deadline  # only once
        time.sleep(0.5)
    return False


def main() -> None:
    parser = options(__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--restarts", type=int, default=2)
    args = parse(parser, {"clients": 4, "seconds": 12, "restarts": 1})

    env, state, processes = start(args, workers=3, JULI_TASKS_BACKEND="database")
    restarts: list[float] = []

    def restarter(stop: float) -> None:
        gap = args.seconds / (args.restarts + 1)
        for _ in range(args.restarts):
            time.sleep(gap)
            restarts.append(restart_postgres())

    supervisor: dict[str, Any] = {}

    def settle() -> None:
        """As a service manager would: a job worker that exited is started again; then its
        queue must drain."""
        supervisor["job_worker_exit"] = processes[1].poll()
        if supervisor["job_worker_exit"] is not None:
            processes[1] = start_job_worker(env)
        supervisor["jobs_settled_s"] = settle_jobs(env)

    try:
        done, counts = drive(
            state,
            args.clients,
            args.seconds,
            "故障演练：数据库重启",
            processes,
            restarter,
            settle=settle if args.quick else None,
        )
    finally:
        if not wait_for_postgres():
            raise SystemExit("PostgreSQL is not answering after the drill")
    before, after = verify(env, done, catch_up=args.quick)
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cores": os.cpu_count(),
        "clients": args.clients,
        "seconds": args.seconds,
        "restarts_s": restarts,
        "submissions_succeeded": len(done),
        "submissions_given_up": counts["given_up"],
        "retries": counts["retries"],
        "before_sweep": before,
        "after_sweep": after,
    }
    result.update(supervisor)
    problems = failures(before, after, counts, done, thumbnails=args.quick)
    if len(restarts) < args.restarts:
        problems.append(f"{len(restarts)} of {args.restarts} restarts done")
    finish(args, result, "pg-restart", problems)


if __name__ == "__main__":
    main()
