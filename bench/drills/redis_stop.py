"""Fault drill: Redis (the job broker) stopped while phones submit cases.

    .venv/bin/python bench/drills/redis_stop.py [--cases 20]
    .venv/bin/python bench/drills/redis_stop.py --quick [--database juli_drill]   # CI

gunicorn on PostgreSQL (`juli_bench_10k`) with JULI_TASKS_BACKEND=celery and a Celery worker.
Phase 1: `--cases` submissions with Redis up. Phase 2: Redis is shut down, `--cases` more.
Phase 3: Redis is started again (the same command the machine starts it with), the Celery
worker reconnects, and `juli thumbnails` catches up the thumbnails whose jobs could not be
queued (the scheduler runs it hourly as "thumbnails").

Checked: every submission is answered 201 in both phases (the broker is not on the request's
path: a job that cannot be queued is logged and caught up later), how long they take while
Redis is down, and that in the end every photo of the drill has its thumbnail; as in
`kill_web_worker.py`, every confirmed submission has exactly one case with its one photo on
disk, and no file is left that no row references once `juli sweep_uploads` has run.
Writes bench/results/drill-redis-stop.json; exits non-zero if a check fails.

--quick (CI): the small district of `kill_web_worker.py --quick`, 5 cases per phase; the
result is printed (and written to `--out`), not to bench/results. Redis is always started
again, and the drill fails if it does not answer afterwards.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as harness  # noqa: E402
from kill_web_worker import failures, finish, options, parse, start, submit, verify  # noqa: E402
from load import Client  # noqa: E402

PY = sys.executable
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
    "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip


def phase(client: Client, photo: bytes, case: dict, n: int) -> tuple[list[str], list[float]]:
    keys, times = [], []
    for _ in range(n):
        started = time.perf_counter()
        key, _retries = submit(client, photo, case, time.monotonic() + 30)
        times.append((time.perf_counter() - started) * 1000)
        if key:
            keys.append(key)
    return keys, times


def redis_answers() -> bool:
    ping = subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping"],  # noqa: S607
        capture_output=True,
        text=True,
    )
    return ping.stdout.strip() == "PONG"


def start_redis(timeout: float = 30) -> bool:
    """Start Redis as the machine does (CI's command) and wait until it answers."""
    for folder in ("/var/lib/redis", "/var/log/redis"):
        Path(folder).mkdir(parents=True, exist_ok=True)
    subprocess.run(REDIS_START, check=False, capture_output=True)  # noqa: S603
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if redis_answers():
            return True
        time.sleep(0.3)
    return False


def main() -> None:
    parser = options(__doc__)
    parser.add_argument("--cases", type=int, default=20)
    args = parse(parser, {"cases": 5})

    env, state, processes = start(
        args,
        workers=2,
        JULI_TASKS_BACKEND="celery",
        JULI_CELERY_BROKER_URL="redis://127.0.0.1:6379/6",
    )
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
        redis_back = start_redis()
        time.sleep(5)  # the Celery worker reconnects on its own
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    keys = up_keys + down_keys
    before, after = verify(env, keys, catch_up=True)
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
        "after_catch_up": {
            "photos": len(keys) - len(before["missing"]) - len(before["photo_problems"]),
            "without_thumbnail": len(before["thumbnail_problems"]),
            "made_by_catch_up": before["thumbnails_caught_up"],
        },
        "before_sweep": before,
        "after_sweep": after,
    }
    counts = {"given_up": 2 * args.cases - len(keys)}
    problems = failures(before, after, counts, keys, thumbnails=True, tasks=False)
    if not redis_back:
        problems.append("Redis does not answer after the drill")
    finish(args, result, "redis-stop", problems)


if __name__ == "__main__":
    main()
