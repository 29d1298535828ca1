"""Choices follow the problem, as a person meets them: typing into the definitions, picking
in the choosers, walking the Examples menu.  A name the person picked is kept while it fits;
everything else is chosen as a fresh start would, and point values only carry over for names
that are still inputs."""

import pytest
from expression_helpers import path_rows
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QPlainTextEdit, QTableWidget

from chainrule_gui.core.examples import BY_KEY, EXAMPLES
from chainrule_gui.gui import MainWindow

THREE_PATHS = "w = x*exp(y/z); x = t^2; y = 1 - t; z = 1 + 2*t"


@pytest.fixture
def window(qtbot):
    """The main window as it opens: on the default example (z = x^2 + sin(x*y), …)."""
    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitUntil(lambda: win.expression_mode.snapshot is not None, timeout=10000)
    yield win
    win.close()


def type_definitions(qtbot, mode, text):
    """Select everything in the editor and type ``text`` over it, key by key; the snapshot."""
    editor = mode.findChild(QPlainTextEdit, "expressionEditor")
    before = mode.snapshot.revision if mode.snapshot else 0
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, text)
    qtbot.waitUntil(lambda: mode.snapshot is not None and mode.snapshot.revision > before
                    and mode.snapshot.text == text, timeout=10000)
    return mode.snapshot


def chosen(mode):
    return (mode.findChild(QComboBox, "ofSelector").currentText(),
            mode.findChild(QComboBox, "wrtSelector").currentText())


def pick(qtbot, mode, selector, name):
    """Choose ``name`` in a chooser with the keyboard, as a person would, and wait for it."""
    combo = mode.findChild(QComboBox, selector)
    combo.setFocus()
    key = Qt.Key.Key_Down if combo.findText(name) > combo.currentIndex() else Qt.Key.Key_Up
    while combo.currentText() != name:
        qtbot.keyClick(combo, key)
    field = "of" if selector == "ofSelector" else "wrt"
    qtbot.waitUntil(lambda: getattr(mode.snapshot, field) == name, timeout=10000)


def load_example(qtbot, window, key):
    mode = window.expression_mode
    before = mode.snapshot.revision
    window.findChild(QAction, f"example-{key}").trigger()
    text = BY_KEY[key].text
    qtbot.waitUntil(lambda: mode.snapshot.revision > before and mode.snapshot.text == text, timeout=10000)
    return mode.snapshot


def spin_value(mode, name):
    return mode.findChild(QDoubleSpinBox, f"input_{name}").value()


# -- the output follows the problem ------------------------------------------------------
def test_typing_the_three_path_problem_after_the_default_example_differentiates_w(qtbot, window):
    mode = window.expression_mode
    assert chosen(mode) == ("z", "t")
    snapshot = type_definitions(qtbot, mode, THREE_PATHS)
    assert chosen(mode) == ("w", "t")  # z now feeds w: it is no longer the output
    assert (snapshot.of, snapshot.wrt) == ("w", "t")
    assert len(path_rows(mode)) == 3 and snapshot.derivation.path_count == 3


def test_a_picked_output_stays_while_it_is_still_an_output(qtbot, mode):
    type_definitions(qtbot, mode, "f = x^2*y^3; g = x + y")
    assert chosen(mode) == ("f", "x")
    pick(qtbot, mode, "ofSelector", "g")
    type_definitions(qtbot, mode, "f = x^2*y^3; g = x + 2*y")
    assert chosen(mode)[0] == "g"
    # Something now uses g: the new output above it is differentiated.
    type_definitions(qtbot, mode, "h = g^2; f = x^2*y^3; g = x + 2*y")
    assert chosen(mode)[0] == "h"


def test_a_picked_input_stays_while_the_output_depends_on_it(qtbot, mode):
    type_definitions(qtbot, mode, "f = x^2*y^3")
    pick(qtbot, mode, "wrtSelector", "y")
    type_definitions(qtbot, mode, "f = x^2*y^4")
    assert chosen(mode) == ("f", "y")
    type_definitions(qtbot, mode, "f = x^2")
    assert chosen(mode) == ("f", "x")


def test_a_jacobian_click_is_a_pick_that_survives_an_edit(qtbot, mode):
    type_definitions(qtbot, mode, "u = x*y; v = x + y; f1 = u^2 + v; f2 = sin(u)*v")
    mode.bottom_tabs.setCurrentWidget(mode.jacobian_view)
    table = mode.jacobian_view.J_h.table
    qtbot.waitUntil(lambda: table.rowCount() == 2, timeout=10000)
    rect = table.visualRect(table.model().index(1, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: (mode.snapshot.of, mode.snapshot.wrt) == ("f2", "y"), timeout=10000)
    type_definitions(qtbot, mode, "u = x*y; v = x + y; f1 = u^2 + v; f2 = cos(u)*v")
    assert chosen(mode) == ("f2", "y")


def test_the_regression_loss_typed_in_is_not_differentiated_by_its_target(qtbot, window):
    mode = window.expression_mode
    type_definitions(qtbot, mode, "L = (yhat - y)^2/2; yhat = w1*x1 + w2*x2 + b")
    assert chosen(mode) == ("L", "w1")  # y, typed first, is the value yhat is compared with
    type_definitions(qtbot, mode, "L = -(y*log(p) + (1 - y)*log(1 - p)); p = sigmoid(z); z = w*x + b")
    assert chosen(mode) == ("L", "w")  # the label y weighs log(p)


def test_the_examples_menu_opens_each_example_on_its_own_choice_and_point(qtbot, window):
    mode = window.expression_mode
    for example in EXAMPLES:
        snapshot = load_example(qtbot, window, example.key)
        of, wrt = chosen(mode)
        if example.wrt is not None:
            assert wrt == example.wrt, example.key
        if example.of is not None:
            assert of == example.of, example.key
        elif not snapshot.is_implicit:
            assert of == snapshot.program.outputs[0], example.key
        assert set(snapshot.point) == set(snapshot.program.inputs), example.key
        if not snapshot.is_implicit:
            for name, value in example.point.items():
                assert spin_value(mode, name) == pytest.approx(value, abs=1e-4), (example.key, name)
        assert not mode.error_strip.isVisible() or not mode.error_strip.text(), example.key
    # three-paths after tree-diagram: w with its three paths, not z with one
    load_example(qtbot, window, "tree-diagram")
    snapshot = load_example(qtbot, window, "three-paths")
    assert chosen(mode) == ("w", "t") and snapshot.derivation.path_count == 3


def test_an_example_choice_is_kept_across_an_edit(qtbot, window):
    mode = window.expression_mode
    load_example(qtbot, window, "polar")
    assert chosen(mode) == ("f", "theta")
    type_definitions(qtbot, mode, "f = x^2*y + 2*y^3; x = r*cos(theta); y = r*sin(theta)")
    assert chosen(mode) == ("f", "theta")


def test_a_session_that_names_its_choice_keeps_it_and_saves_only_picks(qtbot, window, tmp_path, dialogs):
    """File ▸ Open of a session naming an intermediate x; an edit keeps it; File ▸ Save
    writes the picked output and leaves the automatic input to the text."""
    from chainrule_gui.core.files.session import Session, load_session, save_session

    mode = window.expression_mode
    path = tmp_path / "picked.json"
    save_session(Session(text=THREE_PATHS.replace("; ", "\n"), of="x", point={"t": 0.5}), path)
    dialogs.open_path = str(path)
    window.findChild(QAction, "action-open").trigger()
    qtbot.waitUntil(lambda: mode.snapshot.text == THREE_PATHS.replace("; ", "\n"), timeout=10000)
    assert chosen(mode) == ("x", "t")
    type_definitions(qtbot, mode, "w = x*exp(y/z); x = t^3; y = 1 - t; z = 1 + 2*t")
    assert chosen(mode) == ("x", "t") and mode.snapshot.point == {"t": 0.5}
    dialogs.save_path = str(tmp_path / "again")
    window.findChild(QAction, "action-save-as").trigger()
    saved = load_session(tmp_path / "again.json")
    assert (saved.of, saved.wrt) == ("x", None)


# -- point values carry over only for names still in the same role -------------------------
def test_the_circle_point_does_not_leak_into_the_next_problem(qtbot, window):
    mode = window.expression_mode
    load_example(qtbot, window, "implicit-circle")
    assert spin_value(mode, "x") == pytest.approx(0.6)
    snapshot = type_definitions(qtbot, mode, "f = x^2*y^3")
    assert snapshot.point == {"x": 1.0, "y": 1.0}  # fresh inputs, not the circle's variables
    assert spin_value(mode, "x") == 1.0 and spin_value(mode, "y") == 1.0


def test_an_input_that_stays_an_input_keeps_its_value(qtbot, window):
    mode = window.expression_mode
    load_example(qtbot, window, "three-paths")
    assert spin_value(mode, "t") == pytest.approx(0.5)
    snapshot = type_definitions(qtbot, mode, "w = x*exp(y/z); x = t^3; y = 1 - t; z = 1 + 2*t")
    assert snapshot.point == {"t": 0.5}
    # x becomes an input, then defined again, then an input once more: it starts afresh.
    type_definitions(qtbot, mode, "f = x*t")
    spin = mode.findChild(QDoubleSpinBox, "input_x")
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "2.5")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: mode.snapshot.point.get("x") == 2.5, timeout=5000)
    type_definitions(qtbot, mode, "f = x*t; x = t^2")
    snapshot = type_definitions(qtbot, mode, "f = x*t")
    assert snapshot.point == {"x": 1.0, "t": 0.5}


# -- a typing mistake in an unfinished call ------------------------------------------------
def test_an_unfinished_call_says_the_parenthesis_is_not_closed(qtbot, mode):
    editor = mode.findChild(QPlainTextEdit, "expressionEditor")
    type_definitions(qtbot, mode, "z = x^2")
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, "z = 2x(")
    qtbot.waitUntil(lambda: "never closed" in mode.error_strip.text(), timeout=10000)
    assert mode.error_strip.text() == "Line 1, column 7: this '(' is never closed: add a ')'"
    [underline] = editor.extraSelections()
    assert underline.cursor.selectionStart() == 6  # the '(' itself
    # Closing it turns the message into the one about x, which is no function.
    qtbot.keyClicks(editor, "1)")
    qtbot.waitUntil(lambda: "unknown function 'x'" in mode.error_strip.text(), timeout=10000)
    assert "write x*(…)" in mode.error_strip.text()


# -- a finite difference across a singularity says why --------------------------------------
def test_the_result_panel_explains_a_finite_difference_across_a_singularity(qtbot, mode):
    type_definitions(qtbot, mode, "y = sqrt(u); u = (x - 0.000001)^2")
    spin = mode.findChild(QDoubleSpinBox, "input_x")
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "0")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: mode.snapshot.point.get("x") == 0.0, timeout=5000)
    d = mode.snapshot.derivation
    assert d.derivative == pytest.approx(-1.0)
    notes = mode.result_panel.findChild(QLabel, "resultNotes")
    assert notes.isVisible() and "sqrt(u) is not smooth within ±" in notes.text()
    badge = mode.result_panel.findChild(QLabel, "agreementBadge")
    assert "disagree" not in badge.text() and "not compared" in badge.text()
    table = mode.result_panel.findChild(QTableWidget, "verificationTable")
    fd_row = [table.item(r, 0).text() for r in range(table.rowCount())].index("finite difference")
    assert "Not compared: sqrt(u) is not smooth" in table.item(fd_row, 1).toolTip()
