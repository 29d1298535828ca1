"""Live plots of the Network mode: ``lossPlot``, ``gradNormPlot`` (pyqtgraph PlotWidgets).

Plot items are created once (per network) and fed with ``setData``; the y axes are true
log scales (pyqtgraph's log mode plots log10 of the data; nothing turns linear near 0).
The loss is smoothed with TensorBoard's debiased EMA, the raw curve drawn faintly beneath.

One loss figure everywhere: the x axis counts updates, so step k's mini-batch loss
(measured before its update) is drawn at k − 1, on the weights it was measured on; the
dot is the loss of all training rows after the latest step — the figure the status line
shows.  For one example (the seed presets) the dot and the next step's point coincide.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QSlider, QVBoxLayout, QWidget

from chainrule_gui.core.nn.history import PeakSeries, debiased_ema, ema_extend
from chainrule_gui.gui import theme

# Okabe–Ito, distinguishable with every common colour-vision deficiency.
OKABE_ITO = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"]
COLOR_TRAIN = "#0072b2"
COLOR_VALIDATION = "#d55e00"
DEFAULT_SMOOTHING = 0.9


def _positive(values: np.ndarray) -> np.ndarray:
    """Log axes cannot show 0 or negatives: those become gaps, not fake values."""
    out = np.asarray(values, dtype=float).copy()
    out[~(out > 0)] = np.nan
    return out


class RangeKeeper:
    """Sets a plot's range by hand, with slack, so the axes are not re-laid out (and the
    plot not repainted twice) on every update the way auto-range does while data grows."""

    def __init__(self, plot: pg.PlotWidget):
        self.plot = plot
        plot.getPlotItem().enableAutoRange(enable=False)
        self.x = None
        self.y = None

    def fit(self, xs: list[np.ndarray], ys: list[np.ndarray]) -> None:
        xs = [x for x in xs if x.size]
        if not xs:
            return
        x_hi = max(float(x[-1]) for x in xs)
        x_lo = min(float(x[0]) for x in xs)
        if self.x is None or x_hi > self.x[1] or x_lo < self.x[0]:
            span = max(x_hi - x_lo, 1.0)
            # A little room on the left: the loss at 0 updates would sit half outside.
            self.x = (x_lo - 0.03 * span, x_lo + span * 1.25)
            self.plot.setXRange(*self.x, padding=0)
        logs = [np.log10(y[y > 0]) for y in ys if y.size]
        logs = [v[np.isfinite(v)] for v in logs]
        logs = [v for v in logs if v.size]
        if not logs:
            return
        lo, hi = min(float(v.min()) for v in logs), max(float(v.max()) for v in logs)
        if self.y is None or lo < self.y[0] or hi > self.y[1] or (self.y[1] - self.y[0]) > 3 * max(hi - lo, 0.5):
            pad = max(0.1 * (hi - lo), 0.15)
            self.y = (lo - pad, hi + pad)
            self.plot.setYRange(*self.y, padding=0)

    def reset(self) -> None:
        """Forget the ranges, and show a neutral one until data arrives: the previous
        network's ranges would describe numbers no longer drawn."""
        self.x = self.y = None
        self.plot.setXRange(0, 10, padding=0)
        self.plot.setYRange(-1, 1, padding=0)


class LogAxis(pg.AxisItem):
    """A log axis labelling only 1, 2 and 5 times a power of ten.

    Once fewer than three decades are in view pyqtgraph labels every tick of a decade
    (1…9); where a decade is short on screen, 0.6, 0.7, 0.8 and 0.9 overprint each other.
    The other ticks keep their marks.
    """

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph override
        strings = super().tickStrings(values, scale, spacing)
        if not self.logMode or spacing is not None:  # spacing None: pyqtgraph's minor log ticks
            return strings
        return [text if round(10 ** (value % 1)) in (1, 2, 5) else "" for value, text in zip(values, strings)]


def _plot_widget(name: str, left: str, bottom: str = "updates (steps taken)") -> pg.PlotWidget:
    plot = pg.PlotWidget(background="w", axisItems={"left": LogAxis("left")})
    plot.setObjectName(name)
    plot.setLogMode(x=False, y=True)
    # No grid: on a log axis every minor tick becomes a translucent line across the plot,
    # which made each frame several times slower to draw.
    plot.setLabel("left", left)
    plot.setLabel("bottom", bottom)
    # No pyqtgraph downsampling or clipping: the series are decimated as they grow
    # (PeakSeries), and re-deriving display data on every range change cost more than drawing.
    plot.setMenuEnabled(False)
    cache_axes(plot)
    left = plot.getPlotItem().getAxis("left")
    left.enableAutoSIPrefix(False)  # no "(x0.001)" on a log axis
    left.setStyle(maxTextLevel=1)  # label decades and a few steps, not every minor tick
    return plot


def cache_axes(plot: pg.PlotWidget) -> None:
    """Keep each axis as a pixmap: replaying its tick labels was most of a frame's cost,
    and the axes change far less often than the curves."""
    from PySide6.QtWidgets import QGraphicsItem

    for name in ("left", "bottom", "right", "top"):
        plot.getPlotItem().getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


class LossPanel(QWidget):
    """The loss plot with its smoothing slider."""

    def __init__(self):
        super().__init__()
        self.plot = _plot_widget("lossPlot", "loss (log scale)")
        self.plot.setToolTip("Faint line: each step's mini-batch loss, drawn at the weights it was measured on "
                             "(before that step's update); solid: smoothed. Dot: the loss of all training rows "
                             "after the latest step, as in the line below the plots. Vermillion: validation loss.")
        legend = self.plot.addLegend(offset=(10, -10))  # bottom left: where a falling loss leaves room
        theme.style_plot(self.plot, legend)
        self.raw = self.plot.plot([], [], pen=pg.mkPen(QColorA(COLOR_TRAIN, 45), width=1))
        self.smooth = self.plot.plot([], [], pen=pg.mkPen(COLOR_TRAIN, width=2), name="training (smoothed)")
        # The latest step's loss as a dot: visible even when there is only one step.
        self.latest = self.plot.plot([], [], pen=None, symbol="o", symbolSize=7,
                                     symbolBrush=COLOR_TRAIN, symbolPen="w", name="training, all rows, now")
        self.validation = self.plot.plot([], [], pen=pg.mkPen(COLOR_VALIDATION, width=2),
                                         name="validation")
        for item in (self.raw, self.smooth, self.validation):
            item.setSkipFiniteCheck(False)
        self.ranges = RangeKeeper(self.plot)
        self.slider = QSlider(Qt.Orientation.Horizontal, objectName="smoothingSlider")
        self.slider.setRange(0, 999)
        self.slider.setValue(int(DEFAULT_SMOOTHING * 1000))
        self.slider.setToolTip("Smoothing: debiased exponential moving average (as TensorBoard); "
                               "0 shows the raw loss only")
        self.slider_label = QLabel()
        self.slider.valueChanged.connect(self._on_weight)
        self.slider.setMinimumWidth(60)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        title = QLabel("<b>Loss</b>")
        row.addWidget(title)
        row.addStretch(1)
        row.addWidget(QLabel("smoothing"))
        row.addWidget(self.slider)
        row.addWidget(self.slider_label)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addLayout(row)
        box.addWidget(self.plot, 1)
        self.weight = DEFAULT_SMOOTHING
        # Drawn from decimated copies: an update costs O(new steps) even after millions.
        self.raw_points = PeakSeries(limit=1200)
        self.smoothed = PeakSeries(limit=1200)
        self._state = (0.0, 0)
        self._log = None
        self._on_weight(self.slider.value())

    def clear(self, log) -> None:
        self._log = log
        self.smoothed.clear()
        self.raw_points.clear()
        self.ranges.reset()
        self._state = (0.0, 0)
        for item in (self.raw, self.smooth, self.validation, self.latest):
            item.setData([], [])

    def refresh(self, new_steps: np.ndarray, new_losses: np.ndarray) -> None:
        log = self._log
        if log is None:
            return
        if new_losses.size:
            self.raw_points.extend(new_steps - 1, new_losses)  # at the weights it was measured on
            values, self._state = ema_extend(new_losses, self.weight, self._state)
            self.smoothed.extend(new_steps - 1, values)
        x, y = self.raw_points.xy()
        self.raw.setData(x, _positive(y), connect="finite")
        sx, sy = self.smoothed.xy() if self.weight > 0 else (x, y)
        self.smooth.setData(sx, _positive(sy), connect="finite")
        self.validation.setData(log.validation.x, _positive(log.validation.y), connect="finite")
        if log.train.size and log.train.y[-1] > 0:
            self.latest.setData([log.train.x[-1]], [log.train.y[-1]])
        else:
            self.latest.setData([], [])
        # The smoothed curve decides how low the axis goes: a single mini-batch whose loss is
        # near 0 (a confidently right batch, 1e-100) would squash every other decade flat.
        low = _lowest_log([sy, log.validation.y, log.train.y])
        raw_y = y
        if low is not None and y.size and np.nanmin(y) < 10.0 ** (low - 2):
            raw_y = np.where(y >= 10.0 ** (low - 2), y, np.nan)
        self.ranges.fit([x, log.validation.x, log.train.x], [raw_y, sy, log.validation.y, log.train.y])

    def _on_weight(self, value: int) -> None:
        self.weight = value / 1000
        self.slider_label.setText(f"{self.weight:.3f}")
        if self._log is not None:
            self.smoothed.clear()
            values = debiased_ema(self._log.loss.y, self.weight)
            if self.weight > 0:
                self.smoothed.extend(self._log.loss.x - 1, values)
            finite = values[np.isfinite(values)]
            self._state = ((finite[-1] * (1 - self.weight ** finite.size)) if finite.size else 0.0,
                           int(finite.size))
            self.refresh(np.zeros(0), np.zeros(0))


def _lowest_log(series: list[np.ndarray]) -> float | None:
    """log10 of the smallest positive value in ``series`` (None without one)."""
    lows = []
    for values in series:
        positive = values[values > 0] if values.size else values  # NaN is not > 0
        if positive.size:
            lows.append(float(positive.min()))
    return math.log10(min(lows)) if lows and math.isfinite(min(lows)) else None


def QColorA(hex_color: str, alpha: int):  # noqa: N802 - a colour constructor
    from PySide6.QtGui import QColor

    color = QColor(hex_color)
    color.setAlpha(alpha)
    return color


#: Okabe–Ito's names, for the key's tooltip (colour alone is not enough for everyone).
NAMED_SERIES = {"#0072b2": "blue", "#e69f00": "orange", "#009e73": "bluish green", "#cc79a7": "reddish purple",
                "#56b4e9": "sky blue", "#d55e00": "vermillion", "#f0e442": "yellow", "#000000": "black",
                "#d0d0d0": "light grey"}

METRICS = {
    "grad_norm": ("gradient norm ‖∇W‖", "‖∇W‖ (log scale)"),
    "weight_norm": ("weight norm ‖W‖", "‖W‖ (log scale)"),
    "update_ratio": ("update / weight ‖ΔW‖/‖W‖", "‖ΔW‖/‖W‖ (log scale)"),
}


class GradientPanel(QWidget):
    """Per-layer gradient norms (or weight norms, or update/weight ratios) over steps."""

    def __init__(self):
        super().__init__()
        self.plot = _plot_widget("gradNormPlot", METRICS["grad_norm"][1])
        self.plot.setToolTip("One curve per layer. A lower layer far below the top one means "
                             "vanishing gradients; far above, exploding")
        # The key sits above the plot: inside it covered the lower layers' curves.
        self.legend = QLabel(objectName="gradLegend")
        # Never widens the window (a deep net's key is clipped; the tooltip has it all).
        self.legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.curves: list[pg.PlotDataItem] = []
        theme.style_plot(self.plot, after=self._recolor)
        self.metric = QComboBox(objectName="gradMetricSelector")
        for key, (label, _) in METRICS.items():
            self.metric.addItem(label, key)
        self.metric.setToolTip("What to plot per layer: gradient norm, weight norm, or the size of "
                               "each update relative to the weights (about 1e-3 is healthy)")
        self.metric.currentIndexChanged.connect(self._on_metric)
        self.metric.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.metric.setMinimumContentsLength(12)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("<b>Per layer</b>"))
        row.addWidget(self.legend, 1)
        row.addWidget(self.metric)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addLayout(row)
        box.addWidget(self.plot, 1)
        self.series: dict[str, list[PeakSeries]] = {}
        self.ranges = RangeKeeper(self.plot)

    def set_layers(self, count: int, frozen: list[bool]) -> None:
        """New network: one curve per layer (created here, then only fed with setData)."""
        for curve in self.curves:
            self.plot.removeItem(curve)
        self.curves = []
        colors = theme.current().series
        for index in range(count):
            color = colors[index % len(colors)]
            curve = self.plot.plot([], [], pen=pg.mkPen(color, width=2))
            self.curves.append(curve)
        self.series = {key: [PeakSeries(limit=800) for _ in range(count)] for key in METRICS}
        self._write_legend(theme.current())
        self.ranges.reset()

    def _recolor(self, t: theme.Theme) -> None:
        """Layer colours in the theme's series (Okabe–Ito; its black is light grey on dark)."""
        for index, curve in enumerate(self.curves):
            curve.setPen(pg.mkPen(t.series[index % len(t.series)], width=2))
        self._write_legend(t)

    def _write_legend(self, t: theme.Theme) -> None:
        entries = [f'<span style="color:{t.series[index % len(t.series)]}; font-weight:bold">━━</span>'
                   f'&nbsp;{index + 1}' for index in range(len(self.curves))]
        self.legend.setText("&nbsp;&nbsp;" + "&nbsp;&nbsp;&nbsp;".join(entries))  # "Per layer ━━ 1 ━━ 2"
        self.legend.setToolTip("Curve colours: " + ", ".join(
            f"layer {index + 1} {NAMED_SERIES.get(t.series[index % len(t.series)], t.series[index % len(t.series)])}"
            for index in range(len(self.curves))))

    def add_samples(self, steps: np.ndarray, norms: dict) -> None:
        """``norms[key]`` is samples × layers for each metric."""
        for key, per_layer in self.series.items():
            values = norms[key]
            for index, series in enumerate(per_layer):
                series.extend(steps, values[:, index])
        self.refresh()

    def refresh(self) -> None:
        key = self.metric.currentData()
        points = [series.xy() for series in self.series.get(key, [])]
        for curve, (x, y) in zip(self.curves, points):
            curve.setData(x, _positive(y), connect="finite")
        self.ranges.fit([x for x, _ in points], [y for _, y in points])

    def _on_metric(self, *_):
        self.plot.setLabel("left", METRICS[self.metric.currentData()][1])
        self.ranges.reset()
        self.refresh()
