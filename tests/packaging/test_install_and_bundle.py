"""The app installs with pip into a fresh environment and builds into a working bundle.

Both are slow (minutes) and run in CI: they catch a missing resource, dependency or
hidden import that a development checkout would hide.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_pip_install_into_a_fresh_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(ROOT)], check=True, timeout=1200)
    # Run from an unrelated folder: nothing may be found through the working directory.
    check = ("import chainrule_gui, sys; from chainrule_gui.gui.resources import resource_path; "
             "icon = resource_path('icons', 'chainrule-gui.svg'); "
             "assert icon is not None and 'site-packages' in str(icon), icon; print(chainrule_gui.__version__)")
    done = subprocess.run([str(python), "-c", check], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    script = venv / ("Scripts/chainrule-gui.exe" if sys.platform == "win32" else "bin/chainrule-gui")
    done = subprocess.run([str(script), "explain", "f = sin(x^2)", "--at", "x=3", "--json"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0 and '"agree": true' in done.stdout, done.stderr


@pytest.mark.slow
def test_bundle_builds_and_starts_headless(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--dist", str(tmp_path / "dist"),
                           "--work", str(tmp_path / "work")], capture_output=True, text=True, timeout=3000)
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    assert "smoke check passed" in done.stdout
