"""The function plot (``functionPlot``): the output against the chosen input around the point.

Curves: the output and the tangent line at the point (left axis), the derivative and
optionally each path's contribution to it (right axis: a derivative that explodes must
not flatten the output, and the paths add up to the derivative so they share its axis).
Each axis is fitted to the middle of its data (robust quantiles) plus the point itself,
so a spike at the edge of the range is clipped instead of squashing everything else.
Plot items are created once and updated with ``setData``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout

from chainrule_gui.core.calculus.sampling import Samples, sample
from chainrule_gui.core.errors import ChainRuleError, NumericError
from chainrule_gui.core.expressions.printing import fmt
from chainrule_gui.core.graph.accumulate import forward_sweep
from chainrule_gui.gui import theme
from chainrule_gui.gui.elided_label import ElidedLabel
from chainrule_gui.gui.expression.lazy import LazyView
from chainrule_gui.gui.expression.snapshot import ExplorerSnapshot
from chainrule_gui.gui.plot_axis import opaque_grid_axes, put_axes_behind_data

SAMPLES = 241
#: Path contributions drawn at most (each is one more curve and a legend row).
MAX_PATH_CURVES = 8
#: Axes show this central fraction of the finite samples (plus the point), not outliers.
ROBUST_QUANTILES = (0.05, 0.95)
# Okabe–Ito colours: distinguishable with every common colour-vision deficiency.
COLOR_VALUE = "#0072b2"
COLOR_DERIVATIVE = "#e69f00"
COLOR_TANGENT = "#cc79a7"
COLOR_CUT_SLOPE = "#d55e00"
PATH_COLORS = ("#009e73", "#56b4e9", "#d55e00", "#000000", "#f0e442", "#cc79a7", "#0072b2", "#e69f00")


def path_colors(t: theme.Theme) -> tuple[str, ...]:
    """PATH_COLORS with black made light grey on a dark background."""
    return tuple(t.series[-1] if c == "#000000" else c for c in PATH_COLORS)


def robust_range(values: np.ndarray, must_include=(), quantiles=ROBUST_QUANTILES) -> tuple[float, float] | None:
    """A y-range covering the central quantiles of the finite ``values`` and ``must_include``.

    Returns None when there is nothing finite to show.
    """
    finite = values[np.isfinite(values)] if values.size else values
    extra = [v for v in must_include if np.isfinite(v)]
    if finite.size == 0 and not extra:
        return None
    if finite.size:
        low, high = np.quantile(finite, quantiles)
        full_low, full_high = float(finite.min()), float(finite.max())
        span = high - low
        # Keep the true extremes when they are not far outside (an exponential's top):
        # clip only real outliers such as the values next to a pole.
        if full_low >= low - span:
            low = full_low
        if full_high <= high + span:
            high = full_high
    else:
        low = high = extra[0]
    low, high = min([float(low)] + extra), max([float(high)] + extra)
    if high - low < 1e-12 * max(1.0, abs(high)):
        pad = max(1.0, abs(high)) * 0.5
        return low - pad, high + pad
    pad = 0.08 * (high - low)
    return low - pad, high + pad


def focused_range(xs: np.ndarray, values: np.ndarray, x0: float, must_include=()) -> tuple[float, float] | None:
    """:func:`robust_range`, unless values far from the point dwarf those near it.

    When a function explodes over a large part of the range (e^(x²) grows by 10²⁰),
    quantiles cannot help: the y-range then follows the values within a tenth of the
    range around the point (three times their spread), so the point and its tangent
    stay readable.
    """
    whole = robust_range(values, must_include)
    near = np.abs(xs - x0) <= 0.1 * (xs[-1] - xs[0])
    local = robust_range(values[near], must_include) if near.any() else None
    if whole is None or local is None:
        return whole
    if whole[1] - whole[0] > 100 * (local[1] - local[0]):
        middle, half = (local[0] + local[1]) / 2, 1.5 * (local[1] - local[0])
        return middle - half, middle + half
    return whole


class FunctionPlot(pg.PlotWidget):
    """Draws one snapshot; :class:`FunctionPlotPanel` decides when (only while visible)."""

    def __init__(self, parent=None):
        super().__init__(parent, background="w", axisItems=opaque_grid_axes("left", "bottom"))
        self.setObjectName("functionPlot")
        self.show_paths = False
        item = self.getPlotItem()
        self.showGrid(x=True, y=True, alpha=0.2)
        # The legend lives above the plot (``legend_html``): inside, it hid the curves.
        self.legend_entries: list[tuple[str, str, str]] = []  # (name, colour, "solid"/"dash"/"dot")
        # The derivative gets its own view box and right axis, linked in x.
        self.derivative_box = pg.ViewBox()
        item.showAxis("right")
        item.scene().addItem(self.derivative_box)
        item.getAxis("right").linkToView(self.derivative_box)
        put_axes_behind_data(self)
        for side in ("left", "right", "bottom"):
            # Unitless axes: a derivative of 0.37 must read 0.37, not 370 "(x0.001)".
            item.getAxis(side).enableAutoSIPrefix(False)
        self.derivative_box.setXLink(item)
        item.vb.sigResized.connect(self._sync_boxes)
        self.value_curve = self.plot([], [], pen=pg.mkPen(COLOR_VALUE, width=2.5))
        self.tangent = self.plot([], [], pen=pg.mkPen(COLOR_TANGENT, width=1.5, style=Qt.PenStyle.DashLine))
        self.cut_slope = self.plot([], [], pen=pg.mkPen(COLOR_CUT_SLOPE, width=1.5, style=Qt.PenStyle.DotLine))
        self.marker = self.plot([], [], pen=None, symbol="o", symbolBrush=COLOR_VALUE, symbolPen="w",
                                symbolSize=9)
        self.derivative_curve = pg.PlotDataItem([], [], pen=pg.mkPen(COLOR_DERIVATIVE, width=2))
        self.derivative_box.addItem(self.derivative_curve)
        self.path_curves: list[pg.PlotDataItem] = []
        self.path_colors = path_colors(theme.current())
        for index in range(MAX_PATH_CURVES):
            curve = pg.PlotDataItem([], [], pen=pg.mkPen(self.path_colors[index], width=1.3,
                                                          style=Qt.PenStyle.DashDotLine))
            curve.setVisible(False)
            self.derivative_box.addItem(curve)
            self.path_curves.append(curve)
        self.samples: Samples | None = None
        self.note = ""
        self.note_detail = ""
        self._labels: tuple[str, str, str] | None = None  # bottom, left, right axis labels
        theme.style_plot(self, after=self._restyle)
        self.setToolTip("The output against the chosen input (left axis), its derivative (right axis) and the "
                        "tangent at the point.\nDrag to pan, wheel to zoom, right-click for options; "
                        "the small 'A' button re-fits.")

    def _restyle(self, t: theme.Theme) -> None:
        """Colours a theme changes: the black path curve, the coloured axis labels."""
        self.path_colors = path_colors(t)
        for curve, color in zip(self.path_curves, self.path_colors):
            curve.setPen(pg.mkPen(color, width=1.3, style=Qt.PenStyle.DashDotLine))
        if self._labels is not None:
            self._set_labels(*self._labels, force=True)

    def _set_labels(self, bottom: str, left: str, right: str, force: bool = False) -> None:
        if (bottom, left, right) == self._labels and not force:
            return  # setLabel re-lays the plot out (~1 ms an axis): only on a change
        self._labels = (bottom, left, right)
        item = self.getPlotItem()
        item.setLabel("bottom", bottom)
        item.setLabel("left", left, color=theme.current().value_axis)
        item.getAxis("right").setLabel(right, color=theme.current().derivative_axis)

    def _sync_boxes(self) -> None:
        self.derivative_box.setGeometry(self.getPlotItem().vb.sceneBoundingRect())
        self.derivative_box.linkedViewChanged(self.getPlotItem().vb, self.derivative_box.XAxis)

    def clear_curves(self) -> None:
        for item in (self.value_curve, self.derivative_curve, self.tangent, self.cut_slope, self.marker,
                     *self.path_curves):
            item.setData([], [])
        self.samples = None
        self.legend_entries = []

    def show_stale(self, stale: bool) -> None:
        self.setEnabled(not stale)

    def show_snapshot(self, snapshot: ExplorerSnapshot) -> None:
        d = snapshot.derivation
        self.note = ""
        self.note_detail = ""
        if d is None:
            if isinstance(snapshot.error, NumericError) and not snapshot.is_implicit \
                    and snapshot.of and snapshot.wrt:
                self._show_defined_part(snapshot, snapshot.error)
                return
            self.clear_curves()
            if snapshot.is_implicit:
                self.note = "an equation has no single output to plot: see the Implicit tab"
            else:
                self.note = "" if snapshot.error is None else str(snapshot.error)
            return
        lo, hi = snapshot.ranges[d.wrt]
        xs = np.linspace(lo, hi, SAMPLES)
        x0, y0 = d.point[d.wrt], d.value
        wanted = MAX_PATH_CURVES if self.show_paths else 0
        try:
            samples = sample(snapshot.graph, d.of, d.wrt, d.point, xs, paths=wanted)
        except ChainRuleError as exc:
            self.clear_curves()
            self.note = str(exc)
            return
        self.samples = samples
        # Stop-gradient changes the derivative, not the values: the true tangent uses the
        # uncut slope, and the cut one is drawn beside it.
        slope = forward_sweep(snapshot.graph.operations, d.evaluation.op_partials, {d.wrt: 1.0})[d.of]
        self.value_curve.setData(xs, samples.values, connect="finite")
        self.derivative_curve.setData(xs, samples.derivatives, connect="finite")
        self.tangent.setData(xs, y0 + slope * (xs - x0))
        if d.cut:
            self.cut_slope.setData(xs, y0 + d.derivative * (xs - x0))
        else:
            self.cut_slope.setData([], [])
        self.legend_entries = [(d.of, COLOR_VALUE, "solid"), ("tangent", COLOR_TANGENT, "dash")]
        if d.cut:
            self.legend_entries.append(("slope with the cut edges", COLOR_CUT_SLOPE, "dot"))
        self.legend_entries.append((f"d{d.of}/d{d.wrt} (right axis)", COLOR_DERIVATIVE, "solid"))
        self.marker.setData([x0], [y0])
        self._show_paths(samples, d.path_count + d.removed_path_count)
        self._set_labels(d.wrt, d.of, f"d{d.of}/d{d.wrt}")
        self._fit(xs, samples, y0, d, slope)

    def _show_defined_part(self, snapshot: ExplorerSnapshot, error: NumericError) -> None:
        """The point itself is bad, but the function may be defined on most of the range
        (log(x − 3) with x = t² for |t| > √3): draw it where it is, with gaps elsewhere."""
        of, wrt = snapshot.of, snapshot.wrt
        lo, hi = snapshot.ranges[wrt]
        xs = np.linspace(lo, hi, SAMPLES)
        x0 = snapshot.point[wrt]
        try:
            samples = sample(snapshot.graph, of, wrt, snapshot.point, xs)
        except ChainRuleError as exc:
            self.clear_curves()
            self.note = str(exc)
            return
        self.samples = samples
        self.value_curve.setData(xs, samples.values, connect="finite")
        self.derivative_curve.setData(xs, samples.derivatives, connect="finite")
        self.tangent.setData([], [])
        self.cut_slope.setData([], [])
        self._show_paths(samples, 0)
        values = error.evaluation.values if error.evaluation is not None else {}
        y0 = values.get(of)
        if y0 is not None:  # a slope fault: the value exists, only the tangent does not
            self.marker.setData([x0], [y0])
        else:
            self.marker.setData([], [])
        self.legend_entries = [(of, COLOR_VALUE, "solid"), (f"d{of}/d{wrt} (right axis)", COLOR_DERIVATIVE, "solid")]
        item = self.getPlotItem()
        self._set_labels(wrt, of, f"d{of}/d{wrt}")
        defined = np.isfinite(samples.values)
        what = "the slope is undefined" if error.is_slope_fault else f"{of} is undefined"
        if not defined.any():
            self.note = f"{of} is undefined on the whole range of {wrt}: widen it (Edit ranges)"
        else:
            self.note = f"{what} at {wrt} = {fmt(x0)}; drawn where defined"
        self.note_detail = (f"At {wrt} = {fmt(x0)}: {error}\n{of} is defined at "
                            f"{int(defined.sum())} of {SAMPLES} sampled points of {wrt} from {fmt(lo)} to "
                            f"{fmt(hi)}; gaps are where it is not. Move the point onto the curve to see the "
                            "derivative, or widen the range with Edit ranges under the point.")
        self.setXRange(float(xs[0]), float(xs[-1]), padding=0)
        value_range = focused_range(xs, samples.values, x0, () if y0 is None else (y0,))
        if value_range is not None:
            item.vb.setYRange(*value_range, padding=0)
        derivative_range = focused_range(xs, samples.derivatives, x0)
        if derivative_range is not None:
            self.derivative_box.setYRange(*derivative_range, padding=0)

    def _show_paths(self, samples: Samples, total_paths: int) -> None:
        paths = list(samples.path_contributions)
        for curve, path in zip(self.path_curves, paths):
            curve.setData(samples.xs, samples.path_contributions[path], connect="finite")
            curve.setVisible(True)
        for curve in self.path_curves[len(paths):]:
            curve.setData([], [])
            curve.setVisible(False)
        for path, color in zip(paths, self.path_colors):
            self.legend_entries.append(("path " + "→".join(path), color, "dashdot"))
        if self.show_paths and total_paths > len(paths):
            self.note = f"showing the first {len(paths)} of {total_paths:,} paths' contributions"

    def legend_html(self) -> str:
        """The legend as coloured text, for a label above the plot."""
        marks = {"solid": "━━", "dash": "╺╸╺╸", "dot": "┅┅", "dashdot": "╺·╸"}
        return " &nbsp; ".join(f"<span style='color:{color}'><b>{marks[style]}</b></span>&nbsp;{name}"
                               for name, color, style in self.legend_entries)

    def _fit(self, xs, samples: Samples, y0: float, d, slope: float) -> None:
        self.setXRange(float(xs[0]), float(xs[-1]), padding=0)
        x0 = d.point[d.wrt]
        value_range = focused_range(xs, samples.values, x0, (y0,))
        if value_range is not None:
            self.getPlotItem().vb.setYRange(*value_range, padding=0)
        curves = [samples.derivatives] + ([c for c in samples.path_contributions.values()]
                                          if self.show_paths else [])
        both = np.concatenate(curves)
        derivative_range = focused_range(np.tile(xs, len(curves)), both, x0, (d.derivative, slope))
        if derivative_range is not None:
            self.derivative_box.setYRange(*derivative_range, padding=0)
        clipped = [name for name, data, r in (("output", samples.values, value_range),
                                              ("derivative", both, derivative_range))
                   if r is not None and np.isfinite(data).any()
                   and (np.nanmax(data) > r[1] or np.nanmin(data) < r[0])]
        if clipped and not self.note:
            self.note = "axes clipped" if len(clipped) == 2 else f"{clipped[0]} axis clipped"
            self.note_detail = ("The axis shows the central values so that a spike does not flatten the rest; "
                                "zoom out with the wheel, or right-click ▸ View All, to see everything.")


class FunctionPlotPanel(LazyView):
    """The "Plot" tab: a path-contribution toggle over :class:`FunctionPlot`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("functionPlotPanel")
        self.plot = FunctionPlot()
        self.paths_toggle = QCheckBox("Each path's contribution", objectName="pathContributionsToggle")
        self.paths_toggle.setShortcut(QKeySequence("Alt+P"))
        self.paths_toggle.setToolTip("Draw each path's product along the input (right axis, Alt+P); "
                                     "at every point they add up to the derivative")
        self.paths_toggle.toggled.connect(self.set_show_paths)
        # A long note ends in "…" rather than widening the window; the tooltip has all of it.
        self.note = ElidedLabel(objectName="functionPlotNote")
        theme.style_sheet(self.note, lambda t: f"color: {t.muted};")
        self.note.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.legend = QLabel(objectName="functionPlotLegend")
        self.legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.legend.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(4, 0, 4, 0)
        row.addWidget(self.paths_toggle)
        row.addWidget(self.note, 1)  # right-aligned: all the room the toggle leaves
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.legend)
        layout.addWidget(self.plot, 1)
        theme.follow(self, lambda _t: self.rerender(), now=False)  # the legend's colours

    def set_show_paths(self, on: bool) -> None:
        if self.paths_toggle.isChecked() != on:
            self.paths_toggle.setChecked(on)  # re-enters through toggled
            return
        self.plot.show_paths = on
        self.rerender()

    def render_snapshot(self, snapshot: ExplorerSnapshot, rebuild: bool) -> None:
        self.plot.show_snapshot(snapshot)
        self.legend.setText(self.plot.legend_html())
        self.note.setText(self.plot.note)
        self.note.set_detail(self.plot.note_detail or self.plot.note)
