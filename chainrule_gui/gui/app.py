"""Start the desktop application."""

from __future__ import annotations

import os
import sys
import time

#: When this module was first imported: close to process start for the start-up benchmark.
PROCESS_START = time.perf_counter()

ORGANIZATION = "ChainRuleExplorer"
APPLICATION = "Chain Rule Explorer"


def make_application(argv: list[str] | None = None):
    """The QApplication, created once, with the names QSettings uses."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    from chainrule_gui.gui.resources import resource_path

    icon = resource_path("icons", "chainrule-gui.svg")
    if icon is not None:
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(str(icon)))
    return app


def run_app(open_path: str | None = None) -> int:
    app = make_application()
    from chainrule_gui.gui.error_reporter import ErrorReporter

    reporter = ErrorReporter(app)
    reporter.install()
    from chainrule_gui.gui.main_window import MainWindow

    window = MainWindow(open_path=open_path)
    window.show()
    if os.environ.get("CHAINRULE_GUI_EXIT_AFTER_FIRST_PAINT"):
        _exit_after_first_paint(app, window)
    return app.exec()


def _exit_after_first_paint(app, window) -> None:
    """For smoke checks and the start-up benchmark: report when the default example's
    diagram has been drawn, then quit."""
    from PySide6.QtCore import QTimer

    def done(_snapshot) -> None:
        window.expression_mode.snapshot_shown.disconnect(done)
        elapsed = time.perf_counter() - PROCESS_START
        print(f"first paint after {elapsed:.3f} s", flush=True)
        window.document.mark_clean()
        QTimer.singleShot(0, window.close)

    window.expression_mode.snapshot_shown.connect(done)
