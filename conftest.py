"""Browser-test plumbing for the whole suite (the shared cast lives in juli/conftest.py).

Browser tests (marked `browser`) drive Debian's Chromium through Playwright. A developer
without /usr/bin/chromium sees them skipped with the reason; CI (CI set) fails them
instead, because a browser test that silently skips in CI is a test that cannot fail.

Every browser test also runs under Juli's Content-Security-Policy watch (`csp_watch`): a
violation in any page it opened, or a violation report reaching Juli's collector, fails it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent / "test-output" / "screenshots"

# Playwright's sync API runs an event loop in the test's thread; Django then refuses ORM
# calls there (SynchronousOnlyOperation) unless told that this is deliberate. Test-only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("browser") is None:
        return
    # Recorded in the JUnit report, so that .ci/run can prove the browser tests ran.
    item.user_properties.append(("marker", "browser"))
    if not os.access(CHROMIUM, os.X_OK):
        reason = (
            f"browser test needs Chromium at {CHROMIUM}: "
            "apt-get install -y --no-install-recommends chromium fonts-noto-cjk"
        )
        if _in_ci():
            pytest.fail(f"CI: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch arguments, pointed at Debian's Chromium.

    Never `playwright install`: it downloads a browser build, which cannot be fetched here.
    """
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture
def screenshot_dir() -> Path:
    """test-output/screenshots/, created on demand (test-output/ is gitignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


# --- Content-Security-Policy watch -----------------------------------------------------------

#: Runs in every page (and frame) of a browser test before the page's own scripts; Playwright
#: adds it outside the page's policy. Each violation goes to Python (`__juliCspViolation`).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__juliCspViolation({
    directive: event.effectiveDirective, blocked: event.blockedURI, page: event.documentURI,
    source: event.sourceFile, line: event.lineNumber, sample: event.sample,
  });
}, true);
"""


class _Reports(logging.Handler):
    """Keeps what Juli's report collector logs (the live server runs in this process)."""

    def __init__(self, into: list[dict[str, str]]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(getattr(record, "csp", {"message": record.getMessage()}))


class CspWatch:
    """What the browser refused under the policy during one test: the pages' violation
    events, Chromium's console lines about the policy, and the reports Juli received. A
    test that provokes violations on purpose reads and clears them with `take()`."""

    def __init__(self) -> None:
        self.violations: list[dict[str, Any]] = []
        self.console: list[str] = []
        self.reports: list[dict[str, str]] = []
        self.contexts: list[Any] = []

    def watch(self, context: Any) -> None:
        if context in self.contexts:
            return
        self.contexts.append(context)
        context.expose_function("__juliCspViolation", self._violation)
        context.add_init_script(script=CSP_LISTENER)
        context.on("console", self._console)

    def _violation(self, seen: dict[str, Any]) -> None:
        self.violations.append(seen)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def flush(self) -> None:
        """Let the open pages hand over what they saw: a round trip per page."""
        for context in self.contexts:
            try:
                for page in context.pages:
                    page.evaluate("0")
            except Exception:  # noqa: S112 - a context or page closed by the test: nothing to wait for
                continue

    def take(self) -> tuple[list[dict[str, Any]], list[str], list[dict[str, str]]]:
        self.flush()
        seen = (self.violations[:], self.console[:], self.reports[:])
        self.violations.clear()
        self.console.clear()
        self.reports.clear()
        return seen


@pytest.fixture(autouse=True)
def csp_watch(request: pytest.FixtureRequest) -> Iterator[CspWatch | None]:
    """For browser tests: every context and page made from `browser` is watched, and the test
    fails at teardown if a page broke the Content-Security-Policy or Juli got a report."""
    if request.node.get_closest_marker("browser") is None or "browser" not in request.fixturenames:
        yield None
        return
    browser = request.getfixturevalue("browser")
    watch = CspWatch()
    handler = _Reports(watch.reports)
    collector = logging.getLogger("juli.csp")
    collector.addHandler(handler)
    new_context, new_page = browser.new_context, browser.new_page

    def watched_context(*args: Any, **kwargs: Any) -> Any:
        context = new_context(*args, **kwargs)
        watch.watch(context)
        return context

    def watched_page(*args: Any, **kwargs: Any) -> Any:
        page = new_page(*args, **kwargs)
        watch.watch(page.context)
        return page

    browser.new_context, browser.new_page = watched_context, watched_page
    try:
        yield watch
        violations, console, reports = watch.take()
    finally:
        del browser.new_context, browser.new_page  # the Browser's own methods again
        collector.removeHandler(handler)
    if violations or console or reports:
        pytest.fail(
            "Content-Security-Policy violations:\n"
            + "\n".join(str(v) for v in violations)
            + ("\nconsole:\n" + "\n".join(console) if console else "")
            + ("\nreports received:\n" + "\n".join(map(str, reports)) if reports else ""),
            pytrace=False,
        )
