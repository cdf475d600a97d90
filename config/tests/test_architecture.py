"""The floors hold (docs/architecture.md): apps import downward only (import-linter's layers contract in
.importlinter, run by `make lint`), and no app imports another app's module inside a function to dodge
that contract. An import inside a function that crosses apps must be named in EXCEPTIONS with its reason.
"""

from __future__ import annotations

import ast
import configparser
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = configparser.ConfigParser()
CONFIG.read(ROOT / ".importlinter")
APPS = CONFIG["importlinter"]["root_packages"].split()

# "module:line-independent target module" -> why the import has to sit inside a function.
EXCEPTIONS: dict[tuple[str, str], str] = {}


def product_modules() -> list[Path]:
    return [
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "tests" not in path.relative_to(ROOT).parts and "migrations" not in path.relative_to(ROOT).parts
    ]


def imports_inside_functions(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if in_function and isinstance(child, ast.Import):
                found.extend((child.lineno, alias.name) for alias in child.names)
            elif in_function and isinstance(child, ast.ImportFrom) and child.module and not child.level:
                found.append((child.lineno, child.module))
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def test_no_app_imports_another_inside_a_function():
    hidden = []
    for path in product_modules():
        app = path.relative_to(ROOT).parts[0]
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for line, target in imports_inside_functions(path):
            target_app = target.split(".")[0]
            if target_app in APPS and target_app != app and (module, target) not in EXCEPTIONS:
                hidden.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert hidden == [], (
        "cross-app imports inside functions (move them up, or justify in EXCEPTIONS):\n" + "\n".join(hidden)
    )


def test_every_exception_is_still_needed_and_says_why():
    for (module, target), reason in EXCEPTIONS.items():
        path = ROOT / (module.replace(".", "/") + ".py")
        assert any(t == target for _, t in imports_inside_functions(path)), (module, target)
        assert len(reason) > 20, (module, target)


def test_the_import_contract_holds():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert "0 broken" in result.stdout


def test_the_contract_lists_every_app():
    from django.apps import apps

    ours = {config.name for config in apps.get_app_configs() if (ROOT / config.name).is_dir()}
    assert ours <= set(APPS)
