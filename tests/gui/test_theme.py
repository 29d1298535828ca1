"""Light and dark themes: the switch, what follows it, the system's choice, and a restart."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import QApplication

from chainrule_gui.gui import MainWindow, theme


@pytest.fixture(autouse=True)
def back_to_system():
    yield
    theme.manager().set_preference("system", remember=False)  # later tests start as usual


def window_dark() -> bool:
    return QApplication.instance().palette().color(QPalette.ColorRole.Window).lightness() < 128


def make_window(qtbot):
    win = MainWindow(offer_recovery=False)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitUntil(lambda: win.expression_mode.snapshot is not None, timeout=10000)
    return win


def test_the_dark_theme_reaches_the_palette_the_diagram_the_math_and_the_plots(qtbot):
    win = make_window(qtbot)
    mode = win.expression_mode
    assert not window_dark() and win.findChild(QAction, "theme-system").isChecked()
    qtbot.waitUntil(lambda: mode.diagram.typesetter.pending == 0, timeout=20000)
    light_formula = mode.result_panel.formula.pixmap().toImage()
    win.findChild(QAction, "theme-dark").trigger()
    assert window_dark() and win.findChild(QAction, "theme-dark").isChecked()
    assert theme.current() is theme.DARK
    assert mode.diagram.backgroundBrush().color() == QColor(theme.DARK.canvas)
    # the diagram is drawn again, its labels typeset in the dark theme's ink (cache keyed by colour)
    qtbot.waitUntil(lambda: mode.diagram.typesetter.pending == 0, timeout=20000)
    colours = {key[2] for key in mode.diagram.typesetter._cache}
    assert theme.DARK.ink in colours
    label = next(iter(mode.diagram.labels.values()))
    assert any(run.pixmap is not None for row in label.block.rows for run in row)
    # the result's formula too, in the palette's (now light) text colour
    dark_formula = mode.result_panel.formula.pixmap().toImage()
    assert dark_formula != light_formula
    # plots: background and axis text
    plot = mode.result_panel.fd_plot
    assert plot.backgroundBrush().color() == QColor(theme.DARK.paper)
    assert plot.getPlotItem().getAxis("bottom").textPen().color() == QColor(theme.DARK.plot_text)
    assert mode.function_plot.backgroundBrush().color() == QColor(theme.DARK.paper)
    # notes keep readable colours
    assert theme.DARK.error in mode.error_strip.styleSheet()
    win.findChild(QAction, "theme-light").trigger()
    assert not window_dark() and plot.backgroundBrush().color() == QColor(theme.LIGHT.paper)
    win.close()


def test_the_network_mode_follows_the_theme(qtbot):
    win = make_window(qtbot)
    win.tabs.setCurrentIndex(1)
    network = win.network_mode
    qtbot.waitUntil(lambda: network.controller.network is not None, timeout=10000)
    win.findChild(QAction, "theme-dark").trigger()
    assert network.diagram.backgroundBrush().color() == QColor(theme.DARK.paper)
    neuron = next(iter(network.diagram.neurons.values()))
    assert neuron.brush().color() == QColor(theme.DARK.neuron_fill)
    assert network.loss_panel.plot.backgroundBrush().color() == QColor(theme.DARK.paper)
    assert network.decision_plot.backgroundBrush().color() == QColor(theme.DARK.paper)
    win.close()


def test_the_choice_survives_a_restart(qtbot):
    win = make_window(qtbot)
    win.findChild(QAction, "theme-dark").trigger()
    win.close()
    theme.manager().set_preference("light", remember=False)  # as a fresh process starts: light
    again = make_window(qtbot)
    assert window_dark() and again.findChild(QAction, "theme-dark").isChecked()
    assert again.expression_mode.diagram.backgroundBrush().color() == QColor(theme.DARK.canvas)
    again.close()


def test_system_mode_follows_the_desktop_and_a_fixed_choice_does_not(qtbot, monkeypatch):
    win = make_window(qtbot)
    manager = theme.manager()
    monkeypatch.setattr(manager, "system_is_dark", lambda: True)
    manager._on_system_scheme(Qt.ColorScheme.Dark)  # what QStyleHints.colorSchemeChanged delivers
    assert window_dark() and theme.current() is theme.DARK
    monkeypatch.setattr(manager, "system_is_dark", lambda: False)
    manager._on_system_scheme(Qt.ColorScheme.Light)
    assert not window_dark()
    win.findChild(QAction, "theme-light").trigger()
    monkeypatch.setattr(manager, "system_is_dark", lambda: True)
    manager._on_system_scheme(Qt.ColorScheme.Dark)
    assert not window_dark()  # the person chose Light: the desktop's change does not override it
    win.close()


def test_paths_and_layers_keep_the_colour_blind_safe_palette():
    assert theme.LIGHT.series[:7] == theme.DARK.series[:7] == theme.OKABE_ITO[:7]
    assert theme.LIGHT.series[7] == "#000000" and theme.DARK.series[7] != "#000000"  # black on dark: grey
