"""The app plugs in from its own folder: no code or configuration outside `juli/sampleapp/`
names it, except the test settings that install it and pytest's pointer to them."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

import config.settings

ROOT = Path(__file__).resolve().parents[3]
APP = ROOT / "juli" / "sampleapp"
#: The only files outside the app that may name it.
ALLOWED = {ROOT / "config" / "settings_test.py", ROOT / "pyproject.toml"}
#: Not the project's code: the virtualenv, caches, outputs, and the two folders that
#: describe rather than use (the message catalogue lists every message's source file; the
#: docs may say that the app exists).
SKIPPED_DIRS = {
    ".venv",
    ".git",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "media",
    "test-output",
    "locale",
    "docs",
    "juli.egg-info",
}
SUFFIXES = {
    ".py",
    ".html",
    ".js",
    ".css",
    ".json",
    ".toml",
    ".cfg",
    ".ini",
    ".txt",
    ".yml",
    ".yaml",
    ".conf",
    ".sh",
    ".webmanifest",
}
NAMES = {"Makefile", "Dockerfile", ".importlinter", ".env.example"}


def _sources() -> list[Path]:
    found = []
    stack = [ROOT]
    while stack:
        folder = stack.pop()
        for path in folder.iterdir():
            if path.is_dir():
                if path.name not in SKIPPED_DIRS and path != APP:
                    stack.append(path)
            elif path.suffix in SUFFIXES or path.name in NAMES:
                found.append(path)
    return found


def test_it_is_named_by_no_file_outside_its_folder() -> None:
    sources = _sources()
    assert ROOT / "juli" / "core" / "records.py" in sources  # the walk does read the project
    naming = sorted(
        str(p.relative_to(ROOT))
        for p in sources
        if p not in ALLOWED and "sampleapp" in p.read_text(encoding="utf-8", errors="replace")
    )
    assert naming == []


def test_it_is_installed_by_the_test_settings_only() -> None:
    assert "juli.sampleapp" in settings.INSTALLED_APPS
    assert "juli.sampleapp" not in config.settings.INSTALLED_APPS
