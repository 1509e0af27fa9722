"""The import rules between apps (`.importlinter`) hold, and a broken one names the import.

CI runs `lint-imports` as a step of its own; this test proves that the step can fail: on a
copy of the source with `import juli.cases` added to `juli/core/models.py`, the contract
"core imports no domain app" breaks and the output names that import.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")


def _copy_source(to: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "tests", "migrations", "*.pyc")
    shutil.copytree(ROOT / "juli", to / "juli", ignore=ignore)
    shutil.copytree(ROOT / "config", to / "config", ignore=ignore)
    shutil.copy(ROOT / ".importlinter", to / ".importlinter")


def _lint(where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own tool, fixed arguments
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=where,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_it_fails_and_names_the_import_when_core_imports_a_domain_app(tmp_path: Path) -> None:
    _copy_source(tmp_path)
    models = tmp_path / "juli" / "core" / "models.py"
    models.write_text(models.read_text(encoding="utf-8") + "\nimport juli.cases  # noqa\n")

    result = _lint(tmp_path)

    assert result.returncode == 1, result.stdout
    out = " ".join(result.stdout.split())
    assert "core imports no domain app (apps plug into core's registries instead) BROKEN" in out
    assert "juli.core.models -> juli.cases" in out


def test_it_keeps_every_contract_on_the_source_as_it_is(tmp_path: Path) -> None:
    _copy_source(tmp_path)

    result = _lint(tmp_path)

    assert result.returncode == 0, result.stdout
    assert " 0 broken" in " ".join(result.stdout.split())
