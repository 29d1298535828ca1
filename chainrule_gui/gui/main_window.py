"""The main window: one tab per mode (Expression, Network)."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QTabWidget

from chainrule_gui import __version__
from chainrule_gui.gui.expression_text import ExpressionTextMode

DEFAULT_EXAMPLE = "z = x^2 + sin(x*y)\nx = t^2\ny = e^t"
DEFAULT_POINT = {"t": 1.0}


class MainWindow(QMainWindow):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.setWindowTitle(f"Chain Rule Explorer {__version__}")
        self.tabs = QTabWidget(objectName="modeTabs")
        self.expression_mode = ExpressionTextMode(DEFAULT_EXAMPLE, DEFAULT_POINT)
        self.tabs.addTab(self.expression_mode, "Expression")
        self.setCentralWidget(self.tabs)
        self.resize(1100, 760)
