"""The main window opens on the default example and shows the core's real result."""

from PySide6.QtWidgets import QLabel, QPlainTextEdit, QWidget

from chainrule_gui.gui import MainWindow


def make_window(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    return window


def test_window_opens_on_the_default_example(qtbot):
    window = make_window(qtbot)
    assert window.objectName() == "MainWindow"
    editor = window.findChild(QPlainTextEdit, "expressionEditor")
    assert "z = x^2 + sin(x*y)" in editor.toPlainText()
    qtbot.waitUntil(lambda: window.expression_mode.snapshot is not None, timeout=10000)
    panel = window.findChild(QWidget, "resultPanel")
    value = panel.findChild(QLabel, "resultValue")
    assert "-3.43504919" in value.text()
    badge = panel.findChild(QLabel, "agreementBadge")
    assert "all methods agree" in badge.text()
    window.close()


def test_window_remembers_its_geometry(qtbot):
    window = make_window(qtbot)
    window.resize(720, 520)  # within the offscreen screen (800×600)
    window.close()
    again = make_window(qtbot)
    assert (again.width(), again.height()) == (720, 520)
    again.close()
