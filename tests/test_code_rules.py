"""Rules the code itself keeps, checked by the tools that know them (one test per tool;
ARCHITECTURE.md, "Rules")."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_core_passes_mypy():
    """The Qt-free core type-checks with the configuration in pyproject.toml ([tool.mypy])."""
    run = _run("mypy")
    assert run.returncode == 0, f"mypy found problems:\n{run.stdout}{run.stderr}"


def test_ruff_finds_nothing():
    """The rule set chosen in pyproject.toml ([tool.ruff]): pyflakes, pycodestyle, bugbear, isort."""
    done = _run("ruff", "check", "--no-cache", "chainrule_gui", "tests", "packaging")
    assert done.returncode == 0, done.stdout + done.stderr


def test_import_contracts_are_kept():
    """Core never imports Qt or the GUI; the CLI never imports the GUI; the Network tab never
    imports the Expression tab; core packages are layered (.importlinter, ARCHITECTURE.md)."""
    lint_imports = Path(sys.executable).with_name("lint-imports")  # import-linter's command, beside Python
    done = subprocess.run([str(lint_imports), "--config", str(ROOT / ".importlinter")], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr


def _private(name: str) -> bool:
    """``_name`` is private; ``__name__`` (a dunder) is not."""
    return name.startswith("_") and not name.startswith("__")


def test_no_module_imports_another_packages_private_names():
    """``from chainrule_gui.a.b import _name`` is allowed only inside package ``chainrule_gui.a``."""
    offences = []
    for path in sorted((ROOT / "chainrule_gui").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module.removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("chainrule_gui."):
                continue
            source_package = node.module.rsplit(".", 1)[0]
            private = [alias.name for alias in node.names if _private(alias.name)]
            private_module = any(_private(part) for part in node.module.split("."))
            if (private or private_module) and not package.startswith(source_package):
                offences.append(f"{module}:{node.lineno} from {node.module} import {', '.join(private) or '…'}")
    assert not offences, "\n".join(offences)
