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


def test_network_tab_trains_and_closes_cleanly(qtbot, capfd):
    window = make_window(qtbot)
    tabs = window.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Expression", "Network"]
    tabs.setCurrentWidget(window.network_mode)
    controller = window.network_mode.controller
    qtbot.waitUntil(lambda: controller.latest is not None, timeout=10000)
    controller.start()
    qtbot.waitUntil(lambda: controller.latest.step > 50, timeout=10000)
    window.close()  # while training
    assert not controller._thread.isRunning()
    assert "QThread: Destroyed" not in capfd.readouterr().err
