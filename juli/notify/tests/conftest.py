"""A local HTTP server playing the WeCom and DingTalk group robots (127.0.0.1, random port).

`robot.answers` is a list of (status, body) consumed one per request (then errcode 0);
`robot.requests` records (path, query dict, JSON body) of every POST; `robot.connections`
counts the TCP connections it accepted, so a test can tell that nothing reached it at all.
With `tls=True` it speaks HTTPS with a certificate for qyapi.weixin.qq.com issued by the test
CA in `tls/` (`robot.sni` records the names the clients asked for).
"""

from __future__ import annotations

import json
import ssl
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

TLS = Path(__file__).resolve().parent / "tls"
#: The test CA (tls/ca.pem) and a certificate it issued for qyapi.weixin.qq.com only
#: (tls/robot.pem, key included): test fixtures, valid until 2126, trusted nowhere else.
TEST_CA = TLS / "ca.pem"
ROBOT_CERT = TLS / "robot.pem"


class Robot:
    def __init__(self, *, tls: bool = False) -> None:
        self.answers: list[tuple[int, Any]] = []
        self.requests: list[SimpleNamespace] = []
        self.connections = 0
        self.sni: list[str | None] = []
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
                            host=self.headers.get("Host"),
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

        class Server(ThreadingHTTPServer):
            def verify_request(self, request: Any, client_address: Any) -> bool:
                with robot.lock:
                    robot.connections += 1
                return True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(ROBOT_CERT)

            def remember_sni(_sock: Any, name: str | None, _context: Any) -> None:
                robot.sni.append(name)

            context.sni_callback = remember_sni
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.base = f"https://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


@pytest.fixture
def robot(settings):  # type: ignore[no-untyped-def]
    # The robot listens on loopback: its host and address are allowed here, as an operator
    # allows an intranet relay.
    settings.JULI_WEBHOOK_ALLOW_HTTP_HOSTS = ["127.0.0.1"]
    settings.JULI_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.JULI_SITE_URL = "https://juli.example.cn"
    settings.JULI_NOTIFY_MAX_ATTEMPTS = 5
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    r = Robot()
    yield r
    r.server.shutdown()
    r.server.server_close()
