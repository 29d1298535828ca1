"""The function plot (``functionPlot``): the output against the chosen input around the point.

Curves: the output, its derivative, and the tangent line at the point.  Plot items are
created once and updated with ``setData`` (pyqtgraph's fast path).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from chainrule_gui.core.errors import ChainRuleError
from chainrule_gui.core.sampling import sample
from chainrule_gui.gui.expression.snapshot import ExplorerSnapshot

SAMPLES = 241
# Okabe–Ito colours: distinguishable with every common colour-vision deficiency.
COLOR_VALUE = "#0072b2"
COLOR_DERIVATIVE = "#e69f00"
COLOR_TANGENT = "#cc79a7"


class FunctionPlot(pg.PlotWidget):
    def __init__(self, parent=None):
        super().__init__(parent, background="w")
        self.setObjectName("functionPlot")
        self.showGrid(x=True, y=True, alpha=0.25)
        self.addLegend(offset=(10, 10))
        self.value_curve = self.plot([], [], pen=pg.mkPen(COLOR_VALUE, width=2), name="output")
        self.derivative_curve = self.plot([], [], pen=pg.mkPen(COLOR_DERIVATIVE, width=2), name="derivative")
        self.tangent = self.plot([], [], pen=pg.mkPen(COLOR_TANGENT, width=1.5, style=pg.QtCore.Qt.PenStyle.DashLine),
                                 name="tangent at the point")
        self.marker = self.plot([], [], pen=None, symbol="o", symbolBrush=COLOR_VALUE, symbolSize=8)
        self.setToolTip("The output against the chosen input, its derivative and the tangent at the point")

    def show_stale(self, stale: bool) -> None:
        self.setEnabled(not stale)

    def show_snapshot(self, snapshot: ExplorerSnapshot) -> None:
        d = snapshot.derivation
        if d is None:
            for item in (self.value_curve, self.derivative_curve, self.tangent, self.marker):
                item.setData([], [])
            return
        lo, hi = snapshot.ranges[d.wrt]
        xs = np.linspace(lo, hi, SAMPLES)
        try:
            samples = sample(snapshot.graph, d.of, d.wrt, d.point, xs)
        except ChainRuleError:
            return
        self.value_curve.setData(xs, samples.values, connect="finite")
        self.derivative_curve.setData(xs, samples.derivatives, connect="finite")
        x0, y0 = d.point[d.wrt], d.value
        self.tangent.setData(xs, y0 + d.derivative * (xs - x0))
        self.marker.setData([x0], [y0])
        self.setLabel("bottom", d.wrt)
        self.setLabel("left", d.of)
        finite = samples.values[np.isfinite(samples.values)]
        if finite.size:
            span = float(finite.max() - finite.min()) or 1.0
            self.setYRange(float(finite.min()) - 0.15 * span, float(finite.max()) + 0.15 * span)
        self.setXRange(lo, hi, padding=0)
