"""A local HTTP server playing the WeCom and DingTalk group robots (127.0.0.1, random port).

`robot.answers` is a list of (status, body) consumed one per request (then errcode 0);
`robot.requests` records (path, query dict, JSON body) of every POST.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import pytest


class Robot:
    def __init__(self) -> None:
        self.answers: list[tuple[int, Any]] = []
        self.requests: list[SimpleNamespace] = []
        self.lock = threading.Lock()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                parts = urllib.parse.urlsplit(self.path)
                with robot.lock:
                    robot.requests.append(
                        SimpleNamespace(
                            path=parts.path,
                            query=dict(urllib.parse.parse_qsl(parts.query)),
                            raw_query=parts.query,
                            body=json.loads(raw.decode("utf-8")),
                            content_type=self.headers.get("Content-Type"),
                        )
                    )
                    status, body = robot.answers.pop(0) if robot.answers else (200, {"errcode": 0})
                self.send_response(status)
                if status in {301, 302, 307}:
                    self.send_header("Location", str(body))
                    body = ""
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


@pytest.fixture
def robot(settings):  # type: ignore[no-untyped-def]
    settings.JULI_WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]
    settings.JULI_SITE_URL = "https://juli.example.cn"
    settings.JULI_NOTIFY_MAX_ATTEMPTS = 5
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    r = Robot()
    yield r
    r.server.shutdown()
    r.server.server_close()
