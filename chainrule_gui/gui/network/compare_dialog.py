"""Optimizer comparison: SGD, momentum, RMSprop and Adam from the same seed and starting
weights, their loss curves overlaid, and each one's state for a chosen weight."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from chainrule_gui.core.nn.history import Series
from chainrule_gui.core.nn.optimizers import LABELS, OPTIMIZERS
from chainrule_gui.gui import theme
from chainrule_gui.gui.network.plots import OKABE_ITO, _positive

STATE_COLUMNS = ["w", "∂L/∂w", "update", "velocity b", "mean square s", "m", "v", "m̂", "v̂"]
# Some fonts drop the combining hat in headers; the formula says the same unambiguously.
HEADERS = ["w", "∂L/∂w", "update", "velocity b", "mean sq. s", "m", "v", "m/(1−β₁ᵗ)", "v/(1−β₂ᵗ)"]
USUAL_RATES = {"sgd": 0.1, "momentum": 0.05, "rmsprop": 0.005, "adam": 0.01}


class CompareDialog(QDialog):
    def __init__(self, controller, parent=None):
        super().__init__(parent)
        self.setObjectName("compareDialog")
        self.setWindowTitle("Compare optimizers")
        self.controller = controller
        self.steps = QSpinBox(minimum=10, maximum=100_000, value=400, objectName="compareSteps")
        self.steps.setToolTip("Steps each optimizer takes")
        self.rates = {}
        rates = QFormLayout()
        for name in OPTIMIZERS:
            box = QDoubleSpinBox(minimum=1e-6, maximum=10.0, decimals=6, value=USUAL_RATES[name])
            box.setObjectName(f"compareRate_{name}")
            box.setToolTip(f"Learning rate for {LABELS[name]}")
            self.rates[name] = box
            rates.addRow(LABELS[name], box)
        self.layer = QSpinBox(minimum=1, maximum=1, objectName="watchLayer")
        self.row = QSpinBox(minimum=1, maximum=1, objectName="watchRow")
        self.column = QSpinBox(minimum=1, maximum=1, objectName="watchColumn")
        for box, tip in ((self.layer, "Layer of the weight to follow"),
                         (self.row, "Row of W (from this unit of the layer below; the last row is the bias)"),
                         (self.column, "Column of W (to this unit)")):
            box.setToolTip(tip)
            box.valueChanged.connect(self._on_watch)
        self.run = QPushButton("Run comparison", objectName="compareRunButton")
        self.run.setToolTip("Train four copies of the network from the same starting weights and "
                            "batches; the main training pauses")
        self.stop = QPushButton("Stop", objectName="compareStopButton")
        self.stop.setToolTip("Stop the race; the curves so far stay")
        self.run.clicked.connect(self._run)
        self.stop.clicked.connect(controller.stop_race)
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("comparePlot")
        self.plot.setLogMode(y=True)
        self.plot.getPlotItem().getAxis("left").enableAutoSIPrefix(False)
        self.plot.setLabel("left", "training loss (log scale)")
        self.plot.setLabel("bottom", "step")
        legend = self.plot.addLegend(offset=(10, -10))
        theme.style_plot(self.plot, legend)
        self.curves = {name: self.plot.plot([], [], pen=pg.mkPen(OKABE_ITO[i], width=2), name=LABELS[name])
                       for i, name in enumerate(OPTIMIZERS)}
        self.series = {name: Series() for name in OPTIMIZERS}
        self.table = QTableWidget(len(OPTIMIZERS), len(STATE_COLUMNS), objectName="optimizerStateTable")
        self.table.setHorizontalHeaderLabels(HEADERS)
        # One letter, one meaning: momentum's velocity is b (PyTorch's letter), so v is only Adam's.
        for column, tip in ((3, "Momentum's velocity b ← μ·b + g (the update is η·b)"),
                            (4, "RMSprop's running mean square s ← ρ·s + (1 − ρ)·g²"),
                            (5, "Adam's first moment m ← β₁·m + (1 − β₁)·g (running mean of g)"),
                            (6, "Adam's second moment v ← β₂·v + (1 − β₂)·g² (running mean of g²)"),
                            (7, "Adam's bias-corrected first moment m̂"),
                            (8, "Adam's bias-corrected second moment v̂")):
            self.table.horizontalHeaderItem(column).setToolTip(tip)
        self.table.setVerticalHeaderLabels([LABELS[n] for n in OPTIMIZERS])
        self.table.setToolTip("Each optimizer's state for the chosen weight after the latest step")
        self.table.setMinimumHeight(150)
        from PySide6.QtWidgets import QHeaderView

        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.status = QLabel()
        controls = QHBoxLayout()
        left = QFormLayout()
        left.addRow("Steps", self.steps)
        weight = QHBoxLayout()
        for label, box in (("layer", self.layer), ("row", self.row), ("col", self.column)):
            weight.addWidget(QLabel(label))
            weight.addWidget(box)
        left.addRow("Weight", weight)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run)
        buttons.addWidget(self.stop)
        left.addRow(buttons)
        controls.addLayout(left)
        controls.addLayout(rates)
        box = QVBoxLayout(self)
        box.addLayout(controls)
        box.addWidget(self.plot, 2)
        box.addWidget(self.table, 1)
        box.addWidget(self.status)
        controller.race_updated.connect(self._on_race)
        self.resize(900, 640)

    def set_network(self, network, lr: float) -> None:
        self.network = network
        self.layer.setMaximum(len(network.layers))
        self._limits()

    def _limits(self) -> None:
        layer = self.network.layers[self.layer.value() - 1]
        self.row.setMaximum(layer.fan_in + 1)
        self.column.setMaximum(layer.fan_out)

    def watch(self) -> tuple[int, int, int]:
        return self.layer.value() - 1, self.row.value() - 1, self.column.value() - 1

    def _on_watch(self, *_):
        if hasattr(self, "network"):
            self._limits()
            self.controller.watch_weight(self.watch())

    def _run(self) -> None:
        for series in self.series.values():
            series.clear()
        for curve in self.curves.values():
            curve.setData([], [])
        rates = {name: box.value() for name, box in self.rates.items()}
        if self.controller.compare_optimizers(self.steps.value(), rates, self.watch()):
            self.status.setText("running…")

    def _on_race(self, update) -> None:
        for name, losses in update.losses.items():
            self.series[name].extend(update.steps, losses)
            self.curves[name].setData(self.series[name].x, _positive(self.series[name].y), connect="finite")
        for row, name in enumerate(OPTIMIZERS):
            state = update.states.get(name, {})
            for column, key in enumerate(STATE_COLUMNS):
                value = state.get(key)
                text = "—" if value is None else f"{value:.5g}"
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        if update.done:
            finals = {n: s.y[-1] for n, s in self.series.items() if s.size}
            self.status.setText("done — final loss: " + ", ".join(
                f"{LABELS[n]} {v:.4g}" if np.isfinite(v) else f"{LABELS[n]} diverged" for n, v in finals.items()))
