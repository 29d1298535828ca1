"""Two message strips: a training fault (red, with what to do) and the gradient diagnosis."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout


class FaultBanner(QFrame):
    lower_requested = Signal()
    reset_requested = Signal()

    def __init__(self):
        super().__init__()
        self.setObjectName("faultBanner")
        self.setStyleSheet("#faultBanner { background: #fde7e9; border: 1px solid #b00020; }")
        self.label = QLabel(objectName="faultMessage")
        self.label.setWordWrap(True)
        self.lower = QPushButton("Lower learning rate ÷10", objectName="lowerLearningRateButton")
        self.lower.setToolTip("Divide the learning rate by 10 and keep the restored weights")
        self.reset = QPushButton("Reset", objectName="faultResetButton")
        self.reset.setToolTip("Start again from fresh weights (Ctrl+R)")
        self.lower.clicked.connect(self.lower_requested)
        self.reset.clicked.connect(self.reset_requested)
        buttons = QVBoxLayout()
        buttons.addWidget(self.lower)
        buttons.addWidget(self.reset)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 6, 4)
        row.addWidget(self.label, 1)
        row.addLayout(buttons)
        self.hide()

    def show_fault(self, message: str | None) -> None:
        if message:
            self.label.setText(f"<b>Training paused.</b> {message}")
        self.setVisible(bool(message))


class DiagnosisBanner(QLabel):
    """Plain sentences about vanishing/exploding gradients and update sizes, with a fix.

    Always shown at a fixed height (neutral when all is well): a strip that appeared and
    vanished would resize the plots below it, and a resized plot redraws from scratch.
    """

    HEALTHY = ("#diagnosisBanner { background: #eef6ee; border: 1px solid #9cc59c; padding: 3px; "
               "color: #305030; font-size: 11px; }")
    WARNING = ("#diagnosisBanner { background: #fff4d6; border: 1px solid #e69f00; padding: 3px; "
               "font-size: 11px; }")

    def __init__(self):
        super().__init__()
        self.setObjectName("diagnosisBanner")
        self.setWordWrap(True)
        self.setFixedHeight(76)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.setToolTip("Checks each update: gradient norms of the lowest vs the top layer, and the "
                        "size of updates relative to the weights")
        self.kinds: tuple[str, ...] = ()
        self._text = None
        self.show_waiting()

    def show_waiting(self) -> None:
        """Before the first step there is nothing to judge yet."""
        self.kinds = ()
        self._text = None
        self.setText("Gradient check: press Step or Start — each update then looks for vanishing or "
                     "exploding gradients and for updates that are too small or too large.")
        self.setStyleSheet(self.HEALTHY.replace("#eef6ee", "#f4f4f4").replace("#9cc59c", "#cccccc")
                           .replace("#305030", "#444444"))

    def show_diagnoses(self, diagnoses, records=None) -> None:
        self.kinds = tuple(d.kind for d in diagnoses)
        if diagnoses:
            text = "<br>".join(f"⚠ {d.message} <i>{d.advice}</i>" for d in diagnoses)
            style = self.WARNING
        else:
            text = "✓ No vanishing or exploding gradients, and update sizes look reasonable."
            style = self.HEALTHY
        if text != self._text:
            self._text = text
            self.setText(text)
            self.setStyleSheet(style)
            self.setToolTip(self.toolTip().split("\n\n")[0] + "\n\n" + "\n".join(
                f"{d.message} {d.advice}" for d in diagnoses) if diagnoses else self.toolTip().split("\n\n")[0])
