"""The Help menu: the guide, a shortcut sheet made from the real actions, About, the first-run note."""

import platform
from collections import defaultdict

import numpy
import pytest
import sympy
from PySide6.QtCore import qVersion
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QTableWidget, QWidget

from chainrule_gui.gui import MainWindow


@pytest.fixture
def window(qtbot):
    win = MainWindow(offer_recovery=False)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.document.mark_clean()
    win.close()


def trigger(window, name):
    window.findChild(QAction, name).trigger()


def test_the_user_guide_covers_what_the_issue_asks_for(window, qtbot):
    help_key = QKeySequence(QKeySequence.StandardKey.HelpContents)
    assert window.findChild(QAction, "action-user-guide").shortcut() == help_key
    trigger(window, "action-user-guide")
    guide = window.findChild(QWidget, "userGuide")
    assert guide is not None and guide.isVisible()
    text = guide.findChild(QWidget, "userGuideText").toPlainText()
    for topic in ("Typing definitions", "The tree and its paths", "Forward mode and reverse mode",
                  "Reading the gradient-norm plot", "vanishing gradients"):
        assert topic in text, topic
    assert "#" not in text.splitlines()[0]  # rendered Markdown, not the source
    trigger(window, "action-user-guide")  # asked again: the same window comes forward
    assert len(window.findChildren(QWidget, "userGuide")) == 1


def test_the_shortcut_sheet_lists_every_real_shortcut(window, qtbot):
    trigger(window, "action-shortcuts")
    sheet = window.findChild(QWidget, "shortcutSheet")
    table = sheet.findChild(QTableWidget, "shortcutTable")
    listed = {(table.item(r, 1).text(), table.item(r, 2).text()) for r in range(table.rowCount())}
    keys = {k for _, k in listed}
    # every action with a shortcut, in both modes (the Network tab is made for the sheet)
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            if not key.isEmpty():
                assert key.toString(QKeySequence.SequenceFormat.NativeText) in keys, action.text()
    native = lambda k: QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText)  # noqa: E731
    assert ("Train continuously", native("F5")) in listed
    assert ("Tree", native("Ctrl+1")) in listed and ("User Guide", native("F1")) in listed
    # generated, not written down: a changed shortcut shows in the next sheet
    window.findChild(QAction, "action-user-guide").setShortcut(QKeySequence("Ctrl+Alt+G"))
    trigger(window, "action-shortcuts")
    sheet = window.findChild(QWidget, "shortcutSheet")
    table = sheet.findChild(QTableWidget, "shortcutTable")
    rows = {table.item(r, 1).text(): table.item(r, 2).text() for r in range(table.rowCount())}
    assert rows["User Guide"] == native("Ctrl+Alt+G")
    sheet.filter.setText("zoom")
    shown = [r for r in range(table.rowCount()) if not table.isRowHidden(r)]
    assert shown and all("zoom" in table.item(r, 1).text().lower() for r in shown)


def _scope(window, action):
    """Where ``action``'s shortcut is live: "window", a mode, or None (only in a popup menu)."""
    scopes = set()
    for owner in action.associatedObjects():
        if isinstance(owner, QMenu):
            menu, in_bar = owner, False
            while isinstance(menu, QMenu):  # menus of the menu bar are live window-wide
                in_bar = any(a.menu() is menu for a in window.menuBar().actions()) or in_bar
                menu = menu.parentWidget() if not in_bar else None
            if in_bar:
                scopes.add("window")
            continue
        node = owner
        while node is not None and node not in (window.expression_mode, window.network_mode):
            node = node.parentWidget()
        scopes.add(node.objectName() if node is not None else "window")
    return scopes


def test_no_key_does_two_things_at_once(window):
    window.network_mode  # noqa: B018
    by_key = defaultdict(list)
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            if not key.isEmpty():
                by_key[key.toString()].append((action.text(), _scope(window, action)))
    for key, users in by_key.items():
        for i, (first, a) in enumerate(users):
            for second, b in users[i + 1:]:
                clash = ("window" in a and b) or ("window" in b and a) or (a & b)
                assert not clash, f"{key} is bound to both {first!r} {a} and {second!r} {b}"


def test_file_save_and_open_act_on_the_model_in_the_network_tab(window, dialogs, tmp_path, qtbot):
    window.tabs.setCurrentWidget(window.network_mode)
    qtbot.waitUntil(lambda: window.network_mode.controller.network is not None, timeout=10000)
    dialogs.save_path = str(tmp_path / "model.npz")
    trigger(window, "action-save")
    assert (tmp_path / "model.npz").exists()
    assert window.document.path is None  # the session was not saved instead


def test_about_names_the_versions(window):
    trigger(window, "action-about")
    about = window.findChild(QWidget, "aboutDialog")
    assert about.isVisible()
    shown = about.findChild(QWidget, "aboutVersions").text()
    for version in (platform.python_version(), qVersion(), numpy.__version__, sympy.__version__):
        assert version in shown
    about.findChild(QWidget, "copyVersions").click()
    copied = QGuiApplication.clipboard().text()
    assert f"NumPy: {numpy.__version__}" in copied and f"SymPy: {sympy.__version__}" in copied


def test_the_first_run_note_is_shown_once(qtbot):
    first = MainWindow(offer_recovery=False)
    qtbot.addWidget(first)
    first.show()
    hint = first.findChild(QWidget, "firstRunHint")
    qtbot.waitUntil(hint.isVisible, timeout=5000)
    bar = first.menuBar()
    examples = bar.actionGeometry(first.examples_menu.menuAction())
    assert abs(hint.geometry().left() - bar.mapTo(first, examples.bottomLeft()).x()) < 40  # under the menu
    hint.findChild(QWidget, "firstRunDismiss").click()
    assert not hint.isVisible()
    first.close()
    second = MainWindow(offer_recovery=False)
    qtbot.addWidget(second)
    second.show()
    QApplication.processEvents()
    assert not second.findChild(QWidget, "firstRunHint").isVisible()  # remembered
    trigger(second, "action-welcome")  # but it can be asked for again
    assert second.findChild(QWidget, "firstRunHint").isVisible()
    second.close()


def test_the_first_run_note_opens_the_examples(window, qtbot):
    hint = window.findChild(QWidget, "firstRunHint")
    qtbot.waitUntil(hint.isVisible, timeout=5000)
    hint.findChild(QWidget, "firstRunOpenExamples").click()
    assert not hint.isVisible()
    assert window.menuBar().activeAction() is window.examples_menu.menuAction()
