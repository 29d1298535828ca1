"""Build the one-folder desktop bundle and check that it works.

    python packaging/build.py [--skip-check]

1. renders the icon to PNG sizes (packaging/make_icons.py),
2. runs PyInstaller on packaging/chainrule-gui.spec (needs `pip install -e ".[packaging]"`),
3. smoke-checks the result: ``--version``, ``explain`` with JSON output, and the window
   opening headless on the default example (then closing itself).

The bundle is dist/chainrule-gui/ (run dist/chainrule-gui/chainrule-gui).  On Linux,
install the .desktop entry, the AppStream metainfo and the icons from packaging/linux and
packaging/build/icons into ~/.local/share (see packaging/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"


def build(dist: Path = DIST, work: Path = ROOT / "packaging" / "build" / "pyinstaller") -> Path:
    subprocess.run([sys.executable, str(ROOT / "packaging" / "make_icons.py")], check=True)
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(work),
                    str(ROOT / "packaging" / "chainrule-gui.spec")], check=True)
    exe = dist / "chainrule-gui" / ("chainrule-gui.exe" if os.name == "nt" else "chainrule-gui")
    if not exe.exists():
        raise SystemExit(f"error: the build did not produce {exe}")
    return exe


def smoke_check(exe: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=120, env=env)
    assert version.returncode == 0 and version.stdout.startswith("chainrule-gui "), version
    explain = subprocess.run([str(exe), "explain", "z = x^2 + sin(x*y); x = t^2; y = e^t", "--at", "t=1",
                              "--json"], capture_output=True, text=True, timeout=300, env=env)
    assert explain.returncode == 0, explain.stderr
    result = json.loads(explain.stdout)
    assert result["agree"] and result["path_count"] == 2, result
    gui = subprocess.run([str(exe)], capture_output=True, text=True, timeout=300,
                         env=dict(env, CHAINRULE_GUI_EXIT_AFTER_FIRST_PAINT="1"))
    assert gui.returncode == 0 and "first paint" in gui.stdout, (gui.stdout, gui.stderr[-2000:])
    print(f"smoke check passed: {version.stdout.strip()}; explain agrees; {gui.stdout.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Build and check the desktop bundle.")
    parser.add_argument("--skip-check", action="store_true")
    parser.add_argument("--dist", type=Path, default=DIST, help="where the bundle goes (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "packaging" / "build" / "pyinstaller")
    args = parser.parse_args()
    exe = build(args.dist, args.work)
    if not args.skip_check:
        smoke_check(exe)


if __name__ == "__main__":
    main()
