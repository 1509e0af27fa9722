"""The served-under-load table of docs/performance.md, from the results `make bench` wrote.

    python bench/summary.py [--scales 10k,1m,10m]

Reads bench/results/<scale>.json for each scale and prints one Markdown table: per scenario
and scale the median run's req/s, p50 and p95 (ms) with the ratio to that run's baseline
(req/s ÷ baseline req/s), the growth of p50 from the first scale to the last, and the
target of issue 6 it is held to. Then the mixed district load per scale.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"

#: (minimum req/s, maximum p95 ms) per scenario; None where the issue sets no figure.
TARGETS: dict[str, tuple[float | None, float | None]] = {
    "case_submit_photo": (100, 150),
    "case_detail": (200, 100),
    "case_list_page_1": (100, 150),
    "case_list_page_1000": (100, 150),
    "api_case_list_page_1": (100, 150),
    "api_case_list_page_1000": (100, 150),
    "dashboard": (None, 300),
}


def _load(scale: str) -> dict[str, Any] | None:
    path = RESULTS / f"{scale}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _target(name: str) -> str:
    rps, p95 = TARGETS.get(name, (None, None))
    parts = ([f"≥ {rps:g}/s"] if rps else []) + ([f"p95 ≤ {p95:g}"] if p95 else [])
    return ", ".join(parts) or "—"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="10k,1m,10m")
    args = parser.parse_args()
    runs = {s: r for s in args.scales.split(",") if (r := _load(s))}
    if not runs:
        raise SystemExit("No results: run `make bench SCALE=…` first.")
    scales = list(runs)
    rows: dict[str, dict[str, Any]] = {}
    for scale, run in runs.items():
        for row in run["scenarios"]:
            if "rps" in row and row["name"] != "mixed":
                rows.setdefault(row["name"], {})[scale] = row
    head = " | ".join(f"{s}: req/s (× base) · p50 · p95" for s in scales)
    print(f"| scenario | {head} | p50 {scales[0]}→{scales[-1]} | target |")
    print("|---|" + "---|" * len(scales) + "---|---|")
    for name, by_scale in rows.items():
        cells = []
        for scale in scales:
            r = by_scale.get(scale)
            cells.append(
                f"{r['rps']:g} (×{r.get('ratio_rps', 0):.3f}) · {r['p50']:g} · {r['p95']:g}"
                if r
                else "—"
            )
        first, last = by_scale.get(scales[0]), by_scale.get(scales[-1])
        growth = f"×{last['p50'] / first['p50']:.2f}" if first and last and first["p50"] else "—"
        print(f"| {name} | " + " | ".join(cells) + f" | {growth} | {_target(name)} |")
    print()
    print(
        "| mixed load | cases | target ops/s | req/s | p50 ms | p95 ms | p99 ms | errors | error rate |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for scale, run in runs.items():
        for row in run["scenarios"]:
            if row["name"] == "mixed" and "rps" in row:
                print(
                    f"| {scale} | {row['cases']:,} | {row.get('target_rps', '')} | {row['rps']:g} "
                    f"| {row['p50']:g} | {row['p95']:g} | {row['p99']:g} | {row['errors']} "
                    f"| {row.get('error_rate', 0):.4%} |"
                )
    print()
    for scale, run in runs.items():
        meta = run["meta"]
        print(
            f"- {scale}: {meta['date']}, {meta['cores']} cores, {meta['gunicorn_workers']} "
            f"gunicorn workers, {meta['clients']} clients, {meta['runs']} runs of "
            f"{meta['seconds']:g} s per scenario (median run shown), jobs on {meta['jobs']}"
            + (
                f"; scenarios re-run after fixes at {', '.join(meta['partial_reruns'])}"
                if meta.get("partial_reruns")
                else ""
            )
        )


if __name__ == "__main__":
    main()
