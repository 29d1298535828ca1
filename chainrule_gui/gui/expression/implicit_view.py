"""The "Implicit" tab: the curve F(x, y) = 0, a point to drag along it, and its tangent.

The curve is the zero level of F sampled on the x/y ranges (in a background thread; it
only changes when the equation, the ranges or the other variables do).  Dragging the
point projects it onto the curve along ∇F and moves the explorer's point there, so every
other panel follows.  The tangent has slope dy/dx = −F_x/F_y; where F_y = 0 it is
vertical and the message says so.  The two sides of the curve are shaded by the sign of F.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pyqtgraph as pg
import sympy as sp
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from chainrule_gui.core.calculus.curve import (
    CurvePoint,
    curve_partials,
    polyline_with_breaks,
    project_onto_curve,
    relation_grid,
    zero_level,
)
from chainrule_gui.core.errors import ChainRuleError
from chainrule_gui.core.expressions.printing import fmt, to_latex
from chainrule_gui.core.graph.chain_graph import RELATION_NODE
from chainrule_gui.core.output.latex import name_latex
from chainrule_gui.gui import theme
from chainrule_gui.gui.background import Background, Cancelled, JobResult, after_grace
from chainrule_gui.gui.expression.formatting import readable
from chainrule_gui.gui.expression.lazy import LazyView
from chainrule_gui.gui.expression.snapshot import ExplorerSnapshot
from chainrule_gui.gui.plot_axis import opaque_grid_axes, put_axes_behind_data
from chainrule_gui.gui.typeset import latex_pixmap

GRID = 121
SIMPLIFY_TIMEOUT_S = 3.0
COLOR_CURVE = "#0072b2"
COLOR_POINT = "#d55e00"
COLOR_TANGENT = "#cc79a7"
COLOR_GRADIENT = "#555555"
NEGATIVE_SIDE = (226, 238, 247, 255)  # F < 0: a pale blue
POSITIVE_SIDE = (252, 238, 222, 255)  # F > 0: a pale orange
UNDEFINED_SIDE = (235, 235, 235, 255)
DARK_SIDES = ((24, 44, 62, 255), (64, 45, 26, 255), (44, 44, 44, 255))  # the same, on a dark background


def _curve_job(graph, x, y, point, x_range, y_range):
    """Runs on the background thread: F on a grid and its zero level."""
    xs = np.linspace(*x_range, GRID)
    ys = np.linspace(*y_range, GRID)
    grid = relation_grid(graph, x, y, point, xs, ys)
    return xs, ys, grid, zero_level(xs, ys, grid)


def _formula_job(graph, x, y, cancelled: Cancelled):
    """Runs on the background thread: F, F_x, F_y and −F_x/F_y symbolically.

    The ratio is simplified in the killable SymPy worker (simplify can hang); if that is
    too slow the plain ratio is shown; once another equation is on screen it is stopped.
    """
    from chainrule_gui.core.calculus.sympy_worker import simplify_bounded

    program = graph.program
    F = graph.composed(RELATION_NODE)
    fx = sp.diff(F, program.symbols[x])
    fy = sp.diff(F, program.symbols[y])
    ratio = -fx / fy
    simpler = simplify_bounded(ratio, timeout=SIMPLIFY_TIMEOUT_S, cancelled=after_grace(cancelled))
    return F, fx, fy, ratio if simpler is None else simpler


class ImplicitView(LazyView):
    """``point_moved({x: …, y: …})`` asks the controller to move the point there."""

    point_moved = Signal(dict)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("implicitView")
        self.x_name = self.y_name = None
        self.here: CurvePoint | None = None
        self.grid = None
        self._curve_key = None
        self._formula_key = None
        self._axis_names: tuple[str, str] | None = None
        self.formulas = None
        self._placing = False  # True while the program (not the mouse) moves the target
        self._fit_pending = False  # frame the curve when it arrives after a new equation
        self.curve_job = Background("curve", self)
        self.curve_job.finished.connect(self._on_curve)
        self.formula_job = Background("implicit-formula", self)
        self.formula_job.finished.connect(self._on_formula)
        self.plot = pg.PlotWidget(background="w", axisItems=opaque_grid_axes("left", "bottom"))
        self.plot.setObjectName("implicitPlot")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        put_axes_behind_data(self.plot)
        self.plot.setAspectLocked(True)
        self.sides = pg.ImageItem()
        self.sides.setZValue(-10)
        self.plot.addItem(self.sides)
        self.curve = self.plot.plot([], [], pen=pg.mkPen(COLOR_CURVE, width=2.5), connect="finite")
        self.tangent = self.plot.plot([], [], pen=pg.mkPen(COLOR_TANGENT, width=2, style=Qt.PenStyle.DashLine))
        self.gradient = self.plot.plot([], [], pen=pg.mkPen(COLOR_GRADIENT, width=1.2))
        self.gradient_tip = pg.ArrowItem(angle=0, headLen=10, tipAngle=30, brush=COLOR_GRADIENT, pen=None)
        theme.style_plot(self.plot, after=self._restyle)
        self.gradient_tip.setVisible(False)
        self.plot.addItem(self.gradient_tip)
        self.target = pg.TargetItem(pos=(0, 0), size=15, symbol="o", movable=True,
                                    pen=pg.mkPen("w", width=1.5), brush=COLOR_POINT,
                                    hoverBrush="#f08040", hoverPen=pg.mkPen("k", width=1.5))
        self.target.setZValue(10)
        self.target.setVisible(False)
        self.target.sigPositionChanged.connect(self._on_target_moved)
        self.plot.addItem(self.target)
        self.plot.setToolTip("Drag the orange point: it stays on the curve F = 0 and every panel follows.\n"
                             "Dashed: the tangent (slope −F_x/F_y); grey arrow: ∇F, at right angles to it.\n"
                             "Shading: blue where F < 0, orange where F > 0.")
        self.title = QLabel(objectName="implicitTitle")
        self.equation = QLabel(objectName="implicitEquation")
        self.formula = QLabel(objectName="implicitFormula")
        self.numbers = QLabel(objectName="implicitNumbers")
        self.message = QLabel(objectName="implicitMessage")
        theme.style_sheet(self.message, lambda t: f"color: {t.error};")
        self.hint = QLabel(objectName="implicitHint")
        theme.style_sheet(self.hint, lambda t: f"color: {t.muted};")
        for label in (self.title, self.numbers, self.message, self.hint):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.snap_button = QPushButton("Put the point on the curve", objectName="snapToCurve")
        self.snap_button.setToolTip("Move the point to the nearest point of the curve (along ∇F)")
        self.snap_button.clicked.connect(self.snap_to_curve)
        self.snap_button.hide()
        self._layout()

    def _shade(self) -> None:
        """Shade the two sides of the curve by the sign of F, in the theme's tints."""
        xs, ys, grid = self.grid
        negative, positive, undefined = (DARK_SIDES if theme.current().dark
                                         else (NEGATIVE_SIDE, POSITIVE_SIDE, UNDEFINED_SIDE))
        image = np.empty(grid.shape + (4,), dtype=np.ubyte)
        image[...] = undefined
        image[grid < 0] = negative
        image[grid >= 0] = positive
        self.sides.setImage(image.transpose(1, 0, 2), autoLevels=False)  # ImageItem wants [x, y]
        dx, dy = xs[1] - xs[0], ys[1] - ys[0]
        self.sides.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys)))

    def _restyle(self, t: theme.Theme) -> None:
        """∇F's arrow in grey that shows on the theme's background; formulas in its text colour."""
        grey = "#b0b0b0" if t.dark else COLOR_GRADIENT
        self.gradient.setPen(pg.mkPen(grey, width=1.2))
        self.gradient_tip.setBrush(pg.mkBrush(grey))
        if getattr(self, "formulas", None) is not None:
            self._draw_formula()
        if getattr(self, "grid", None) is not None:
            self._shade()

    def _layout(self) -> None:
        info = QWidget()
        box = QVBoxLayout(info)
        box.setContentsMargins(6, 4, 4, 4)
        box.setSpacing(4)
        for widget in (self.title, self.equation, self.formula, self.numbers, self.message):
            box.addWidget(widget)
        row = QHBoxLayout()
        row.addWidget(self.snap_button)
        row.addStretch(1)
        box.addLayout(row)
        box.addWidget(self.hint)
        box.addStretch(1)
        area = QScrollArea()
        area.setWidget(info)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.plot)
        splitter.addWidget(area)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([300, 230])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    # -- drawing ----------------------------------------------------------------------------
    def render_snapshot(self, snapshot: ExplorerSnapshot, rebuild: bool) -> None:
        if not snapshot.is_implicit or not snapshot.of or not snapshot.wrt:
            self._show_not_implicit()
            return
        graph = snapshot.graph
        x, y = snapshot.wrt, snapshot.of
        self.x_name, self.y_name = x, y
        others = tuple(sorted((n, v) for n, v in snapshot.point.items() if n not in (x, y)))
        ranges = (snapshot.ranges[x], snapshot.ranges[y])
        curve_key = (snapshot.text, x, y, others, ranges)
        if curve_key != self._curve_key:
            self._curve_key = curve_key
            point = dict(snapshot.point)
            self.curve_job.submit(curve_key, lambda _cancelled: _curve_job(graph, x, y, point, *ranges))
            if rebuild:
                self.plot.setRange(xRange=ranges[0], yRange=ranges[1], padding=0.02)
                self._fit_pending = True
        formula_key = (snapshot.text, x, y)
        if formula_key != self._formula_key:
            self._formula_key = formula_key
            self.formulas = None
            self.formula_job.submit(formula_key, partial(_formula_job, graph, x, y))
        if self._axis_names != (x, y):  # setLabel re-lays the plot out: 3 ms, only on a change
            self._axis_names = (x, y)
            self.plot.setLabel("bottom", x)
            self.plot.setLabel("left", y)
        self.title.setText(f"<b>The curve F({x}, {y}) = 0</b> and d{y}/d{x} = −F<sub>{x}</sub>/F<sub>{y}</sub>")
        others_text = ", ".join(f"{n} = {fmt(v)}" for n, v in others)
        self.hint.setText("Drag the orange point along the curve; the sliders and every panel follow."
                          + (f" Other variables are held at {others_text}." if others else ""))
        try:
            here = curve_partials(graph, x, y, snapshot.point)
        except ChainRuleError as exc:
            self.here = None
            self._show_point(None)
            self._set_message(str(exc), snap=False)
            return
        self.here = here
        self._show_point(here)
        self._draw_formula()
        if snapshot.implicit is not None:
            self._set_message("", snap=False)
        else:
            error = str(snapshot.error) if snapshot.error else ""
            self._set_message(error, snap="not on the curve" in error)

    def _show_not_implicit(self) -> None:
        self.here = None
        self._show_point(None)
        self.curve.setData([], [])
        self.sides.clear()
        self.grid = None
        self.title.setText("<b>Implicit curves</b>")
        self.equation.clear()
        self.formula.clear()
        self.numbers.clear()
        self._set_message("", snap=False)
        self.hint.setText("Type an equation whose left side is not a plain name, such as x^2 + y^2 = 1, "
                          "to see its curve here with a point you can drag along it.")

    def _set_message(self, text: str, snap: bool) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.snap_button.setVisible(snap)

    def _show_point(self, here: CurvePoint | None) -> None:
        if here is None:
            self.target.setVisible(False)
            for item in (self.tangent, self.gradient):
                item.setData([], [])
            self.gradient_tip.setVisible(False)
            self.numbers.clear()  # the numbers of an earlier point must not stay up
            return
        if not self.target.moving:
            self._placing = True
            self.target.setPos(here.x, here.y)
            self._placing = False
        self.target.setVisible(True)
        (x_low, x_high), (y_low, y_high) = self.plot.getViewBox().viewRange()
        reach = 0.45 * math.hypot(x_high - x_low, y_high - y_low)
        dx, dy = here.direction
        self.tangent.setData([here.x - reach * dx, here.x + reach * dx], [here.y - reach * dy, here.y + reach * dy])
        norm = math.hypot(here.F_x, here.F_y)
        if norm > 0:
            length = 0.12 * math.hypot(x_high - x_low, y_high - y_low)
            gx, gy = here.x + length * here.F_x / norm, here.y + length * here.F_y / norm
            self.gradient.setData([here.x, gx], [here.y, gy])
            # ArrowItem's angle 0 points left; turn it to point along ∇F.
            self.gradient_tip.setStyle(angle=180 - math.degrees(math.atan2(here.F_y, here.F_x)))
            self.gradient_tip.setPos(gx, gy)
            self.gradient_tip.setVisible(True)
        else:
            self.gradient.setData([], [])
            self.gradient_tip.setVisible(False)
        slope = here.slope
        x, y = self.x_name, self.y_name
        value = "undefined (vertical tangent)" if slope is None else fmt(slope, 10)
        self.numbers.setText(
            f"At ({x}, {y}) = ({fmt(here.x, 6)}, {fmt(here.y, 6)}): &nbsp; F = {here.residual:.1e}<br>"
            f"F<sub>{x}</sub> = {fmt(here.F_x, 8)}, &nbsp; F<sub>{y}</sub> = {fmt(here.F_y, 8)}<br>"
            f"<b>d{y}/d{x} = −({fmt(here.F_x, 6)})/({fmt(here.F_y, 6)}) = {value}</b>")

    def _draw_formula(self) -> None:
        if self.formulas is None or self.x_name is None:
            return
        F, fx, fy, ratio = self.formulas
        x, y = name_latex(self.x_name), name_latex(self.y_name)
        color = theme.current().ink
        latex_eq = rf"F({x}, {y}) = {to_latex(F)} = 0"
        latex_slope = (rf"\frac{{d{y}}}{{d{x}}} = -\frac{{F_{{{x}}}}}{{F_{{{y}}}}} = "
                       rf"-\frac{{{to_latex(fx)}}}{{{to_latex(fy)}}} = {to_latex(ratio)}")
        for label, latex, text in ((self.equation, latex_eq, f"F = {readable(F)} = 0"),
                                   (self.formula, latex_slope, f"d{self.y_name}/d{self.x_name} = {readable(ratio)}")):
            pixmap = latex_pixmap(latex, 14.0, color, self.devicePixelRatioF())
            if pixmap is None or pixmap.width() > 3000:
                label.setText(text)
            else:
                label.setPixmap(pixmap)
            label.setToolTip(text)

    def _on_formula(self, job: JobResult) -> None:
        if job.key != self._formula_key or job.error is not None:
            return
        self.formulas = job.value
        self._draw_formula()

    def _on_curve(self, job: JobResult) -> None:
        if job.key != self._curve_key:
            return
        if job.error is not None:
            self._set_message(job.error, snap=False)
            return
        xs, ys, grid, lines = job.value
        self.grid = (xs, ys, grid)
        cx, cy = polyline_with_breaks(lines)
        self.curve.setData(cx, cy, connect="finite")
        self._shade()
        if lines and self._fit_pending:
            self._fit_pending = False
            self._frame(cx, cy)
        if not lines and self.here is not None:
            self._set_message("F = 0 nowhere in these ranges: widen the ranges of "
                              f"{self.x_name} and {self.y_name} to find the curve.", snap=False)

    def _frame(self, cx: np.ndarray, cy: np.ndarray) -> None:
        """Zoom to the curve and the point, with a margin, so the curve is not a speck."""
        xs = np.append(cx[np.isfinite(cx)], self.here.x if self.here else np.nan)
        ys = np.append(cy[np.isfinite(cy)], self.here.y if self.here else np.nan)
        xs, ys = xs[np.isfinite(xs)], ys[np.isfinite(ys)]
        if xs.size == 0:
            return
        pad = 0.25 * max(xs.max() - xs.min(), ys.max() - ys.min(), 1e-6)
        self.plot.setRange(xRange=(xs.min() - pad, xs.max() + pad), yRange=(ys.min() - pad, ys.max() + pad),
                           padding=0)
        if self.here is not None:
            self._show_point(self.here)  # the tangent's length follows the view

    # -- dragging -----------------------------------------------------------------------------
    def _on_target_moved(self, _item) -> None:
        if self._placing or self.snapshot is None or self.x_name is None:
            return
        pos = self.target.pos()
        self.drag_to(float(pos.x()), float(pos.y()))

    def drag_to(self, x: float, y: float) -> CurvePoint | None:
        """Project (x, y) onto the curve, put the point there and ask the controller to follow."""
        snapshot = self.snapshot
        if snapshot is None or self.x_name is None:
            return None
        point = {**snapshot.point, self.x_name: x, self.y_name: y}
        projected = project_onto_curve(snapshot.graph, self.x_name, self.y_name, point)
        if projected is None:
            self._set_message("The curve could not be reached from there; drag closer to it.", snap=False)
            if self.here is not None:  # back to the last good place
                self._placing = True
                self.target.setPos(self.here.x, self.here.y)
                self._placing = False
            return None
        self._placing = True
        self.target.setPos(projected.x, projected.y)
        self._placing = False
        self.here = projected
        self._show_point(projected)
        self.point_moved.emit({self.x_name: projected.x, self.y_name: projected.y})
        return projected

    def snap_to_curve(self) -> None:
        snapshot = self.snapshot
        if snapshot is not None and self.x_name is not None:
            self.drag_to(snapshot.point[self.x_name], snapshot.point[self.y_name])

    def shutdown(self) -> None:
        self.curve_job.shutdown()
        self.formula_job.shutdown()
