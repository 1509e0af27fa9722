"""Fault drill: Redis (the job broker) stopped while phones submit cases.

    .venv/bin/python bench/drills/redis_stop.py [--cases 20]

gunicorn on PostgreSQL (`juli_bench_10k`) with JULI_TASKS_BACKEND=celery and a Celery worker.
Phase 1: `--cases` submissions with Redis up. Phase 2: Redis is shut down, `--cases` more.
Phase 3: Redis is started again (the same command the machine starts it with), the Celery
worker reconnects, and `juli thumbnails` catches up the thumbnails whose jobs could not be
queued (the scheduler runs it hourly as "thumbnails").

Checked: every submission is answered 201 in both phases (the broker is not on the request's
path: a job that cannot be queued is logged and caught up later), how long they take while
Redis is down, and that in the end every photo of the drill has its thumbnail.
Writes bench/results/drill-redis-stop.json; exits non-zero if a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as harness  # noqa: E402
from kill_web_worker import submit  # noqa: E402
from load import Client  # noqa: E402

PY = sys.executable
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
    "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip
CHECK = r"""
import json, os
from juli.cases.models import CasePhoto
keys = json.load(open(os.environ["JULI_DRILL_KEYS"]))
photos = CasePhoto.objects.filter(case__client_uuid__in=keys)
print(json.dumps({"photos": photos.count(), "without_thumbnail": photos.filter(thumbnail="").count()}))
"""


def phase(client: Client, photo: bytes, case: dict, n: int) -> tuple[list[str], list[float]]:
    keys, times = [], []
    for _ in range(n):
        started = time.perf_counter()
        key, _retries = submit(client, photo, case, time.monotonic() + 30)
        times.append((time.perf_counter() - started) * 1000)
        if key:
            keys.append(key)
    return keys, times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("JULI_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"),
    )
    args = parser.parse_args()

    url = harness.prepare_database(args.pg_url, "10k", fresh=False)
    env = harness._env(
        url, JULI_TASKS_BACKEND="celery", JULI_CELERY_BROKER_URL="redis://127.0.0.1:6379/6"
    )
    state = json.loads(
        subprocess.run(  # noqa: S603
            [PY, str(harness.ROOT / "bench" / "prepare.py")],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    processes = harness.start_server(env, workers=2)
    photo = Path(harness.photo_file()).read_bytes()
    case = {
        "category": state["category"],
        "area": state["micro_grid"],
        "title": "故障演练：消息队列中断",
    }
    client = Client(f"http://127.0.0.1:{harness.PORT}", {"token": state["worker_token"]})
    try:
        up_keys, up_times = phase(client, photo, case, args.cases)
        subprocess.run(["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"], capture_output=True)  # noqa: S607
        time.sleep(1)
        down_keys, down_times = phase(client, photo, case, args.cases)
    finally:
        subprocess.run(REDIS_START, check=False, capture_output=True)  # noqa: S603
        time.sleep(5)  # the Celery worker reconnects on its own
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    subprocess.run(  # noqa: S603
        [PY, "-m", "juli.cli", "thumbnails"],
        env={**env, "JULI_TASKS_BACKEND": "immediate"},
        cwd=harness.ROOT,
        check=True,
        capture_output=True,
    )
    keys_file = harness.ROOT / "bench" / "results" / "drill-keys.json"
    keys_file.write_text(json.dumps(up_keys + down_keys))
    out = subprocess.run(  # noqa: S603
        [PY, "-m", "juli.cli", "shell", "-v", "0", "-c", CHECK],
        env={**env, "JULI_DRILL_KEYS": str(keys_file)},
        cwd=harness.ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    keys_file.unlink()
    photos = json.loads(out.stdout.strip().splitlines()[-1])
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cores": os.cpu_count(),
        "redis_up": {
            "submitted": args.cases,
            "confirmed": len(up_keys),
            "median_ms": round(statistics.median(up_times), 1),
        },
        "redis_down": {
            "submitted": args.cases,
            "confirmed": len(down_keys),
            "median_ms": round(statistics.median(down_times), 1),
            "max_ms": round(max(down_times), 1),
        },
        "after_catch_up": photos,
    }
    out_path = harness.ROOT / "bench" / "results" / "drill-redis-stop.json"
    out_path.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    if len(up_keys) < args.cases or len(down_keys) < args.cases or photos["without_thumbnail"]:
        raise SystemExit("drill failed")


if __name__ == "__main__":
    main()
