"""The core never imports Qt (ARCHITECTURE.md, "Rules"): every module of ``chainrule_gui.core``
and the command-line interface, imported in a fresh interpreter, loads no Qt binding."""

import subprocess
import sys

CHECK = """
import importlib, pkgutil, sys
import chainrule_gui.core
names = [m.name for m in pkgutil.walk_packages(chainrule_gui.core.__path__, 'chainrule_gui.core.')]
for name in names + ['chainrule_gui.cli.explain', 'chainrule_gui.cli.train', 'chainrule_gui.cli.gradcheck']:
    importlib.import_module(name)
print(len(names))
qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'PyQt5', 'PyQt6'))
print(','.join(qt))
"""


def test_core_imports_no_qt():
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    count, qt = done.stdout.split("\n")[:2]
    assert int(count) > 50  # every module was walked, not an empty package
    assert qt == ""
