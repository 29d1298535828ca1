"""The Network mode: editor on the left, the network diagram and its equations in the
middle, live plots on the right, and the controls on top.  This module composes panels
and wires signals; the controller owns the training thread.
"""

from __future__ import annotations


from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chainrule_gui.core.errors import ChainRuleError
from chainrule_gui.gui.network import files
from chainrule_gui.gui.network.banners import DiagnosisBanner, FaultBanner
from chainrule_gui.gui.network.controller import NetworkController
from chainrule_gui.gui.network.decision import DecisionPlot
from chainrule_gui.gui.network.diagram import NetworkDiagram
from chainrule_gui.gui.network.editor import NetworkEditor
from chainrule_gui.gui.network.explain import EquationPanel, neuron_tooltip, weight_tooltip
from chainrule_gui.gui.network.plots import GradientPanel, LossPanel

SPEEDS = [("full speed", None), ("1000 steps/s", 1000.0), ("100 steps/s", 100.0),
          ("20 steps/s", 20.0), ("5 steps/s", 5.0), ("1 step/s", 1.0)]


class NetworkMode(QWidget):
    """``file_shortcuts``: whether Ctrl+O / Ctrl+S open and save models here; False inside a
    window whose File menu owns those keys (and passes them on in this tab)."""

    def __init__(self, parent=None, file_shortcuts: bool = True):
        super().__init__(parent)
        self._file_shortcuts = file_shortcuts
        self.setObjectName("networkMode")
        self.controller = NetworkController(self)
        self.editor = NetworkEditor()
        self.diagram = NetworkDiagram()
        self.diagram.describe_weight = self._describe_weight
        self.diagram.describe_neuron = self._describe_neuron
        self.equation = EquationPanel()
        self.loss_panel = LossPanel()
        self.gradient_panel = GradientPanel()
        self.decision_plot = DecisionPlot()
        self.fault_banner = FaultBanner()
        self.diagnosis_banner = DiagnosisBanner()
        self.metrics = QLabel(objectName="trainingMetrics")
        self.metrics.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.metrics.setWordWrap(True)
        self.metrics.setFixedHeight(36)
        self.metrics.setToolTip("Loss and accuracy on the training and validation rows, "
                                "measured a few times a second")
        self.compare_dialog = None
        self._records = None
        self._inputs = None
        self._fault_shown = None
        self._make_controls()
        self._layout()
        self._wire()
        self.controller.set_settings(self.editor.settings())
        self.controller.reset()
        from chainrule_gui.gui.network.autosave import NetworkAutosave

        self.autosave = NetworkAutosave(self)
        self.autosave.mark_saved()  # the start-up network is nobody's work yet
        from PySide6.QtCore import QCoreApplication

        app = QCoreApplication.instance()
        if app is not None:  # never leave a running thread behind at exit
            app.aboutToQuit.connect(self.shutdown)

    # -- composition ------------------------------------------------------------------------
    def _button(self, text: str, name: str, tip: str, shortcut: str | None = None) -> QPushButton:
        button = QPushButton(text, objectName=name)
        button.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
        if shortcut:
            action = QAction(tip, self, shortcut=QKeySequence(shortcut), objectName=f"{name}Action")
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(button.click)
            self.addAction(action)
        return button

    def _make_controls(self) -> None:
        self.start_button = self._button("▶ Start", "startButton", "Train continuously", "F5")
        self.pause_button = self._button("❚❚ Pause", "pauseButton", "Pause between two steps", "Shift+F5")
        self.step_button = self._button("Step", "stepButton", "Take one training step and show every number",
                                        "F10")
        self.reset_button = self._button("⟲ Reset", "resetButton",
                                         "New weights (and data/architecture changes) from the editor", "Ctrl+R")
        self.speed = QComboBox(objectName="speedSelector")
        for label, value in SPEEDS:
            self.speed.addItem(label, value)
        self.speed.setToolTip("Training speed: slow it down to watch single steps")
        compact(self.speed)
        self.counter = QLabel(objectName="stepCounter")
        # Text that changes on every update must not change the layout: a one-pixel resize
        # of a plot makes pyqtgraph re-lay out and redraw everything (measured: 10× a frame).
        self.counter.setMinimumWidth(120)
        self.counter.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.counter.setToolTip("Epochs (passes over the training rows), steps (mini-batches), speed")
        self.gradient_toggle = QCheckBox("colour by gradient", objectName="gradientToggle")
        self.gradient_toggle.setToolTip("Draw ∂L/∂w on the diagram instead of w: width |∂L/∂w|, colour its sign")
        self.compare_button = QPushButton("Compare optimizers…", objectName="compareButton")
        self.compare_button.setToolTip("Race SGD, momentum, RMSprop and Adam from the same starting weights")
        self.file_button = QToolButton(objectName="networkFileButton", text="File")
        self.file_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.file_button.setToolTip("Open/save a model; export the log, plots or a NumPy script")
        menu = QMenu(self.file_button)
        for text, shortcut, slot in (("Open model…", "Ctrl+O", self.open_model),
                                     ("Save model…", "Ctrl+S", self.save_model),
                                     ("Export training log (CSV)…", None, self.export_log),
                                     ("Export plots (PNG)…", None, self.export_plots),
                                     ("Export as NumPy script…", None, self.export_script)):
            action = menu.addAction(text)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                if self._file_shortcuts:
                    self.addAction(action)
            action.triggered.connect(lambda _checked=False, s=slot: s())  # not checked as path=False
        self.file_button.setMenu(menu)
        self.pause_button.setEnabled(False)

    def _layout(self) -> None:
        bar = QHBoxLayout()
        bar.setSpacing(6)
        for w in (self.start_button, self.pause_button, self.step_button, self.reset_button):
            bar.addWidget(w)
        bar.addWidget(QLabel("Speed"))
        bar.addWidget(self.speed)
        bar.addWidget(self.counter, 1)
        bar.addWidget(self.file_button)
        diagram_box = QWidget()
        diagram_layout = QVBoxLayout(diagram_box)
        diagram_layout.setContentsMargins(0, 0, 0, 0)
        diagram_layout.setSpacing(2)
        tools = QHBoxLayout()
        hint = QLabel("<b>Network</b>")
        hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        tools.addWidget(hint, 1)
        tools.addWidget(self.gradient_toggle)
        tools.addWidget(self.compare_button)
        diagram_layout.addLayout(tools)
        diagram_layout.addWidget(self.diagram, 1)
        middle = QSplitter(Qt.Orientation.Vertical)
        middle.addWidget(diagram_box)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.decision_plot)
        lower.addWidget(self.equation)
        lower.setSizes([290, 240])
        middle.addWidget(lower)
        middle.setSizes([360, 330])
        right = QWidget()
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        right_box.addWidget(self.fault_banner)
        right_box.addWidget(self.diagnosis_banner)
        right_box.addWidget(self.loss_panel, 1)
        right_box.addWidget(self.gradient_panel, 1)
        right_box.addWidget(self.metrics)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, objectName="networkSplitter")
        self.splitter.addWidget(self.editor)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(right)
        # The editor never scrolls sideways: narrower than its controls, their right edges
        # (the combo boxes' and spin boxes' arrows) were cut off under its scroll bar.
        editor_width = (self.editor.widget().minimumSizeHint().width()
                        + self.editor.verticalScrollBar().sizeHint().width() + 2 * self.editor.frameWidth())
        self.splitter.setSizes([max(340, editor_width), 530, 410])
        self.splitter.setStretchFactor(1, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addLayout(bar)
        box.addWidget(self.splitter, 1)
        # The window may be narrower than every panel's comfortable minimum (the
        # Expression tab allows it); the splitter then squeezes the panels.
        self.setMinimumSize(680, 300)

    def _wire(self) -> None:
        c = self.controller
        self.start_button.clicked.connect(c.start)
        self.pause_button.clicked.connect(c.pause)
        self.step_button.clicked.connect(lambda: c.step(1))
        self.reset_button.clicked.connect(self.reset)
        self.speed.currentIndexChanged.connect(lambda _: c.set_speed(self.speed.currentData()))
        self.gradient_toggle.toggled.connect(self._on_gradient_toggle)
        self.compare_button.clicked.connect(self.open_comparison)
        self.editor.settings_changed.connect(self._on_settings)
        self.editor.reset_requested.connect(self.reset)
        self.diagram.layer_clicked.connect(self._on_layer_clicked)
        self.fault_banner.lower_requested.connect(self._lower_learning_rate)
        self.fault_banner.reset_requested.connect(self.reset)
        c.updated.connect(self._on_update)
        c.network_built.connect(self._on_network_built)
        c.running_changed.connect(self._on_running)
        c.pending_changed.connect(self.editor.show_pending)
        c.error.connect(self.editor.show_error)

    # -- intents ----------------------------------------------------------------------------
    def reset(self) -> None:
        self.fault_banner.show_fault(None)
        self._fault_shown = None
        self.controller.reset()

    def shutdown(self) -> None:
        """Stop the training thread (quit + wait); safe to call more than once."""
        self.controller.shutdown()

    def closeEvent(self, event):  # noqa: N802 - Qt override; a stand-alone mode window
        self.shutdown()
        super().closeEvent(event)

    def open_comparison(self) -> None:
        from chainrule_gui.gui.network.compare_dialog import CompareDialog

        if self.compare_dialog is None:
            self.compare_dialog = CompareDialog(self.controller, self)
        if self.controller.network is not None:
            self.compare_dialog.set_network(self.controller.network, self.controller.trained.lr)
        self.compare_dialog.show()
        self.compare_dialog.raise_()

    def _report(self, result) -> None:
        value, error = result
        if error:
            self.editor.show_error(error)
        return value

    def save_model(self, path: str | None = None) -> str | None:
        """Save the network (asking where unless ``path``); the path, or None if not saved."""
        saved = self._report_file_problem("Cannot save model", files.guarded(lambda: files.save_model_as(self, path)))
        if saved:
            self.autosave.mark_saved()
        return saved

    def has_unsaved_training(self) -> bool:
        """Trained weights that are in no file yet (closing the window asks about them)."""
        return self.autosave.has_unsaved_training()

    def restore(self, network, meta) -> bool:
        """Continue with a network autosaved before a crash (it stays unsaved work)."""
        settings = files.settings_from_model(self.editor.settings(), network, meta)
        try:
            if settings.data.build().n_features != network.sizes[0]:
                return False
        except ChainRuleError:
            return False
        if not self._adopt(settings):
            return False
        self.autosave.mark_restored()
        self.editor.show_error("")
        return True

    def export_log(self) -> None:
        self._report(files.guarded(lambda: files.export_log(self)))

    def export_plots(self) -> None:
        self._report(files.guarded(lambda: files.export_plots(self)))

    def export_script(self) -> None:
        self._report(files.guarded(lambda: files.export_script(self)))

    def _report_file_problem(self, title: str, result):
        """A file that cannot be opened or written: a dialog (the editor's error line can
        be scrolled out of sight) and the editor's line; the work stays as it is."""
        value, error = result
        if error:
            self.editor.show_error(error)
            QMessageBox.warning(self, title, f"{error}\n\nThe network you have open is unchanged.")
        return value

    def open_model(self, path: str | None = None) -> bool:
        loaded = self._report_file_problem("Cannot open model", files.guarded(lambda: files.open_model(self, path)))
        if not loaded:
            return False
        network, meta = loaded
        settings = files.settings_from_model(self.editor.settings(), network, meta)
        try:
            features = settings.data.build().n_features
        except ChainRuleError as exc:
            self.editor.show_error(str(exc))
            return False
        if features != network.sizes[0]:
            self.editor.show_error(f"this model takes {network.sizes[0]} input(s) but the data set has "
                                   f"{features}: choose a matching data set first")
            return False
        if not self._adopt(settings):
            return False
        self.autosave.mark_saved()  # what is open now is that file
        return True

    def _adopt(self, settings) -> bool:
        """Show and train ``settings`` (an opened or restored model) from its weights."""
        self.editor.load(settings)
        settings = self.editor.settings_with(settings)  # what the editor's ranges allow
        self.controller.set_settings(settings)
        return self.controller.reset()

    # -- reactions ----------------------------------------------------------------------------
    def _on_settings(self, settings) -> None:
        self.controller.set_settings(settings)
        if self.controller.network is not None:
            frozen = [l.frozen for l in settings.spec.layers]
            if len(frozen) == len(self.controller.network.layers) and frozen != self.diagram.frozen:
                self.diagram.set_frozen(frozen, self.controller.network)
                self._redraw_weights()

    def _on_network_built(self, built) -> None:
        settings, network, dataset = built
        self._records = None
        self.diagram.set_network(network)
        self.gradient_panel.set_layers(len(network.layers), [l.frozen for l in network.layers])
        self.loss_panel.clear(self.controller.log)
        self.decision_plot.set_data(dataset, self.controller.grid_axes)
        self.diagnosis_banner.show_waiting()
        self.editor.show_error("")
        if self.compare_dialog is not None:
            self.compare_dialog.set_network(network, settings.lr)

    def _on_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.pause_button.setEnabled(running)

    def _on_update(self, update) -> None:
        self.loss_panel.refresh(update.steps, update.losses)
        if update.records is not None:
            self._records = update.records
            self._inputs = update.batch_inputs
            self.equation.show_layer(self.equation.layer, update.records, self.controller.trained.spec.loss)
            self.diagnosis_banner.show_diagnoses(update.diagnoses)
        if update.norms is not None:
            self.gradient_panel.add_samples(update.norm_steps, update.norms)
        self._redraw_weights()
        self.decision_plot.show_output(update.grid)
        rate = f" · {update.steps_per_second:,.0f} steps/s" if update.running and update.steps_per_second else ""
        self.counter.setText(f"epoch {update.epoch:,} · step {update.step:,}{rate}")
        if update.evaluation:
            self.metrics.setText(_metrics_text(update.evaluation))
        if update.fault is not None and update.fault is not self._fault_shown:
            self._fault_shown = update.fault
            self.fault_banner.show_fault(update.fault.message)
        elif update.fault is None and self._fault_shown is not None:
            self._fault_shown = None
            self.fault_banner.show_fault(None)


    def _redraw_weights(self) -> None:
        network = self.controller.network
        if network is None:
            return
        grads = None
        if self._records is not None:
            grads = [r.dW for r in self._records]
        self.diagram.show_weights(network.weights(), grads)

    def _on_gradient_toggle(self, on: bool) -> None:
        self.diagram.set_color_by_gradient(on)
        self._redraw_weights()

    def _on_layer_clicked(self, layer: int) -> None:
        if self._records is not None:
            self.equation.show_layer(layer, self._records, self.controller.trained.spec.loss)
        else:
            self.equation.layer = layer

    def _lower_learning_rate(self) -> None:
        self.editor.lr.setValue(self.editor.lr.value() / 10)
        self.fault_banner.show_fault(None)

    def _describe_weight(self, layer: int, row: int, column: int) -> str:
        if self._records is None:
            network = self.controller.network
            return f"w = {network.layers[layer].W[row, column]:.4g} (press Step to see its gradient)"
        t = self.controller.trained
        return weight_tooltip(self._records, self._inputs, t.spec.loss, t.l2, layer, row, column)

    def _describe_neuron(self, layer: int, unit: int) -> str:
        if self._records is None:
            return "press Step to see this unit's values"
        return neuron_tooltip(self._records, self._inputs, layer, unit)


def compact(combo: QComboBox, characters: int = 10) -> None:
    """A combo box that does not insist on the width of its longest entry."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)


def _metrics_text(e: dict) -> str:
    parts = [f"training loss {e['train_loss']:.4g}"]
    if e.get("validation_loss") is not None:
        parts.append(f"validation loss {e['validation_loss']:.4g}")
    if e.get("train_accuracy") is not None:
        parts.append(f"training accuracy {e['train_accuracy']:.1%}")
    if e.get("validation_accuracy") is not None:
        parts.append(f"validation accuracy {e['validation_accuracy']:.1%}")
    return " · ".join(parts)
