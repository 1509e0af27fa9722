"""A small HTTP load generator: N client threads, a new TCP connection per request.

Run in its own process (never inside the server's). It imports nothing from Juli, so its
own cost stays small and visible: it reports the CPU seconds it used.

    python bench/load.py SPEC.json

SPEC: {"base": "http://127.0.0.1:8099", "clients": 8, "seconds": 20,
       "scenario": {"kind": "get", "paths": [...], "auth": {...}} |
                   {"kind": "submit", "photo": "/path.jpg", "case": {...}, "auth": {...}} |
                   {"kind": "mixed", "rate": 50, "mix": [[weight, scenario], ...]}}
auth: {"token": "..."} (API) or {"login": {"path": "/login/", "username": ..., "password": ...}}

"mixed" is an open-loop load: operations start at a fixed rate (not when the previous one
ends), each drawn from the weighted mix of the other kinds, and latency counts from the
moment the operation was due, so a server that falls behind shows it (no coordinated
omission). The result adds per-part figures under "parts".

Prints one JSON object: requests, errors, rps, p50/p95/p99 (ms), status counts, cpu_s.
"Error" is any answer that is not 2xx (3xx included: a redirect to the login page is a
failure here), or no answer.
"""

from __future__ import annotations

import http.client
import itertools
import json
import re
import resource
import sys
import threading
import time
import uuid
from typing import Any
from urllib.parse import urlencode, urlsplit


class Client:
    def __init__(self, base: str, auth: dict[str, Any]) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.headers: dict[str, str] = {"Accept-Language": "zh-hans"}
        self.cookies: dict[str, str] = {}
        if "token" in auth:
            self.headers["Authorization"] = f"Token {auth['token']}"
        if "login" in auth:
            self._login(auth["login"])

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, dict[str, str]]:
        """One request on a new connection, as nginx in front of gunicorn would make it."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            all_headers = dict(self.headers)
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            all_headers.update(headers or {})
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, data, dict(response.headers)
        finally:
            conn.close()

    def _login(self, login: dict[str, str]) -> None:
        status, page, _ = self.request("GET", login["path"])
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            raise RuntimeError(f"login page answered {status}")
        form = urlencode(
            {
                "csrfmiddlewaretoken": match.group(1).decode(),
                "username": login["username"],
                "password": login["password"],
            }
        ).encode()
        status, _, _ = self.request(
            "POST",
            login["path"],
            form,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.host}:{self.port}{login['path']}",
            },
        )
        if status != 302:
            raise RuntimeError(f"login failed with {status}")


def _multipart(photo: bytes, field: str, filename: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'
    ).encode()
    return head + photo + f"\r\n--{boundary}--\r\n".encode(), boundary


def _submit_once(client: Client, photo: bytes, case: dict[str, Any]) -> int:
    """Upload the photo, then report the case with it: the phone's two requests."""
    upload_id = str(uuid.uuid4())
    body, boundary = _multipart(photo, "file", "scene.jpg")
    status, data, _ = client.request(
        "POST",
        "/api/v1/uploads/",
        body,
        {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Idempotency-Key": upload_id,
        },
    )
    if status // 100 != 2:
        return status
    uploaded = json.loads(data)["id"]
    payload = dict(case, client_uuid=str(uuid.uuid4()), uploads=[uploaded])
    status, _, _ = client.request(
        "POST", "/api/v1/cases/", json.dumps(payload).encode(), {"Content-Type": "application/json"}
    )
    return status


def _summary(latencies: list[float], statuses: dict[str, int], wall: float) -> dict[str, Any]:
    latencies = sorted(latencies)

    def pct(q: float) -> float | None:
        if not latencies:
            return None
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 1)

    errors = sum(n for s, n in statuses.items() if not s.startswith("2"))
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / wall, 1),
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "statuses": statuses,
    }


def run_mixed(spec: dict[str, Any]) -> dict[str, Any]:
    """Open-loop weighted mix at a fixed rate; see the module docstring."""
    import random
    from concurrent.futures import ThreadPoolExecutor

    scenario = spec["scenario"]
    rate = float(scenario["rate"])
    parts = []
    for weight, part in scenario["mix"]:
        clients = [Client(spec["base"], part.get("auth", {})) for _ in range(4)]
        photo = open(part["photo"], "rb").read() if part["kind"] == "submit" else b""  # noqa: SIM115
        parts.append(
            {
                "name": part["name"],
                "weight": weight,
                "part": part,
                "clients": itertools.cycle(clients),
                "photo": photo,
                "paths": itertools.cycle(part.get("paths") or ["/"]),
                "latencies": [],
                "statuses": {},
            }
        )
    chooser = random.Random(1)  # noqa: S311 - a load mix, not a secret
    lock = threading.Lock()
    total = int(rate * spec["seconds"])

    def one(entry: dict[str, Any], due: float) -> None:
        with lock:
            client = next(entry["clients"])
            path = next(entry["paths"])
        try:
            if entry["part"]["kind"] == "submit":
                status = _submit_once(client, entry["photo"], entry["part"]["case"])
            else:
                status, _, _ = client.request("GET", path)
        except OSError:
            status = 0
        elapsed = (time.perf_counter() - due) * 1000
        with lock:
            entry["latencies"].append(elapsed)
            entry["statuses"][str(status)] = entry["statuses"].get(str(status), 0) + 1

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    # Enough threads that a slow answer never delays the next start (up to ~4 s of backlog).
    with ThreadPoolExecutor(max_workers=max(16, int(rate * 4))) as pool:
        for i in range(total):
            due = started + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            entry = chooser.choices(parts, weights=[p["weight"] for p in parts])[0]
            pool.submit(one, entry, due)
    wall = time.perf_counter() - started
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    latencies = [x for p in parts for x in p["latencies"]]
    statuses: dict[str, int] = {}
    for p in parts:
        for key, n in p["statuses"].items():
            statuses[key] = statuses.get(key, 0) + n
    out = _summary(latencies, statuses, wall)
    out["error_rate"] = round(out["errors"] / max(1, out["requests"]), 5)
    out["parts"] = {p["name"]: _summary(p["latencies"], p["statuses"], wall) for p in parts}
    out["cpu_s"] = round(cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime, 2)
    out["wall_s"] = round(wall, 2)
    return out


def run(spec: dict[str, Any]) -> dict[str, Any]:
    scenario = spec["scenario"]
    if scenario["kind"] == "mixed":
        return run_mixed(spec)
    clients = [Client(spec["base"], scenario.get("auth", {})) for _ in range(spec["clients"])]
    photo = open(scenario["photo"], "rb").read() if scenario["kind"] == "submit" else b""  # noqa: SIM115
    paths = itertools.cycle(scenario.get("paths") or ["/"])
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    deadline = time.monotonic() + spec["seconds"]

    def worker(client: Client) -> None:
        while time.monotonic() < deadline:
            with lock:
                path = next(paths)
            started = time.perf_counter()
            try:
                if scenario["kind"] == "submit":
                    status = _submit_once(client, photo, scenario["case"])
                else:
                    status, _, _ = client.request("GET", path)
            except OSError:
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[str(status)] = statuses.get(str(status), 0) + 1

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    out = _summary(latencies, statuses, wall)
    out["cpu_s"] = round(cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime, 2)
    out["wall_s"] = round(wall, 2)
    return out


if __name__ == "__main__":
    with open(sys.argv[1]) as handle:
        print(json.dumps(run(json.load(handle))))
