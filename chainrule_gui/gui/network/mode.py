"""The Network mode: editor on the left, the network diagram and its equations in the
middle, live plots on the right, and the controls on top.  This module composes panels
and wires signals; the controller owns the training thread.

A change of data, architecture or initialisation builds the new network at once, as
TensorFlow Playground does: what the editor shows is always what Start trains.  A
running training stops, and a notice says the network was re-initialised — with Undo
when trained weights were discarded.  Settings that cannot build a network keep Start
and Step off and say why, rather than train the previous network silently.
"""

from __future__ import annotations

from dataclasses import replace

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
from chainrule_gui.gui.network.banners import DiagnosisBanner, FaultBanner, NoticeBar
from chainrule_gui.gui.network.controller import NetworkController
from chainrule_gui.gui.network.decision import DecisionPlot
from chainrule_gui.gui.network.diagram import NetworkDiagram
from chainrule_gui.gui.network.editor import NetworkEditor
from chainrule_gui.gui.network.explain import (
    EquationPanel,
    neuron_tooltip,
    weight_tooltip,
)
from chainrule_gui.gui.network.plots import GradientPanel, LossPanel

SPEEDS = [("full speed", None), ("1000 steps/s", 1000.0), ("100 steps/s", 100.0),
          ("20 steps/s", 20.0), ("5 steps/s", 5.0), ("1 step/s", 1.0)]


class NetworkMode(QWidget):
    """``file_shortcuts``: whether Ctrl+O / Ctrl+S open and save models here; False inside a
    window whose File menu owns those keys (and passes them on in this tab).
    ``autosave_folder``: the run's own folder for the network's autosave (None: none)."""

    def __init__(self, parent=None, file_shortcuts: bool = True, autosave_folder=None):
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
        self.notice = NoticeBar()
        self._undo = None  # (settings, weights) of the trained network a rebuild replaced
        self.metrics = QLabel(objectName="trainingMetrics")
        self.metrics.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.metrics.setWordWrap(True)
        self.metrics.setFixedHeight(36)
        self.metrics.setToolTip("Loss and accuracy of the current weights on all training and validation "
                                "rows (the loss plot's dot), measured a few times a second. The loss includes "
                                "the L2 penalty (λ/2)·Σw² when λ > 0.")
        self.compare_dialog = None
        self._records = None
        self._records_step = None
        self._inputs = None
        self._fault_shown = None
        self._make_controls()
        self._layout()
        self._wire()
        self.controller.set_settings(self.editor.settings())
        self.controller.reset()
        from chainrule_gui.gui.network.autosave import NetworkAutosave

        self.autosave = NetworkAutosave(self, autosave_folder)
        self.autosave.mark_saved()  # the start-up network is nobody's work yet
        from PySide6.QtCore import QCoreApplication

        app = QCoreApplication.instance()
        if app is not None:  # never leave a running thread behind at exit
            app.aboutToQuit.connect(self.shutdown)

    # -- composition ------------------------------------------------------------------------
    def _button(self, text: str, name: str, tip: str, shortcut: str | None = None,
                action_text: str | None = None) -> QPushButton:
        """``action_text``: what the shortcut sheet (Ctrl+/) lists, when the tip is long."""
        button = QPushButton(text, objectName=name)
        button.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
        if shortcut:
            action = QAction(action_text or tip, self, shortcut=QKeySequence(shortcut), objectName=f"{name}Action")
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
                                         "Start again from fresh weights: the step count and the plots start over",
                                         "Ctrl+R")
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
        self.gradcheck_button = self._button(
            "Gradient check", "gradCheckButton",
            "Check backprop against finite differences for every weight, on the data's first "
            "training rows: per layer the largest relative error, pass or fail, and ReLU kinks left out "
            "(the numbers of the gradcheck command)", "Ctrl+G",
            action_text="Gradient check: backprop against finite differences")
        self.gradcheck_panel = None
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
        # In the top bar, not above the diagram: there it widened the middle panel's minimum
        # and squeezed the editor at 1024 px.
        bar.addWidget(self.gradcheck_button)
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
        self.splitter.setSizes([max(340, self._editor_width()), 530, 410])
        self.splitter.setStretchFactor(1, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addLayout(bar)
        box.addWidget(self.notice)
        box.addWidget(self.splitter, 1)
        # The window may be narrower than every panel's comfortable minimum (the
        # Expression tab allows it); the splitter then squeezes the panels.
        self.setMinimumSize(680, 300)

    def _editor_width(self) -> int:
        return (self.editor.widget().minimumSizeHint().width()
                + self.editor.verticalScrollBar().sizeHint().width() + 2 * self.editor.frameWidth())

    def _fit_editor(self) -> None:
        """Give the editor the width of its controls, taken from the plots on the right
        while they have room to spare: at 1024 px the splitter's proportional squeeze left
        the editor 340 px for 369 px of controls, and the combo boxes' arrows were cut off.
        (Measured once shown: styled and polished, the controls are wider than at first.)"""
        sizes = self.splitter.sizes()
        short = self._editor_width() - sizes[0]
        spare = sizes[2] - self.splitter.widget(2).minimumSizeHint().width()
        if short > 0 and spare > 0:
            give = min(short, spare)
            self.splitter.setSizes([sizes[0] + give, sizes[1], sizes[2] - give])

    def showEvent(self, event):  # noqa: N802 - Qt override
        super().showEvent(event)
        self._fit_editor()

    def resizeEvent(self, event):  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.isVisible():
            self._fit_editor()

    def _wire(self) -> None:
        c = self.controller
        self.start_button.clicked.connect(c.start)
        self.pause_button.clicked.connect(c.pause)
        self.step_button.clicked.connect(lambda: c.step(1))
        self.reset_button.clicked.connect(self.reset)
        self.speed.currentIndexChanged.connect(lambda _: c.set_speed(self.speed.currentData()))
        self.gradient_toggle.toggled.connect(self._on_gradient_toggle)
        self.compare_button.clicked.connect(self.open_comparison)
        self.gradcheck_button.clicked.connect(lambda _=False: self.check_gradients())
        self.editor.settings_changed.connect(self._on_settings)
        self.editor.settings_invalid.connect(self._block)
        self.editor.preset_chosen.connect(self._on_preset)
        self.editor.field_refused.connect(self.notice.show_notice)
        self.notice.undo_requested.connect(self.undo_rebuild)
        self.diagram.layer_clicked.connect(self._on_layer_clicked)
        self.fault_banner.lower_requested.connect(self._lower_learning_rate)
        self.fault_banner.reset_requested.connect(self.reset)
        self.decision_plot.visibility_changed.connect(c.show_decision)
        c.updated.connect(self._on_update)
        c.network_built.connect(self._on_network_built)
        c.running_changed.connect(self._on_running)
        c.error.connect(self.editor.show_error)

    # -- intents ----------------------------------------------------------------------------
    def reset(self) -> bool:
        if self.controller.blocked:  # the last good settings are not what the editor shows
            self.editor.show_error(self.controller.blocked)
            return False
        self.fault_banner.show_fault(None)
        self._fault_shown = None
        return self.controller.reset()

    def _rebuild(self, why: str) -> None:
        """A new network for the settings shown, at once; the notice says so (``why``:
        "for the new data", …), with Undo when trained weights are being replaced."""
        c = self.controller
        latest = c.latest if c.latest is not None and c.latest.generation == c.generation else None
        steps = latest.step if latest is not None else 0
        previous = (c.trained, c.network.params.copy()) if steps and c.network is not None else None
        was_running = c.running
        if not self.reset():
            self._block(self.editor.error.text() or "these settings cannot build a network")
            return
        self._undo = previous
        text = f"New network {why}: the weights were re-initialised"
        if steps:
            plural = "s" if steps != 1 else ""
            text += f"; the previous network's {steps:,} trained step{plural} can be brought back with Undo"
        text += ". Training stopped — press Start (F5) to train the new one." if was_running else "."
        self.notice.show_notice(text, undo=previous is not None)

    def undo_rebuild(self) -> bool:
        """Back to the network a rebuild replaced, with its trained weights and settings."""
        if self._undo is None:
            return False
        settings, params = self._undo
        self._undo = None
        if not self._adopt(replace(settings, initial_params=tuple(float(v) for v in params))):
            return False
        self.autosave.mark_restored()  # trained weights in no file of the user's
        self.notice.show_notice("Back to the previous network with its trained weights; its step count and "
                                "plots start again from here.")
        return True

    def _block(self, problem: str) -> None:
        """The settings shown cannot build a network: never train the previous one instead."""
        self.controller.blocked = problem
        if self.controller.running:
            self.controller.pause()
        self.editor.show_pending(problem)
        self._on_running(self.controller.running)

    def _unblock(self) -> None:
        if self.controller.blocked:
            self.controller.blocked = None
        self.editor.show_pending(None)
        self._on_running(self.controller.running)

    def shutdown(self) -> None:
        """Stop the training thread (quit + wait) and a gradient check; safe to call more than once."""
        if self.gradcheck_panel is not None:
            self.gradcheck_panel.cancel()
        self.controller.shutdown()

    def check_gradients(self) -> bool:
        """Open the Gradient check panel (non-modal) and check the network as it is now."""
        from chainrule_gui.gui.network.gradcheck_panel import GradCheckPanel

        c = self.controller
        if c.network is None or c.dataset is None:
            return False
        if self.gradcheck_panel is None:
            self.gradcheck_panel = GradCheckPanel(self)
            self.gradcheck_panel.again.clicked.connect(lambda _=False: self.check_gradients())
        latest = c.latest if c.latest is not None and c.latest.generation == c.generation else None
        started = self.gradcheck_panel.check(c.network, c.dataset, c.trained.l2, latest.step if latest else 0)
        self.gradcheck_panel.show()
        self.gradcheck_panel.raise_()
        return started

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
            self.autosave.discard()  # the work is in the user's file now
        return saved

    def has_unsaved_training(self) -> bool:
        """Trained weights that are in no file yet (closing the window asks about them)."""
        return self.autosave.has_unsaved_training()

    def _settings_to_build_on(self):
        """What a model file fills in: the settings shown, or — while they cannot build a
        network (a half-made choice in the editor) — the ones the current network trains with."""
        try:
            return self.editor.settings()
        except ChainRuleError:
            return self.controller.trained or self.controller.settings

    def restore(self, network, meta) -> bool:
        """Continue with a network autosaved before a crash (it stays unsaved work)."""
        settings = files.settings_from_model(self._settings_to_build_on(), network, meta)
        try:
            if settings.data.build().n_features != network.sizes[0]:
                return False
        except ChainRuleError:
            return False
        if not self._adopt(settings):
            return False
        self.autosave.mark_restored()
        self.editor.show_error("")
        self.notice.hide()
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
        settings = files.settings_from_model(self._settings_to_build_on(), network, meta)
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
        self.notice.hide()
        return True

    def _adopt(self, settings) -> bool:
        """Show and train ``settings`` (an opened or restored model) from its weights."""
        self.editor.load(settings)
        settings = self.editor.settings_with(settings)  # what the editor's ranges allow
        self.controller.set_settings(settings)
        self.controller.blocked = None  # the editor shows these settings now
        return self.reset()

    # -- reactions ----------------------------------------------------------------------------
    def _on_settings(self, settings) -> None:
        self.controller.blocked = None  # the editor could build these settings
        reasons = self.controller.set_settings(settings)
        if reasons:
            self._rebuild("for " + _joined(reasons))
            return
        self._unblock()
        if self.controller.network is not None:
            frozen = [layer.frozen for layer in settings.spec.layers]
            if len(frozen) == len(self.controller.network.layers) and frozen != self.diagram.frozen:
                self.diagram.set_frozen(frozen, self.controller.network)
                self._redraw_weights()

    def _on_preset(self, settings) -> None:
        self.controller.blocked = None
        self.controller.set_settings(settings)
        self._rebuild(f"from the preset “{self.editor.preset.currentText()}”")

    def _on_network_built(self, built) -> None:
        settings, network, dataset = built
        self._unblock()
        self._records = None
        self._records_step = None
        self._inputs = None
        self.equation.clear(len(network.layers))
        self.diagram.set_network(network)
        self.diagram.select_layer(self.equation.layer)
        self.gradient_panel.set_layers(len(network.layers), [layer.frozen for layer in network.layers])
        self.loss_panel.clear(self.controller.log)
        self.decision_plot.set_data(dataset, self.controller.grid_axes)
        self.diagnosis_banner.show_waiting()
        self.editor.show_error("")
        if self.compare_dialog is not None:
            self.compare_dialog.set_network(network, settings.lr)
        if self.gradcheck_panel is not None:
            self.gradcheck_panel.network_replaced()

    def _on_running(self, running: bool) -> None:
        blocked = bool(self.controller.blocked)
        self.start_button.setEnabled(not running and not blocked)
        self.step_button.setEnabled(not blocked)
        self.pause_button.setEnabled(running)

    def _on_update(self, update) -> None:
        self.loss_panel.refresh(update.steps, update.losses)
        if update.records is not None:
            self._records = update.records
            self._records_step = update.step
            self._inputs = update.batch_inputs
            self.equation.show_layer(self.equation.layer, update.records, self.controller.trained.spec.loss,
                                     update.step)
        if update.records is not None or update.diagnoses:
            self.diagnosis_banner.show_diagnoses(update.diagnoses)
        if update.norms is not None:
            self.gradient_panel.add_samples(update.norm_steps, update.norms)
        self._redraw_weights()
        self.decision_plot.show_output(update.grid)
        rate = f" · {update.steps_per_second:,.0f} steps/s" if update.running and update.steps_per_second else ""
        self.counter.setText(f"epoch {update.epoch:,} · step {update.step:,}{rate}")
        if update.evaluation:
            self.metrics.setText(_metrics_text(update.step, update.evaluation, update.fault))
        if update.fault is not None and update.fault is not self._fault_shown:
            self._fault_shown = update.fault
            self.fault_banner.show_fault(update.fault.message)
            # The weights went back to a checkpoint: the last step's numbers describe none now.
            self._records = self._inputs = None
            self.equation.clear(len(self.controller.network.layers))
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
        self.diagram.show_weights(network.weight_views(), grads)

    def _on_gradient_toggle(self, on: bool) -> None:
        self.diagram.set_color_by_gradient(on)
        self._redraw_weights()

    def _on_layer_clicked(self, layer: int) -> None:
        if self._records is not None:
            self.equation.show_layer(layer, self._records, self.controller.trained.spec.loss,
                                     self._records_step)
        elif self.controller.network is not None:
            self.equation.layer = layer
            self.equation.clear(len(self.controller.network.layers))

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


def _joined(reasons: list[str]) -> str:
    """["the data", "the architecture"] → "the new data and architecture"."""
    words = [r.removeprefix("the ") for r in reasons]
    return "the new " + (words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1])


def compact(combo: QComboBox, characters: int = 10) -> None:
    """A combo box that does not insist on the width of its longest entry."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)


def _metrics_text(step: int, e: dict, fault=None) -> str:
    """The figures of the weights after ``step`` on all rows (the loss plot's dot)."""
    when = (f"weights of step {fault.restored_step:,} (restored)" if fault is not None
            else f"after step {step:,}")
    parts = [f"{when}: training loss {e['train_loss']:.4g}"]
    if e.get("validation_loss") is not None:
        parts.append(f"validation loss {e['validation_loss']:.4g}")
    if e.get("train_accuracy") is not None:
        parts.append(f"training accuracy {e['train_accuracy']:.1%}")
    if e.get("validation_accuracy") is not None:
        parts.append(f"validation accuracy {e['validation_accuracy']:.1%}")
    return " · ".join(parts)
