"""Fault drill: PostgreSQL restarted while phones submit cases with photos.

    .venv/bin/python bench/drills/pg_restart.py [--clients 8] [--seconds 30] [--restarts 2]

gunicorn on PostgreSQL (`juli_bench_10k`), clients submitting as the phone does (stage a
300 KB photo with its UUID, report the case naming it, retry with the same UUIDs after no
answer or a 5xx). The cluster is restarted (`pg_ctlcluster … restart`, which ends every
connection) `--restarts` times during the load. Checked afterwards, as in
`kill_web_worker.py`: every submission the client saw succeed has exactly one case with one
photo on disk, no UUID has two cases, and no file is left that no row references once
`juli sweep_uploads` has run. Writes bench/results/drill-pg-restart.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as harness  # noqa: E402
from kill_web_worker import drive, failed, start, verify  # noqa: E402

PY = sys.executable


def restart_postgres() -> float:
    """Restart every local cluster; returns the seconds it took."""
    started = time.monotonic()
    for version in sorted(os.listdir("/etc/postgresql")):
        subprocess.run(  # noqa: S603
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],  # noqa: S607
            check=True,
            capture_output=True,
        )
    return round(time.monotonic() - started, 1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--restarts", type=int, default=2)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("JULI_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"),
    )
    args = parser.parse_args()

    env, state, processes = start(args.pg_url, workers=3, JULI_TASKS_BACKEND="database")
    restarts: list[float] = []

    def restarter(stop: float) -> None:
        gap = args.seconds / (args.restarts + 1)
        for _ in range(args.restarts):
            time.sleep(gap)
            restarts.append(restart_postgres())

    done, counts = drive(
        state, args.clients, args.seconds, "故障演练：数据库重启", processes, restarter
    )
    before, after = verify(env, done)
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
    out = harness.ROOT / "bench" / "results" / "drill-pg-restart.json"
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    if failed(before, after, counts):
        raise SystemExit("drill failed")


if __name__ == "__main__":
    main()
