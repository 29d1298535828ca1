"""The core never imports Qt (README, "Architecture"): checked in a fresh interpreter."""

import subprocess
import sys

CHECK = """
import sys
import chainrule_gui.core
from chainrule_gui.core import (accumulate, chain_graph, derivation, implicit, jacobian, latex, layout,
                                numeric, paths, program, report, second_order, sympy_worker, tree)
from chainrule_gui.core import diagram_layout, diagram_model, elide, stepthrough
import chainrule_gui.cli.explain
from chainrule_gui.core.nn import (activations, backprop, compare, csv_import, datasets, diagnosis, export,
                                   gradcheck, history, initializers, losses, model_file, network,
                                   optimizers, presets, snapshot, spec, training)
import chainrule_gui.cli.train, chainrule_gui.cli.gradcheck
qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'PyQt5', 'PyQt6'))
print(','.join(qt))
"""


def test_core_imports_no_qt():
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
