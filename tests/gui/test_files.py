"""Sessions through the main window: save/open round trip, bad files, autosave, close prompts."""

import json

from PySide6.QtWidgets import QMessageBox

from chainrule_gui.core.files.session import Session, load_session, save_session
from chainrule_gui.gui import MainWindow
from chainrule_gui.gui.autosave_folder import AutosaveFolder
from chainrule_gui.gui.document import read_recovered_session

TEXT = "w = x*exp(y/z)\nx = t^2\ny = 1 - t\nz = 1 + 2*t"


def window(qtbot, **kwargs):
    win = MainWindow(offer_recovery=False, **kwargs)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.expression_mode.snapshot is not None, timeout=10000)
    return win


def settle(qtbot, win, text):
    qtbot.waitUntil(lambda: win.expression_mode.snapshot is not None
                    and win.expression_mode.snapshot.text == text, timeout=10000)


def test_new_window_is_clean(qtbot, dialogs):
    win = window(qtbot)
    qtbot.waitUntil(lambda: not win.document.is_modified(), timeout=5000)
    assert not win.isWindowModified()
    win.close()
    assert dialogs.asked == []  # nothing to save, nothing asked


def test_save_and_open_round_trip(qtbot, tmp_path, dialogs):
    win = window(qtbot)
    mode = win.expression_mode
    mode.set_text(TEXT)
    settle(qtbot, win, TEXT)
    mode.controller.set_value("t", 0.25)
    mode.controller.toggle_cut(("w", "y"))
    qtbot.waitUntil(lambda: mode.snapshot.cut == {("w", "y")}, timeout=10000)
    mode.diagram.set_view("graph")
    assert win.document.is_modified()
    dialogs.save_path = str(tmp_path / "mine")
    assert win.save()
    path = tmp_path / "mine.json"
    assert not win.document.is_modified() and win.windowTitle().startswith("mine.json")
    saved = load_session(path)
    assert saved.text == TEXT and saved.point["t"] == 0.25 and saved.cut == (("w", "y"),)
    assert saved.diagram == "graph"

    other = window(qtbot)
    assert other.open_session(str(path))
    settle(qtbot, other, TEXT)
    snapshot = other.expression_mode.snapshot
    assert snapshot.point["t"] == 0.25 and snapshot.cut == {("w", "y")}
    assert other.expression_mode.diagram.view == "graph"
    assert not other.document.is_modified()
    assert str(path.resolve()) in other.document.recent_files()


def test_a_bad_file_leaves_the_work_untouched(qtbot, tmp_path, dialogs):
    win = window(qtbot)
    mode = win.expression_mode
    mode.set_text(TEXT)
    settle(qtbot, win, TEXT)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "chainrule-session", "schema_version": 99, "expression": {"text": "x"}}))
    assert not win.open_session(str(bad), confirm=False)
    assert "newer version" in dialogs.asked[-1][1]
    assert mode.editor.toPlainText() == TEXT and mode.snapshot.text == TEXT


def test_a_session_with_a_typo_opens_with_the_mistake_shown(qtbot, tmp_path, dialogs):
    path = tmp_path / "typo.json"
    save_session(Session(text="z = sinn(t)", point={"t": 2.0}), path)
    win = window(qtbot)
    assert win.open_session(str(path), confirm=False)
    qtbot.waitUntil(lambda: "did you mean sin" in win.expression_mode.error_strip.text(), timeout=10000)
    assert win.expression_mode.editor.toPlainText() == "z = sinn(t)"


def test_closing_with_unsaved_changes_asks(qtbot, dialogs):
    win = window(qtbot)
    win.expression_mode.set_text("f = sin(x)")
    settle(qtbot, win, "f = sin(x)")
    dialogs.answer = QMessageBox.StandardButton.Cancel
    assert not win.close()  # cancelled: the window stays
    assert dialogs.asked and dialogs.asked[-1][0] == "Unsaved changes"
    dialogs.answer = QMessageBox.StandardButton.Discard
    assert win.close()


def test_autosave_and_recovery(qtbot, dialogs):
    win = window(qtbot)
    win.expression_mode.set_text("f = cos(x)^2")
    settle(qtbot, win, "f = cos(x)^2")
    win.document.autosave()  # what the timer does a few seconds after a change
    assert read_recovered_session(win.document.autosave_path()).text == "f = cos(x)^2"
    # While it runs, another window neither offers its work nor deletes it.
    dialogs.answer = QMessageBox.StandardButton.No
    second = MainWindow(offer_recovery=True)
    qtbot.addWidget(second)
    qtbot.wait(100)
    assert not any(title == "Restore unsaved work?" for title, _ in dialogs.asked)
    assert win.document.autosave_path().exists()
    # A crash (the process is gone, its lock stale): the next start offers the autosaved work.
    win.autosave_folder.abandon()
    dialogs.answer = QMessageBox.StandardButton.Yes
    again = MainWindow(offer_recovery=True)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.expression_mode.editor.toPlainText() == "f = cos(x)^2", timeout=10000)
    assert dialogs.asked[-1][0] == "Restore unsaved work?"
    # A clean exit leaves nothing to recover.
    dialogs.answer = QMessageBox.StandardButton.Discard
    again.close()
    assert AutosaveFolder.left_by_crashes() == []  # neither the recovered run nor this one


def test_exports_latex_and_numpy(qtbot, tmp_path):
    win = window(qtbot)
    tex, py = tmp_path / "d.tex", tmp_path / "g.py"
    assert win.export_latex(str(tex)) and win.export_numpy(str(py))
    assert r"\begin{align*}" in tex.read_text()
    compile(py.read_text(), str(py), "exec")  # a valid module


def test_examples_menu_loads_an_example(qtbot):
    win = window(qtbot)
    action = next(a for a in win.findChildren(type(win.menuBar().actions()[0])) if a.objectName() == "example-polar")
    action.trigger()
    qtbot.waitUntil(lambda: win.expression_mode.snapshot.text.startswith("f = x^2*y + y^3"), timeout=10000)
    snapshot = win.expression_mode.snapshot
    assert snapshot.wrt == "theta" and snapshot.point == {"r": 2.0, "theta": 0.7}
    assert win.expression_mode.example_note.isVisibleTo(win)
    assert "Polar" in win.expression_mode.example_note.text()


def test_diagram_preferences_are_remembered_and_saved_in_sessions(qtbot, tmp_path, dialogs):
    win = window(qtbot)
    win.expression_mode.diagram.set_view("operations")
    win.expression_mode.diagram.set_label_mode("numeric")
    assert win.document.is_modified()  # view settings belong to the session
    dialogs.save_path = str(tmp_path / "v.json")
    assert win.save()
    assert load_session(tmp_path / "v.json").labels == "numeric"
    win.close()
    again = window(qtbot)  # a new window starts with the preferred view
    assert again.expression_mode.diagram.view == "operations"
    assert again.expression_mode.diagram.label_mode == "numeric"


def test_a_clean_exit_comes_back_at_the_next_start(qtbot, dialogs):
    win = window(qtbot)
    mode = win.expression_mode
    mode.set_text(TEXT)
    settle(qtbot, win, TEXT)
    mode.controller.set_value("t", 0.25)
    mode.diagram.set_view("graph")
    dialogs.save_path = ""  # untitled work, and the person keeps it: no file is chosen
    win.document.mark_clean()  # as after "Save": nothing to ask at the exit
    assert win.close()
    again = window(qtbot)
    settle(qtbot, again, TEXT)
    assert again.expression_mode.snapshot.point["t"] == 0.25
    assert again.expression_mode.diagram.view == "graph"
    assert not again.document.is_modified() and again.document.path is None
    assert [title for title, _ in dialogs.asked] == []  # it just comes back: nothing asked
    again.close()


def test_the_last_file_is_reopened_from_disk(qtbot, tmp_path, dialogs):
    win = window(qtbot)
    win.expression_mode.set_text(TEXT)
    settle(qtbot, win, TEXT)
    dialogs.save_path = str(tmp_path / "work.json")
    assert win.save()
    win.close()
    # changed on disk since (another copy of the app, a text editor): the file wins
    save_session(Session(text="f = cos(t)^2", point={"t": 0.5}), tmp_path / "work.json")
    again = window(qtbot)
    settle(qtbot, again, "f = cos(t)^2")
    assert again.document.path == tmp_path / "work.json"
    assert again.windowTitle().startswith("work.json")
    again.close()
    (tmp_path / "work.json").unlink()  # gone: the copy kept at the last exit comes back, untitled
    third = window(qtbot)
    settle(qtbot, third, "f = cos(t)^2")
    assert third.document.path is None
    third.close()


def test_discarded_changes_do_not_come_back(qtbot, dialogs):
    win = window(qtbot)
    win.expression_mode.set_text("f = sin(x)")
    settle(qtbot, win, "f = sin(x)")
    dialogs.answer = QMessageBox.StandardButton.Discard
    assert win.close()
    again = window(qtbot)
    assert again.expression_mode.snapshot.text.startswith("z = x^2 + sin(x*y)")  # the state before
    again.close()


def test_after_a_crash_the_last_session_opens_and_the_autosave_is_offered(qtbot, dialogs):
    win = window(qtbot)
    win.expression_mode.set_text(TEXT)
    settle(qtbot, win, TEXT)
    win.document.mark_clean()
    win.close()  # a clean exit: TEXT is the last session
    crashed = window(qtbot)
    settle(qtbot, crashed, TEXT)
    crashed.expression_mode.set_text("f = tanh(t)")
    settle(qtbot, crashed, "f = tanh(t)")
    crashed.document.autosave()  # ... and then the process dies: no closeEvent
    crashed.autosave_folder.abandon()
    dialogs.answer = QMessageBox.StandardButton.Yes
    again = MainWindow(offer_recovery=True)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.expression_mode.editor.toPlainText() == "f = tanh(t)", timeout=10000)
    assert dialogs.asked[-1][0] == "Restore unsaved work?"
    assert again.document.is_modified()  # recovered work is not saved anywhere yet
    dialogs.answer = QMessageBox.StandardButton.Discard
    again.close()
    crashed.document.mark_clean()
    crashed.close()
