"""The network editor (``networkEditor``): preset, data, layers, loss and training settings.

Every control has a tooltip.  Training settings (optimizer, learning rate and the
optimizer's own settings, batch size, L2, freezing) apply live; a change of data,
architecture or initialisation makes the Network mode build a new network at once.
Settings that cannot build one are said in ``pendingChanges`` (and Start is off).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from chainrule_gui.core.errors import ChainRuleError
from chainrule_gui.core.nn import datasets, initializers, optimizers
from chainrule_gui.core.nn.losses import LOSSES
from chainrule_gui.core.nn.presets import PRESETS
from chainrule_gui.core.nn.spec import NetworkSpec
from chainrule_gui.gui import theme
from chainrule_gui.gui.network.fields import RangeDoubleSpinBox, RangeSpinBox
from chainrule_gui.gui.network.layer_rows import LayerList
from chainrule_gui.gui.network.settings import DataSettings, Settings

CSV_ITEM = "csv"
CUSTOM = ""
HYPER_TIPS = {
    "momentum": "Momentum μ: b ← μ·b + g, w ← w − η·b (b: the velocity; applies at once)",
    "rho": "RMSprop decay ρ of the running mean of g² (applies at once)",
    "beta1": "Adam β₁: decay of the running mean m of g (applies at once)",
    "beta2": "Adam β₂: decay of the running mean v of g² (applies at once)",
    "eps": "ε added to √v̂ so no step divides by zero (applies at once)",
}


def default_settings() -> Settings:
    preset = PRESETS["xor-tanh"]
    return settings_from_preset(preset.name)


def settings_from_preset(name: str) -> Settings:
    preset = PRESETS[name]
    r = preset.data
    data = DataSettings(r.name, r.samples, r.noise, r.validation_fraction, r.classes, r.seed,
                        x=r.x, y=r.y)
    initial = None
    if preset.weights:
        network, _, _ = preset.build()
        initial = tuple(float(v) for v in network.params)
    c = preset.config
    return Settings(data, preset.spec, c.optimizer, c.lr, dict(c.hyper), c.batch_size, c.l2, initial)


def _spin(label, minimum, maximum, value, tip, name, decimals=None, step=None):
    """A number field named ``label`` in messages; out-of-range numbers are refused aloud."""
    if decimals is None:
        box = RangeSpinBox(label, minimum=minimum, maximum=maximum, value=value)
    else:
        box = RangeDoubleSpinBox(label, minimum=minimum, maximum=maximum, decimals=decimals, value=value)
        box.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
    if step is not None:
        box.setSingleStep(step)
    box.setObjectName(name)
    box.setToolTip(tip)
    box.setKeyboardTracking(False)  # typing "0.05" must not train at 0 and 0.0 on the way
    return box


def _compact_combos(root: QWidget) -> None:
    for combo in root.findChildren(QComboBox):
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)


class NetworkEditor(QScrollArea):
    settings_changed = Signal(object)  # Settings
    settings_invalid = Signal(str)  # what is wrong with the settings shown
    preset_chosen = Signal(object)  # Settings of the preset the user picked
    field_refused = Signal(str)  # a typed number outside its field's range, said in a sentence

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("networkEditor")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._loading = False
        self._initial_params = None
        self._data_info = None
        body = QWidget()
        box = QVBoxLayout(body)
        box.setContentsMargins(4, 4, 4, 4)
        box.addWidget(self._preset_box())
        box.addWidget(self._data_box())
        box.addWidget(self._network_box())
        box.addWidget(self._training_box())
        self.pending = QLabel(objectName="pendingChanges")
        self.pending.setWordWrap(True)
        theme.style_sheet(self.pending, lambda t: f"background: {t.warn_bg}; color: {t.ink}; "
                                                  f"border: 1px solid {t.warn_border}; padding: 4px;")
        self.pending.hide()
        self.error = QLabel(objectName="editorError")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # messages quote file contents (CSV headers)
        theme.style_sheet(self.error, lambda t: f"color: {t.error};")
        box.addWidget(self.pending)
        box.addWidget(self.error)
        box.addStretch(1)
        self.setWidget(body)
        _compact_combos(body)
        for box in (self.samples, self.noise, self.classes, self.validation, self.data_seed, self.init_scale,
                    self.net_seed, self.lr, self.batch, self.l2, *self.hyper.values()):
            box.refused.connect(self._refuse)
        self.layers.refused.connect(self._refuse)
        self.setMinimumWidth(250)
        self.load(default_settings())

    # -- sections ---------------------------------------------------------------------------
    def _preset_box(self) -> QGroupBox:
        group = QGroupBox("Preset")
        form = QFormLayout(group)
        self.preset = QComboBox(objectName="presetSelector")
        self.preset.addItem("— your own —", CUSTOM)
        for preset in PRESETS.values():
            self.preset.addItem(preset.title, preset.name)
            self.preset.setItemData(self.preset.count() - 1, preset.description, Qt.ItemDataRole.ToolTipRole)
        self.preset.setToolTip("Ready-made networks, including the seed documents' two, with their "
                               "exact numbers. Choosing one builds its network at once.")
        self.preset.activated.connect(self._on_preset)
        form.addRow(self.preset)
        return group

    def _data_box(self) -> QGroupBox:
        group = QGroupBox("Data")
        form = QFormLayout(group)
        self.dataset = QComboBox(objectName="datasetSelector")
        for name in datasets.GENERATED:
            self.dataset.addItem(datasets.LABELS[name], name)
        self.dataset.addItem("CSV file…", CSV_ITEM)
        self.dataset.setToolTip("A generated data set (seeded: the same settings give the same points), "
                                "or your own CSV file of numbers")
        self.samples = _spin("Samples", 4, 100_000, 300, "Number of points generated", "samplesSpin")
        self.noise = _spin("Noise", 0.0, 2.0, 0.1, "Standard deviation of the noise added to the points",
                           "noiseSpin", decimals=2, step=0.05)
        self.classes = _spin("Classes", 2, 10, 2, "Number of classes (spiral and blobs)", "classesSpin")
        self.validation = _spin("Validation", 0, 90, 20, "Share of the points held out to measure validation loss",
                                "validationSpin")
        self.validation.setSuffix(" %")
        self.data_seed = _spin("Data seed", 0, 2**31 - 1, 0, "Seed of the data generator and of the split",
                               "dataSeedSpin")
        self.csv_button = QPushButton("Import CSV…", objectName="csvButton")
        self.csv_button.setToolTip("Read a CSV file of numbers; choose the column to predict below")
        self.csv_button.clicked.connect(self._choose_csv)
        self.csv_path = ""
        self.target = QComboBox(objectName="targetSelector")
        self.target.setToolTip("The CSV column the network predicts; the other columns are its inputs")
        form.addRow("Data set", self.dataset)
        form.addRow("Samples", self.samples)
        form.addRow("Noise", self.noise)
        form.addRow("Classes", self.classes)
        form.addRow("Validation", self.validation)
        form.addRow("Seed", self.data_seed)
        form.addRow(self.csv_button)
        form.addRow("Target", self.target)
        self.data_form = form
        self._data_in_use = self.dataset.currentData()  # what the list goes back to if a CSV fails
        self.dataset.currentIndexChanged.connect(self._on_dataset)
        for w in (self.samples, self.noise, self.classes, self.validation, self.data_seed):
            w.valueChanged.connect(self._on_data_changed)
        self.target.currentIndexChanged.connect(self._on_data_changed)
        return group

    def _network_box(self) -> QGroupBox:
        group = QGroupBox("Network")
        box = QVBoxLayout(group)
        self.layers = LayerList()
        self.layers.changed.connect(self._on_changed)
        box.addWidget(self.layers)
        form = QFormLayout()
        self.loss = QComboBox(objectName="lossSelector")
        for loss in LOSSES.values():
            self.loss.addItem(loss.label, loss.name)
        self.loss.setToolTip("mse: ½·mean squared error; bce: binary cross-entropy from logits; "
                             "softmax_ce: softmax cross-entropy (one output per class)")
        self.init = QComboBox(objectName="initSelector")
        for name in initializers.INITIALIZERS:
            self.init.addItem(initializers.LABELS[name], name)
        self.init.setToolTip("How the starting weights are drawn: He suits ReLU, Xavier suits tanh "
                             "and sigmoid; scaled normal uses the scale below")
        self.init_scale = _spin("Init scale", 0.001, 100.0, 1.0, "Standard deviation for scaled-normal weights",
                                "initScaleSpin", decimals=3)
        self.net_seed = _spin("Network seed", 0, 2**31 - 1, 0, "Seed of the starting weights and of the batch order",
                              "seedSpin")
        form.addRow("Loss", self.loss)
        form.addRow("Init", self.init)
        form.addRow("Scale", self.init_scale)
        form.addRow("Seed", self.net_seed)
        box.addLayout(form)
        self.loss.currentIndexChanged.connect(self._on_loss)
        self.init.currentIndexChanged.connect(self._on_init_changed)
        self.init_scale.valueChanged.connect(self._on_init_changed)
        self.net_seed.valueChanged.connect(self._on_init_changed)
        return group

    def _training_box(self) -> QGroupBox:
        group = QGroupBox("Training (applies at once)")
        form = QFormLayout(group)
        self.optimizer = QComboBox(objectName="optimizerSelector")
        for name in optimizers.OPTIMIZERS:
            self.optimizer.addItem(optimizers.LABELS[name], name)
        self.optimizer.setToolTip("The update rule; switching keeps the weights and starts the new "
                                  "optimizer's state fresh")
        self.lr = _spin("Learning rate", 1e-6, 100.0, 0.03,
                        "Learning rate η: the step size of every update (applies at once)",
                        "learningRateSpin", decimals=6)
        self.hyper = {name: _spin(optimizers.HYPER_LABELS[name], 0.0, 0.99999, value, HYPER_TIPS[name],
                                  f"{name}Spin", decimals=5)
                      for name, value in (("momentum", 0.9), ("rho", 0.9), ("beta1", 0.9), ("beta2", 0.999))}
        self.hyper["eps"] = _spin(optimizers.HYPER_LABELS["eps"], 1e-12, 0.1, 1e-8, HYPER_TIPS["eps"], "epsSpin",
                                  decimals=12)
        self.batch = _spin("Batch size", 1, 100_000, 32, "Rows per step (mini-batch size; applies at once)",
                           "batchSizeSpin")
        self.l2 = _spin("L2 decay λ", 0.0, 10.0, 0.0, "L2 weight decay λ: adds (λ/2)·Σw² to the loss and λ·w to each "
                        "weight's gradient (applies at once)", "l2Spin", decimals=5)
        form.addRow("Optimizer", self.optimizer)
        form.addRow("Learning rate", self.lr)
        for name, box in self.hyper.items():
            form.addRow(optimizers.HYPER_LABELS[name], box)
        form.addRow("Batch size", self.batch)
        form.addRow("L2 decay λ", self.l2)
        self.training_form = form
        self.optimizer.currentIndexChanged.connect(self._on_optimizer)
        for w in (self.lr, self.batch, self.l2, *self.hyper.values()):
            w.valueChanged.connect(self._on_changed)
        return group

    # -- state ------------------------------------------------------------------------------
    def load(self, settings: Settings) -> None:
        """Show ``settings`` in every control (no signals while filling in)."""
        self._loading = True
        try:
            d = settings.data
            self.csv_path = d.csv_path
            index = self.dataset.findData(CSV_ITEM if d.csv_path else d.name)
            if d.x:  # a one-example seed: shown as such
                if self.dataset.findData(d.name) < 0:
                    self.dataset.insertItem(0, d.name, d.name)
                index = self.dataset.findData(d.name)
            self.dataset.setCurrentIndex(max(index, 0))
            self._data_in_use = self.dataset.currentData()
            self.samples.setValue(d.samples)
            self.noise.setValue(d.noise)
            self.classes.setValue(d.classes)
            self.validation.setValue(round(d.validation * 100))
            self.data_seed.setValue(d.seed)
            self._fill_targets(d.target)
            spec = settings.spec
            self.loss.setCurrentIndex(self.loss.findData(spec.loss))
            self.layers.set_layers(spec.layers, spec.loss, spec.input_size)
            self.init.setCurrentIndex(self.init.findData(spec.init))
            self.init_scale.setValue(spec.init_scale)
            self.net_seed.setValue(spec.seed)
            self.optimizer.setCurrentIndex(self.optimizer.findData(settings.optimizer))
            self.lr.setValue(settings.lr)
            for name, box in self.hyper.items():
                box.setValue(settings.hyper.get(name, optimizers.DEFAULTS.get(settings.optimizer, {}).get(
                    name, box.value())))
            self.batch.setValue(settings.batch_size)
            self.l2.setValue(settings.l2)
            self._initial_params = settings.initial_params
            self.preset.setCurrentIndex(max(self.preset.findData(spec.name), 0))
            self._update_visibility()
        finally:
            self._loading = False
        self.error.clear()

    def settings_with(self, settings: Settings) -> Settings:
        """``settings`` with the training numbers the editor's controls allow (after
        :meth:`load`): a model file may hold a learning rate outside their range."""
        return replace(settings, lr=self.lr.value(), batch_size=self.batch.value(), l2=self.l2.value(),
                       hyper={k: self.hyper[k].value() for k in settings.hyper})

    def settings(self) -> Settings:
        """The settings shown, or ChainRuleError saying what to change."""
        name = self.dataset.currentData()
        x, y = (), ()
        if name not in datasets.GENERATED and name != CSV_ITEM:
            from chainrule_gui.core.nn.presets import PRESETS as presets

            for preset in presets.values():
                if preset.data.name == name and preset.data.x:
                    x, y = preset.data.x, preset.data.y
        data = DataSettings(name if name != CSV_ITEM else "csv", self.samples.value(), self.noise.value(),
                            self.validation.value() / 100, self.classes.value(), self.data_seed.value(),
                            self.csv_path if name == CSV_ITEM else "",
                            self.target.currentText() if name == CSV_ITEM else "", x, y)
        info = self._describe(data)
        if info["task"] == "regression" and self.loss.currentData() != "mse":
            # said before the spec's own checks, which would speak of classes this data has not
            raise ChainRuleError(f"{self.dataset.currentText()} is a regression data set (it predicts numbers, "
                                 "not classes): use the mse loss")
        layers = self.layers.specs()
        spec = NetworkSpec(info["features"], layers, self.loss.currentData(), self.init.currentData(),
                           self.init_scale.value(), self.net_seed.value(),
                           name=self.preset.currentData() or "").validated()
        optimizer = self.optimizer.currentData()
        hyper = {k: self.hyper[k].value() for k in optimizers.DEFAULTS[optimizer]}
        initial = self._initial_params
        if initial is not None and len(initial) != spec.parameter_count:
            initial = None
        return Settings(data, spec, optimizer, self.lr.value(), hyper, self.batch.value(), self.l2.value(),
                        initial)

    def _describe(self, data: DataSettings) -> dict:
        key = data
        if self._data_info is not None and self._data_info[0] == key:
            return self._data_info[1]
        built = data.build()
        info = {"features": built.n_features, "task": built.task, "classes": built.n_classes,
                "width": built.target_width}
        self._data_info = (key, info)
        return info

    def show_pending(self, problem: str | None) -> None:
        """``problem``: why the settings shown cannot build a network (None: they can)."""
        if problem:
            self.pending.setText(f"Not applied: {problem}. The diagram and plots still show the previous "
                                 "network, and Start and Step stay off until these settings can build one.")
            self.ensureWidgetVisible(self.pending)
        self.pending.setVisible(bool(problem))

    def show_error(self, message: str) -> None:
        self.error.setText(message)

    # -- reactions --------------------------------------------------------------------------
    def _emit(self) -> None:
        if self._loading:
            return
        try:
            settings = self.settings()
        except ChainRuleError as exc:
            self._invalid(str(exc))
            return
        self.error.clear()
        self.settings_changed.emit(settings)

    def _refuse(self, message: str) -> None:
        self.error.setText(message)
        self.field_refused.emit(message)

    def _invalid(self, message: str) -> None:
        self.error.setText(message)
        self.settings_invalid.emit(message)

    def _on_changed(self, *_):
        if not self._loading and self.sender() is not self.preset:
            self._mark_custom()
        self._emit()

    def _on_init_changed(self, *_):
        if not self._loading:
            # New drawing rules mean newly drawn weights, not a preset's or a file's exact ones.
            self._initial_params = None
        self._on_changed()

    def _mark_custom(self) -> None:
        if self.preset.currentData():
            self.preset.blockSignals(True)
            self.preset.setCurrentIndex(0)
            self.preset.blockSignals(False)

    def _on_preset(self, index: int) -> None:
        name = self.preset.itemData(index)
        if not name:
            return
        self.load(settings_from_preset(name))
        try:
            settings = self.settings()
        except ChainRuleError as exc:  # a preset is valid; this would be our bug, said anyway
            self._invalid(str(exc))
            return
        self.preset_chosen.emit(settings)

    def _on_dataset(self, *_):
        if self._loading:
            return
        if self.dataset.currentData() == CSV_ITEM and not self.csv_path:
            self._choose_csv()
            if not self.csv_path:
                return
        self._data_in_use = self.dataset.currentData()
        self._initial_params = None
        self._on_data_changed()

    def _on_data_changed(self, *_):
        if self._loading:
            return
        self._update_visibility()
        self._adapt_to_data()
        self._on_changed()

    def _adapt_to_data(self) -> None:
        """Input size, loss choices and output units follow the data set."""
        try:
            info = self._describe(self.settings_data_only())
        except ChainRuleError as exc:
            self._invalid(str(exc))
            return
        self._loading = True
        try:
            self.layers.set_input_size(info["features"])
            loss = self.loss.currentData()
            if info["task"] == "regression":
                loss = "mse"
            elif loss == "mse" or (loss == "bce" and info["classes"] > 2):
                loss = "bce" if info["classes"] == 2 else "softmax_ce"
            self.loss.setCurrentIndex(self.loss.findData(loss))
            self.layers.set_loss(loss, self._output_units(loss, info))
        finally:
            self._loading = False

    def settings_data_only(self) -> DataSettings:
        name = self.dataset.currentData()
        return DataSettings(name if name != CSV_ITEM else "csv", self.samples.value(), self.noise.value(),
                            self.validation.value() / 100, self.classes.value(), self.data_seed.value(),
                            self.csv_path if name == CSV_ITEM else "",
                            self.target.currentText() if name == CSV_ITEM else "")

    @staticmethod
    def _output_units(loss: str, info: dict) -> int:
        if info["task"] == "regression":
            return info["width"]
        k = info["classes"]
        if loss == "softmax_ce":
            return k
        return 1 if k == 2 else k

    def _on_loss(self, *_):
        if self._loading:
            return
        try:
            info = self._describe(self.settings_data_only())
        except ChainRuleError as exc:
            self._invalid(str(exc))
            return
        loss = self.loss.currentData()
        self._loading = True
        self.layers.set_loss(loss, self._output_units(loss, info))
        self._loading = False
        self._on_changed()

    def _on_optimizer(self, *_):
        self._update_visibility()
        self._on_changed()

    def _update_visibility(self) -> None:
        name = self.dataset.currentData()
        generated = name in datasets.GENERATED
        for widget in (self.samples, self.noise, self.data_seed):
            self._show_row(self.data_form, widget, generated)
        self._show_row(self.data_form, self.classes, name in ("spiral", "blobs"))
        self._show_row(self.data_form, self.validation, generated or name == CSV_ITEM)
        self._show_row(self.data_form, self.csv_button, name == CSV_ITEM)
        self._show_row(self.data_form, self.target, name == CSV_ITEM)
        used = optimizers.DEFAULTS[self.optimizer.currentData()]
        for key, box in self.hyper.items():
            self._show_row(self.training_form, box, key in used)
        self.init_scale.setEnabled(self.init.currentData() in ("normal", "randn"))

    @staticmethod
    def _show_row(form: QFormLayout, field: QWidget, visible: bool) -> None:
        form.setRowVisible(field, visible)

    # -- CSV --------------------------------------------------------------------------------
    def _choose_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a CSV data set", "",
                                              "CSV files (*.csv *.txt);;All files (*)")
        if path:
            self.set_csv(path)
        elif not self.csv_path:
            self._show_data_in_use()

    def _show_data_in_use(self) -> None:
        """No CSV was imported (the dialog cancelled, or the file refused): the list shows the
        data set that is still in use again (it stayed on "CSV file…", and Cancel jumped to
        the first data set and rebuilt the network on it)."""
        self._loading = True
        try:
            self.dataset.setCurrentIndex(max(0, self.dataset.findData(self._data_in_use)))
        finally:
            self._loading = False
        self._update_visibility()

    def set_csv(self, path: str) -> None:
        """Use the CSV file at ``path`` (its last column the target until one is chosen)."""
        from chainrule_gui.core.nn.csv_import import read_csv_file

        try:  # the same gates as the import itself: size cap, UTF-8, every cell a number
            names, _ = read_csv_file(path)
        except ChainRuleError as exc:
            if not self.csv_path:
                self._show_data_in_use()
            self.error.setText(f"{Path(path).name}: {exc}")
            return
        self.csv_path = path
        self._loading = True
        self.target.clear()
        self.target.addItems(names)
        self.target.setCurrentIndex(len(names) - 1)
        self.dataset.setCurrentIndex(self.dataset.findData(CSV_ITEM))
        self._loading = False
        self.csv_button.setText(f"CSV: {Path(path).name}")
        self._on_data_changed()

    def _fill_targets(self, current: str) -> None:
        if self.target.count() == 0 and current:
            self.target.addItem(current)
        index = self.target.findText(current)
        if index >= 0:
            self.target.setCurrentIndex(index)
