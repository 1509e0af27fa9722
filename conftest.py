"""Browser-test plumbing for the whole suite (the shared cast lives in juli/conftest.py).

Browser tests (marked `browser`) drive Debian's Chromium through Playwright. A developer
without /usr/bin/chromium sees them skipped with the reason; CI (CI set) fails them
instead, because a browser test that silently skips in CI is a test that cannot fail.
"""

from __future__ import annotations

import os
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
