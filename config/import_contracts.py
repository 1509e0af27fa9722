"""An import-linter contract type of Juli's: apps never use another app's private names.

`lint-imports` (configured in `.importlinter`) checks the module graph with its standard
contracts; this one adds the rule the standard ones cannot express (STYLE.md, "Between
apps"): a module of one Juli app may import another app's public modules and names, never a
name that starts with an underscore, never a private module (`juli.x._y`), and never the
other app's `api` module (the API wiring in `juli.api` is the one exception).
Test packages (`….tests…`) are exempt: fixtures are shared by name between test folders.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
from importlinter import Contract, ContractCheck, fields, output


def _app(module: str, root: str) -> str | None:
    parts = module.split(".")
    return ".".join(parts[:2]) if module.startswith(root + ".") and len(parts) > 1 else None


def _private(parts: list[str]) -> bool:
    return any(p.startswith("_") and not p.startswith("__") for p in parts)


class PrivateNamesContract(Contract):
    """Options: `root` (the project package), `api_wiring` (the package allowed to import
    every app's `api` module)."""

    type_name = "private_names"

    root = fields.StringField()
    api_wiring = fields.StringField(required=False, default="")

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        root = str(self.root)
        base = Path(__import__(root).__file__ or "").parent.parent
        found: list[str] = []
        for module in sorted(graph.modules):
            app = _app(module, root)
            if app is None or ".tests" in module or module.endswith(".tests"):
                continue
            path = base / Path(*module.split("."))
            source = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
            if not source.exists():
                continue
            tree = ast.parse(source.read_text(encoding="utf-8"), str(source))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Import | ast.ImportFrom):
                    continue
                for target, names in self._imports(node, module, source):
                    other = _app(target, root)
                    if other is None or other == app:
                        continue
                    rel = source.relative_to(base)
                    tail = target.split(".")[2:]
                    if _private(tail) or _private(names):
                        bad = [n for n in names if _private([n])] or [target]
                        found.append(
                            f"{rel}:{node.lineno}: {module} imports {', '.join(bad)} of {target}"
                        )
                    elif tail[:1] == ["api"] and app != self.api_wiring:
                        found.append(
                            f"{rel}:{node.lineno}: {module} imports {target} (another app's API)"
                        )
        return ContractCheck(kept=not found, metadata={"found": found})

    @staticmethod
    def _imports(
        node: ast.Import | ast.ImportFrom, module: str, source: Path
    ) -> list[tuple[str, list[str]]]:
        if isinstance(node, ast.Import):
            return [(alias.name, []) for alias in node.names]
        if node.level:
            package = module if source.name == "__init__.py" else module.rsplit(".", 1)[0]
            for _ in range(node.level - 1):
                package = package.rsplit(".", 1)[0]
            target = f"{package}.{node.module}" if node.module else package
        else:
            target = node.module or ""
        return [(target, [alias.name for alias in node.names])]

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["found"]:
            output.print_error(line, bold=False)
            output.new_line()
