"""A small HTTP load generator: N client threads, a new TCP connection per request.

Run in its own process (never inside the server's). It imports nothing from Juli, so its
own cost stays small and visible: it reports the CPU seconds it used.

    python bench/load.py SPEC.json

SPEC: {"base": "http://127.0.0.1:8099", "clients": 8, "seconds": 20,
       "scenario": {"kind": "get", "paths": [...], "auth": {...}} |
                   {"kind": "submit", "photo": "/path.jpg", "case": {...}, "auth": {...}}}
auth: {"token": "..."} (API) or {"login": {"path": "/login/", "username": ..., "password": ...}}

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


def run(spec: dict[str, Any]) -> dict[str, Any]:
    scenario = spec["scenario"]
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
    latencies.sort()

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 1)

    errors = sum(n for s, n in statuses.items() if not s.startswith("2"))
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / wall, 1),
        "p50": pct(0.50) if latencies else None,
        "p95": pct(0.95) if latencies else None,
        "p99": pct(0.99) if latencies else None,
        "statuses": statuses,
        "cpu_s": round(cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime, 2),
        "wall_s": round(wall, 2),
    }


if __name__ == "__main__":
    with open(sys.argv[1]) as handle:
        print(json.dumps(run(json.load(handle))))
