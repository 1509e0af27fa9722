"""`make bench SCALE=10k|1m|10m`: Juli served as production serves it, under load, with a
bare Django JSON view as the baseline measured in the same run.

1. A PostgreSQL database `juli_bench_<scale>` holding a generated district (`juli generate`),
   made once and reused by later runs at the same scale (`--fresh` rebuilds it).
2. gunicorn (sync workers, 2 per core) with DEBUG off, the static manifest, Redis as the job
   broker and one Celery worker for the thumbnails that submissions queue (the database
   worker when Redis is not reachable).
3. For each scenario, `bench/load.py` in its own process: 8 clients, a new connection per
   request (as nginx in front of gunicorn), `--seconds` each, `--runs` times; the table
   shows the median run. Every figure is also given as a ratio to the baseline's.
4. The table is printed and written to `bench/results/latest.json` (and
   `bench/results/<scale>.json`): one object per scenario with name, rps, p50, p95, p99
   (ms), errors, ratio_rps and ratio_p50 against the baseline, and the scale.

The load generator's own CPU time is reported: on a 2-core machine it competes with the
server for the same cores, so the absolute figures are lower than behind a separate client.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SCALES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
PORT = 8099


def _cases(scale: str) -> int:
    return SCALES.get(scale.lower()) or int(scale)


def _env(db_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        JULI_DEBUG="0",
        JULI_HTTPS="0",
        JULI_SECRET_KEY="bench-" + "k" * 60,
        JULI_ALLOWED_HOSTS="127.0.0.1,localhost",
        JULI_BENCH_BASELINE="1",
        JULI_STATIC_ROOT=str(ROOT / "bench" / ".static"),
        JULI_MEDIA_ROOT=str(Path(tempfile.gettempdir()) / f"juli-bench-media-{Path(db_url).name}"),
        JULI_EMBEDDED_WORKER="0",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def _juli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [PY, "-m", "juli.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"juli {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _psql(base_url: str, sql: str) -> str:
    done = subprocess.run(  # noqa: S603
        ["psql", f"{base_url}/postgres", "-tAc", sql], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"psql failed: {done.stderr}")
    return done.stdout.strip()


def prepare_database(base_url: str, scale: str, fresh: bool) -> str:
    name = f"juli_bench_{scale.lower()}"
    url = f"{base_url}/{name}"
    exists = _psql(base_url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    if exists and fresh:
        _psql(base_url, f'DROP DATABASE "{name}" WITH (FORCE)')
        exists = False
    env = _env(url)
    if not exists:
        _psql(base_url, f'CREATE DATABASE "{name}"')
        print(f"Generating {_cases(scale):,} cases into {name} …", flush=True)
        started = time.monotonic()
        _juli(env, "migrate", "--no-input", "-v", "0")
        print(_juli(env, "generate", "--cases", str(_cases(scale)), "--rollup-days", "91").strip())
        print(f"  generated in {time.monotonic() - started:.0f} s", flush=True)
    else:
        _juli(env, "migrate", "--no-input", "-v", "0")
    return url


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _wait_http(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def start_server(env: dict[str, str], workers: int) -> list[subprocess.Popen[bytes]]:
    _juli(env, "collectstatic", "--no-input", "-v", "0")
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(PY).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    worker_cmd = (
        [PY, "-m", "juli.cli", "celery", "worker", "--loglevel", "warning", "--concurrency", "1"]
        if env.get("JULI_TASKS_BACKEND") == "celery"
        else [PY, "-m", "juli.cli", "worker"]
    )
    jobs = subprocess.Popen(worker_cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)  # noqa: S603
    _wait_http(PORT)
    return [server, jobs]


def photo_file() -> str:
    """A phone-like photo of about 300 KB: 1280×960, smooth shapes with fine grain (a JPEG
    of pure noise would be small in pixels and large in bytes, unlike a photo)."""
    from PIL import Image

    path = Path(tempfile.gettempdir()) / "juli-bench-300k-1280.jpg"
    if path.exists():
        return str(path)
    width, height = 1280, 960
    rng = random.Random(1)  # noqa: S311 - test pixels
    coarse = Image.frombytes("L", (width // 4, height // 4), rng.randbytes(width * height // 16))
    coarse = coarse.resize((width, height), Image.Resampling.BICUBIC)
    ramp = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (coarse, ramp, Image.blend(coarse, ramp, 0.5)))
    grain = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    image = Image.blend(image, grain, 0.03)
    for quality in range(90, 50, -2):
        image.save(path, "JPEG", quality=quality)
        if path.stat().st_size <= 310_000:
            break
    return str(path)


def scenarios(state: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    login = {"login": {"path": "/login/", **state["admin"]}}
    api = {"token": state["admin_token"]}
    deep = state.get("page_1000_cursor")
    out: list[tuple[str, dict[str, Any]]] = [
        ("baseline", {"kind": "get", "paths": ["/bench/baseline"]}),
        (
            "case_submit_photo",
            {
                "kind": "submit",
                "photo": photo_file(),
                "auth": {"token": state["worker_token"]},
                "case": {
                    "category": state["category"],
                    "area": state["micro_grid"],
                    "title": "压测：占道经营",
                    "description": "benchmark",
                },
            },
        ),
        (
            "case_detail",
            {
                "kind": "get",
                "paths": [f"/cases/{pk}/" for pk in state["recent_cases"]],
                "auth": login,
            },
        ),
        ("case_list_page_1", {"kind": "get", "paths": ["/cases/"], "auth": login}),
        ("api_case_list_page_1", {"kind": "get", "paths": ["/api/v1/cases/"], "auth": api}),
        ("open311_requests", {"kind": "get", "paths": ["/open311/v2/requests.json"]}),
        ("dashboard", {"kind": "get", "paths": ["/dashboard/"], "auth": login}),
    ]
    if deep:
        out.insert(
            4,
            (
                "case_list_page_1000",
                {"kind": "get", "paths": [f"/cases/?after={deep}"], "auth": login},
            ),
        )
        out.insert(
            6,
            (
                "api_case_list_page_1000",
                {"kind": "get", "paths": [f"/api/v1/cases/?after={deep}"], "auth": api},
            ),
        )
    if state.get("ranking_path"):
        out.append(
            ("ranking_read", {"kind": "get", "paths": [state["ranking_path"]], "auth": login})
        )
    return out


#: The district's day in one load: what share of operations each part takes (80 % reads).
MIX = {
    "case_submit_photo": 20,
    "case_detail": 25,
    "case_list_page_1": 15,
    "case_list_page_1000": 5,
    "api_case_list_page_1": 10,
    "dashboard": 10,
    "ranking_read": 5,
    "open311_requests": 10,
}


def mixed(state: dict[str, Any], rate: float) -> dict[str, Any]:
    parts = dict(scenarios(state))
    mix = [[weight, dict(parts[name], name=name)] for name, weight in MIX.items() if name in parts]
    return {"kind": "mixed", "rate": rate, "mix": mix}


def run_load(scenario: dict[str, Any], seconds: float, clients: int) -> dict[str, Any]:
    spec = {
        "base": f"http://127.0.0.1:{PORT}",
        "clients": clients,
        "seconds": seconds,
        "scenario": scenario,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(spec, handle)
    try:
        done = subprocess.run(  # noqa: S603
            [PY, str(ROOT / "bench" / "load.py"), handle.name], capture_output=True, text=True
        )
    finally:
        os.unlink(handle.name)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", default="10k", help="10k, 100k, 1m, 10m or a number of cases")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--fresh", action="store_true", help="regenerate the database")
    parser.add_argument(
        "--mixed-seconds",
        type=float,
        default=600,
        help="length of the mixed district load (0: leave it out)",
    )
    parser.add_argument("--mixed-rate", type=float, default=50, help="operations per second")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("JULI_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"),
    )
    args = parser.parse_args()

    url = prepare_database(args.pg_url, args.scale, args.fresh)
    backend = "celery" if _redis_up() else "database"
    env = _env(
        url,
        JULI_TASKS_BACKEND=backend,
        JULI_CELERY_BROKER_URL=os.environ.get("JULI_CELERY_BROKER_URL", "redis://127.0.0.1:6379/5"),
    )
    state = json.loads(
        subprocess.run(  # noqa: S603
            [PY, str(ROOT / "bench" / "prepare.py")],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    processes = start_server(env, args.workers)
    results: list[dict[str, Any]] = []
    try:
        wanted = {s for s in args.only.split(",") if s}
        for name, scenario in scenarios(state):
            if wanted and name not in wanted and name != "baseline":
                continue
            probe = run_load(scenario, 0.5, 1)
            if "error" in probe or probe.get("errors") == probe.get("requests"):
                results.append(
                    {"name": name, "skipped": probe.get("error") or probe.get("statuses")}
                )
                print(f"{name}: skipped ({results[-1]['skipped']})", flush=True)
                continue
            runs = [run_load(scenario, args.seconds, args.clients) for _ in range(args.runs)]
            runs.sort(key=lambda r: r["rps"])
            middle = runs[len(runs) // 2]
            row = {
                "name": name,
                "scale": args.scale,
                "cases": state["cases"],
                "rps": middle["rps"],
                "p50": middle["p50"],
                "p95": middle["p95"],
                "p99": middle["p99"],
                "errors": sum(r["errors"] for r in runs),
                "requests": sum(r["requests"] for r in runs),
                "rps_runs": [r["rps"] for r in runs],
                "p95_median": statistics.median(r["p95"] for r in runs),
                "loadgen_cpu_s": middle["cpu_s"],
                "seconds": middle["wall_s"],
            }
            results.append(row)
            print(
                f"{name}: {row['rps']} req/s, p50 {row['p50']} ms, p95 {row['p95']} ms", flush=True
            )
        if args.mixed_seconds > 0 and (not wanted or "mixed" in wanted):
            print(f"mixed: {args.mixed_rate:g} operations/s for {args.mixed_seconds:g} s …")
            got = run_load(mixed(state, args.mixed_rate), args.mixed_seconds, args.clients)
            row = {"name": "mixed", "scale": args.scale, "cases": state["cases"], **got}
            row["target_rps"] = args.mixed_rate
            results.append(row)
            print(
                f"mixed: {got.get('rps')} req/s, p95 {got.get('p95')} ms, "
                f"errors {got.get('errors')} ({got.get('error_rate')})",
                flush=True,
            )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    base = next((r for r in results if r["name"] == "baseline" and "rps" in r), None)
    for row in results:
        if base and "rps" in row:
            row["baseline_rps"] = base["rps"]
            row["ratio_rps"] = round(row["rps"] / base["rps"], 3)
            row["ratio_p50"] = round(row["p50"] / base["p50"], 2) if base["p50"] else None
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cores": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "jobs": backend,
        "gunicorn_workers": args.workers,
        "clients": args.clients,
        "seconds": args.seconds,
        "runs": args.runs,
    }
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    scale_file = out_dir / f"{args.scale.lower()}.json"
    merged = results
    if wanted and scale_file.exists():
        # A partial run (--only) replaces its scenarios in the scale's file and keeps the
        # others; each row keeps the baseline of its own run (`baseline_rps`, `ratio_*`).
        done = {r["name"] for r in results if r["name"] != "baseline"}
        earlier = json.loads(scale_file.read_text())
        merged = [r for r in earlier["scenarios"] if r["name"] not in done] + [
            r for r in results if r["name"] != "baseline"
        ]
        meta["partial_reruns"] = [*earlier["meta"].get("partial_reruns", []), meta["date"]]
        meta = {**earlier["meta"], "partial_reruns": meta["partial_reruns"]}
    (out_dir / "latest.json").write_text(
        json.dumps({"meta": meta, "scenarios": results}, indent=1, ensure_ascii=False)
    )
    scale_file.write_text(
        json.dumps({"meta": meta, "scenarios": merged}, indent=1, ensure_ascii=False)
    )
    print()
    print(f"Scale {args.scale} ({state['cases']:,} cases), {meta['cores']} cores, {meta['date']}")
    print(
        f"{'scenario':26} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'x rps':>7} {'x p50':>7}"
    )
    for row in results:
        if "rps" not in row:
            print(f"{row['name']:26} skipped")
            continue
        print(
            f"{row['name']:26} {row['rps']:8} {row['p50']:8} {row['p95']:8} {row['p99']:8} "
            f"{row['errors']:7} {row.get('ratio_rps', ''):>7} {row.get('ratio_p50', ''):>7}"
        )


if __name__ == "__main__":
    main()
