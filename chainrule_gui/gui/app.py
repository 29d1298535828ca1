"""Start the desktop application."""

from __future__ import annotations

import sys

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
    return app.exec()
