"""SQLite pilot mode: 20 phones submitting cases at once against the embedded default.

    .venv/bin/python bench/pilot.py [--clients 20] [--seconds 30] [--days 7]

Builds a fresh demo on a temporary SQLite file, starts `juli serve` exactly as `make run`
does (threaded server, embedded database worker making thumbnails), and has `--clients`
grid-worker clients each upload a 300 KB photo and report a case with it, again and again,
on new connections. In the same run the bare JSON view is measured as the baseline.

Reports requests, errors, p50/p95/p99, and whether the server's log mentions
"database is locked" (it must not); writes bench/results/pilot.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as harness  # noqa: E402
from run import ROOT, _wait_http, photo_file, run_load  # noqa: E402

PY = sys.executable
PORT = 8098

SETUP = """
from rest_framework.authtoken.models import Token
from juli.cases.models import CaseCategory
from juli.orgs.models import User
user = User.objects.get(username="grid_worker")
token, _ = Token.objects.get_or_create(user=user)
area = user.person.area_id
post = user.person.posts.filter(ended_on__isnull=True, area__isnull=False).first()
category = CaseCategory.objects.filter(is_active=True).order_by("pk").first()
import json
print(json.dumps({"token": token.key, "area": post.area_id if post else area, "category": category.pk}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="juli-pilot-"))
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        JULI_SQLITE_PATH=str(work / "pilot.sqlite3"),
        JULI_MEDIA_ROOT=str(work / "media"),
        JULI_BENCH_BASELINE="1",
        JULI_TASKS_BACKEND="database",
        PYTHONPATH=str(ROOT),
    )
    subprocess.run([PY, "-m", "juli.cli", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [PY, "-m", "juli.cli", "demo", "--days", str(args.days), "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    state = json.loads(
        subprocess.run(  # noqa: S603
            [PY, "-m", "juli.cli", "shell", "-v", "0", "-c", SETUP],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    log_path = work / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(  # noqa: S603
            [PY, "-m", "juli.cli", "serve", "--no-demo", "--port", str(PORT)],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        harness.PORT = PORT
        try:
            _wait_http(PORT)
            time.sleep(1)
            baseline = run_load(
                {"kind": "get", "paths": ["/bench/baseline"]}, args.seconds / 2, args.clients
            )
            submit = run_load(
                {
                    "kind": "submit",
                    "photo": photo_file(),
                    "auth": {"token": state["token"]},
                    "case": {
                        "category": state["category"],
                        "area": state["area"],
                        "title": "试点压测：垃圾堆放",
                    },
                },
                args.seconds,
                args.clients,
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    locked = log_path.read_text(errors="replace").count("database is locked")
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cores": os.cpu_count(),
        "clients": args.clients,
        "baseline": baseline,
        "submit": submit,
        "database_is_locked": locked,
        "ratio_p50": round(submit["p50"] / baseline["p50"], 1) if baseline.get("p50") else None,
    }
    out = ROOT / "bench" / "results" / "pilot.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    if locked or submit["errors"]:
        raise SystemExit(
            f"{locked} 'database is locked' lines, {submit['errors']} failed submissions"
        )


if __name__ == "__main__":
    main()
