"""Choosers for the output and the input, and a slider with a spin box for every free input."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from chainrule_gui.gui.expression.snapshot import ExplorerSnapshot

SLIDER_STEPS = 1000
SPIN_DECIMALS = 4


class InputRow(QWidget):
    """``name  [slider]  [value]`` with editable range ends below the slider."""

    value_changed = Signal(str, float)
    range_changed = Signal(str, float, float)

    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self.name = name
        self.setObjectName(f"inputRow_{name}")
        self.slider = QSlider(Qt.Orientation.Horizontal, objectName=f"slider_{name}")
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setToolTip(f"Drag to move {name}; every number updates live")
        self.spin = QDoubleSpinBox(objectName=f"input_{name}")
        self.spin.setDecimals(SPIN_DECIMALS)
        self.spin.setRange(-1e9, 1e9)
        self.spin.setKeyboardTracking(False)
        self.spin.setToolTip(f"The value of {name} (type a number; the slider range widens if needed)")
        self.low = QDoubleSpinBox(objectName=f"rangeLow_{name}")
        self.high = QDoubleSpinBox(objectName=f"rangeHigh_{name}")
        for box, tip in ((self.low, "lower end"), (self.high, "upper end")):
            box.setDecimals(3)
            box.setRange(-1e9, 1e9)
            box.setKeyboardTracking(False)
            box.setToolTip(f"The slider's {tip} for {name}")
            box.setMaximumWidth(90)
        label = QLabel(f"<b><i>{name}</i></b>")
        label.setMinimumWidth(28)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 2, 0, 2)
        grid.addWidget(label, 0, 0)
        grid.addWidget(self.slider, 0, 1)
        grid.addWidget(self.spin, 0, 2)
        self.ends = QWidget()
        ends = QHBoxLayout(self.ends)
        ends.setContentsMargins(0, 0, 0, 0)
        ends.addWidget(self.low)
        ends.addStretch(1)
        ends.addWidget(self.high)
        grid.addWidget(self.ends, 1, 1)
        self.ends.setVisible(False)
        grid.setColumnStretch(1, 1)
        self._range = (-1.0, 1.0)
        self._updating = False
        self.slider.valueChanged.connect(self._on_slider)
        self.spin.valueChanged.connect(self._on_spin)
        self.low.valueChanged.connect(self._on_range)
        self.high.valueChanged.connect(self._on_range)

    def set_state(self, value: float, value_range: tuple[float, float]) -> None:
        self._updating = True
        try:
            self._range = value_range
            self.low.setValue(value_range[0])
            self.high.setValue(value_range[1])
            self.spin.setValue(value)
            self.slider.setValue(self._to_slider(value))
        finally:
            self._updating = False

    def _to_slider(self, value: float) -> int:
        lo, hi = self._range
        return round((value - lo) / (hi - lo) * SLIDER_STEPS) if hi > lo else 0

    def _on_slider(self, position: int) -> None:
        if self._updating:
            return
        lo, hi = self._range
        value = lo + (hi - lo) * position / SLIDER_STEPS
        self.value_changed.emit(self.name, round(value, SPIN_DECIMALS + 2))

    def _on_spin(self, value: float) -> None:
        if not self._updating:
            self.value_changed.emit(self.name, value)

    def _on_range(self) -> None:
        if not self._updating and self.low.value() < self.high.value():
            self.range_changed.emit(self.name, self.low.value(), self.high.value())


class InputsPanel(QWidget):
    """``ofSelector``, ``wrtSelector`` and one :class:`InputRow` per free input."""

    output_chosen = Signal(str)
    input_chosen = Signal(str)
    value_changed = Signal(str, float)
    range_changed = Signal(str, float, float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("inputsPanel")
        self.of_selector = QComboBox(objectName="ofSelector")
        self.of_selector.setToolTip("The output to differentiate. A name you choose stays chosen while you edit, "
                                    "as long as it is still defined and nothing new is built on it; "
                                    "otherwise the output that nothing else uses is taken.")
        self.wrt_selector = QComboBox(objectName="wrtSelector")
        self.wrt_selector.setToolTip("The input to differentiate with respect to. A name you choose stays "
                                     "chosen while the output depends on it; otherwise the first input "
                                     "that is not a target (the y that yhat − y compares with).")
        form = QFormLayout()
        form.addRow("Differentiate", self.of_selector)
        form.addRow("with respect to", self.wrt_selector)
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(2)
        self.show_ranges = QCheckBox("Edit ranges", objectName="showRanges")
        self.show_ranges.setToolTip("Show the slider ends of every input, to widen or narrow what a slider covers")
        self.show_ranges.toggled.connect(self._on_show_ranges)
        header = QHBoxLayout()
        header.addWidget(QLabel("<b>Point</b>"))
        header.addStretch(1)
        header.addWidget(self.show_ranges)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(header)
        layout.addLayout(self.rows_box)
        layout.addStretch(1)
        self.rows: dict[str, InputRow] = {}
        self._updating = False
        self.of_selector.currentTextChanged.connect(self._on_of)
        self.wrt_selector.currentTextChanged.connect(self._on_wrt)

    def show_stale(self, stale: bool) -> None:
        """The point stays editable while the text has a mistake: nothing to grey out."""

    def show_snapshot(self, snapshot: ExplorerSnapshot) -> None:
        self._updating = True
        try:
            program = snapshot.program
            if snapshot.is_implicit:
                outs = list(program.inputs)
                ins = list(program.inputs)
            else:
                outs = list(program.definitions)
                ins = [n for n in program.inputs if snapshot.of and n in snapshot.graph.inputs_of(snapshot.of)]
            _fill(self.of_selector, outs, snapshot.of)
            _fill(self.wrt_selector, ins or list(program.inputs), snapshot.wrt)
            wanted = list(program.inputs)
            for name in list(self.rows):
                if name not in wanted:
                    row = self.rows.pop(name)
                    self.rows_box.removeWidget(row)
                    row.deleteLater()
            for index, name in enumerate(wanted):
                row = self.rows.get(name)
                if row is None:
                    row = InputRow(name)
                    row.ends.setVisible(self.show_ranges.isChecked())
                    row.value_changed.connect(self.value_changed)
                    row.range_changed.connect(self.range_changed)
                    self.rows[name] = row
                    self.rows_box.insertWidget(index, row)
                row.set_state(snapshot.point[name], snapshot.ranges[name])
        finally:
            self._updating = False

    def _on_show_ranges(self, shown: bool) -> None:
        for row in self.rows.values():
            row.ends.setVisible(shown)

    def _on_of(self, name: str) -> None:
        if not self._updating and name:
            self.output_chosen.emit(name)

    def _on_wrt(self, name: str) -> None:
        if not self._updating and name:
            self.input_chosen.emit(name)


def _fill(combo: QComboBox, items: list[str], current: str | None) -> None:
    if [combo.itemText(i) for i in range(combo.count())] != items:
        combo.clear()
        combo.addItems(items)
    if current is not None and current in items:
        combo.setCurrentText(current)
