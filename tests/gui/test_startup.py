"""Start-up: the first view loads only what it shows; the rest arrives after the first paint.

The import checks run in a fresh interpreter (this test process has imported everything
already), started the way ``gui/app.py`` starts the app.
"""

import json
import os
import subprocess
import sys
import textwrap

from PySide6.QtWidgets import QWidget

from chainrule_gui.gui import MainWindow, startup

HEAVY = ("pyqtgraph", "matplotlib", "jsonschema", "numpy", "chainrule_gui.gui.network.mode",
         "chainrule_gui.core.calculus.sympy_worker")

PROBE = textwrap.dedent("""
    import json, sys
    from chainrule_gui.gui import app as start
    start.import_core_before_qt()
    qt_app = start.make_application()
    from chainrule_gui.gui import startup
    startup.begin()
    from chainrule_gui.gui.main_window import MainWindow
    window = MainWindow(offer_recovery=False)
    heavy = %r
    report = {"after_window": [m for m in heavy if m in sys.modules]}

    def settled():
        mode = window.expression_mode
        report["after_settling"] = [m for m in heavy if m in sys.modules]
        report["plot_made"] = mode.view_pages["functionPlotPanel"].content is not None
        report["fd_plot_made"] = mode.result_panel._fd_plot is not None
        report["formula_typeset"] = not mode.result_panel.formula.pixmap().isNull()
        report["network_made"] = window.network_page.content is not None
        window.document.mark_clean()
        window.close()
        print(json.dumps(report))

    def painted(seconds):
        mode = window.expression_mode
        report["at_first_paint"] = [m for m in heavy if m in sys.modules]
        report["nodes"] = len(mode.diagram.nodes)
        report["formula_is_text"] = mode.result_panel.formula.pixmap().isNull()
        startup.finish(then=settled)

    startup.FirstPaint(window.expression_mode.diagram, painted, 0.0)
    window.show()
    qt_app.exec()
""") % (HEAVY,)


def test_the_first_view_is_painted_before_plots_typesetting_and_the_network_tab(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["after_window"] == []
    assert report["at_first_paint"] == []  # the diagram is on screen without any of them
    assert report["nodes"] == 5  # z; x and y; t under each: the default example's tree
    assert report["formula_is_text"]  # typeset once mathtext is loaded, after the paint
    # ... and then the deferred work happened: plots made, the formula typeset
    assert report["plot_made"] and report["fd_plot_made"] and report["formula_typeset"]
    assert "pyqtgraph" in report["after_settling"] and "matplotlib" in report["after_settling"]
    # the Network tab waits until someone opens it
    assert not report["network_made"] and "chainrule_gui.gui.network.mode" not in report["after_settling"]


def test_outside_start_up_deferred_work_runs_at_once():
    ran = []
    assert not startup.in_progress()
    startup.defer(lambda: ran.append(1))
    assert ran == [1]


def test_the_network_tab_is_made_when_first_shown(qtbot):
    window = MainWindow(offer_recovery=False)
    qtbot.addWidget(window)
    window.show()
    assert window.network_page.content is None
    assert window.findChild(QWidget, "networkEditor") is None
    window.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: window.findChild(QWidget, "networkEditor") is not None, timeout=10000)
    assert window.tabs.currentWidget() is window.network_mode
    assert window.network_mode.findChild(QWidget, "startButton").isVisible()
    window.close()


def test_start_up_and_closing_leave_the_network_tab_unbuilt_when_nothing_is_to_recover(qtbot, dialogs):
    """The recovery check and the close look for the Network tab's autosave on disk; they
    must not build the tab (its imports cost ~0.4 s of a cold start)."""
    window = MainWindow()  # offer_recovery=True, as the app starts
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.expression_mode.snapshot is not None, timeout=10000)
    assert dialogs.asked == []
    assert window.network_page.content is None
    window.close()
    assert window.network_page.content is None


def test_a_bottom_view_made_late_shows_the_newest_snapshot(qtbot):
    window = MainWindow(offer_recovery=False)
    qtbot.addWidget(window)
    window.show()
    mode = window.expression_mode
    qtbot.waitUntil(lambda: mode.snapshot is not None, timeout=10000)
    page = mode.view_pages["secondOrderView"]
    assert page.content is None  # not shown yet: not made
    mode.set_text("y = sin(u)\nu = x^2")
    qtbot.waitUntil(lambda: mode.snapshot.text == "y = sin(u)\nu = x^2", timeout=10000)
    mode.bottom_tabs.setCurrentWidget(page)
    view = page.content
    assert view is not None and view.snapshot is mode.snapshot
    assert view.renders == 1  # drawn at once, not a blank page ...
    qtbot.waitUntil(lambda: view.second is not None, timeout=10000)  # ... its numbers a moment later
    assert view.renders == 1
    window.close()
