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
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as harness  # noqa: E402
from kill_web_worker import CHECK, submit  # noqa: E402
from load import Client  # noqa: E402

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

    url = harness.prepare_database(args.pg_url, "10k", fresh=False)
    env = harness._env(url, JULI_TASKS_BACKEND="database", JULI_UPLOAD_TTL_HOURS="0")
    state = json.loads(
        subprocess.run(  # noqa: S603
            [PY, str(harness.ROOT / "bench" / "prepare.py")],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    processes = harness.start_server(env, workers=3)
    photo = Path(harness.photo_file()).read_bytes()
    case = {
        "category": state["category"],
        "area": state["micro_grid"],
        "title": "故障演练：数据库重启",
    }
    stop = time.monotonic() + args.seconds
    done: list[str] = []
    counts = {"given_up": 0, "retries": 0}
    restarts: list[float] = []
    lock = threading.Lock()

    def client_loop() -> None:
        client = Client(f"http://127.0.0.1:{harness.PORT}", {"token": state["worker_token"]})
        while time.monotonic() < stop:
            key, n = submit(client, photo, case, stop)
            with lock:
                counts["retries"] += n
                if key:
                    done.append(key)
                else:
                    counts["given_up"] += 1

    def restarter() -> None:
        gap = args.seconds / (args.restarts + 1)
        for _ in range(args.restarts):
            time.sleep(gap)
            restarts.append(restart_postgres())

    threads = [threading.Thread(target=client_loop) for _ in range(args.clients)]
    threads.append(threading.Thread(target=restarter))
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)

    keys = harness.ROOT / "bench" / "results" / "drill-keys.json"
    keys.write_text(json.dumps(done))
    check_env = {**env, "JULI_DRILL_KEYS": str(keys)}

    def run_check() -> dict:
        out = subprocess.run(  # noqa: S603
            [PY, "-m", "juli.cli", "shell", "-v", "0", "-c", CHECK],
            env=check_env,
            cwd=harness.ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    before = run_check()
    subprocess.run(  # noqa: S603
        [PY, "-m", "juli.cli", "sweep_uploads", "--older-than-hours", "0"],
        env=env,
        cwd=harness.ROOT,
        check=True,
        capture_output=True,
    )
    after = run_check()
    keys.unlink()
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
    (harness.ROOT / "bench" / "results" / "drill-pg-restart.json").write_text(
        json.dumps(result, indent=1)
    )
    print(json.dumps(result, indent=1))
    if (
        before["missing"]
        or before["duplicates"]
        or before["photo_problems"]
        or after["orphan_files"]
    ):
        raise SystemExit("drill failed")
    if counts["given_up"]:
        raise SystemExit("a submission was given up")


if __name__ == "__main__":
    main()
