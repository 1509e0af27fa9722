"""The nginx sample (deploy/nginx/juli.conf) agrees with Juli's own settings.

nginx refuses a body over `client_max_body_size` before Juli sees it, so that limit must be
exactly Juli's (the photo cap plus the multipart envelope): smaller, and photos Juli accepts
never arrive; larger, and nginx buffers bodies Juli refuses anyway. CI's "nginx upload limit"
step runs the sample in front of gunicorn and checks the same bound with real requests.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.conf import settings

from juli.core.actions import PHOTO_FOLDERS
from juli.core.api import FORM_OVERHEAD_BYTES

SAMPLE = Path(settings.BASE_DIR) / "deploy" / "nginx" / "juli.conf"
TOKEN = re.compile(r"""'[^']*'|"[^"]*"|[{};]|[^\s{};'"]+""")
UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}

Directive = tuple[str, list[str], list[Any]]


def _parse(text: str) -> list[Directive]:
    """nginx's syntax, enough for the sample: (name, arguments, children) per directive."""
    tokens = TOKEN.findall(re.sub(r"(?m)^\s*#.*$", "", text))

    def block(i: int) -> tuple[list[Directive], int]:
        out: list[Directive] = []
        words: list[str] = []
        while i < len(tokens):
            token, i = tokens[i], i + 1
            if token == ";":
                out.append((words[0], words[1:], []))
                words = []
            elif token == "{":
                children, i = block(i)
                out.append((words[0], words[1:], children))
                words = []
            elif token == "}":
                return out, i
            else:
                words.append(token)
        return out, i

    return block(0)[0]


def _find(tree: list[Directive], name: str) -> list[Directive]:
    """Every directive called `name`, at any depth."""
    found = []
    for directive in tree:
        if directive[0] == name:
            found.append(directive)
        found += _find(directive[2], name)
    return found


def _https_server() -> list[Directive]:
    servers = [d for d in _find(_parse(SAMPLE.read_text()), "server") if d[2]]
    (https,) = [s for s in servers if any("ssl" in d[1] for d in s[2] if d[0] == "listen")]
    return https[2]


def _locations() -> dict[str, list[Directive]]:
    return {d[1][-1]: d[2] for d in _https_server() if d[0] == "location"}


def _bytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", size).groups()  # type: ignore[union-attr]
    return int(number) * UNITS[unit.lower()]


def _args(block: list[Directive], name: str) -> list[list[str]]:
    return [d[1] for d in block if d[0] == name]


def test_it_limits_request_bodies_to_the_photo_cap_plus_the_form_envelope() -> None:
    limits = _find(_parse(SAMPLE.read_text()), "client_max_body_size")

    assert [_bytes(d[1][0]) for d in limits] == [
        settings.JULI_MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES
    ]
    assert _args(_https_server(), "client_max_body_size") == [["15424k"]]  # 15 MiB + 64 KiB


def test_it_answers_a_body_over_the_limit_in_the_shape_of_juli_errors() -> None:
    server = _https_server()

    assert _args(server, "error_page") == [["413", "@too_large"]]
    (answer,) = _args(_locations()["@too_large"], "return")
    assert answer[0] == "413"
    assert json.loads(answer[1].strip("'")) == {
        "detail": "The request is larger than the server accepts.",
        "code": "too_large",
    }


def test_it_serves_from_media_only_the_photo_folders_and_refuses_the_rest() -> None:
    media = {path: block for path, block in _locations().items() if path.startswith("/media/")}

    assert sorted(media) == ["/media/", "/media/cases/", "/media/uploads/"]
    assert sorted(path.split("/")[2] for path in media if path != "/media/") == sorted(
        PHOTO_FOLDERS
    )
    for folder in PHOTO_FOLDERS:
        block = media[f"/media/{folder}/"]
        assert _args(block, "alias") == [[f"/srv/juli/media/{folder}/"]]
        assert _args(block, "default_type") == [["application/octet-stream"]]
        assert ["X-Content-Type-Options", "nosniff"] in _args(block, "add_header")
    assert media["/media/"] == [("return", ["404"], [])]


def test_it_passes_the_scheme_django_trusts_and_overwrites_the_client_address() -> None:
    proxy = _locations()["/"]
    header = settings.SECURE_PROXY_SSL_HEADER[0].removeprefix("HTTP_").replace("_", "-").title()

    assert header == "X-Forwarded-Proto"
    assert _args(proxy, "proxy_set_header") == [
        ["Host", "$host"],
        ["X-Forwarded-For", "$remote_addr"],
        [header, "$scheme"],
    ]
    assert _args(proxy, "proxy_pass") == [["http://juli_app"]]
    upstream = _find(_parse(SAMPLE.read_text()), "upstream")
    assert [(d[1], d[2]) for d in upstream] == [
        (["juli_app"], [("server", ["127.0.0.1:8000", "fail_timeout=0"], [])])
    ]


def test_it_leaves_the_content_security_policy_of_pages_to_juli() -> None:
    # The policy names a fresh nonce per response: only Juli can write it (juli/core/csp.py).
    # nginx neither adds one to the pages it passes on nor hides Juli's.
    text = re.sub(r"(?m)^\s*#.*$", "", SAMPLE.read_text()).lower()
    for block in (_https_server(), _locations()["/"]):  # a server's add_header reaches "/" too
        added = [a for a in _args(block, "add_header") if a[0].lower() == "content-security-policy"]
        assert added == []
    assert "proxy_hide_header" not in text
    assert "more_clear_headers" not in text
    # A photo nginx serves itself, opened on its own, is a document that runs nothing.
    for folder in PHOTO_FOLDERS:
        block = _locations()[f"/media/{folder}/"]
        assert [
            "Content-Security-Policy",
            "\"default-src 'none'; frame-ancestors 'none'; sandbox\"",
        ] in _args(block, "add_header")
