"""Fault drill: web workers killed (SIGKILL) again and again while phones upload photos.

    .venv/bin/python bench/drills/kill_web_worker.py [--clients 8] [--seconds 30] [--every 1.5]

Juli served by gunicorn on PostgreSQL (the `juli_bench_10k` database of `make bench`,
generated on first use). Each client submits cases the way the phone does: stage a 300 KB
photo (`POST /api/v1/uploads/`, Idempotency-Key = the photo's UUID), then report the case
naming it (`client_uuid`). A request that gets no answer or a 5xx is retried with the SAME
UUIDs, as the phone's outbox does. Meanwhile a killer SIGKILLs a random gunicorn worker every
`--every` seconds (the master starts a new one), so some requests die half-way: mid-upload,
mid-write, after the commit but before the answer.

Checked afterwards, from the database and the disk:
- every submission the client saw succeed has exactly one case, with exactly one photo, whose
  file is on disk;
- no client UUID has two cases;
- files on disk that no row references (the leftovers of killed requests) are counted, then
  `juli sweep_uploads --older-than-hours 0` runs, and none may remain.
Writes bench/results/drill-kill-web.json; exits non-zero if a check fails.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import run as harness  # noqa: E402
from load import Client, _multipart  # noqa: E402

PY = sys.executable
CHECK = r"""
import json, os, sys
from pathlib import Path
from django.conf import settings
from juli.cases.models import Case, CasePhoto
from juli.core.models import Upload
wanted = json.load(open(os.environ["JULI_DRILL_KEYS"]))
out = {"checked": len(wanted), "missing": [], "duplicates": [], "photo_problems": []}
for key in wanted:
    cases = list(Case.objects.filter(client_uuid=key))
    if not cases:
        out["missing"].append(key); continue
    if len(cases) > 1:
        out["duplicates"].append(key)
    photos = list(CasePhoto.objects.filter(case=cases[0]))
    if len(photos) != 1 or not Path(photos[0].file.path).exists():
        out["photo_problems"].append(key)
root = Path(settings.MEDIA_ROOT)
known = {str(Path(p)) for p in CasePhoto.objects.values_list("file", flat=True)}
known |= {str(Path(p)) for p in CasePhoto.objects.exclude(thumbnail="").values_list("thumbnail", flat=True)}
known |= {str(Path(p)) for p in Upload.objects.values_list("file", flat=True)}
known |= {str(Path(p)) for p in Upload.objects.exclude(thumbnail="").values_list("thumbnail", flat=True)}
files = [p for p in root.rglob("*") if p.is_file() and "exports" not in p.parts]
out["orphan_files"] = sum(1 for p in files if str(p.relative_to(root)) not in known)
out["staged_unattached"] = Upload.objects.filter(attached_at__isnull=True).count()
print(json.dumps(out))
"""


def submit(client: Client, photo: bytes, case: dict, stop: float) -> tuple[str | None, int]:
    """One case with its photo, retried with the same UUIDs until it succeeds."""
    upload_id, case_id = str(uuid.uuid4()), str(uuid.uuid4())
    body, boundary = _multipart(photo, "file", "scene.jpg")
    retries = 0
    while time.monotonic() < stop + 30:
        try:
            status, data, _ = client.request(
                "POST",
                "/api/v1/uploads/",
                body,
                {
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Idempotency-Key": upload_id,
                },
            )
            if status in (200, 201):
                payload = dict(case, client_uuid=case_id, uploads=[json.loads(data)["id"]])
                status, _, _ = client.request(
                    "POST",
                    "/api/v1/cases/",
                    json.dumps(payload).encode(),
                    {"Content-Type": "application/json"},
                )
                if status in (200, 201):
                    return case_id, retries
            if status and status < 500:
                raise RuntimeError(f"refused with {status}: {data[:200]!r}")
        except (OSError, http.client.HTTPException):
            pass  # no answer, or half of one: the worker died; retry with the same UUIDs
        retries += 1
        time.sleep(0.2)
    return None, retries


def start(pg_url: str, *, workers: int, **env_extra: str) -> tuple[dict, dict, list]:
    """The 10k benchmark database, its fixtures, gunicorn and a job worker: (env, state, procs)."""
    url = harness.prepare_database(pg_url, "10k", fresh=False)
    env = harness._env(url, JULI_UPLOAD_TTL_HOURS="0", **env_extra)
    state = json.loads(
        subprocess.run(  # noqa: S603
            [PY, str(harness.ROOT / "bench" / "prepare.py")],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    return env, state, harness.start_server(env, workers=workers)


def drive(
    state: dict, clients: int, seconds: float, title: str, processes: list, fault: Any
) -> tuple[list[str], dict[str, int]]:
    """`clients` phones submitting for `seconds` while `fault(stop)` runs in its own thread;
    the server is stopped afterwards. Returns the confirmed client UUIDs and the counts."""
    photo = Path(harness.photo_file()).read_bytes()
    case = {"category": state["category"], "area": state["micro_grid"], "title": title}
    stop = time.monotonic() + seconds
    done: list[str] = []
    counts = {"given_up": 0, "retries": 0}
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

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    threads.append(threading.Thread(target=fault, args=(stop,)))
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
    return done, counts


def verify(env: dict, done: list[str]) -> tuple[dict, dict]:
    """The checks of the module text, before and after `juli sweep_uploads`."""
    keys = harness.ROOT / "bench" / "results" / "drill-keys.json"
    keys.parent.mkdir(exist_ok=True)
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

    try:
        before = run_check()
        subprocess.run(  # noqa: S603
            [PY, "-m", "juli.cli", "sweep_uploads", "--older-than-hours", "0"],
            env=env,
            cwd=harness.ROOT,
            check=True,
            capture_output=True,
        )
        return before, run_check()
    finally:
        keys.unlink()


def failed(before: dict, after: dict, counts: dict[str, int]) -> bool:
    return bool(
        before["missing"]
        or before["duplicates"]
        or before["photo_problems"]
        or after["orphan_files"]
        or counts["given_up"]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--every", type=float, default=1.5)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("JULI_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"),
    )
    args = parser.parse_args()

    env, state, processes = start(args.pg_url, workers=3, JULI_TASKS_BACKEND="database")
    master = processes[0]
    kills = 0

    def killer(stop: float) -> None:
        nonlocal kills
        while time.monotonic() < stop:
            time.sleep(args.every)
            children = subprocess.run(  # noqa: S603
                ["pgrep", "-P", str(master.pid)],  # noqa: S607
                capture_output=True,
                text=True,
            ).stdout.split()
            if children:
                os.kill(int(random.choice(children)), signal.SIGKILL)  # noqa: S311
                kills += 1

    done, counts = drive(state, args.clients, args.seconds, "故障演练：井盖缺失", processes, killer)
    before, after = verify(env, done)
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cores": os.cpu_count(),
        "clients": args.clients,
        "seconds": args.seconds,
        "workers_killed": kills,
        "submissions_succeeded": len(done),
        "submissions_given_up": counts["given_up"],
        "retries": counts["retries"],
        "before_sweep": before,
        "after_sweep": after,
    }
    out = harness.ROOT / "bench" / "results" / "drill-kill-web.json"
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    if failed(before, after, counts):
        raise SystemExit("drill failed")


if __name__ == "__main__":
    main()
