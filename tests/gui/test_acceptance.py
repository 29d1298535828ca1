"""Acceptance: everything a person can click, pick or press in the window works.

Unit tests call methods directly and cannot see how a control is wired: File ▸ Export ▸
Derivation as LaTeX crashed for every user (the action's ``checked`` flag arrived as the
``path`` argument) while all of them passed.  These tests reach the app only as a person
does — menu actions through ``QAction.trigger()``, buttons and check boxes through mouse
clicks, combo boxes and shortcuts through key presses — and find the controls by walking
the window, so a control added later is covered without editing this file.  Dialogs are
answered with real files in ``tmp_path`` (the ``dialogs`` fixture); every file written is
opened again and checked for what the app showed.
"""

from __future__ import annotations

import ast
import csv
import math
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QContextMenuEvent, QImage, QKeySequence
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QGraphicsView,
    QMenu,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QTabBar,
    QWidget,
)

from chainrule_gui.core.files.session import load_session
from chainrule_gui.core.nn.model_file import load_model
from chainrule_gui.gui import MainWindow
from chainrule_gui.gui.help import SECTIONS

REPO = Path(__file__).resolve().parents[2]
EXPRESSION, NETWORK = 0, 1

#: Menu actions the generic walk must not trigger, each with the test that covers it.
HANDLED_ELSEWHERE = {
    "action-quit": "test_file_quit_closes_the_window_and_the_session_comes_back",
}
#: Menu actions that work in one tab only, by design, with that tab.
ONE_TAB_ONLY = {
    "action-undo": EXPRESSION,  # they undo the Expression tab's text, which the Network tab hides
    "action-redo": EXPRESSION,
}
#: Keys the shortcut sheet names in words rather than as a key sequence.
KEY_WORDS = {"−": ["-"], "Arrow keys": ["Left", "Right", "Up", "Down"]}


# -- the person's side: what they see and how they act ------------------------------------------
class Popups:
    """Answers what a person would close: popup menus (a tool button's InstantPopup menu or
    a context menu runs a nested event loop that would block offscreen) and modal dialogs.

    A menu's actions are kept (``menus``) so a test can then pick each one; ``pick`` names
    an entry to choose with the keyboard (highlight, Return) instead of closing the menu.
    A modal dialog is a failure (``modal``): nothing in the app should block the window.
    """

    def __init__(self):
        self.menus: list[list[QAction]] = []
        self.modal: list[str] = []
        self.pick: str | None = None
        self.picked: list[str] = []
        self.timer = QTimer(interval=15)
        self.timer.timeout.connect(self._look)
        self.timer.start()

    def _look(self) -> None:
        popup = QApplication.activePopupWidget()
        if popup is not None:
            if isinstance(popup, QMenu):
                actions = [a for a in popup.actions() if not a.isSeparator()]
                self.menus.append(actions)
                wanted = next((a for a in actions if self.pick and _plain(a.text()) == self.pick), None)
                if wanted is not None and wanted.isEnabled():
                    self.pick = None
                    self.picked.append(_plain(wanted.text()))
                    popup.setActiveAction(wanted)
                    QTest.keyClick(popup, Qt.Key.Key_Return)
                    return
            popup.close()
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QDialog):
            self.modal.append(f"{type(modal).__name__} {modal.windowTitle()!r}")
            modal.reject()

    def stop(self) -> None:
        self.timer.stop()


@pytest.fixture
def popups(qapp):
    p = Popups()
    yield p
    p.stop()


@pytest.fixture
def window(qtbot, dialogs, reporter, popups, tmp_path):
    from chainrule_gui.gui import theme

    dialogs.save_folder = tmp_path / "files"
    dialogs.save_folder.mkdir()
    earlier = set(QApplication.topLevelWidgets())

    def before_close(win) -> None:
        """Runs before pytest-qt closes and deletes the window, passed or failed."""
        dialogs.answer = dialogs.answer.Discard
        popups.menus.clear()
        if win.network_page.content is not None:  # nothing left running into the next test
            win.network_mode.controller.pause()
            win.network_mode.controller.stop_race()
        # Windows the app opened outside this one (pyqtgraph's Export… dialog) go while what
        # they show still exists: freed after it (a failed test's traceback keeps them),
        # pyqtgraph's export dialog crashed the interpreter in a later test.
        for stray in set(QApplication.topLevelWidgets()) - earlier:
            if stray is not win and shiboken6.isValid(stray) and stray.parent() is None and stray.isVisible():
                stray.close()
                stray.deleteLater()
        qtbot.wait(10)

    win = MainWindow(offer_recovery=False)
    qtbot.addWidget(win, before_close_func=before_close)
    win.show()
    activate(qtbot, win)
    settle(qtbot, win)
    yield win
    theme.manager().set_preference("system")  # the theme is process-wide: later tests get the default


def _plain(text: str) -> str:
    return text.replace("&", "").rstrip("…").strip()


def activate(qtbot, win) -> None:
    win.raise_()
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=3000)


def settle(qtbot, win) -> None:
    """Let what the last action started land: events run, the definitions are built."""
    qtbot.wait(5)
    mode = win.expression_mode
    qtbot.waitUntil(lambda: mode.snapshot is not None and mode.status.text() != "computing…", timeout=15000)


def no_error(reporter, dialogs, popups, what: str) -> None:
    """Nothing went wrong that a person would see: no exception reached ``sys.excepthook`` or
    a thread's hook (the error reporter would show its dialog), no critical message box,
    no modal dialog blocking the window."""
    if reporter.count:
        summary, details = reporter.last_error
        pytest.fail(f"{what}: an exception reached the error reporter: {summary}\n{details}")
    assert not dialogs.critical, f"{what}: an error dialog: {dialogs.critical}"
    assert not popups.modal, f"{what}: a modal dialog blocked the window: {popups.modal}"


def show_tab(qtbot, win, index: int) -> None:
    """Click the mode's tab, as a person switches between Expression and Network."""
    bar = win.tabs.tabBar()
    if win.tabs.currentIndex() != index:
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert win.tabs.currentIndex() == index
    if index == NETWORK:
        # Until the built network's first update has arrived, a click on Start is undone by
        # that older, paused update (the buttons say paused while the worker trains on); no
        # person clicks within those milliseconds, so the walk waits for it.
        controller = win.network_mode.controller
        qtbot.waitUntil(lambda: controller.network is not None and controller.latest is not None, timeout=10000)


def menu_actions(win) -> list[tuple[str, QAction]]:
    """Every leaf action of the menu bar with its menu path, found by walking the menus."""
    found = []

    def walk(menu: QMenu, path: str) -> None:
        for action in menu.actions():
            if action.isSeparator():
                continue
            if action.menu() is not None:
                walk(action.menu(), f"{path} ▸ {_plain(action.text())}")
            else:
                found.append((f"{path} ▸ {_plain(action.text())}", action))

    for top in win.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), _plain(top.text()))
    return found


def click(qtbot, button: QAbstractButton) -> None:
    """A left click where the button answers it (a check box: on its box)."""
    pos = button.rect().center()
    if isinstance(button, (QCheckBox, QRadioButton)):
        option = QStyleOptionButton()
        option.initFrom(button)
        element = (QStyle.SubElement.SE_CheckBoxIndicator if isinstance(button, QCheckBox)
                   else QStyle.SubElement.SE_RadioButtonIndicator)
        pos = button.style().subElementRect(element, option, button).center()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=pos)


def written_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


# -- what every written file must be -----------------------------------------------------------------
def check_latex(path: Path) -> str:
    """A complete LaTeX document; compiled when pdflatex is installed."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("\\documentclass"), path.name
    begin, end = text.find("\\begin{document}"), text.find("\\end{document}")
    assert 0 < begin < end and text.rstrip().endswith("\\end{document}"), path.name
    for env in set(re.findall(r"\\begin\{([^}]+)\}", text)):
        assert text.count(f"\\begin{{{env}}}") == text.count(f"\\end{{{env}}}"), (path.name, env)
    braces = re.findall(r"(?<!\\)[{}]", text)  # \{ and \} are printed braces
    assert braces.count("{") == braces.count("}"), f"{path.name}: unbalanced braces"
    if shutil.which("pdflatex"):
        run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", path.name],
                             cwd=path.parent, capture_output=True, text=True, timeout=120, check=False)
        assert run.returncode == 0, run.stdout[-2000:]
    return text


def run_python(path: Path, cwd: Path) -> str:
    """Run an exported script as a user would: its own isolated interpreter, in its folder."""
    run = subprocess.run([sys.executable, "-I", str(path)], cwd=cwd, capture_output=True, text=True,
                         timeout=120, check=False)
    assert run.returncode == 0, f"{path.name} failed:\n{run.stderr}"
    return run.stdout


def gradient_lines(stdout: str) -> dict[str, tuple[float, float]]:
    """``{"dz/dt": (gradient, finite difference)}`` from an exported gradient module's output."""
    found = {}
    for line in stdout.splitlines():
        match = re.match(r"(d\w+/d\w+) = (\S+)\s+\(finite difference: (\S+)\)", line)
        if match:
            found[match.group(1)] = (float(match.group(2)), float(match.group(3)))
    return found


def check_image(path: Path) -> None:
    if path.suffix.lower() == ".svg":
        assert QSvgRenderer(str(path)).isValid(), path.name
        root = ET.parse(path).getroot()
        assert root.tag.endswith("svg"), path.name
    else:
        image = QImage(str(path))
        assert not image.isNull() and image.width() > 10 and image.height() > 10, path.name


def check_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows, f"{path.name}: empty"  # (a log exported before any step has only its header)
    assert {"step", "loss"} <= set(rows[0]), rows[0]
    assert all(len(r) == len(rows[0]) for r in rows), f"{path.name}: ragged rows"
    assert all(math.isfinite(float(r[rows[0].index("loss")])) for r in rows[1:])
    return rows


def reopen_session(qtbot, win, dialogs, path: Path) -> None:
    """File ▸ Open, in the Expression tab, answered with ``path``: the session comes back."""
    show_tab(qtbot, win, EXPRESSION)
    dialogs.open_path = str(path)
    win.findChild(QAction, "action-open").trigger()
    dialogs.open_path = ""
    settle(qtbot, win)
    session = load_session(path)
    assert win.document.path == path
    assert win.expression_mode.editor.toPlainText() == session.text
    assert not win.document.is_modified()


def reopen_model(qtbot, win, dialogs, path: Path) -> None:
    """File ▸ Open, in the Network tab, answered with ``path``: the network has its weights."""
    show_tab(qtbot, win, NETWORK)
    network, _meta = load_model(path)
    dialogs.open_path = str(path)
    win.findChild(QAction, "action-open").trigger()
    dialogs.open_path = ""
    controller = win.network_mode.controller
    qtbot.waitUntil(lambda: controller.network is not None and controller.network.sizes == network.sizes
                    and np.array_equal(controller.network.params, network.params), timeout=10000)


def check_written(qtbot, win, dialogs, files: list[Path]) -> set[str]:
    """Open every file the app wrote again, each the way it is meant to be used."""
    kinds = set()
    for path in files:
        suffix = path.suffix.lower()
        kinds.add(suffix)
        if suffix == ".json":
            reopen_session(qtbot, win, dialogs, path)
        elif suffix == ".npz":
            reopen_model(qtbot, win, dialogs, path)
        elif suffix == ".tex":
            check_latex(path)
        elif suffix == ".py":
            out = run_python(path, path.parent)
            grads = gradient_lines(out)
            if grads:  # the Expression tab's gradient module checks itself by finite differences
                for name, (g, fd) in grads.items():
                    assert math.isfinite(g) and g == pytest.approx(fd, rel=1e-5, abs=1e-8), (path.name, name)
            else:  # the Network tab's script prints its outputs for three rows
                values = np.array(ast.literal_eval(out.strip().splitlines()[-1]), dtype=float)
                assert values.size and np.isfinite(values).all(), path.name
        elif suffix in (".png", ".svg"):
            check_image(path)
        elif suffix == ".csv":
            check_csv(path)
        else:
            pytest.fail(f"the app wrote {path.name}, which this test does not know how to open")
    return kinds


# -- the exports that crashed, through the menu ---------------------------------------------------------
def test_file_export_latex_writes_a_complete_document(qtbot, window, dialogs, reporter, popups):
    window.findChild(QAction, "action-export-latex").trigger()
    settle(qtbot, window)
    no_error(reporter, dialogs, popups, "File ▸ Export ▸ Derivation as LaTeX")
    asked = [d for d in dialogs.file_dialogs if d[0] == "save"]
    assert asked and asked[-1][1] == "Export LaTeX" and "*.tex" in asked[-1][2]
    path = Path(asked[-1][3])
    text = check_latex(path)
    assert r"\frac{dz}{dt}" in text or "dz/dt" in text
    assert "-3.435" in text  # the derivative the result panel shows


def test_file_export_numpy_prints_the_gradient_the_app_shows(qtbot, window, dialogs, reporter, popups, tmp_path):
    snapshot = window.expression_mode.snapshot
    window.findChild(QAction, "action-export-numpy").trigger()
    settle(qtbot, window)
    no_error(reporter, dialogs, popups, "File ▸ Export ▸ Gradient as NumPy function")
    asked = [d for d in dialogs.file_dialogs if d[0] == "save"]
    assert asked and asked[-1][1] == "Export gradient" and "*.py" in asked[-1][2]
    path = Path(asked[-1][3])
    out = run_python(path, tmp_path)
    grads = gradient_lines(out)
    derivation = snapshot.derivation
    name = f"d{snapshot.of}/d{snapshot.wrt}"
    assert grads[name][0] == pytest.approx(derivation.derivative, rel=1e-12)
    value = float(re.search(rf"^{snapshot.of} = (\S+)$", out, re.MULTILINE).group(1))
    assert value == pytest.approx(derivation.value, rel=1e-12)
    shown = window.expression_mode.findChild(QWidget, "resultValue").text()
    shown_number = float(re.search(r"-?\d+\.\d+", shown.replace("−", "-")).group(0))
    assert grads[name][0] == pytest.approx(shown_number, rel=1e-7)


@pytest.mark.parametrize("example", ["polar", "sigmoid-neuron", "reparameterization", "deep-diamonds"])
def test_the_numpy_export_of_an_example_prints_its_gradient(qtbot, window, dialogs, reporter, popups, tmp_path,
                                                              example):
    window.findChild(QAction, f"example-{example}").trigger()
    settle(qtbot, window)
    snapshot = window.expression_mode.snapshot
    window.findChild(QAction, "action-export-numpy").trigger()
    no_error(reporter, dialogs, popups, f"Examples ▸ {example}, then File ▸ Export ▸ Gradient as NumPy")
    grads = gradient_lines(run_python(Path(dialogs.file_dialogs[-1][3]), tmp_path))
    shown = grads[f"d{snapshot.of}/d{snapshot.wrt}"][0]
    assert shown == pytest.approx(snapshot.derivation.derivative, rel=1e-9, abs=1e-12)
    assert set(grads) == {f"d{snapshot.of}/d{name}" for name in snapshot.point}  # one line per input


def test_a_cancelled_export_writes_nothing_and_says_nothing(qtbot, window, dialogs, reporter, popups):
    dialogs.save_folder = None  # the person presses Cancel: the dialog answers ""
    for name in ("action-export-latex", "action-export-numpy", "action-export-diagram-png",
                 "action-export-diagram-svg", "action-save-as"):
        window.findChild(QAction, name).trigger()
        settle(qtbot, window)
        no_error(reporter, dialogs, popups, name)
    assert dialogs.asked == []
    assert [d[0] for d in dialogs.file_dialogs] == ["save"] * 5


# -- round trips through the menus ------------------------------------------------------------------------
def test_a_saved_session_reopens_to_the_same_state(qtbot, window, dialogs, reporter, popups):
    mode = window.expression_mode
    window.findChild(QAction, "example-three-paths").trigger()
    settle(qtbot, window)
    window.findChild(QAction, "view_graph").trigger()
    mode.controller.toggle_cut(("w", "y"))  # state to save (cutting is the diagram's context menu)
    qtbot.waitUntil(lambda: mode.snapshot.cut == {("w", "y")}, timeout=10000)
    saved_state = mode.current_session()
    window.findChild(QAction, "action-save-as").trigger()
    path = Path(dialogs.file_dialogs[-1][3])
    assert path.suffix == ".json" and path.exists()
    window.findChild(QAction, "action-new").trigger()
    settle(qtbot, window)
    assert mode.current_session() != saved_state
    reopen_session(qtbot, window, dialogs, path)
    qtbot.waitUntil(lambda: mode.snapshot.cut == {("w", "y")}, timeout=10000)
    assert mode.current_session() == saved_state
    assert mode.diagram.view == "graph"
    no_error(reporter, dialogs, popups, "Save As, New, Open")


def test_diagram_exports_open_as_images(qtbot, window, dialogs, reporter, popups):
    diagram = window.expression_mode.diagram
    for name in ("action-export-diagram-png", "action-export-diagram-svg"):
        window.findChild(QAction, name).trigger()
        settle(qtbot, window)
        no_error(reporter, dialogs, popups, name)
    png, svg = (Path(d[3]) for d in dialogs.file_dialogs[-2:])
    assert png.suffix == ".png" and svg.suffix == ".svg"
    check_image(png)
    check_image(svg)
    scene = diagram.scene().itemsBoundingRect()
    assert QImage(str(png)).width() >= scene.width()  # the whole diagram, at least at 1:1
    texts = "".join(ET.parse(svg).getroot().itertext())
    assert all(name in texts for name in ("z", "x", "y", "t"))  # names stay text in the SVG


def test_every_export_suggests_the_folder_of_the_session(qtbot, window, dialogs, reporter, popups, tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    dialogs.save_folder = folder
    window.findChild(QAction, "action-save-as").trigger()  # the session now lives in work/
    assert window.document.path.parent == folder
    for name in ("action-export-latex", "action-export-numpy", "action-export-diagram-png",
                 "action-export-diagram-svg"):
        window.findChild(QAction, name).trigger()
        settle(qtbot, window)
        suggested = Path(dialogs.file_dialogs[-1][4])
        assert suggested.parent == folder, (name, suggested)
    no_error(reporter, dialogs, popups, "exports after Save As")


def test_network_model_saves_and_opens_through_the_file_menu(qtbot, window, dialogs, reporter, popups):
    show_tab(qtbot, window, NETWORK)
    mode = window.network_mode
    controller = mode.controller
    click(qtbot, mode.step_button)
    qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.step == 1, timeout=10000)
    saved = controller.network.params.copy()
    activate(qtbot, window)
    mode.diagram.setFocus()
    qtbot.keyClick(mode.diagram, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # File ▸ Save's key
    assert dialogs.file_dialogs, "Ctrl+S in the Network tab asked for no file"
    path = Path(dialogs.file_dialogs[-1][3])
    assert path.suffix == ".npz" and path.exists()
    assert np.array_equal(load_model(path)[0].params, saved)
    click(qtbot, mode.step_button)
    qtbot.waitUntil(lambda: controller.latest.step == 2, timeout=10000)
    assert not np.array_equal(controller.network.params, saved)
    reopen_model(qtbot, window, dialogs, path)
    assert np.array_equal(controller.network.params, saved)
    assert window.document.path is None  # the session was neither saved nor replaced
    no_error(reporter, dialogs, popups, "Network tab: File ▸ Save, File ▸ Open")


def test_file_save_as_in_the_network_tab_saves_the_model(qtbot, window, dialogs, reporter, popups):
    show_tab(qtbot, window, NETWORK)
    controller = window.network_mode.controller
    window.findChild(QAction, "action-save-as").trigger()
    kind, title, file_filter, answer, _suggested = dialogs.file_dialogs[-1]
    assert (kind, title) == ("save", "Save model") and "*.npz" in file_filter
    assert np.array_equal(load_model(answer)[0].params, controller.network.params)
    assert window.document.path is None  # no session was saved instead
    show_tab(qtbot, window, EXPRESSION)
    window.findChild(QAction, "action-save-as").trigger()
    assert dialogs.file_dialogs[-1][1] == "Save session" and window.document.path == Path(dialogs.file_dialogs[-1][3])
    no_error(reporter, dialogs, popups, "File ▸ Save As in each tab")


def choose_from_tool_menu(qtbot, popups, button, entry: str) -> None:
    """Click a tool button whose menu pops up and choose ``entry`` with the keyboard."""
    popups.pick = entry
    click(qtbot, button)
    qtbot.waitUntil(lambda: entry in popups.picked, timeout=5000)
    popups.picked.remove(entry)


def test_network_file_button_exports_open_again(qtbot, window, dialogs, reporter, popups, tmp_path):
    show_tab(qtbot, window, NETWORK)
    mode = window.network_mode
    controller = mode.controller
    for _ in range(3):
        click(qtbot, mode.step_button)
    qtbot.waitUntil(lambda: controller.latest is not None and controller.latest.step == 3, timeout=10000)
    button = mode.file_button
    choose_from_tool_menu(qtbot, popups, button, "Export training log (CSV)")
    choose_from_tool_menu(qtbot, popups, button, "Export plots (PNG)")
    choose_from_tool_menu(qtbot, popups, button, "Export as NumPy script")
    no_error(reporter, dialogs, popups, "Network tab: File ▸ Export …")
    log, plots, script = (Path(d[3]) for d in dialogs.file_dialogs[-3:])
    rows = check_csv(log)
    assert [int(r[0]) for r in rows[1:]] == [1, 2, 3]
    pngs = sorted(dialogs.save_folder.glob(f"{plots.stem}-*.png"))
    assert {p.stem.rsplit("-", 1)[1] for p in pngs} == {"loss", "gradients", "decision", "diagram"}
    for png in pngs:
        check_image(png)
    printed = np.array(ast.literal_eval(run_python(script, tmp_path).strip().splitlines()[-1]))
    expected = controller.network.forward(controller.dataset.X[:3])
    assert np.allclose(printed, expected, rtol=1e-12, atol=1e-15)
    # open and save from the same menu
    choose_from_tool_menu(qtbot, popups, button, "Save model")
    model = Path(dialogs.file_dialogs[-1][3])
    assert model.suffix == ".npz" and np.array_equal(load_model(model)[0].params, controller.network.params)
    choose_from_tool_menu(qtbot, popups, button, "Open model")
    assert dialogs.file_dialogs[-1][:2] == ("open", "Open model") and dialogs.file_dialogs[-1][3] == str(model)
    no_error(reporter, dialogs, popups, "Network tab: File ▸ Save/Open model")


def test_nothing_to_export_says_why_and_what_to_do(qtbot, window, dialogs, reporter, popups):
    window.findChild(QAction, "example-implicit-circle").trigger()
    settle(qtbot, window)
    for name in ("action-export-latex", "action-export-numpy"):
        window.findChild(QAction, name).trigger()
        assert dialogs.asked[-1][0] == "Nothing to export"
        assert "implicit relation" in dialogs.asked[-1][1] and "Implicit tab" in dialogs.asked[-1][1]
    mode = window.expression_mode
    mode.set_text("z = log(x)\nx = t - 2")  # at t = 1: log of −1
    settle(qtbot, window)
    window.findChild(QAction, "action-export-latex").trigger()
    assert "cannot be computed at this point" in dialogs.asked[-1][1] and "log" in dialogs.asked[-1][1]
    assert dialogs.file_dialogs == []  # no file was asked for
    no_error(reporter, dialogs, popups, "exports with nothing to export")


def test_an_export_while_the_text_has_a_mistake_says_what_it_exported(qtbot, window, dialogs, reporter, popups):
    mode = window.expression_mode
    editor = mode.editor
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " +")  # z = … ; y = e^t +   (does not read)
    qtbot.waitUntil(lambda: "Line 3" in mode.error_strip.text(), timeout=5000)
    window.findChild(QAction, "action-export-latex").trigger()
    exported = check_latex(Path(dialogs.file_dialogs[-1][3]))
    assert "-3.435" in exported  # the last result that read: the one shown, greyed
    assert "last definitions that read" in window.statusBar().currentMessage()
    assert "has a mistake" in window.statusBar().currentMessage()
    no_error(reporter, dialogs, popups, "File ▸ Export with a mistake in the text")


def test_undo_in_the_network_tab_leaves_the_hidden_text_alone(qtbot, window, dialogs, reporter, popups):
    editor = window.expression_mode.editor
    text = editor.toPlainText()
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " + 1")
    settle(qtbot, window)
    undo = window.findChild(QAction, "action-undo")
    assert undo.isEnabled()
    show_tab(qtbot, window, NETWORK)
    assert not undo.isEnabled()
    activate(qtbot, window)
    window.network_mode.diagram.setFocus()
    qtbot.keyClick(window.network_mode.diagram, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert editor.toPlainText() == text + " + 1"  # nothing changed out of sight
    show_tab(qtbot, window, EXPRESSION)
    assert undo.isEnabled()
    window.expression_mode.diagram.setFocus()
    qtbot.keyClick(window.expression_mode.diagram, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: editor.toPlainText() == text, timeout=3000)
    no_error(reporter, dialogs, popups, "Ctrl+Z in each tab")


def test_a_recent_file_that_is_gone_leaves_the_recent_menu(qtbot, window, dialogs, reporter, popups):
    window.findChild(QAction, "action-save-as").trigger()
    kept = Path(dialogs.file_dialogs[-1][3])
    window.findChild(QAction, "action-save-as").trigger()
    gone = Path(dialogs.file_dialogs[-1][3])
    gone.unlink()
    recent = window.findChild(QMenu, "menu-recent")
    entries = {a.toolTip(): a for a in recent.actions()}
    assert set(entries) == {str(kept.resolve()), str(gone.resolve())}
    entries[str(gone.resolve())].trigger()
    assert [a.toolTip() for a in recent.actions()] == [str(kept.resolve())]
    assert dialogs.asked[-1][0] == "Cannot open session" and "removed from File ▸ Open Recent" in dialogs.asked[-1][1]
    [entry] = recent.actions()
    entry.trigger()  # the one still there opens
    settle(qtbot, window)
    assert window.document.path == kept.resolve()
    no_error(reporter, dialogs, popups, "File ▸ Open Recent")


def test_file_quit_closes_the_window_and_the_session_comes_back(qtbot, window, dialogs, reporter, popups):
    from chainrule_gui.gui.document import SessionDocument

    window.findChild(QAction, "example-polar").trigger()
    settle(qtbot, window)
    dialogs.answer = dialogs.answer.Save
    window.findChild(QAction, "action-quit").trigger()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert dialogs.asked and dialogs.asked[-1][0] == "Unsaved changes"
    saved = Path(dialogs.file_dialogs[-1][3])
    assert load_session(saved).text.startswith("f = x^2*y + y^3")
    found = SessionDocument.last_session()  # what the next start shows: the file just saved
    assert found is not None and found[0].text.startswith("f = x^2*y + y^3") and found[1] == saved
    no_error(reporter, dialogs, popups, "File ▸ Quit")


# -- walk everything ----------------------------------------------------------------------------------
def test_every_menu_action_works_in_both_tabs(qtbot, window, dialogs, reporter, popups):
    """Every entry of every menu and submenu, triggered in each tab (File ▸ Open and Save
    act per tab); entries that appear on the way (Open Recent) are walked too, and so are
    the controls of the windows an entry opens (the shortcut sheet, About's Copy Versions)."""
    editor = window.expression_mode.editor
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, "  # typed")  # so that Edit ▸ Undo, then Redo, have work to do
    settle(qtbot, window)
    assert window.findChild(QAction, "action-undo").isEnabled()
    triggered: dict[str, set[int]] = {}
    never_enabled: dict[str, str] = {}
    walker = ControlWalk(qtbot, window, dialogs, reporter, popups)
    for tab in (EXPRESSION, NETWORK):
        show_tab(qtbot, window, tab)
        walker.tab = tab
        done: set[str] = set()
        while True:
            todo = [(path, a) for path, a in menu_actions(window)
                    if f"{path}|{a.objectName()}" not in done]
            if not todo:
                break
            for path, action in todo:
                key = f"{path}|{action.objectName()}"
                done.add(key)
                if action.objectName() in HANDLED_ELSEWHERE:
                    continue
                if not shiboken6.isValid(action):  # e.g. Open Recent refilled
                    continue
                show_tab(qtbot, window, tab)
                if not action.isEnabled():
                    never_enabled.setdefault(path, f"disabled in tab {tab}")
                    continue
                shown = {_key(w) for w in _visible_controls(window) if w.isEnabled()}
                action.trigger()
                settle(qtbot, window)
                no_error(reporter, dialogs, popups, f"{path} in the {window.tabs.tabText(tab)} tab")
                triggered.setdefault(path, set()).add(tab)
                never_enabled.pop(path, None)
                for control in _visible_controls(window):  # a window the entry opened
                    if control.window() is not window and _key(control) not in shown:
                        walker.use(control)
                activate(qtbot, window)  # help windows take the focus; the person comes back
    # every entry was triggered in both tabs (or is covered by its own test)
    for path, action in menu_actions(window):
        if action.objectName() in HANDLED_ELSEWHERE:
            assert HANDLED_ELSEWHERE[action.objectName()] in globals()
            continue
        if path.startswith("File ▸ Open Recent"):
            assert triggered.get(path), path  # its entries change while walking
            continue
        tabs = {ONE_TAB_ONLY[action.objectName()]} if action.objectName() in ONE_TAB_ONLY else {EXPRESSION, NETWORK}
        assert triggered.get(path) == tabs, (path, never_enabled.get(path))
    used = " | ".join(walker.used)
    assert "'copyVersions'" in used, f"the windows opened from the menus were not walked: {used}"
    # every file a save or an export wrote opens again, as what it claims to be
    kinds = check_written(qtbot, window, dialogs, written_files(dialogs.save_folder))
    assert {".json", ".tex", ".py", ".png", ".svg", ".npz"} <= kinds
    no_error(reporter, dialogs, popups, "opening the written files again")


def _key(widget) -> tuple:
    """Which control this is, stable while its text changes (Play becomes Pause)."""
    if widget.objectName() and not widget.objectName().startswith("qt_"):
        return type(widget).__name__, widget.objectName()
    if isinstance(widget, QTabBar):
        return "QTabBar", tuple(widget.tabText(i) for i in range(widget.count()))
    action = getattr(widget, "defaultAction", lambda: None)()
    if action is not None:
        return type(widget).__name__, "action", action.objectName() or _plain(action.text())
    # an unnamed one (a dialog's Close) by its text and the window it is in
    return (type(widget).__name__, widget.objectName(), widget.text() if isinstance(widget, QAbstractButton) else "",
            widget.window().objectName())


def _visible_controls(win) -> list[QWidget]:
    controls = []
    for cls in (QAbstractButton, QComboBox, QTabBar):
        for w in win.findChildren(cls):
            if w is win.tabs.tabBar() or not w.isVisible():
                continue
            controls.append(w)
    return controls


def _context_menu_widgets(win) -> list[tuple[QWidget, bool]]:
    """Visible widgets that may offer a context menu beyond Qt's text menus, each with
    whether it must: the app's own menus must appear; a pyqtgraph plot's own menu (View
    All, Export…) appears where the app leaves it enabled."""
    import pyqtgraph as pg

    found = []
    for w in win.findChildren(QWidget):
        if not w.isVisible():
            continue
        if isinstance(w, pg.GraphicsView):
            found.append((w.viewport(), False))
            continue
        if w.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu:
            found.append((w, True))
            continue
        if any("contextMenuEvent" in vars(c) and c.__module__.startswith("chainrule_gui")
               for c in type(w).__mro__):
            # a scroll area (the diagram) gets its menu event through its viewport
            target = (w.viewport() if isinstance(w, QAbstractScrollArea) else w, True)
            if target not in found:
                found.append(target)
    return found


class ControlWalk:
    """Clicks every visible, enabled button and check box, picks every entry of every combo
    box with the keys, clicks every tab of the inner tab bars, and after each one walks
    whatever that made appear (a dialog's buttons, the CSV button of the CSV data set)."""

    def __init__(self, qtbot, win, dialogs, reporter, popups):
        self.qtbot, self.win, self.dialogs, self.reporter, self.popups = qtbot, win, dialogs, reporter, popups
        self.visited: set[tuple] = set()
        self.used: list[str] = []
        self.depth = 0

    def check(self, what: str) -> None:
        settle(self.qtbot, self.win)
        no_error(self.reporter, self.dialogs, self.popups, what)
        self.used.append(what)

    def walk(self, tab: int) -> None:
        self.tab = tab
        for _ in range(8):  # passes: a click can enable or reveal more (Pause after Start)
            fresh = [w for w in _visible_controls(self.win) if w.isEnabled() and _key(w) not in self.visited]
            if not fresh:
                return
            for widget in fresh:
                self.use(widget)
        pytest.fail(f"controls keep appearing after eight passes: {fresh}")

    def use(self, widget) -> None:
        if not shiboken6.isValid(widget) or not widget.isVisible() or _key(widget) in self.visited:
            return
        if not widget.isEnabled():
            return  # visited in a later pass if something enables it
        self.visited.add(_key(widget))
        if self.win.tabs.currentIndex() != self.tab:
            show_tab(self.qtbot, self.win, self.tab)
        before = {_key(w) for w in _visible_controls(self.win) if w.isEnabled()}  # what it reveals is new
        if isinstance(widget, QComboBox):
            self.pick_every_entry(widget, before)
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                if shiboken6.isValid(widget) and widget.isVisible() and widget.isTabEnabled(index):
                    self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.tabRect(index).center())
                    self.check(f"tab {widget.tabText(index)!r}")
                    self.walk_new(before)
        else:
            self.press(widget, before)

    def press(self, button: QAbstractButton, before: set) -> None:
        what = f"{type(button).__name__} {button.objectName() or button.text()!r}"
        if button.window() is not self.win:
            what += f" in {button.window().objectName() or button.window().windowTitle()!r}"
        clicked = []
        button.clicked.connect(lambda *_: clicked.append(True))
        menus_before = len(self.popups.menus)
        click(self.qtbot, button)
        self.check(what)
        popped = self.popups.menus[menus_before:]
        # (whether a checkable one toggles is its own business: the last chosen name of a
        # picker, the checked view of an exclusive group stay checked)
        assert clicked or popped, f"{what}: the click did not reach it"
        for action in _leaf_actions([a for m in popped for a in m]):  # the person picks each entry
            if shiboken6.isValid(action) and action.isEnabled():
                action.trigger()
                self.check(f"{what} ▸ {_plain(action.text())}")
        self.walk_new(before)

    def pick_every_entry(self, combo: QComboBox, before: set) -> None:
        what = f"combo box {combo.objectName()!r}"
        start = combo.currentIndex()
        combo.setFocus()
        self.qtbot.keyClick(combo, Qt.Key.Key_Home)
        self.check(f"{what}: Home")
        for _ in range(combo.count() - 1):
            if not shiboken6.isValid(combo) or not combo.isVisible():
                return  # a choice replaced the control (e.g. a preset rebuilt the editor)
            was = combo.currentIndex()
            self.qtbot.keyClick(combo, Qt.Key.Key_Down)
            self.check(f"{what}: {combo.currentText()!r}")
            if combo.currentIndex() == was:
                break  # the rest are disabled entries
            self.walk_new(before)
        if shiboken6.isValid(combo) and combo.isVisible() and combo.isEnabled() and start >= 0:
            self.qtbot.keyClick(combo, Qt.Key.Key_Home)
            for _ in range(start):
                self.qtbot.keyClick(combo, Qt.Key.Key_Down)
            self.check(f"{what}: back to entry {start}")

    def walk_new(self, before: set) -> None:
        """Use the controls the last action made appear (or enabled), at once: a control
        shown only in one state (Import CSV… for the CSV data set) is gone later."""
        if self.depth > 6:
            return
        self.depth += 1
        try:
            for widget in _visible_controls(self.win):
                if shiboken6.isValid(widget) and widget.isEnabled() and _key(widget) not in before:
                    self.use(widget)  # skips what was deleted, hidden or visited meanwhile
        finally:
            self.depth -= 1

    def context_menus(self) -> None:
        """Right-click each of the app's own context menus and choose every entry; over a
        graphics view, once on its background and once on an item of each kind (a node,
        an edge label, …), whose menus differ."""
        for widget, must in _context_menu_widgets(self.win):
            if not shiboken6.isValid(widget) or not widget.isVisible():
                continue
            parent = widget.parentWidget()
            owner = parent if isinstance(parent, QAbstractScrollArea) and parent.viewport() is widget else widget
            name = f"{type(owner).__name__} {owner.objectName()!r}"
            kinds = []  # the items first: a menu entry on the background may fold them away
            if isinstance(owner, QGraphicsView) and must:
                kinds += sorted({type(i).__name__ for i in owner.items() if i.isVisible()})
            kinds.append(None)
            for kind in kinds:
                if isinstance(owner, QGraphicsView):
                    _hold_still(self.qtbot, owner)  # labels typeset late move the items
                pos = _item_position(owner, kind) if kind else widget.rect().center()
                if pos is None:
                    continue
                what = f"context menu of {name}" + (f" on a {kind}" if kind else "")
                before = len(self.popups.menus)
                self.qtbot.mouseClick(widget, Qt.MouseButton.RightButton, pos=pos)
                self.qtbot.wait(30)  # the watcher closes the menu if one opened
                if len(self.popups.menus) == before and must:
                    # Offscreen, a synthetic right click is not turned into the menu event
                    # that the window system's click becomes: send that event as Qt would.
                    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, widget.mapToGlobal(pos))
                    QApplication.sendEvent(widget, event)
                    settle(self.qtbot, self.win)
                menus = self.popups.menus[before:]
                assert menus or not must, f"{what}: right-click showed no menu"
                for action in _leaf_actions([a for m in menus for a in m]):
                    if shiboken6.isValid(action) and action.isEnabled():
                        action.trigger()
                        self.check(f"{what} ▸ {_plain(action.text())}")


def _leaf_actions(actions) -> list[QAction]:
    """The entries of a menu and of its submenus (Edge Labels ▸ …)."""
    out = []
    for action in actions:
        if not shiboken6.isValid(action) or action.isSeparator():
            continue
        if action.menu() is not None:
            out += _leaf_actions(action.menu().actions())
        else:
            out.append(action)
    return out


def _hold_still(qtbot, view) -> None:
    """Wait until ``view``'s scene stops changing (typesetting lays a diagram out again)."""
    last = [None]

    def still() -> bool:
        now = tuple(view.scene().itemsBoundingRect().getRect()), len(view.scene().items())
        same, last[0] = now == last[0], now
        return same

    qtbot.waitUntil(still, timeout=5000)


def _item_position(view, kind: str):
    """Where in ``view``'s viewport an item of class ``kind`` is, uncovered, if any is (the
    view scrolled to it first, as a person would)."""
    area = view.viewport().rect()
    for item in view.scene().items():
        if type(item).__name__ != kind or not item.isVisible():
            continue
        view.centerOn(item)
        pos = view.mapFromScene(item.sceneBoundingRect().center())
        hit = view.itemAt(pos)
        if area.contains(pos) and hit is not None and (hit is item or item.isAncestorOf(hit)):
            return pos
    return None


def test_every_button_combo_box_and_check_box_works_in_both_tabs(qtbot, window, dialogs, reporter, popups,
                                                                   tmp_path):
    data = tmp_path / "points.csv"  # what the Network tab's Import CSV… is answered with
    rng = np.random.default_rng(0)
    rows = ["x1,x2,label"] + [f"{a:.4f},{b:.4f},{int(a * b > 0)}" for a, b in rng.normal(size=(60, 2))]
    data.write_text("\n".join(rows) + "\n")
    dialogs.open_files.append(data)
    mode = window.expression_mode
    mode.controller.toggle_cut(("z", "y"))  # so that Restore cuts has a cut to restore
    settle(qtbot, window)
    walker = ControlWalk(qtbot, window, dialogs, reporter, popups)
    for tab in (EXPRESSION, NETWORK):
        show_tab(qtbot, window, tab)
        walker.walk(tab)
        if tab == EXPRESSION:  # the walk left the operations view; a tree's nodes fold
            window.findChild(QAction, "view_tree").trigger()
            settle(qtbot, window)
        walker.context_menus()
    used = " | ".join(walker.used)
    for expected in ("'startButton'", "'pauseButton'", "'compareButton'", "'compareRunButton'",
                     "'csvButton'", "'gradientToggle'", "'pathContributionsToggle'", "'stepForward'",
                     "'Restore cuts'", "combo box 'datasetSelector'", "combo box 'ofSelector'",
                     "'networkFileButton' ▸ Export as NumPy script", "context menu of TreeDiagram",
                     "on a EdgeLabelItem ▸ Cut the edge", "Fold this branch",
                     "tab 'Jacobian'"):
        assert expected in used, f"the walk never reached {expected}"
    if window.network_page.content is not None:  # stop training before the files are checked
        window.network_mode.controller.pause()
    check_written(qtbot, window, dialogs, written_files(dialogs.save_folder))
    no_error(reporter, dialogs, popups, "after the walk")


def _sheet_keys(keys: str) -> list[QKeySequence]:
    out = []
    for part in keys.split(", "):
        for word in KEY_WORDS.get(part, [part]):
            sequence = QKeySequence.fromString(word, QKeySequence.SequenceFormat.NativeText)
            assert sequence.count() == 1 and sequence[0].key() != Qt.Key.Key_unknown, (
                f"the shortcut sheet lists {keys!r}, which is not a key the test can press: "
                "add its words to KEY_WORDS")
            out.append(sequence)
    return out


def _section_widget(qtbot, win, section: str) -> tuple[int, QWidget]:
    """The tab and the widget a shortcut of ``section`` belongs to (made visible, focused)."""
    names = {title: name for name, title in SECTIONS.items()}
    name = names.get(section)
    if section.endswith(" menu") or name in (None, "MainWindow"):
        return -1, win
    tab = NETWORK if name == "networkMode" else EXPRESSION
    show_tab(qtbot, win, tab)
    widget = win.findChild(QWidget, name)
    if widget is None or not widget.isVisible():
        show = win.findChild(QAction, f"showTab_{name}")
        if show is not None:
            show.trigger()
        widget = win.findChild(QWidget, name)
    assert widget is not None and widget.isVisible(), f"{section}: {name} is not shown"
    return tab, widget


def test_every_shortcut_on_the_sheet_does_what_it_says(qtbot, window, dialogs, reporter, popups):
    qtbot.keyClick(window.expression_mode.editor, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    sheet = window.findChild(QWidget, "shortcutSheet")
    assert sheet is not None and sheet.isVisible(), "Ctrl+/ did not open the shortcut sheet"
    rows = list(sheet.rows)
    assert len(rows) == sheet.table.rowCount() >= 20
    sheet.close()
    editor = window.expression_mode.editor
    fired: list[object] = []
    watched = set()

    def watch_all() -> None:
        for action in window.findChildren(QAction):
            if id(action) not in watched:
                watched.add(id(action))
                action.triggered.connect(lambda *_, a=action: fired.append(a))
        for button in window.findChildren(QAbstractButton):
            if id(button) not in watched:
                watched.add(id(button))
                button.clicked.connect(lambda *_, b=button: fired.append(b))

    def targets(sequence: QKeySequence) -> list:
        found = [a for a in window.findChildren(QAction) if sequence in a.shortcuts()]
        found += [b for b in window.findChildren(QAbstractButton) if b.shortcut() == sequence]
        return found

    def press(row) -> bool:
        """True when done: every key of the row pressed (and, for an action, it ran)."""
        section, what, keys = row
        done = True
        tabs = (EXPRESSION, NETWORK) if section.endswith(" menu") else (None,)
        for tab in tabs:
            if tab is not None:
                show_tab(qtbot, window, tab)
            for sequence in _sheet_keys(keys):
                activate(qtbot, window)
                _tab, widget = _section_widget(qtbot, window, section)
                if widget is window:  # a window-wide key: pressed over the tab's diagram (a
                    # text box answers Ctrl+Z itself, and rightly: it is not the menu's key there)
                    expression_tab = window.tabs.currentIndex() == EXPRESSION
                    target = (window.expression_mode.diagram if expression_tab
                              else window.network_mode.diagram)
                else:
                    target = widget
                target.setFocus()
                if QApplication.focusWidget() is None or not (QApplication.focusWidget() is target
                                                               or target.isAncestorOf(QApplication.focusWidget())):
                    child = next((c for c in target.findChildren(QWidget)
                                  if c.isVisible() and c.focusPolicy() != Qt.FocusPolicy.NoFocus), None)
                    if child is not None:
                        child.setFocus()
                        target = child
                watch_all()
                acting = targets(sequence)
                if tab is not None and acting and all(ONE_TAB_ONLY.get(t.objectName(), tab) != tab for t in acting):
                    continue  # Edit ▸ Undo in the Network tab: off there by design
                if acting and not any(t.isEnabled() for t in acting):
                    done = False  # e.g. Redo before an Undo: tried again after the others
                    continue
                fired.clear()
                combo = sequence[0]
                qtbot.keyClick(QApplication.focusWidget() or target, combo.key(), combo.keyboardModifiers())
                settle(qtbot, window)
                no_error(reporter, dialogs, popups, f"{keys} ({what}) in {section}")
                if acting:  # (a button's key clicks it 100 ms later: animateClick)
                    try:
                        qtbot.waitUntil(lambda acting=acting: any(a in fired for a in acting), timeout=2000)
                    except qtbot.TimeoutError:
                        pytest.fail(f"{keys} ({what}) in {section} did nothing")
        return done

    def prepare() -> None:
        """State some shortcuts need: an edit to undo, a cut to restore, a step to go back."""
        show_tab(qtbot, window, EXPRESSION)
        editor.setFocus()
        qtbot.keyClicks(editor, " ")
        window.expression_mode.controller.toggle_cut(("z", "y"))
        settle(qtbot, window)
        for _ in range(2):
            click(qtbot, window.findChild(QAbstractButton, "stepForward"))
        settle(qtbot, window)

    waiting = [row for row in rows if not press(row)]
    for _ in range(2):
        if not waiting:
            break
        prepare()
        waiting = [row for row in waiting if not press(row)]
    assert not waiting, f"these shortcuts were never enabled: {waiting}"
    if window.network_page.content is not None:
        window.network_mode.controller.pause()
    no_error(reporter, dialogs, popups, "after every shortcut")


# -- a guard on the wiring itself -------------------------------------------------------------------------
def _defaulted_slots(tree: ast.Module) -> dict[str, set[str]]:
    """``{class: {method}}`` of methods whose first parameter has a default (``path=None``)."""
    out: dict[str, set[str]] = {}
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        for fn in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
            params = fn.args.args[1:]
            if params and len(fn.args.defaults) >= len(params):
                out.setdefault(cls.name, set()).add(fn.name)
    return out


def connected_defaulted_slots(text: str, elsewhere: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    """(line, name) of each method with a defaulted first parameter that ``text`` hands to a
    connection: to ``connect`` directly or in a table that a loop then connects.  Methods
    are ``self.name`` of a class in ``text``, or ``other.name`` of one in ``elsewhere``
    (such methods of the whole package).  (The window's ``_action`` helper calls its slot
    without arguments; the menu walk above is what checks it.)"""
    tree = ast.parse(text)
    defaulted = {name for names in _defaulted_slots(tree).values() for name in names}
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def connected(node) -> bool:
        up = parents.get(node)
        while up is not None and not isinstance(up, (ast.FunctionDef, ast.Lambda)):
            if isinstance(up, ast.Call) and isinstance(up.func, ast.Attribute) and up.func.attr in (
                    "connect", "singleShot"):
                return True
            if isinstance(up, ast.For) and any(node is n for n in ast.walk(up.iter)):
                names = {n.id for n in ast.walk(up.target) if isinstance(n, ast.Name)}
                return any(isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
                           and c.func.attr == "connect"
                           and any(isinstance(a, ast.Name) and a.id in names for a in c.args)
                           for c in ast.walk(up))
            up = parents.get(up)
        return False

    def suspect(node) -> bool:
        if not isinstance(node, ast.Attribute) or not isinstance(node.ctx, ast.Load):
            return False
        if isinstance(parents.get(node), ast.Call) and parents[node].func is node:
            return False  # called, not handed over
        mine = isinstance(node.value, ast.Name) and node.value.id == "self"
        return node.attr in (defaulted if mine else elsewhere)

    return sorted((node.lineno, node.attr) for node in ast.walk(tree) if suspect(node) and connected(node))


def test_no_signal_argument_lands_in_a_defaulted_parameter():
    """``triggered``/``clicked``/``toggled`` pass their ``checked`` flag (and ``activated``,
    ``valueChanged``, … their value) to the slot's first parameter: a method like
    ``export_latex(self, path=None)`` connected directly receives ``path=False``.  Connect
    a lambda that calls it with no arguments instead."""
    gui = REPO / "chainrule_gui" / "gui"
    sources = {path: path.read_text(encoding="utf-8") for path in sorted(gui.rglob("*.py"))}
    everywhere = frozenset(name for text in sources.values()
                           for names in _defaulted_slots(ast.parse(text)).values() for name in names)
    problems = [f"{path.relative_to(REPO)}:{line}: .{name}"
                for path, text in sources.items() for line, name in connected_defaulted_slots(text, everywhere)]
    assert not problems, "slots whose first parameter has a default, connected directly:\n" + "\n".join(problems)


def test_the_guard_sees_the_mistake_it_is_for():
    source = ("class W:\n"
              "    def export(self, path=None): ...\n"
              "    def open(self): ...\n"
              "    def build(self):\n"
              "        a.toggled.connect(self.export)\n"
              "        b.clicked.connect(self.export)\n"
              "        for t, slot in (('a', self.export),):\n"
              "            a.triggered.connect(slot)\n"
              "        c.clicked.connect(lambda: self.export())\n"
              "        for t, slot in (('b', self.export),):\n"
              "            a.triggered.connect(lambda _=False, s=slot: s())\n"
              "        d.clicked.connect(self.open)\n"
              "        self.export(None)\n")
    assert connected_defaulted_slots(source) == [(5, "export"), (6, "export"), (7, "export")]
    other = "def wire(view, controller):\n    view.button.clicked.connect(controller.step)\n"
    assert connected_defaulted_slots(other, frozenset({"step"})) == [(2, "step")]
    assert connected_defaulted_slots(other) == []
