"""The finite-difference error against the step h on log-log axes: the truncation/round-off V.

Right of the bottom of the V the central difference's truncation error (∝ h²) dominates,
left of it floating-point round-off (∝ ε/h).  The step the verification table used is
marked; steps whose interval [x − h, x + h] straddles a relu/abs kink are drawn as
crosses, since there no step size can recover the derivative.  Items are created once
and updated with ``setData``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize

from chainrule_gui.core.calculus.fd_study import ErrorStudy
from chainrule_gui.gui import theme
from chainrule_gui.gui.plot_axis import opaque_grid_axes, put_axes_behind_data

COLOR_ERROR = "#0072b2"  # Okabe–Ito blue
COLOR_KINK = "#d55e00"  # vermillion
COLOR_DEFAULT = "#cc79a7"  # reddish purple
COLOR_EXACT = "#999999"


class FdErrorPlot(pg.PlotWidget):
    def __init__(self, parent=None):
        super().__init__(parent, background="w", axisItems=opaque_grid_axes("left", "bottom"))
        self.setObjectName("fdErrorPlot")
        self.setLogMode(x=True, y=True)
        self.showGrid(x=True, y=True, alpha=0.25)
        put_axes_behind_data(self)
        self.setLabel("bottom", "step h")
        self.setLabel("left", "|FD − exact|")
        self.setMenuEnabled(False)
        for side in ("left", "bottom"):
            self.getAxis(side).enableAutoSIPrefix(False)  # "(x0.001)" makes no sense on a log axis
        self.getPlotItem().setContentsMargins(2, 2, 6, 2)
        self.error_curve = self.plot([], [], pen=pg.mkPen(COLOR_ERROR, width=1.5), symbol="o", symbolSize=4,
                                     symbolBrush=COLOR_ERROR, symbolPen=None)
        self.exact_points = self.plot([], [], pen=None, symbol="t", symbolSize=7, symbolBrush=COLOR_EXACT,
                                      symbolPen=None)
        self.kink_points = self.plot([], [], pen=None, symbol="x", symbolSize=9, symbolBrush=COLOR_KINK,
                                     symbolPen=pg.mkPen(COLOR_KINK, width=1.5))
        self.default_line = self.plot([], [], pen=pg.mkPen(COLOR_DEFAULT, width=1,
                                                            style=pg.QtCore.Qt.PenStyle.DashLine))
        self.default_point = self.plot([], [], pen=None, symbol="d", symbolSize=11, symbolBrush=COLOR_DEFAULT,
                                       symbolPen=pg.mkPen("w"))
        self.study: ErrorStudy | None = None
        theme.style_plot(self)
        # its tooltip is the result panel's FD_PLOT_TIP (the panel's title shares it)

    def sizeHint(self):  # noqa: N802 - Qt override: pyqtgraph's default is far taller
        return QSize(320, 200)

    def minimumSizeHint(self):  # noqa: N802
        return QSize(200, 150)

    def show_study(self, study: ErrorStudy | None) -> None:
        self.study = study
        if study is None or not study.points:
            for item in (self.error_curve, self.exact_points, self.kink_points, self.default_line,
                         self.default_point):
                item.setData([], [])
            return
        floor = study.floor()
        steps = np.array([p.step for p in study.points])
        errors = np.array([p.error for p in study.points])
        kink = np.array([p.kink is not None for p in study.points])
        shown = np.where(errors > 0, errors, floor)
        self.error_curve.setData(steps, shown)
        zero = errors == 0
        self.exact_points.setData(steps[zero], shown[zero])
        self.kink_points.setData(steps[kink], shown[kink])
        low, high = float(shown.min()), float(shown.max())
        # At least two decades: within one, pyqtgraph labels every minor tick and they collide.
        missing = 2.0 - (np.log10(high) - np.log10(low))
        if missing > 0:
            low, high = low / 10 ** (missing / 2), high * 10 ** (missing / 2)
        if study.default_step is not None and study.default_error is not None:
            h = study.default_step
            e = study.default_error if study.default_error > 0 else floor
            self.default_point.setData([h], [e])
            self.default_line.setData([h, h], [low, high])
        else:
            self.default_point.setData([], [])
            self.default_line.setData([], [])
        self.setXRange(np.log10(steps.min()), np.log10(steps.max()), padding=0.03)
        self.setYRange(np.log10(low), np.log10(high), padding=0.08)
