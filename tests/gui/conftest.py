"""Widget tests never touch the user's real settings or data, and never block on a dialog."""

import pytest
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox


class DialogRecorder:
    """Stands in for modal dialogs: records what would have been asked, answers as told."""

    def __init__(self):
        self.asked: list[tuple[str, str]] = []
        self.answer = QMessageBox.StandardButton.Discard
        self.save_path = ""
        self.open_path = ""

    def question(self, parent, title, text, *args, **kwargs):
        self.asked.append((title, text))
        return self.answer

    def notify(self, parent, title, text, *args, **kwargs):
        self.asked.append((title, text))
        return QMessageBox.StandardButton.Ok


@pytest.fixture(scope="session", autouse=True)
def gui_thread_collector(qapp):
    """As in the application: cycles are collected on the GUI thread only (gui/collector.py);
    without it a collection on a build thread could deadlock a test run."""
    import gc

    from chainrule_gui.gui.collector import collect_on_gui_thread, freeze_long_lived

    collector = collect_on_gui_thread(qapp)
    # As the app does once started: what exists now (here, all the CLI and core tests left)
    # is never walked again, so a full collection on the GUI thread stays short — walking
    # this process's whole heap took 0.26 s and failed a "never a frozen window" test.
    freeze_long_lived()
    yield collector
    collector.stop()
    gc.unfreeze()


@pytest.fixture(autouse=True)
def dialogs(qapp, tmp_path, monkeypatch):
    QStandardPaths.setTestModeEnabled(True)
    # Test mode puts data (autosave, last session) under $HOME/.qttest: one HOME per test.
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    # Qt's test mode sends every run (and every worktree's) to one ~/.qttest: autosaves and
    # logs get a folder of their own per test instead.
    monkeypatch.setenv("CHAINRULE_GUI_DATA_DIR", str(tmp_path / "appdata"))
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    qapp.setOrganizationName("ChainRuleExplorerTests")
    qapp.setApplicationName("Chain Rule Explorer Tests")
    recorder = DialogRecorder()
    monkeypatch.setattr(QMessageBox, "question", recorder.question)
    monkeypatch.setattr(QMessageBox, "warning", recorder.notify)
    monkeypatch.setattr(QMessageBox, "information", recorder.notify)
    monkeypatch.setattr(QMessageBox, "critical", recorder.notify)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (recorder.save_path, ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *a, **k: (recorder.open_path, ""))
    yield recorder


@pytest.fixture
def mode(qtbot):
    """The Expression mode, shown at 1280×800 (test_network_mode.py has its own ``mode``)."""
    from chainrule_gui.gui.expression.mode import ExpressionMode

    widget = ExpressionMode()
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    yield widget
    widget.shutdown()


@pytest.fixture
def reporter(qapp):
    """The error reporter installed (hooks on), recording instead of showing dialogs."""
    from chainrule_gui.gui.error_reporter import ErrorReporter

    r = ErrorReporter(show_dialogs=False)
    r.install()
    yield r
    r.uninstall()
