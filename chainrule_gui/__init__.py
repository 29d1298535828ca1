"""Chain Rule Explorer: see how derivatives flow through compositions.

The package is split in two: :mod:`chainrule_gui.core` (plain Python, NumPy, SymPy and
networkx; never Qt) computes everything, and :mod:`chainrule_gui.gui` (PySide6 and
pyqtgraph) only shows core results.  This module stays tiny so that ``--version`` and
start-up do not pay for heavy imports.
"""

__version__ = "0.1.0"
