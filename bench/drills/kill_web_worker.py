"""Fault drill: web workers killed (SIGKILL) again and again while phones upload photos.

    .venv/bin/python bench/drills/kill_web_worker.py [--clients 8] [--seconds 30] [--every 1.5]
    .venv/bin/python bench/drills/kill_web_worker.py --quick [--database juli_drill]   # CI

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

--quick (CI, well under 90 s): a small generated district in its own database (`--database`,
made on first use and kept), a fresh media folder, 4 clients for 10 s and 5 kills. The job
worker (`juli worker`, which makes the thumbnails) is SIGKILLed too, half-way, and a new one
started that puts back a task left RUNNING by a worker silent for 3 s. Checked on top: once
the load stops no thumbnail job stays queued or running, none failed, and every confirmed
photo has its thumbnail on disk (after the `juli thumbnails` catch-up, which the scheduler
runs hourly, for a job lost with a web worker killed between its commit and the enqueue);
a thumbnail made twice would be an orphan file and fail the sweep check. Some submission must
have succeeded and some worker must have been killed. The result is printed (and written to
`--out`), not to bench/results.

`pg_restart.py` and `redis_stop.py` share `options`, `start`, `drive`, `verify` and `failed`.
"""

from __future__ import annotations

import argparse
import atexit
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import run as harness  # noqa: E402
from load import Client, _multipart  # noqa: E402

PY = sys.executable
CHECK = r"""
import io, json, os
from pathlib import Path
from django.conf import settings
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from juli.cases.models import Case, CasePhoto
from juli.core.models import Upload
wanted = json.load(open(os.environ["JULI_DRILL_KEYS"]))

def check():
    out = {"checked": len(wanted), "missing": [], "duplicates": [], "photo_problems": [],
           "thumbnail_problems": []}
    for key in wanted:
        cases = list(Case.objects.filter(client_uuid=key))
        if not cases:
            out["missing"].append(key); continue
        if len(cases) > 1:
            out["duplicates"].append(key)
        photos = list(CasePhoto.objects.filter(case=cases[0]))
        if len(photos) != 1 or not Path(photos[0].file.path).exists():
            out["photo_problems"].append(key); continue
        if not photos[0].thumbnail or not Path(photos[0].thumbnail.path).exists():
            out["thumbnail_problems"].append(key)
    root = Path(settings.MEDIA_ROOT)
    known = set()
    for model in (CasePhoto, Upload):
        for file, thumb in model.objects.values_list("file", "thumbnail"):
            known |= {str(Path(n)) for n in (file, thumb) if n}
    files = [p for p in root.rglob("*") if p.is_file() and "exports" not in p.parts]
    out["orphan_files"] = sum(1 for p in files if str(p.relative_to(root)) not in known)
    out["staged_unattached"] = Upload.objects.filter(attached_at__isnull=True).count()
    jobs = DBTaskResult.objects.filter(task_path="juli.core.tasks.make_thumbnail")
    out["thumbnail_jobs"] = {
        "total": jobs.count(),
        "unfinished": jobs.filter(status__in=["READY", "RUNNING"]).count(),
        "failed": jobs.filter(status="FAILED").count(),
        "ran_again": sum(1 for ids in jobs.values_list("worker_ids", flat=True) if len(ids) > 1),
    }
    return out

made = None
if os.environ.get("JULI_DRILL_CATCH_UP"):
    printed = io.StringIO()
    call_command("thumbnails", stdout=printed)
    made = int(printed.getvalue().split()[0])
before = check()
if made is not None:
    before["thumbnails_caught_up"] = made
call_command("sweep_uploads", "--older-than-hours", "0", stdout=io.StringIO())
print(json.dumps([before, check()]))
"""
#: --quick: a district of 2 streets x 2 communities x 5 micro-grids x 5 points and 2,000 cases
#: over 4 weeks builds in seconds; the size of the world is not what the drills are about.
QUICK_WORLD = ["--cases", "2000", "--shape", "2x2x5x5", "--weeks", "4", "--no-rollups"]
#: --quick: the job worker beats every second and a silent one's RUNNING task goes back to
#: READY after 3 s (production: 10 s and 60 s); no periodic jobs compete for the worker.
QUICK_JOBS = {
    "JULI_SCHEDULER": "0",
    "JULI_SCHEDULER_INTERVAL": "1",
    "JULI_WORKER_STALE_SECONDS": "3",
}


def options(description: str | None) -> argparse.ArgumentParser:
    """The options every drill takes; the drill adds its own, then calls `parse`."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="short CI run on a small generated district in --database, fresh media folder",
    )
    parser.add_argument(
        "--database",
        default="juli_drill",
        help="--quick: PostgreSQL database of the small district (made on first use, kept)",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("JULI_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"),
    )
    parser.add_argument("--port", type=int, default=harness.PORT, help="gunicorn's port")
    parser.add_argument(
        "--out", default="", help="write the result here (default bench/results/…; --quick none)"
    )
    return parser


def parse(parser: argparse.ArgumentParser, quick: dict[str, Any]) -> argparse.Namespace:
    """Parse the command line; under --quick the drill's `quick` values are the defaults (an
    option given explicitly still wins)."""
    if "--quick" in sys.argv[1:]:
        parser.set_defaults(**quick)
    args = parser.parse_args()
    args.started = time.monotonic()
    return args


def _psql(db_url: str, sql: str) -> str:
    done = subprocess.run(  # noqa: S603
        ["psql", "-X", db_url, "-tAc", sql],  # noqa: S607
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"psql failed: {done.stderr}")
    return done.stdout.strip()


def small_district(pg_url: str, name: str) -> str:
    """The --quick database: created, migrated and given a small generated district if it
    has none yet. Returns its URL."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"not a plain database name: {name!r}")
    if _psql(f"{pg_url}/postgres", f"SELECT 1 FROM pg_database WHERE datname = '{name}'") != "1":
        _psql(f"{pg_url}/postgres", f'CREATE DATABASE "{name}"')
    url = f"{pg_url}/{name}"
    env = harness._env(url)
    harness._juli(env, "migrate", "--no-input", "-v", "0")
    if _psql(url, "SELECT count(*) FROM orgs_area WHERE kind = 'district'") == "0":
        harness._juli(env, "generate", *QUICK_WORLD)
    return url


def start(args: argparse.Namespace, *, workers: int, **env_extra: str) -> tuple[dict, dict, list]:
    """The database (the 10k benchmark one, or with --quick the small district and a fresh
    media folder), its fixtures, gunicorn and a job worker: (env, state, processes)."""
    harness.PORT = args.port
    args.timings = {}
    if args.quick:
        url = small_district(args.pg_url, args.database)
        media = tempfile.mkdtemp(prefix="juli-drill-media-")
        atexit.register(shutil.rmtree, media, ignore_errors=True)
        env_extra = {"JULI_MEDIA_ROOT": media, **QUICK_JOBS, **env_extra}
    else:
        url = harness.prepare_database(args.pg_url, "10k", fresh=False)
    args.timings["database_s"] = round(time.monotonic() - args.started, 1)
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
    processes = serve(env, workers) if args.quick else harness.start_server(env, workers=workers)
    args.timings["ready_s"] = round(time.monotonic() - args.started, 1)
    return env, state, processes


def static_is_current(env: dict) -> bool:
    """The static manifest exists and is newer than every file under static/: collectstatic
    (about a minute of CPU, most of it compressing) would change nothing the drills use."""
    manifest = Path(env["JULI_STATIC_ROOT"]) / "staticfiles.json"
    if not manifest.exists():
        return False
    newest = max(p.stat().st_mtime for p in (harness.ROOT / "static").rglob("*") if p.is_file())
    return manifest.stat().st_mtime >= newest


def serve(env: dict, workers: int) -> list[subprocess.Popen[bytes]]:
    """`harness.start_server` for --quick: collectstatic only when the manifest is stale."""
    if not static_is_current(env):
        harness._juli(env, "collectstatic", "--no-input", "-v", "0")
    server = subprocess.Popen(  # noqa: S603
        [str(Path(PY).parent / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{harness.PORT}",
         "--workers", str(workers), "--log-level", "warning"],
        env=env,
        cwd=harness.ROOT,
    )  # fmt: skip
    if env.get("JULI_TASKS_BACKEND") == "celery":
        jobs = subprocess.Popen(  # noqa: S603
            [PY, "-m", "juli.cli", "celery", "worker", "--loglevel", "warning",
             "--concurrency", "1"],
            env=env,
            cwd=harness.ROOT,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    else:
        jobs = start_job_worker(env)
    try:
        harness._wait_http(harness.PORT)
        wait_healthy()
    except BaseException:
        for process in (server, jobs):
            process.terminate()
            process.wait(timeout=30)
        raise
    return [server, jobs]


def wait_healthy(timeout: float = 90) -> None:
    """Until a gunicorn worker answers /healthz (not only the master's socket): faults begin
    on a server that serves."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", harness.PORT, timeout=10)
            conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.3)
    raise SystemExit("Juli did not answer /healthz")


def finish(args: argparse.Namespace, result: dict, name: str, failures: list[str]) -> None:
    """Print and write the result; exit non-zero on failures."""
    result["timings"] = {**args.timings, "total_s": round(time.monotonic() - args.started, 1)}
    result["failures"] = failures
    text = json.dumps(result, indent=1)
    print(text)
    out = (
        Path(args.out)
        if args.out
        else None
        if args.quick
        else harness.ROOT / "bench" / "results" / f"drill-{name}.json"
    )
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
    if failures:
        raise SystemExit("drill failed: " + "; ".join(failures))


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


def start_job_worker(env: dict) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603
        [PY, "-m", "juli.cli", "worker"], env=env, cwd=harness.ROOT, stdout=subprocess.DEVNULL
    )


def settle_jobs(env: dict, timeout: float = 40) -> float:
    """Wait until no thumbnail job is queued or running (a task left RUNNING by a killed
    worker is put back after JULI_WORKER_STALE_SECONDS). Returns the seconds waited."""
    started = time.monotonic()
    sql = (
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path = "
        "'juli.core.tasks.make_thumbnail' AND status IN ('READY', 'RUNNING')"
    )
    while time.monotonic() - started < timeout and _psql(env["DATABASE_URL"], sql) != "0":
        time.sleep(0.5)
    return round(time.monotonic() - started, 1)


def drive(
    state: dict,
    clients: int,
    seconds: float,
    title: str,
    processes: list,
    fault: Any,
    settle: Callable[[], Any] | None = None,
) -> tuple[list[str], dict[str, int]]:
    """`clients` phones submitting for `seconds` while `fault(stop)` runs in its own thread;
    then `settle()` if given, and the server is stopped. Returns the confirmed client UUIDs
    and the counts."""
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
        if settle is not None:
            settle()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    return done, counts


def verify(env: dict, done: list[str], *, catch_up: bool = False) -> tuple[dict, dict]:
    """The checks of the module text, before and after `juli sweep_uploads`, in one process;
    with `catch_up` the `juli thumbnails` catch-up runs first (its count is in the first dict
    as "thumbnails_caught_up")."""
    keys = harness.ROOT / "bench" / "results" / "drill-keys.json"
    keys.parent.mkdir(exist_ok=True)
    keys.write_text(json.dumps(done))
    check_env = {**env, "JULI_DRILL_KEYS": str(keys), "JULI_TASKS_BACKEND": "immediate"}
    if catch_up:
        check_env["JULI_DRILL_CATCH_UP"] = "1"
    try:
        out = subprocess.run(  # noqa: S603
            [PY, "-m", "juli.cli", "shell", "-v", "0", "-c", CHECK],
            env=check_env,
            cwd=harness.ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        keys.unlink()
    before, after = json.loads(out.strip().splitlines()[-1])
    return before, after


def failures(
    before: dict,
    after: dict,
    counts: dict[str, int],
    done: list[str],
    *,
    thumbnails: bool,
    tasks: bool | None = None,
) -> list[str]:
    """What went wrong, in words (empty: the drill passed). `thumbnails`: every confirmed
    photo must have its thumbnail by now; `tasks` (default: the same): the database queue's
    thumbnail jobs were given time to settle, so none may be left or failed."""
    tasks = thumbnails if tasks is None else tasks
    out = [
        f"{len(before[name])} {name.replace('_', ' ')}"
        for name in ("missing", "duplicates", "photo_problems")
        if before[name]
    ]
    if after["orphan_files"]:
        out.append(f"{after['orphan_files']} orphan files after the sweep")
    if counts["given_up"]:
        out.append(f"{counts['given_up']} submissions given up")
    if not done:
        out.append("no submission succeeded")
    if thumbnails and before["thumbnail_problems"]:
        out.append(f"{len(before['thumbnail_problems'])} photos without their thumbnail")
    if tasks:
        for name in ("unfinished", "failed"):
            if before["thumbnail_jobs"][name]:
                out.append(f"{before['thumbnail_jobs'][name]} thumbnail jobs {name}")
    return out


def kill_job_worker_mid_task(processes: list, env: dict, stop: float) -> str | None:
    """SIGKILL the job worker while it holds a thumbnail task RUNNING, then start a new one.

    Seen RUNNING, the worker is frozen (SIGSTOP) and the row read again: still RUNNING means
    the frozen process holds it (mid-task, or done and not yet recorded), so the kill lands
    exactly there. Otherwise it is thawed and the next task is tried, until `stop`. Returns
    the task's id (None: no task was caught before `stop`; the worker is killed anyway).
    """
    url, worker = env["DATABASE_URL"], processes[1]
    running = (
        "SELECT id FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING' "
        "AND task_path = 'juli.core.tasks.make_thumbnail' {} LIMIT 1"
    )
    caught = None
    while caught is None and time.monotonic() < stop:
        task_id = _psql(url, running.format(""))
        if not task_id:
            time.sleep(0.02)
            continue
        os.kill(worker.pid, signal.SIGSTOP)
        if _psql(url, running.format(f"AND id = '{task_id}'")):
            caught = task_id
        else:
            os.kill(worker.pid, signal.SIGCONT)
    worker.kill()
    worker.wait()
    processes[1] = start_job_worker(env)
    return caught


def rerun_of(env: dict, task_id: str) -> dict[str, Any]:
    """The status and the number of workers that ran a task."""
    row = _psql(
        env["DATABASE_URL"],
        "SELECT status || ' ' || jsonb_array_length(worker_ids) "
        f"FROM django_tasks_database_dbtaskresult WHERE id = '{task_id}'",
    ).split()
    return {"id": task_id, "status": row[0], "workers": int(row[1])}


def main() -> None:
    parser = options(__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--every", type=float, default=1.5)
    parser.add_argument(
        "--kills", type=int, default=0, help="stop killing after this many (0: no limit)"
    )
    args = parse(parser, {"clients": 4, "seconds": 10, "every": 1.5, "kills": 5})

    env, state, processes = start(args, workers=3, JULI_TASKS_BACKEND="database")
    master = processes[0]
    kills = 0
    job_kill: dict[str, str | None] = {}

    def killer(stop: float) -> None:
        nonlocal kills
        if args.quick:  # the job worker too, once, in a thread of its own
            caught = threading.Thread(
                target=lambda: job_kill.update(task=kill_job_worker_mid_task(processes, env, stop))
            )
            caught.start()
        while time.monotonic() < stop and (not args.kills or kills < args.kills):
            time.sleep(args.every)
            children = subprocess.run(  # noqa: S603
                ["pgrep", "-P", str(master.pid)],  # noqa: S607
                capture_output=True,
                text=True,
            ).stdout.split()
            if children:
                os.kill(int(random.choice(children)), signal.SIGKILL)  # noqa: S311
                kills += 1
        if args.quick:
            caught.join()

    settled: dict[str, float] = {}
    done, counts = drive(
        state,
        args.clients,
        args.seconds,
        "故障演练：井盖缺失",
        processes,
        killer,
        settle=(lambda: settled.update(jobs_s=settle_jobs(env))) if args.quick else None,
    )
    before, after = verify(env, done, catch_up=args.quick)
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
    problems = failures(before, after, counts, done, thumbnails=args.quick)
    if not kills:
        problems.append("no web worker was killed")
    if args.quick:
        result["jobs_settled_s"] = settled.get("jobs_s")
        task = job_kill.get("task")
        # The task the killed job worker held ran again, to one thumbnail (checked above).
        result["job_killed_mid_task"] = rerun_of(env, task) if task else None
        if task is None:
            problems.append("the job worker was never caught holding a thumbnail task")
        elif result["job_killed_mid_task"]["status"] != "SUCCESSFUL" or (
            result["job_killed_mid_task"]["workers"] < 2
        ):
            problems.append(f"the killed job worker's task ended {result['job_killed_mid_task']}")
    finish(args, result, "kill-web", problems)


if __name__ == "__main__":
    main()
