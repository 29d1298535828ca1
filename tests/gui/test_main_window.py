"""The main window opens on the default example and shows the core's real result."""

from PySide6.QtWidgets import QPlainTextEdit

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
    result = window.findChild(QPlainTextEdit, "resultPanel")
    text = result.toPlainText()
    assert "dz/dt" in text and "-3.4350491988" in text
    assert "All compared methods agree" in text


def test_typing_updates_and_errors_keep_the_last_good_result(qtbot):
    window = make_window(qtbot)
    editor = window.findChild(QPlainTextEdit, "expressionEditor")
    result = window.findChild(QPlainTextEdit, "resultPanel")
    editor.setPlainText("f = sin(x^2)")
    qtbot.waitUntil(lambda: "df/dx" in result.toPlainText(), timeout=3000)
    good = result.toPlainText()
    editor.setPlainText("f = sinn(x^2)")
    strip = window.findChild(type(window.expression_mode.error_strip), "errorStrip")
    qtbot.waitUntil(lambda: "did you mean sin" in strip.text(), timeout=3000)
    assert result.toPlainText() == good
    assert not result.isEnabled()  # greyed: it belongs to the last good text
