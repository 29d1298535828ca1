"""Every control a person can click, type into or drag says what it does when hovered.

Walks the visible widgets of both modes (each bottom view shown in turn, with input that
shows all of its controls) and every action of the menus and tool bars, and lists the
ones without a tool tip of their own.
"""

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QMenu,
    QScrollBar,
    QTabBar,
    QTabWidget,
    QToolBar,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from chainrule_gui.core.examples import BY_KEY
from chainrule_gui.gui import MainWindow

CHECKED: list[str] = []  # every control looked at (the test checks the walk saw them)
CONTROLS = (QAbstractButton, QComboBox, QAbstractSpinBox, QAbstractSlider, QLineEdit)
#: Qt's own pieces inside other widgets, not controls of ours.
QT_INTERNALS = ("qt_", "ScrollLeftButton", "ScrollRightButton")


def _default_tip(text: str) -> str:
    """What Qt shows for an action whose tool tip was never set (its text)."""
    return QAction(text).toolTip()


def _is_internal(widget: QWidget) -> bool:
    if widget.objectName().startswith(QT_INTERNALS) or isinstance(widget, QScrollBar):
        return True
    parent = widget.parentWidget()
    # the line edit inside a spin box or an editable combo box belongs to it
    return isinstance(widget, QLineEdit) and isinstance(parent, (QAbstractSpinBox, QComboBox))


def _describe(widget: QWidget) -> str:
    text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
    return f"{type(widget).__name__} {widget.objectName()!r} {text!r} in {widget.parentWidget().objectName()!r}"


def untipped_controls(root: QWidget) -> list[str]:
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or not widget.isVisibleTo(root) or _is_internal(widget):
            continue
        tip = widget.toolTip().strip()
        action = widget.defaultAction() if isinstance(widget, QToolButton) else None
        if action is not None and tip == _default_tip(action.text()):
            tip = ""  # a tool-bar button of an action that has no tool tip
        if not tip:
            missing.append(_describe(widget))
        CHECKED.append(_describe(widget))
    for bar in root.findChildren(QTabBar):
        if bar.isVisibleTo(root):
            missing += [f"tab {bar.tabText(i)!r}" for i in range(bar.count()) if not bar.tabToolTip(i).strip()]
    return missing


def untipped_actions(window: MainWindow) -> list[str]:
    actions = []

    def walk(menu: QMenu):
        for action in menu.actions():
            if action.isSeparator():
                continue
            actions.append(action)
            if action.menu() is not None:
                walk(action.menu())

    for top in window.menuBar().actions():
        walk(top.menu())
    for bar in window.findChildren(QToolBar):
        # (a widget placed in a tool bar is checked as a control of its own)
        actions += [a for a in bar.actions() if not a.isSeparator() and not isinstance(a, QWidgetAction)]
    missing = []
    for action in actions:
        if action.menu() is not None and action in window.menuBar().actions():
            continue  # File, Edit, …: a menu title explains itself
        if action.toolTip().strip() in ("", _default_tip(action.text())):
            missing.append(f"action {action.text()!r} ({action.objectName()})")
    return sorted(set(missing))


def show_text(qtbot, mode, text):
    mode.set_text(text)
    qtbot.waitUntil(lambda: mode.snapshot is not None and mode.snapshot.text == text, timeout=10000)


def test_every_control_and_action_has_a_tooltip(qtbot):
    window = MainWindow(offer_recovery=False)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    mode = window.expression_mode
    qtbot.waitUntil(lambda: mode.snapshot is not None, timeout=10000)
    window.examples_hint.show_now()
    missing = untipped_controls(window)
    mode.example_note.show()
    # each bottom view with input that shows all of its controls
    for key, view in (("default", "functionPlotPanel"), ("jacobian", "jacobianView"),
                      ("default", "secondOrderView"), ("circle", "implicitView")):
        text = {"default": "z = x^2 + sin(x*y)\nx = t^2\ny = e^t",
                "jacobian": "u = x*y\nv = x + y\nf1 = u^2 + v\nf2 = sin(u)*v",
                "circle": BY_KEY["circle"].text if "circle" in BY_KEY else "x^2 + y^2 = 1"}[key]
        show_text(qtbot, mode, text)
        mode.bottom_tabs.setCurrentWidget(mode.view_pages[view])
        qtbot.waitUntil(lambda: mode.view_pages[view].content is not None, timeout=5000)
        qtbot.wait(50)  # widgets made while drawing are shown by a queued call
        missing += untipped_controls(window)
        pages = mode.view_pages[view].content.findChild(QTabWidget)
        for index in range(1, pages.count() if pages is not None else 0):  # e.g. JVP / VJP
            pages.setCurrentIndex(index)
            qtbot.wait(20)
            missing += untipped_controls(window)
    mode.step_bar.findChild(QComboBox).setCurrentIndex(1)  # another sweep: its own controls
    missing += untipped_controls(window)
    window.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: window.network_page.content is not None, timeout=10000)
    network = window.network_mode
    qtbot.waitUntil(lambda: network.controller.network is not None, timeout=10000)
    missing += untipped_controls(window)
    missing += untipped_actions(window)
    # the windows a person can open from here
    network.open_comparison()
    for dialog in (network.compare_dialog, window.show_user_guide(), window.show_shortcuts(), window.show_about()):
        qtbot.wait(20)
        missing += untipped_controls(dialog)
        dialog.close()
    window.document.mark_clean()
    window.close()
    assert sorted(set(missing)) == []
    seen = " ".join(CHECKED)
    for name in ("ofSelector", "wrtSelector", "input_t", "startButton", "speedSelector", "pathContributionsToggle",
                 "gradMetricSelector", "v_x"):
        assert name in seen, f"the walk did not reach {name}"
    assert len(set(CHECKED)) > 60
