"""Crash recovery with real processes: an app is killed as ``kill -9`` does, mid-edit.

The child is the app started the app's way, typed into as a person types; it prints what its
editor holds once the autosave has it.  The next start — in this process, its dialogs
answered by the fixture — must offer exactly that text back, mistakes included.  While the
first copy still runs, a second one neither offers its work nor deletes it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtWidgets import QMessageBox

from chainrule_gui.gui import MainWindow
from chainrule_gui.gui.autosave_folder import AutosaveFolder

TYPED = "z = x^3 + cos(y\nx = t^2\ny = t + 1"  # a parenthesis not closed yet: mid-edit

CHILD = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from chainrule_gui.gui import app as start
    start.import_core_before_qt()
    qt_app = start.make_application()
    from chainrule_gui.gui.error_reporter import ErrorReporter
    ErrorReporter(qt_app, show_dialogs=False).install()
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from chainrule_gui.gui.main_window import MainWindow
    window = MainWindow()
    window.show()
    typed = json.loads(sys.argv[1])

    def type_it():
        editor = window.expression_mode.editor
        editor.setFocus()
        editor.selectAll()
        QTest.keyClick(editor, Qt.Key.Key_Delete)
        for line_number, line in enumerate(typed.split("\\n")):
            if line_number:
                QTest.keyClick(editor, Qt.Key.Key_Return)
            QTest.keyClicks(editor, line)
        watch.start(100)

    def autosaved():
        path = window.document.autosave_path()
        text = window.expression_mode.editor.toPlainText()
        if path.exists() and json.loads(path.read_text())["expression"]["text"] == text:
            watch.stop()
            print(json.dumps({"text": text, "autosave": str(path)}), flush=True)

    watch = QTimer()
    watch.timeout.connect(autosaved)
    QTimer.singleShot(300, type_it)
    qt_app.exec()
""")


@pytest.fixture
def crashed_app(tmp_path):
    """A real app process with typed, autosaved work; yields (what it autosaved, the process)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    # The same data folder as this process's windows (the fixture ``dialogs`` set it).
    child = subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(TYPED)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        line = child.stdout.readline()  # blocks until the child has autosaved (a few seconds)
        assert line, child.stderr.read()[-3000:]
        yield json.loads(line), child
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)


def test_typed_work_with_a_mistake_comes_back_after_kill_9(qtbot, dialogs, crashed_app):
    saved, child = crashed_app
    assert saved["text"].startswith("z = x^3 + cos(y")  # what the person typed, as the editor holds it
    # A second copy while the first runs: nothing offered, nothing deleted.
    second = MainWindow(offer_recovery=True)
    qtbot.addWidget(second)
    qtbot.wait(300)
    assert not any(title == "Restore unsaved work?" for title, _ in dialogs.asked)
    assert os.path.exists(saved["autosave"])
    # kill -9: no closeEvent, no clean-up.
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    dialogs.answer = QMessageBox.StandardButton.Yes
    again = MainWindow(offer_recovery=True)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.expression_mode.editor.toPlainText() == saved["text"], timeout=15000)
    assert dialogs.asked[-1][0] == "Restore unsaved work?"
    assert again.document.is_modified()
    # The mistake is shown, where it is.
    qtbot.waitUntil(lambda: again.expression_mode.error_strip.text().startswith("Line "), timeout=10000)
    # The recovered work is this run's autosave now; the crashed run's folder is gone.
    assert not os.path.exists(saved["autosave"])
    assert again.document.autosave_path().exists()
    # Until this run ends, nobody else offers it; after a clean exit nothing is left.
    assert AutosaveFolder.left_by_crashes() == []
    dialogs.answer = QMessageBox.StandardButton.Discard
    again.close()
    second.close()
    assert AutosaveFolder.left_by_crashes() == []
