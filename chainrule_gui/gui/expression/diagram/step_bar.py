"""The step-through bar (``stepThroughBar``): replay a sweep on the diagram, step by step.

Choose the forward pass (values fill in), the backward pass (adjoints flow down, each
edge's contribution added to a running sum) or a forward-mode sweep (tangents flow up);
play, pause, step forward and back, at a chosen speed.  The frames come from the core
(:mod:`chainrule_gui.core.calculus.stepthrough`) at the level the diagram shows: variables for
the tree and graph views, operations for the operations view.  Below, what each mode
costs on this graph, and why reverse mode wins with one output and many inputs.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QSizePolicy,
    QSlider,
    QStyle,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chainrule_gui.core.calculus.stepthrough import KINDS, TITLES, StepSequence, cost_summary, step_sequence
from chainrule_gui.core.diagram.model import diagram_root
from chainrule_gui.core.explorer.state import structure_key
from chainrule_gui.gui import theme
from chainrule_gui.gui.expression.diagram.drawing import FrameView
from chainrule_gui.gui.expression.diagram.view import TreeDiagram
from chainrule_gui.gui.expression.snapshot import ExplorerSnapshot
from chainrule_gui.gui.expression.stale import StaleVeil

SHORT_TITLES = {"forward_pass": "Forward pass", "backward": "Backward pass", "forward_mode": "Forward mode"}
DEFAULT_SPEED = 2  # steps per second
MAX_SPEED = 20


class StepThroughBar(QWidget):
    def __init__(self, diagram: TreeDiagram, parent=None):
        super().__init__(parent)
        self.setObjectName("stepThroughBar")
        self.diagram = diagram
        self.snapshot: ExplorerSnapshot | None = None
        self.sequence: StepSequence | None = None
        self.index = -1  # -1: not stepping; the diagram shows the finished picture
        self._key = None
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self._build()
        self._set_speed(DEFAULT_SPEED)
        self.stale_veil = StaleVeil(self)
        diagram.drawing_changed.connect(self._on_drawing_changed)

    # -- widgets ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.kind_box = QComboBox(objectName="stepKind")
        for kind in KINDS:
            self.kind_box.addItem(SHORT_TITLES[kind], kind)
        self.kind_box.setCurrentIndex(KINDS.index("backward"))
        self.kind_box.setToolTip("Which sweep to replay: the forward pass computes values, the backward "
                                 "pass (reverse mode) the adjoints ∂out/∂node, a forward-mode sweep the "
                                 "tangents d(node)/d(input)")
        self.kind_box.currentIndexChanged.connect(lambda _: self._recompute(reset=True))

        icons = QStyle.StandardPixmap
        self.restart_action = self._action("First", "stepRestart", "Back to the first step (Ctrl+Shift+F10)",
                                           "Ctrl+Shift+F10", self.restart, icons.SP_MediaSkipBackward)
        self.back_action = self._action("Back", "stepBack", "One step back (Shift+F10)", "Shift+F10",
                                        self.step_back, icons.SP_MediaSeekBackward)
        self.play_action = self._action("Play", "stepPlay", "Play or pause (F5)", "F5", self.toggle_play,
                                        icons.SP_MediaPlay)
        self.forward_action = self._action("Step", "stepForward", "One step forward (F10)", "F10",
                                           self.step_forward, icons.SP_MediaSeekForward)
        self.end_action = self._action("Last", "stepEnd", "Jump to the last step (Ctrl+F10)", "Ctrl+F10",
                                       self.to_end, icons.SP_MediaSkipForward)
        self.stop_action = self._action("Done", "stepStop",
                                        "Stop stepping and show the finished diagram (Shift+F5)",
                                        "Shift+F5", self.stop)
        self.speed = QSlider(Qt.Orientation.Horizontal, objectName="stepSpeed")
        self.speed.setRange(1, MAX_SPEED)
        self.speed.setFixedWidth(70)
        self.speed.setToolTip("Playing speed in steps per second")
        self.speed.valueChanged.connect(self._set_speed)
        self.speed_label = QLabel()
        self.speed_label.setToolTip("Playing speed in steps per second")
        self.counter = QLabel(objectName="stepCounter")
        self.caption = QLabel(objectName="stepCaption")
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.costs = QLabel(objectName="stepCosts")
        self.costs.setWordWrap(True)
        theme.style_sheet(self.costs, lambda t: f"color: {t.muted};")
        self.costs.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        # A tool bar folds what does not fit into its extension menu: the window keeps its
        # minimum width however narrow the diagram column gets.
        controls = QToolBar("Step through", self)
        controls.setObjectName("stepControls")
        controls.setIconSize(QSize(16, 16))
        title = QLabel("<b>Step through</b>")
        controls.addWidget(title)
        controls.addWidget(self.kind_box)
        controls.addActions([self.restart_action, self.back_action, self.play_action, self.forward_action,
                             self.end_action, self.stop_action])
        controls.addWidget(self.counter)
        controls.addSeparator()  # the slider and its "2/s" say what they are (and the tooltips)
        controls.addWidget(self.speed)
        controls.addWidget(self.speed_label)
        for action in controls.actions():
            button = controls.widgetForAction(action)
            if isinstance(button, QToolButton) and action.objectName():
                button.setObjectName(action.objectName())
        self.play_button = controls.widgetForAction(self.play_action)
        self.controls = controls
        # The buttons must stay under the pointer while a person clicks Step again and again:
        # with the caption below them, a caption one line shorter moved them up or down a
        # line and the next click missed (F10 kept working).  So the caption sits above the
        # buttons (the bar's bottom is fixed, the costs line changes only with the graph) and
        # keeps room for two lines, so the diagram above does not jump at each step either.
        self.caption.setMinimumHeight(2 * self.caption.fontMetrics().lineSpacing())
        self.caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom)
        box = QVBoxLayout(self)
        box.setContentsMargins(4, 2, 4, 2)
        box.setSpacing(1)
        box.addWidget(self.caption)
        box.addWidget(controls)
        box.addWidget(self.costs)

    def _action(self, text, name, tip, shortcut, slot, icon=None) -> QAction:
        action = QAction(text, self, objectName=name, shortcut=QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        action.setToolTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)  # the shortcut works wherever the bar is shown
        return action

    # -- panel protocol ------------------------------------------------------------------------------
    def show_snapshot(self, snapshot: ExplorerSnapshot) -> None:
        self.snapshot = snapshot
        self._recompute(reset=False)

    def show_stale(self, stale: bool) -> None:
        if stale:
            self.pause()
        self.setEnabled(not stale)
        self.stale_veil.set_stale(stale)

    # -- stepping ---------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.kind_box.currentData()

    def set_kind(self, kind: str) -> None:
        self.kind_box.setCurrentIndex(KINDS.index(kind))

    def step_forward(self) -> None:
        if self.sequence is not None and self.index < len(self.sequence) - 1:
            self._go(self.index + 1)
        else:
            self.pause()

    def step_back(self) -> None:
        if self.sequence is not None and self.index > 0:
            self._go(self.index - 1)

    def restart(self) -> None:
        if self.sequence is not None and len(self.sequence):
            self._go(0)

    def to_end(self) -> None:
        self.pause()
        if self.sequence is not None and len(self.sequence):
            self._go(len(self.sequence) - 1)

    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.pause()
        else:
            self.play()

    def play(self) -> None:
        if self.sequence is None or not len(self.sequence):
            return
        if self.index >= len(self.sequence) - 1:
            self._go(0)  # from the start again
        elif self.index < 0:
            self._go(0)
        self.timer.start()
        self.play_action.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPause))
        self.play_action.setText("Pause")

    def pause(self) -> None:
        self.timer.stop()
        self.play_action.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play_action.setText("Play")

    def stop(self) -> None:
        """Leave the step-through: the diagram shows every number again."""
        self.pause()
        self.index = -1
        self.diagram.show_frame(None)
        self._show_state()

    def _tick(self) -> None:
        if self.sequence is None or self.index >= len(self.sequence) - 1:
            self.pause()
            return
        self._go(self.index + 1)
        if self.index >= len(self.sequence) - 1:
            self.pause()

    def _go(self, index: int) -> None:
        self.index = index
        frame = self.sequence.frames[index]
        self.diagram.show_frame(FrameView(self.sequence.kind, self.sequence.numbers_at(index),
                                          frame.node, frame.edge))
        self._show_state()

    def _set_speed(self, value: int) -> None:
        if self.speed.value() != value:
            self.speed.setValue(value)
        self.timer.setInterval(int(1000 / value))
        self.speed_label.setText(f"{value}/s")

    # -- keeping up with the diagram --------------------------------------------------------------------
    def _on_drawing_changed(self) -> None:
        self._recompute(reset=True)

    def _recompute(self, reset: bool) -> None:
        """New frames for the current snapshot, sweep and level; keep the step if the structure stayed."""
        snapshot, model = self.diagram.snapshot, self.diagram.model  # what is drawn now
        derivation = self.diagram.derivation() if snapshot is not None else None
        if snapshot is None or model is None or derivation is None:
            self.sequence = None
            self.pause()
            self.index = -1
            self._key = None
            self.costs.clear()  # the counts belong to a derivation; there is none now
            self.costs.setToolTip("")
            self._show_state()
            return
        key = (structure_key(snapshot), model.level, self.kind)
        reset = reset or key != self._key
        self._key = key
        root = diagram_root(snapshot.graph, snapshot.of)
        self.sequence = step_sequence(self.kind, snapshot.graph, model.level, root, snapshot.wrt,
                                      derivation.evaluation, snapshot.cut)
        self.costs.setText(self._costs_line(derivation))
        self.costs.setToolTip("\n".join(cost_summary(derivation.counts)))
        if reset:
            self.pause()
            self.index = -1
            self.diagram.show_frame(None)
        elif self.index >= 0 and len(self.sequence):
            self._go(min(self.index, len(self.sequence) - 1))  # same steps, new numbers
            return
        self._show_state()

    def _costs_line(self, derivation) -> str:
        c = derivation.counts
        # The counts are the whole operation graph's, with each name's identity step; no view
        # draws exactly that (the operations view folds those steps in), so the line says
        # which graph it counts and how many edges the diagram above shows.  Which mode wins
        # and why is in the tooltip: the line must stay short in a narrow column.
        return (f"Multiply–adds for the whole gradient on the operation graph ({c.edges} edges with each "
                f"name's own step; this {self.diagram.view} view draws {len(self.diagram.edges)}): "
                f"forward mode {c.forward_multiplications:,} (one sweep per input), reverse mode "
                f"{c.reverse_multiplications:,} (one per output).")

    def _show_state(self) -> None:
        seq = self.sequence
        has = seq is not None and len(seq) > 0
        for action in (self.restart_action, self.back_action, self.play_action, self.forward_action,
                       self.end_action):
            action.setEnabled(has)
        self.stop_action.setEnabled(has and self.index >= 0)
        self.back_action.setEnabled(has and self.index > 0)
        if not has:
            self.counter.setText("")
            if self.diagram.numeric_fault() is not None:
                self.caption.setText("Nothing to step through at this point: a value or slope is undefined "
                                     "here (marked in the diagram). Move the point to step through the sweeps.")
            else:
                self.caption.setText("Nothing to step through: define an output that depends on an input.")
            return
        if self.index < 0:
            self.counter.setText(f" {len(seq)} steps")
            level = "operation" if seq.level == "operations" else "variable"
            self.caption.setText(f"Press Play (F5) or Step (F10) to replay the "
                                 f"{TITLES[seq.kind].lower()} on this {level}-level diagram.")
            return
        self.counter.setText(f" step {self.index + 1} of {len(seq)}")
        # the chip has the colour of the active edge and node in the diagram
        caption = html.escape(seq.frames[self.index].caption.replace("-", "−"))  # a real minus sign
        self.caption.setText(f"<span style='color:#CC79A7'>■</span> {caption}")
