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
    from chainrule_gui.gui.collector import collect_on_gui_thread

    # Before any worker thread starts: a cycle collection on a worker that frees Qt objects
    # deadlocks against the GUI thread (gui/collector.py).
    collect_on_gui_thread(app)
    # The remembered light/dark choice is applied by the main window, first thing (after the
    # error reporter, so a bad value in the settings file is logged where the log goes).
    from chainrule_gui.gui.resources import resource_path

    icon = resource_path("icons", "chainrule-gui.svg")
    if icon is not None:
        from PySide6.QtGui import QIcon

        app.setWindowIcon(QIcon(str(icon)))
    return app


def import_core_before_qt() -> None:
    """Import the Qt-free core (SymPy, networkx) before PySide6.

    Once PySide6 is imported, its ``__feature__`` import hook reads the source of every
    module imported after it to see whether it mentions PySide6
    (``shibokensupport/feature.py``); for SymPy's and networkx's ~900 modules that is a
    tenth of a second or more of a cold start.  Modules imported before it are skipped.
    """
    import concurrent.futures  # noqa: F401

    import sympy.assumptions.wrapper  # noqa: F401 - these three SymPy imports on first use
    import sympy.sets.setexpr  # noqa: F401
    import sympy.tensor.tensor  # noqa: F401

    import chainrule_gui.core.calculus.derivation  # noqa: F401
    import chainrule_gui.core.calculus.fd_study  # noqa: F401
    import chainrule_gui.core.calculus.implicit  # noqa: F401
    import chainrule_gui.core.calculus.stepthrough  # noqa: F401
    import chainrule_gui.core.diagram.model  # noqa: F401
    import chainrule_gui.core.diagram.placement  # noqa: F401
    import chainrule_gui.core.explorer.evaluation  # noqa: F401
    import chainrule_gui.core.explorer.transitions  # noqa: F401
    import chainrule_gui.core.files.session  # noqa: F401
    import chainrule_gui.core.graph.choices  # noqa: F401


def run_app(open_path: str | None = None) -> int:
    import_core_before_qt()
    app = make_application()
    from chainrule_gui.gui import startup

    # Until the first diagram is painted, what the first view does not need waits
    # (plots, typesetting, the SymPy worker): see gui/startup.py.
    startup.begin()
    from chainrule_gui.gui.error_reporter import ErrorReporter

    reporter = ErrorReporter(app)
    reporter.install()
    from chainrule_gui.gui.main_window import MainWindow

    # Quitting must not wait for a simplification still running in the SymPy worker.
    app.aboutToQuit.connect(_stop_sympy_worker)
    window = MainWindow(open_path=open_path)
    exit_early = bool(os.environ.get("CHAINRULE_GUI_EXIT_AFTER_FIRST_PAINT"))
    startup.FirstPaint(window.expression_mode.diagram,
                       lambda seconds: _first_painted(window, seconds, exit_early), PROCESS_START)
    window.show()
    return app.exec()


def _stop_sympy_worker() -> None:
    from chainrule_gui.core.calculus.sympy_worker import terminate_default_worker

    terminate_default_worker()


def _first_painted(window, seconds: float, exit_early: bool) -> None:
    from chainrule_gui.gui import startup
    from chainrule_gui.gui.collector import freeze_long_lived

    startup.defer(freeze_long_lived)  # last of the deferred start-up work
    if not exit_early:
        startup.finish()
        return
    # For smoke checks and the start-up benchmark: the time from this module's import and
    # the wall-clock moment (a caller can then include the interpreter's start); then the
    # same once the deferred work (plots, typesetting) is done, and quit.
    print(f"first paint after {seconds:.3f} s (wall clock {time.time():.6f})", flush=True)

    def settled() -> None:
        print(f"deferred work done after {time.perf_counter() - PROCESS_START:.3f} s", flush=True)
        window.document.mark_clean()
        window.close()

    startup.finish(then=settled)
