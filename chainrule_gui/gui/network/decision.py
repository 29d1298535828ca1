"""``decisionPlot``: what the network answers over the input plane, with the data on top.

Classification: each pixel takes the colour of the predicted class, paler where the
network is unsure (white on a two-class boundary).  2-D regression: the output as a
colour map.  1-D regression: the data and the network's curve.  Items are created once;
each update only sets new image data.  The plot says when it comes into and out of view
(``visibility_changed``): the network's output over its grid is computed only while it
can be seen.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal
from PySide6.QtGui import QColor

from chainrule_gui.gui import theme
from chainrule_gui.gui.network.plots import OKABE_ITO

CLASS_COLORS = ["#e69f00", "#0072b2", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"]


def _rgb(hex_color: str) -> np.ndarray:
    c = QColor(hex_color)
    return np.array([c.red(), c.green(), c.blue()], dtype=float)


class DecisionPlot(pg.PlotWidget):
    visibility_changed = Signal(bool)  # it can be seen (shown, and not squeezed to nothing)
    seen = False  # (a class default: pyqtgraph resizes the plot while it is being made)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("decisionPlot")
        for axis in ("left", "bottom"):
            self.getPlotItem().getAxis(axis).enableAutoSIPrefix(False)
        self.setMenuEnabled(False)
        self.setAspectLocked(False)
        self.showGrid(x=False, y=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.addItem(self.image)
        self.curve = self.plot([], [], pen=pg.mkPen(OKABE_ITO[0], width=3))
        self.train_points = pg.ScatterPlotItem(size=6)
        self.validation_points = pg.ScatterPlotItem(size=7, symbol="t")
        self.addItem(self.train_points)
        self.addItem(self.validation_points)
        self.message = pg.TextItem("", anchor=(0.5, 0.5))
        self.addItem(self.message)
        self._last_grid = None
        theme.style_plot(self, after=self._restyle)
        self.setToolTip("The network's answer over the input plane (live); circles: training data, "
                        "triangles: validation data")
        self.mode = "none"
        self.axes = None
        self._rect = QRectF(0, 0, 1, 1)
        self.n_classes = 0
        self.colormap = pg.colormap.get("viridis")

    # -- in view or not --------------------------------------------------------------------
    def showEvent(self, event):  # noqa: N802 - Qt override
        super().showEvent(event)
        self._check_seen()

    def hideEvent(self, event):  # noqa: N802 - Qt override
        super().hideEvent(event)
        self._check_seen()

    def resizeEvent(self, event):  # noqa: N802 - Qt override (a splitter squeezes it to 0)
        super().resizeEvent(event)
        self._check_seen()

    def _check_seen(self) -> None:
        seen = self.isVisible() and not self.size().isEmpty()
        if seen != self.seen:
            self.seen = seen
            self.visibility_changed.emit(seen)

    def set_data(self, dataset, axes) -> None:
        """A new data set: draw its points once; the image follows each update."""
        self.axes = axes
        self.image.clear()
        self._last_grid = None
        self.curve.setData([], [])
        self.message.setText("")
        X = dataset.X
        self.n_classes = dataset.n_classes
        if dataset.n_features == 2:
            self.mode = "classes" if dataset.labels is not None else "surface"
            self.setLabel("bottom", dataset.feature_names[0] if dataset.feature_names else "x₁")
            self.setLabel("left", dataset.feature_names[1] if len(dataset.feature_names) > 1 else "x₂")
            brushes = self._brushes(dataset, dataset.labels if dataset.labels is not None else dataset.values[:, 0])
            self.train_points.setData(X[dataset.train, 0], X[dataset.train, 1],
                                      brush=[brushes[i] for i in dataset.train])
            self.validation_points.setData(X[dataset.validation, 0], X[dataset.validation, 1],
                                           brush=[brushes[i] for i in dataset.validation])
            xs, ys = axes
            self._rect = QRectF(xs[0], ys[0], xs[-1] - xs[0], ys[-1] - ys[0])
            self.setAspectLocked(True)  # a circle looks like a circle
            # Both at once: setYRange after setXRange kept y and narrowed x to the plot's
            # aspect, cutting off data on a plot taller than wide.
            self.setRange(xRange=(xs[0], xs[-1]), yRange=(ys[0], ys[-1]), padding=0)
        elif dataset.n_features == 1 and dataset.values is not None:
            self.mode = "curve"
            self.setAspectLocked(False)
            self.setLabel("bottom", dataset.feature_names[0] if dataset.feature_names else "x")
            self.setLabel("left", html.escape(dataset.target_name))  # a CSV header: text, not markup
            y = dataset.values[:, 0]
            self.train_points.setData(X[dataset.train, 0], y[dataset.train], brush=OKABE_ITO[1])
            self.validation_points.setData(X[dataset.validation, 0], y[dataset.validation], brush=OKABE_ITO[5])
            self.enableAutoRange()
        else:
            self.mode = "none"
            self.train_points.setData([], [])
            self.validation_points.setData([], [])
            self.message.setText(f"{dataset.n_features} inputs: no plane to draw")
            self.message.setPos(0, 0)
            self.setXRange(-1, 1)
            self.setYRange(-1, 1)

    def _restyle(self, t: theme.Theme) -> None:
        """Point outlines that stand out from the background; the image faded towards it."""
        self.train_points.setPen(pg.mkPen("#e0e0e0" if t.dark else "#222222", width=0.6))
        self.validation_points.setPen(pg.mkPen("#111111" if t.dark else "#ffffff", width=0.8))
        self.message.setColor(t.muted)
        if self._last_grid is not None:
            self.show_output(self._last_grid)

    def _brushes(self, dataset, values) -> list:
        if dataset.labels is not None:
            return [pg.mkBrush(CLASS_COLORS[int(v) % len(CLASS_COLORS)]) for v in values]
        lo, hi = float(np.min(values)), float(np.max(values))
        scaled = (values - lo) / ((hi - lo) or 1.0)
        return [pg.mkBrush(self.colormap.map(float(s), mode="qcolor")) for s in scaled]

    def show_output(self, grid: np.ndarray | None) -> None:
        """``grid``: the network's output (probabilities for classes), rows × cols × outputs."""
        if grid is None or self.mode == "none":
            return
        self._last_grid = grid
        if self.mode == "curve":
            self.curve.setData(self.axes[0], grid.reshape(-1, grid.shape[-1])[:, 0])
            return
        if self.mode == "surface":
            values = grid[..., 0]
            lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
            lut = self.colormap.getLookupTable(nPts=256, alpha=False)
            index = np.clip(((values - lo) / ((hi - lo) or 1.0) * 255).astype(int), 0, 255)
            rgb = lut[index].astype(float)
            self._set_image((0.55 * rgb + 0.45 * _rgb(theme.current().paper)).astype(np.uint8))
            return
        self._set_image(class_image(grid, _rgb(theme.current().paper)))

    def _set_image(self, rgb: np.ndarray) -> None:
        self.image.setImage(rgb, autoLevels=False)
        # The rectangle maps pixels to data coordinates; it needs the image's size.
        self.image.setRect(self._rect)


def class_image(grid: np.ndarray, base: np.ndarray | None = None) -> np.ndarray:
    """RGB image (rows × cols × 3, uint8) of class probabilities, fading to ``base`` (white
    unless given: the plot's background) where the network is unsure."""
    white = np.array([255.0, 255.0, 255.0]) if base is None else np.asarray(base, dtype=float)
    if grid.shape[-1] == 1:  # P(class 1): orange below ½, blue above, white at ½
        p = np.clip(grid[..., 0], 0.0, 1.0)
        sure = np.abs(2 * p - 1)[..., None] * 0.6
        color = np.where((p > 0.5)[..., None], _rgb(CLASS_COLORS[1]), _rgb(CLASS_COLORS[0]))
    else:
        winner = np.argmax(grid, axis=-1)
        k = grid.shape[-1]
        top = np.max(grid, axis=-1)
        sure = ((top - 1 / k) / (1 - 1 / k))[..., None] * 0.6
        palette = np.array([_rgb(CLASS_COLORS[i % len(CLASS_COLORS)]) for i in range(k)])
        color = palette[winner]
    return (white + (color - white) * sure).astype(np.uint8)
