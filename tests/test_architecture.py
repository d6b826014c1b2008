"""The house holds: import contracts (and that breaking one is caught), one error hierarchy,
small modules, and a light start for the CLI."""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import screening
from screening.errors import ScreeningError
from screening.settings import EXAMPLES_DIR, PROJECT_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
SHELLS = ("screening.api", "screening.web", "screening.cli", "screening.app")


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_import_contracts_hold():
    result = _lint_imports(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture(scope="module")
def copy_of_the_tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("house")
    for name in ("screening", "indicators"):
        shutil.copytree(PROJECT_ROOT / name, root / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.mark.parametrize("module, line, contract", [
    ("screening/rules/engine.py", "import screening.store.tables", "The house of DESIGN.md"),
    ("screening/api/routes.py", "import screening.web.pages", "The shells never import"),
    ("indicators/schema.py", "import screening.ingest.records", "imports nothing from"),
    ("screening/store/uploads.py", "import fastapi", "Only the shells speak HTTP"),
], ids=["engine-imports-the-store", "api-imports-the-web", "catalogue-imports-engine",
        "store-speaks-http"])
def test_a_deliberate_violation_fails_the_check(copy_of_the_tree, module, line, contract):
    path = copy_of_the_tree / module
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original + f"\n{line}  # a deliberate violation\n", encoding="utf-8")
        result = _lint_imports(copy_of_the_tree)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts")[-1]
    assert contract in broken, result.stdout


def _library_modules():
    for info in pkgutil.walk_packages(screening.__path__, "screening."):
        if (not info.name.startswith(SHELLS) and ".migrations" not in info.name
                and not info.name.endswith("__main__")):
            yield importlib.import_module(info.name)


def test_every_library_error_is_a_screening_error():
    outside = []
    for module in _library_modules():
        for name, value in vars(module).items():
            if (inspect.isclass(value) and issubclass(value, Exception)
                    and value.__module__ == module.__name__
                    and not issubclass(value, ScreeningError)):
                outside.append(f"{module.__name__}.{name}")
    assert outside == [], f"errors outside the hierarchy: {outside}"


def test_long_modules_say_why():
    for path in sorted((PROJECT_ROOT / "screening").rglob("*.py")) + sorted(
            (PROJECT_ROOT / "indicators").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > 400:
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            assert "400 lines" in doc, f"{path} has {lines} lines and its docstring says not why"


def _imported_after(args: list[str], tmp_path: Path) -> tuple[str, int]:
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from screening.cli import main\n"
        f"result = CliRunner().invoke(main, {args!r})\n"
        "heavy = sorted(m for m in ('sklearn', 'matplotlib', 'dask', 'distributed')\n"
        "               if m in sys.modules)\n"
        "print(result.exit_code, ','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert done.returncode == 0, done.stderr
    code, _, heavy = done.stdout.strip().rpartition("\n")[-1].partition(" ")
    return heavy, int(code)


def test_help_and_screening_without_a_model_import_neither_sklearn_nor_matplotlib(tmp_path):
    """Nor dask: it is imported only by ``screen --engine dask``."""
    two_rows = tmp_path / "two.csv"
    two_rows.write_text("".join((EXAMPLES_DIR / "visits.csv").read_text().splitlines(True)[:3]))
    assert _imported_after(["--help"], tmp_path) == ("", 0)
    assert _imported_after(["screen", str(two_rows)], tmp_path) == ("", 0)
    heavy, code = _imported_after(["screen", str(two_rows), "--model", "default"], tmp_path)
    assert code == 0 and "sklearn" in heavy, "a model needs scikit-learn: the check can fail"
