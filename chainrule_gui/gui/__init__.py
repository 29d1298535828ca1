"""The Qt front end (PySide6 + pyqtgraph).  Widgets only render core results.

``MainWindow`` is imported lazily so that ``import chainrule_gui.gui`` stays cheap.
"""

from __future__ import annotations


def __getattr__(name: str):
    if name == "MainWindow":
        from chainrule_gui.gui.main_window import MainWindow

        return MainWindow
    raise AttributeError(name)


__all__ = ["MainWindow"]
