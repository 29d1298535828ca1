"""The editable list of layers: units, activation and a freeze switch per layer."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chainrule_gui.core.nn.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from chainrule_gui.core.nn.spec import LayerSpec
from chainrule_gui.gui.network.fields import RangeSpinBox

MAX_HIDDEN_LAYERS = 12
MAX_UNITS_IN_EDITOR = 1024
OUTPUT_ACTIVATIONS = {"mse": ("identity", "sigmoid", "tanh", "relu", "softmax"),
                      "bce": ("identity", "sigmoid"),
                      "softmax_ce": ("softmax", "identity")}


class LayerRow(QWidget):
    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, number: int, spec: LayerSpec, output: bool, loss: str):
        super().__init__()
        self.output = output
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.label = QLabel()
        self.label.setMinimumWidth(40)
        self.units = RangeSpinBox("Units", minimum=1, maximum=MAX_UNITS_IN_EDITOR, value=spec.units)
        self.units.setKeyboardTracking(False)  # typing "64" must not build a network of 6 on the way
        self.units.setObjectName(f"layerUnits{number}")
        self.units.setToolTip("Number of neurons in this layer")
        self.units.setMaximumWidth(64)
        self.activation = QComboBox(objectName=f"layerActivation{number}")
        self.activation.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.activation.setMinimumContentsLength(7)
        self.set_choices(OUTPUT_ACTIVATIONS[loss] if output else HIDDEN_ACTIVATIONS, spec.activation)
        self.activation.setToolTip("Activation σ of this layer: a = σ(z), z = a_prev·W + b")
        self.frozen = QCheckBox("❄", objectName=f"layerFrozen{number}")
        self.frozen.setChecked(spec.frozen)
        self.frozen.setToolTip("Freeze: this layer's weights stay as they are (applies at once); "
                               "no gradient is computed below the lowest layer that learns")
        self.remove = QToolButton(text="✕", objectName=f"layerRemove{number}")
        self.remove.setToolTip("Remove this hidden layer (a new network is built at once)")
        self.remove.setAutoRaise(True)
        self.remove.setVisible(not output)
        if output:
            self.units.setEnabled(False)
            self.units.setToolTip("Output units follow the data set and the loss")
        for w in (self.label, self.units, self.activation, self.frozen, self.remove):
            row.addWidget(w)
        row.addStretch(1)
        self.set_number(number)
        self.units.valueChanged.connect(self.changed)
        self.activation.currentIndexChanged.connect(self.changed)
        self.frozen.toggled.connect(self.changed)
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self))

    def set_number(self, number: int) -> None:
        self.label.setText("output" if self.output else f"layer {number}")
        self.units.field_name = "Output units" if self.output else f"Units of layer {number}"

    def set_choices(self, names, current: str) -> None:
        self.activation.blockSignals(True)
        self.activation.clear()
        for name in names:
            self.activation.addItem(ACTIVATIONS[name].label, name)
        index = self.activation.findData(current)
        self.activation.setCurrentIndex(max(index, 0))
        self.activation.blockSignals(False)

    def spec(self) -> LayerSpec:
        return LayerSpec(self.units.value(), self.activation.currentData(), self.frozen.isChecked())


class LayerList(QWidget):
    """Hidden layers (add/remove) and the output layer, top to bottom from the input."""

    changed = Signal()
    refused = Signal(str)  # a unit count typed outside its range

    def __init__(self):
        super().__init__()
        self.rows: list[LayerRow] = []
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(2)
        self.input_label = QLabel(objectName="inputSizeLabel")
        self.input_label.setToolTip("The input layer has one unit per feature of the data set")
        self.box.addWidget(self.input_label)
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(2)
        self.box.addLayout(self.rows_box)
        self.add_button = QPushButton("+ Add hidden layer", objectName="addLayerButton")
        self.add_button.setToolTip("Insert a hidden layer before the output (a new network is built at once)")
        self.add_button.clicked.connect(self.add_hidden)
        self.box.addWidget(self.add_button)
        self.loss = "mse"

    def set_layers(self, layers: tuple[LayerSpec, ...], loss: str, input_size: int) -> None:
        for row in self.rows:
            row.setParent(None)
            row.deleteLater()
        self.rows = []
        self.loss = loss
        for index, layer in enumerate(layers):
            self._insert(len(self.rows), layer, output=index == len(layers) - 1)
        self.set_input_size(input_size)
        self._renumber()

    def set_input_size(self, size: int) -> None:
        self.input_label.setText(f"input       {size} unit{'s' if size != 1 else ''} (one per feature)")

    def set_loss(self, loss: str, output_units: int) -> None:
        self.loss = loss
        out = self.rows[-1]
        current = out.activation.currentData()
        choices = OUTPUT_ACTIVATIONS[loss]
        default = {"mse": "identity", "bce": "identity", "softmax_ce": "softmax"}[loss]
        out.set_choices(choices, current if current in choices else default)
        out.units.blockSignals(True)
        out.units.setValue(output_units)
        out.units.blockSignals(False)

    def _insert(self, position: int, layer: LayerSpec, output: bool) -> LayerRow:
        row = LayerRow(position + 1, layer, output, self.loss)
        row.changed.connect(self.changed)
        row.units.refused.connect(self.refused)
        row.remove_requested.connect(self._remove)
        self.rows.insert(position, row)
        self.rows_box.insertWidget(position, row)
        return row

    def add_hidden(self) -> None:
        hidden = [r for r in self.rows if not r.output]
        if len(hidden) >= MAX_HIDDEN_LAYERS:
            return
        template = hidden[-1].spec() if hidden else LayerSpec(8, "tanh")
        self._insert(len(hidden), LayerSpec(template.units, template.activation), output=False)
        self._renumber()
        self.changed.emit()

    def _remove(self, row: LayerRow) -> None:
        self.rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        self._renumber()
        self.changed.emit()

    def _renumber(self) -> None:
        for number, row in enumerate(self.rows, start=1):
            row.set_number(number)
        hidden = sum(1 for r in self.rows if not r.output)
        self.add_button.setEnabled(hidden < MAX_HIDDEN_LAYERS)

    def specs(self) -> tuple[LayerSpec, ...]:
        return tuple(row.spec() for row in self.rows)
