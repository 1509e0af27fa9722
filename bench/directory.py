"""Benchmark: the person directory (/people/) stays flat from 1k to 100k people.

For each size, a dedicated database (SQLite file; with --postgres also a PostgreSQL
database) gets one street with communities and micro-grids, one street officer whose post
covers the street, and N people spread over the grids (bulk_create: this is benchmark data,
not a write path; search_key/org_path/area_path are filled as Person.save fills them). Then
django.test.Client, logged in as the officer, times the first page and a deep page (the
page reached by following the keyset "next" link DEEP_PAGES times).

Every size runs in its own child process (settings are read once per process); the parent
compares each size with the 1k baseline measured in the same run, prints a table and writes
bench/results/directory.json.

    .venv/bin/python bench/directory.py --sizes 1000,10000,100000 [--postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "directory.json"
PG_URL = os.environ.get("JULI_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
OFFICER = "bench_officer"
COMMUNITIES = 20
GRIDS_PER_COMMUNITY = 5
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏建华飞志强东风海燕文斌晓明春梅国庆德胜立新永红玉珍"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--sizes", default="1000,10000,100000", help="comma-separated people counts")
    p.add_argument("--requests", type=int, default=40, help="timed requests per page and size")
    p.add_argument("--deep", type=int, default=50, help="'next' links followed to the deep page")
    p.add_argument("--postgres", action="store_true", help=f"also run on PostgreSQL ({PG_URL})")
    p.add_argument("--keep", action="store_true", help="keep the generated databases")
    p.add_argument("--out", default=str(RESULTS), help="where to write the JSON results")
    p.add_argument("--child", help=argparse.SUPPRESS)  # "<backend>:<size>", internal
    return p.parse_args()


# --- Child: one database, one size ------------------------------------------------------------


def child(args: argparse.Namespace) -> None:
    backend, size_text = args.child.split(":")
    size = int(size_text)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    officer = build_world(size)
    built = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # fresh statistics, as a live database would have
    result = {"backend": backend, "size": size, "build_seconds": round(built, 1)}
    result.update(measure(officer, args.requests, args.deep))
    print("RESULT " + json.dumps(result), flush=True)


def build_world(size: int) -> Any:
    import datetime

    from juli.orgs import actions
    from juli.orgs.models import Area, Person
    from juli.orgs.roles import Role
    from juli.orgs.search import search_key

    district = actions.create_area(None, None, name="黄浦区", kind="district", code="310101000000")
    street = actions.create_area(
        None, district, name="打浦桥街道", kind="street", code="310101013000"
    )
    grids: list[Area] = []
    for c in range(1, COMMUNITIES + 1):
        community = actions.create_area(
            None, street, name=f"第{c}居民区", kind="community", code=f"310101013{c:03d}"
        )
        for g in range(1, GRIDS_PER_COMMUNITY + 1):
            grids.append(
                actions.create_area(
                    None,
                    community,
                    name=f"第{c}居民区第{g}微网格",
                    kind="micro_grid",
                    code=f"310101013{c:03d}{g:04d}",
                )
            )
    officer_person = actions.create_person(None, name="李东风", phone="13800000002", area=street)
    actions.appoint(
        None,
        officer_person,
        Role.STREET_OFFICER,
        area=street,
        started_on=datetime.date(2024, 1, 1),
    )
    officer = actions.create_account(
        None, officer_person, OFFICER, "bench-Pass-1234", validate_password=False
    )

    keys: dict[str, str] = {}
    batch: list[Person] = []
    statuses = [s for s, _ in Person.PoliticalStatus.choices]
    occupations = [o for o, _ in Person.Occupation.choices]
    for i in range(size):
        name = (
            SURNAMES[i % len(SURNAMES)]
            + GIVEN[(i // len(SURNAMES)) % len(GIVEN)]
            + ("" if i % 3 == 0 else GIVEN[(i * 7 + 3) % len(GIVEN)])
        )
        key = keys.get(name)
        if key is None:
            key = keys[name] = search_key(name, person=True)
        grid = grids[i % len(grids)]
        batch.append(
            Person(
                name=name,
                phone=f"139{i:08d}",
                gender="F" if i % 2 else "M",
                birth_year=1950 + i % 55,
                political_status=statuses[i % len(statuses)],
                occupation=occupations[i % len(occupations)],
                area_id=grid.pk,
                area_path=grid.path,
                org_path="",
                search_key=key,
            )
        )
        if len(batch) == 5000:
            Person.objects.bulk_create(batch)
            batch = []
    if batch:
        Person.objects.bulk_create(batch)
    return officer


class _Links:
    """The href of the page's rel="next" link (or, failing that, the last cursor link)."""

    NEXT = re.compile(r"<(a|link)\b[^>]*>", re.I)
    ATTR = re.compile(r'([a-zA-Z-]+)\s*=\s*"([^"]*)"')

    @classmethod
    def next_href(cls, body: str) -> str | None:
        fallback = None
        for tag in cls.NEXT.finditer(body):
            attrs = {k.lower(): html.unescape(v) for k, v in cls.ATTR.findall(tag.group(0))}
            href = attrs.get("href") or attrs.get("hx-get")
            if not href:
                continue
            if "next" in attrs.get("rel", "").split():
                return href
            if "cursor=" in href or "after=" in href:
                fallback = href
        return fallback


def measure(officer: Any, requests: int, deep: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(officer)

    def get(url: str) -> tuple[str, float, int]:
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, (url, response.status_code)
        return response.content.decode(), elapsed, len(queries)

    first_url = "/people/"
    body, _, _ = get(first_url)  # warm-up: templates, caches, the scope query
    # Follow "next" up to `deep` times, but stay on full pages: a small directory (1k
    # people is 20 pages) stops at its last page that still has a "next" link.
    url = first_url
    followed = 0
    while followed < deep:
        href = _Links.next_href(body)
        if not href:
            break
        joined = urlsplit(urljoin(f"http://testserver{url}", href))
        candidate = joined.path + (f"?{joined.query}" if joined.query else "")
        candidate_body, _, _ = get(candidate)
        if not _Links.next_href(candidate_body):
            break
        url, body = candidate, candidate_body
        followed += 1
    if followed == 0:
        raise SystemExit("the directory has a single page: no 'next' link to follow")
    deep_url = url

    out: dict[str, Any] = {"deep_page": followed + 1, "deep_url": deep_url}
    for label, target in (("first", first_url), ("deep", deep_url)):
        get(target)  # warm-up
        times: list[float] = []
        counts: set[int] = set()
        for _ in range(requests):
            _, ms, n = get(target)
            times.append(ms)
            counts.add(n)
        out[label] = summarise(times) | {"queries": sorted(counts)}
    return out


def summarise(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
        "min_ms": round(ordered[0], 2),
        "n": len(ordered),
    }


# --- Parent: one child per backend and size ---------------------------------------------------


def run_child(args: argparse.Namespace, backend: str, size: int, workdir: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["JULI_LOG_LEVEL"] = "WARNING"
    env["JULI_LOCKOUT_ENABLED"] = "0"
    dbname = f"juli_bench_directory_{size}"
    if backend == "sqlite":
        db_file = workdir / f"directory-{size}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        env["JULI_SQLITE_PATH"] = str(db_file)
    else:
        pg_admin(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {dbname}")
        env["DATABASE_URL"] = f"{PG_URL}/{dbname}"
    cmd = [
        sys.executable,
        __file__,
        "--child",
        f"{backend}:{size}",
        "--requests",
        str(args.requests),
        "--deep",
        str(args.deep),
    ]
    try:
        proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    finally:
        if not args.keep:
            if backend == "sqlite":
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{workdir / f'directory-{size}.sqlite3'}{suffix}").unlink(missing_ok=True)
            else:
                pg_admin(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"{backend} {size}: child failed (exit {proc.returncode})")
    return json.loads(lines[-1][len("RESULT ") :])


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def main() -> None:
    args = parse_args()
    if args.child:
        child(args)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    backends = ["sqlite", *(["postgres"] if args.postgres else [])]
    workdir = Path(tempfile.mkdtemp(prefix="juli-bench-directory-"))
    results: list[dict[str, Any]] = []
    try:
        for backend in backends:
            for size in sizes:
                t0 = time.perf_counter()
                print(f"{backend:8} {size:>7} people … ", end="", flush=True)
                r = run_child(args, backend, size, workdir)
                took = time.perf_counter() - t0
                print(f"built in {r['build_seconds']}s, measured in {took:.0f}s")
                results.append(r)
    finally:
        if not args.keep:
            with contextlib.suppress(OSError):
                workdir.rmdir()  # kept with --keep, holding the SQLite files

    for backend in backends:
        rows = [r for r in results if r["backend"] == backend]
        base = rows[0]
        for r in rows:
            for page in ("first", "deep"):
                r[page]["ratio_to_baseline"] = round(
                    r[page]["median_ms"] / base[page]["median_ms"], 2
                )
    print_table(results, sizes[0])
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "benchmark": "person directory /people/, first page and deep keyset page",
        "baseline_size": sizes[0],
        "requests_per_page": args.requests,
        "deep_pages": args.deep,
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {os.cpu_count()} cpu",
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "results": results,
    }
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


def print_table(results: list[dict[str, Any]], baseline: int) -> None:
    print()
    head = (
        f"{'backend':8} {'people':>7} {'page':>8} {'median ms':>9} {'p95 ms':>8} {'min ms':>8} "
        f"{'x base':>6} {'queries':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        for page in ("first", "deep"):
            m = r[page]
            queries = ",".join(str(q) for q in m["queries"])
            label = "1" if page == "first" else str(r["deep_page"])
            print(
                f"{r['backend']:8} {r['size']:>7} {label:>8} {m['median_ms']:>9.2f} "
                f"{m['p95_ms']:>8.2f} {m['min_ms']:>8.2f} {m['ratio_to_baseline']:>6.2f} {queries:>8}"
            )
    print(
        f"(page: 1 is the first page, the other the page reached by following 'next';\n"
        f" x base: median divided by the {baseline}-people median of the same page kind,"
        " same backend, same run)"
    )


if __name__ == "__main__":
    main()
