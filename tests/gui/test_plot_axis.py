"""Opaque grid lines behind the data (gui/plot_axis.py): same colour, curves drawn over them."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPen

from chainrule_gui.gui.plot_axis import MIN_ALPHA, OpaqueGridAxis, _opaque, opaque_grid_axes, put_axes_behind_data


def test_a_translucent_grid_colour_becomes_its_blend_over_the_paper():
    pen = QPen(QColor(110, 110, 110, 63))
    white = _opaque(pen, QColor("white")).color()
    assert white.alpha() == 255
    expected = round(110 * 63 / 255 + 255 * (1 - 63 / 255))
    assert abs(white.red() - expected) <= 1 and white.red() == white.green() == white.blue()
    dark = _opaque(pen, QColor(30, 30, 30)).color()
    assert abs(dark.red() - round(110 * 63 / 255 + 30 * (1 - 63 / 255))) <= 1


def plot_with_grid(qtbot, log=False):
    widget = pg.PlotWidget(background="w", axisItems=opaque_grid_axes("left", "bottom"))
    qtbot.addWidget(widget)
    widget.resize(400, 250)
    if log:
        widget.setLogMode(x=True, y=True)
    widget.showGrid(x=True, y=True, alpha=0.5)
    put_axes_behind_data(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_a_curve_is_drawn_over_the_grid_not_under_it(qtbot):
    widget = plot_with_grid(qtbot)
    curve = QColor("#0072b2")
    widget.plot(np.linspace(-1, 1, 50), np.zeros(50), pen=pg.mkPen(curve, width=5))
    widget.setXRange(-1, 1, padding=0)
    widget.setYRange(-1, 1, padding=0)
    qtbot.wait(50)
    image = widget.grab().toImage()
    box = widget.getPlotItem().vb
    left = widget.mapFromScene(box.mapToScene(box.rect().topLeft()))
    right = widget.mapFromScene(box.mapToScene(box.rect().bottomRight()))
    middle = widget.mapFromScene(box.mapViewToScene(pg.Point(0, 0))).y()
    row = [image.pixelColor(QPoint(x, middle)) for x in range(left.x() + 3, right.x() - 3)]
    assert row and all(c == curve for c in row), {c.name() for c in row}
    # and the grid is there: above the curve, lines darker than the paper
    above = [image.pixelColor(QPoint(x, middle - 30)) for x in range(left.x() + 3, right.x() - 3)]
    assert any(c.red() < 250 for c in above)


def test_all_but_invisible_log_minor_lines_are_not_drawn(qtbot, monkeypatch):
    widget = plot_with_grid(qtbot, log=True)
    widget.plot(np.logspace(-12, -1, 30), np.logspace(-12, -1, 30) ** 2)
    qtbot.wait(50)
    drawn: list[int] = []
    given: list[int] = []
    original = pg.AxisItem.drawPicture

    def record(self, p, axisSpec, tickSpecs, textSpecs):
        drawn.extend(pen.color().alpha() for pen, _a, _b in tickSpecs)
        return original(self, p, axisSpec, tickSpecs, textSpecs)

    monkeypatch.setattr(pg.AxisItem, "drawPicture", record)
    spy = OpaqueGridAxis.drawPicture

    def count(self, p, axisSpec, tickSpecs, textSpecs):
        given.extend(pen.color().alpha() for pen, _a, _b in tickSpecs)
        return spy(self, p, axisSpec, tickSpecs, textSpecs)

    monkeypatch.setattr(OpaqueGridAxis, "drawPicture", count)
    for side in ("left", "bottom"):
        widget.getAxis(side).picture = None
    widget.viewport().repaint()
    assert given and drawn
    assert min(given) < MIN_ALPHA  # pyqtgraph asks for faint minors on eleven decades …
    assert len(drawn) < len(given) and all(a == 255 for a in drawn)  # … which are left out
