"""Rules the code itself keeps, checked by the tools that know them (one test per tool)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_core_passes_mypy():
    """The Qt-free core type-checks with the configuration in pyproject.toml ([tool.mypy])."""
    run = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, f"mypy found problems:\n{run.stdout}{run.stderr}"
