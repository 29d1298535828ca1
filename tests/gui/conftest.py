"""Widget tests never touch the user's real settings or data, and never block on a dialog."""

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox


def _file_dialog_arguments(args, kwargs) -> tuple[str, str, str]:
    """(caption, filter, suggested path) of a QFileDialog.get…FileName call, given
    positionally or by name."""
    names = ("parent", "caption", "dir", "filter")
    given = dict(zip(names, args)) | kwargs
    return tuple(str(given.get(name, "") or "") for name in ("caption", "filter", "dir"))


def filter_suffixes(file_filter: str) -> list[str]:
    """".json", ".npz", … named by a dialog's filter ("Sessions (*.json);;All files (*)")."""
    return [s.lower() for s in re.findall(r"\*(\.[\w.]+)", file_filter)]


class DialogRecorder:
    """Stands in for modal dialogs: records what would have been asked, answers as told.

    File dialogs answer ``save_path`` / ``open_path`` when set.  With ``save_folder`` set
    instead, every save dialog gets a file of its own there, named after the dialog and
    with the first suffix its filter offers (so one test can save a session, a model and
    every export), and an open dialog gets the newest of ``open_files`` (else of those
    saved files) that its filter accepts.  ``file_dialogs`` lists (kind, caption, filter, answer).
    """

    def __init__(self):
        self.asked: list[tuple[str, str]] = []
        self.critical: list[tuple[str, str]] = []
        self.answer = QMessageBox.StandardButton.Discard
        self.save_path = ""
        self.open_path = ""
        self.save_folder: Path | None = None
        self.open_files: list[Path] = []
        self.file_dialogs: list[tuple[str, str, str, str]] = []
        self.saved: list[Path] = []

    def question(self, parent, title, text, *args, **kwargs):
        self.asked.append((title, text))
        return self.answer

    def notify(self, parent, title, text, *args, **kwargs):
        self.asked.append((title, text))
        return QMessageBox.StandardButton.Ok

    def error(self, parent, title, text, *args, **kwargs):
        self.critical.append((title, text))
        return self.notify(parent, title, text)

    def save_file_name(self, *args, **kwargs) -> tuple[str, str]:
        caption, file_filter, suggested = _file_dialog_arguments(args, kwargs)
        path = self.save_path
        if self.save_folder is not None and not path:
            suffixes = filter_suffixes(file_filter)
            slug = re.sub(r"[^a-z0-9]+", "-", caption.lower()).strip("-") or "file"
            path = str(Path(self.save_folder) / f"{len(self.saved) + 1:02d}-{slug}{suffixes[0] if suffixes else ''}")
            self.saved.append(Path(path))
        self.file_dialogs.append(("save", caption, file_filter, path, suggested))
        return path, ""

    def open_file_name(self, *args, **kwargs) -> tuple[str, str]:
        caption, file_filter, suggested = _file_dialog_arguments(args, kwargs)
        path = self.open_path
        if not path:
            suffixes = filter_suffixes(file_filter)

            def fitting(paths):
                return [p for p in paths if Path(p).exists() and (not suffixes or Path(p).suffix.lower() in suffixes)]

            chosen = fitting(self.open_files) or fitting(self.saved)
            path = str(max(chosen, key=lambda p: Path(p).stat().st_mtime_ns)) if chosen else ""
        self.file_dialogs.append(("open", caption, file_filter, path, suggested))
        return path, ""


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
    monkeypatch.setattr(QMessageBox, "critical", recorder.error)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", recorder.save_file_name)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", recorder.open_file_name)
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
