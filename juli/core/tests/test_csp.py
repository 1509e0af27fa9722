"""Content-Security-Policy: the header on every response, a fresh nonce each time, no inline
script anywhere in the templates, the API doc pages' one exception, the report collector.

The browser side (every main page without a violation, an injected script refused and
reported) is juli/core/tests/test_browser_csp.py.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from juli.core import csp

NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]{24})'")
#: The policy of every page, the nonce written as {nonce}.
POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'unsafe-inline'; "
    "style-src-elem 'self' 'nonce-{nonce}'; "
    "style-src-attr 'unsafe-inline'; "
    "img-src 'self' data: blob:; "
    "connect-src 'self'; "
    "worker-src 'self'; "
    "manifest-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "frame-ancestors 'none'; "
    "form-action 'self'; "
    "report-uri /csp-report/"
)


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        name, *sources = part.split()
        out[name] = sources
    return out


def _nonce(header: str) -> str:
    found = set(NONCE.findall(header))
    assert len(found) == 1, header
    return found.pop()


@pytest.fixture
def officer(cast) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(cast.street_officer)
    return client


# --- The header -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/cases/",
        "/cases/map/",
        "/dashboard/",
        "/bulletins/",
        "/letters/",
        "/orgs/",
        "/m/sw.js",
        "/api/v1/",
        "/api/v1/me/",
        "/api/v1/docs/",
        "/admin/",
        "/no-such-page/",
    ],
)
def test_it_sends_the_policy_on_every_response(officer, path):  # type: ignore[no-untyped-def]
    response = officer.get(path, HTTP_ACCEPT="text/html")
    header = response["Content-Security-Policy"]
    assert header == POLICY.format(nonce=_nonce(header))
    script = _directives(header)["script-src"]
    assert "'unsafe-inline'" not in script
    assert "'unsafe-eval'" not in script


def test_it_sends_the_policy_to_anonymous_visitors_too(db):  # type: ignore[no-untyped-def]
    for path in ("/login/", "/letters/verify/", "/healthz"):
        header = Client().get(path)["Content-Security-Policy"]
        assert header == POLICY.format(nonce=_nonce(header)), path


def test_it_uses_a_fresh_nonce_for_every_response(officer):  # type: ignore[no-untyped-def]
    nonces = {_nonce(officer.get("/")["Content-Security-Policy"]) for _ in range(5)}
    assert len(nonces) == 5


def test_the_nonce_of_the_page_is_the_nonce_of_its_header(officer):  # type: ignore[no-untyped-def]
    # DRF's browsable API writes its code-highlighting <style> with the response's nonce.
    response = officer.get("/api/v1/me/", HTTP_ACCEPT="text/html")
    nonce = _nonce(response["Content-Security-Policy"])
    assert re.findall(r'<style nonce="([^"]+)">', response.content.decode()) == [nonce]
    response = officer.get("/api/v1/docs/")
    nonce = _nonce(response["Content-Security-Policy"])
    assert re.findall(r'<style nonce="([^"]+)">', response.content.decode()) == [nonce]


def test_the_swagger_page_loads_its_start_up_script_as_a_file(officer):  # type: ignore[no-untyped-def]
    html = officer.get("/api/v1/docs/").content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert '<script src="/api/v1/docs/?script="></script>' in html
    script = officer.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"] == "application/javascript"
    assert b"SwaggerUIBundle(" in script.content


def test_the_redoc_page_alone_relaxes_styles_workers_and_images(officer):  # type: ignore[no-untyped-def]
    response = officer.get("/api/v1/redoc/")
    html = response.content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    header = response["Content-Security-Policy"]
    nonce = _nonce(header)
    expected = _directives(POLICY.format(nonce=nonce))
    expected["style-src-elem"] = ["'self'", "'unsafe-inline'"]
    expected["worker-src"] = ["'self'", "blob:"]
    expected["img-src"] = ["'self'", "data:", "https://cdn.redoc.ly"]
    assert _directives(header) == expected


def test_a_file_storage_on_another_host_joins_img_src(officer, settings):  # type: ignore[no-untyped-def]
    # Photos from S3 (or any storage serving from its own host) are images on Juli's pages.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"base_url": "https://files.example.org:9000/juli/media/"},
        },
    }
    header = officer.get("/")["Content-Security-Policy"]
    assert _directives(header)["img-src"] == [
        "'self'",
        "data:",
        "blob:",
        "https://files.example.org:9000",
    ]


def test_djangos_debug_error_pages_go_without_a_policy(officer, settings):  # type: ignore[no-untyped-def]
    # Only with DEBUG: the yellow pages have inline script and style. A normal page keeps it.
    settings.DEBUG = True
    assert "Content-Security-Policy" not in officer.get("/no-such-page/")
    assert "Content-Security-Policy" in officer.get("/")


# --- The templates ----------------------------------------------------------------------------

TEMPLATE_DIRS = [
    Path(settings.BASE_DIR) / "templates",
    *sorted((Path(settings.BASE_DIR) / "juli").glob("*/templates")),
]
#: Templates rendered to PDF by WeasyPrint, never served to a browser.
PDF_ONLY = re.compile(r"(^|/)pdf[_/]|_pdf\.html$|/pdf\.html$")
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b(?![^>]*\bnonce=)[^>]*>", re.IGNORECASE)
COMMENT = re.compile(r"\{% comment %\}(?s:.*?)\{% endcomment %\}|\{#.*?#\}")


def _templates() -> list[Path]:
    return sorted(p for d in TEMPLATE_DIRS for p in d.rglob("*.html"))


def _markup(path: Path) -> str:
    """The template without its comments (which may well talk about <style>)."""
    return COMMENT.sub("", path.read_text())


def test_no_template_has_an_inline_script_or_event_handler():
    templates = _templates()
    assert len(templates) > 50  # the walk found the templates
    found = []
    for path in templates:
        text = _markup(path)
        for match in INLINE_SCRIPT.finditer(text):
            # json_script's data blocks are not scripts: the policy does not apply to them.
            if 'type="application/json"' not in match.group(0):
                found.append((str(path), match.group(0)))
        found += [(str(path), m.group(0)) for m in HANDLER.finditer(text)]
        if "javascript:" in text:
            found.append((str(path), "javascript:"))
    assert found == []


def test_no_served_template_has_a_style_element_without_the_nonce():
    found = []
    for path in _templates():
        relative = str(path.relative_to(settings.BASE_DIR))
        if PDF_ONLY.search(relative) or relative.endswith("api/redoc.html"):
            continue  # PDFs; Redoc's page allows inline styles (juli/api/urls.py)
        found += [(relative, m.group(0)) for m in STYLE_ELEMENT.finditer(_markup(path))]
    assert found == []


def test_htmx_runs_no_eval_and_adds_no_style_element(officer):  # type: ignore[no-untyped-def]
    html = officer.get("/").content.decode()
    config = re.search(r"""<meta name="htmx-config" content='([^']+)'>""", html)
    assert config is not None
    # Not inlineScriptNonce: htmx would then stamp the nonce on any script in a swap.
    assert json.loads(config.group(1)) == {"allowEval": False, "includeIndicatorStyles": False}


# --- The report collector ---------------------------------------------------------------------

URI_REPORT = {
    "csp-report": {
        "document-uri": "https://juli.example.org/cases/1/",
        "referrer": "",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": "default-src 'self'",
        "disposition": "enforce",
        "blocked-uri": "inline",
        "line-number": 12,
        "source-file": "https://juli.example.org/cases/1/",
        "status-code": 200,
        "script-sample": "alert(1)",
    }
}
API_REPORT = [
    {
        "type": "csp-violation",
        "age": 10,
        "url": "https://juli.example.org/dashboard/",
        "user_agent": "Chromium",
        "body": {
            "documentURL": "https://juli.example.org/dashboard/",
            "blockedURL": "https://evil.example.com/x.js",
            "effectiveDirective": "script-src-elem",
            "disposition": "enforce",
            "lineNumber": 3,
            "sample": "",
        },
    },
    {"type": "deprecation", "body": {"id": "x"}},
]


def _post(body: bytes | str, content_type: str = "application/csp-report", **extra):  # type: ignore[no-untyped-def]
    return Client(enforce_csrf_checks=True).post(
        reverse("csp-report"), body, content_type=content_type, **extra
    )


def _logged(caplog) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def]
    return [(r.getMessage(), r.csp) for r in caplog.records if r.name == "juli.csp"]


def test_it_logs_a_report_uri_report(db, caplog):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, logger="juli.csp")
    response = _post(json.dumps(URI_REPORT))
    assert response.status_code == 204
    assert _logged(caplog) == [
        (
            "CSP violation: script-src-elem blocked inline on https://juli.example.org/cases/1/",
            {
                "document": "https://juli.example.org/cases/1/",
                "blocked": "inline",
                "directive": "script-src-elem",
                "violated": "script-src-elem",
                "source": "https://juli.example.org/cases/1/",
                "line": "12",
                "sample": "alert(1)",
                "disposition": "enforce",
            },
        )
    ]


def test_it_logs_the_violations_of_a_reporting_api_batch(db, caplog):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, logger="juli.csp")
    response = _post(json.dumps(API_REPORT), content_type="application/reports+json")
    assert response.status_code == 204
    assert _logged(caplog) == [
        (
            "CSP violation: script-src-elem blocked https://evil.example.com/x.js on "
            "https://juli.example.org/dashboard/",
            {
                "document": "https://juli.example.org/dashboard/",
                "blocked": "https://evil.example.com/x.js",
                "directive": "script-src-elem",
                "line": "3",
                "sample": "",
                "disposition": "enforce",
            },
        )
    ]


def test_it_cuts_long_fields(db, caplog):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, logger="juli.csp")
    report = {"csp-report": {**URI_REPORT["csp-report"], "script-sample": "x" * 5000}}
    assert _post(json.dumps(report)).status_code == 204
    [(_, fields)] = _logged(caplog)
    assert fields["sample"] == "x" * csp.FIELD_CHARS


def test_it_refuses_a_body_over_the_limit_unread(db, caplog, settings):  # type: ignore[no-untyped-def]
    settings.JULI_CSP_REPORT_MAX_BYTES = 2048
    caplog.set_level(logging.WARNING, logger="juli.csp")
    padded = {"csp-report": {**URI_REPORT["csp-report"], "referrer": "p" * 3000}}
    assert _post(json.dumps(padded)).status_code == 413
    exactly = json.dumps({"csp-report": {**URI_REPORT["csp-report"], "referrer": ""}})
    exactly = exactly.replace('"referrer": ""', '"referrer": "' + "p" * (2048 - len(exactly)) + '"')
    assert len(exactly) == 2048
    assert _post(exactly).status_code == 204
    assert len(_logged(caplog)) == 1


@pytest.mark.parametrize(
    "body",
    [b"not json", b"\xff\xfe", b"{}", b"[]", b'{"csp-report": "x"}', b'[{"type": "deprecation"}]'],
)
def test_it_refuses_what_is_no_report(db, caplog, body):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, logger="juli.csp")
    assert _post(body).status_code == 400
    assert _logged(caplog) == []


def test_it_takes_only_post(db):  # type: ignore[no-untyped-def]
    assert Client().get(reverse("csp-report")).status_code == 405


def test_it_limits_the_reports_of_one_address(db, caplog, settings):  # type: ignore[no-untyped-def]
    settings.JULI_CSP_REPORTS_PER_MINUTE = 3
    caplog.set_level(logging.WARNING, logger="juli.csp")
    body = json.dumps(URI_REPORT)
    codes = [_post(body).status_code for _ in range(5)]
    assert codes == [204, 204, 204, 429, 429]
    assert _post(body, REMOTE_ADDR="10.1.2.3").status_code == 204  # another address
    assert len(_logged(caplog)) == 4
