"""Two message strips: a training fault (red, with what to do) and the gradient diagnosis."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from chainrule_gui.gui import theme


class FaultBanner(QFrame):
    lower_requested = Signal()
    reset_requested = Signal()

    def __init__(self):
        super().__init__()
        self.setObjectName("faultBanner")
        theme.style_sheet(self, lambda t: f"#faultBanner {{ background: {t.bad_bg}; border: 1px solid "
                                          f"{t.bad_border}; }} #faultMessage {{ color: {t.ink}; }}")
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

    STYLE = "#diagnosisBanner {{ background: {}; border: 1px solid {}; padding: 3px; color: {}; font-size: 11px; }}"

    def __init__(self):
        super().__init__()
        self.setObjectName("diagnosisBanner")
        self.setWordWrap(True)
        self.setFixedHeight(76)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.setToolTip("Gradient health, judged at each update: gradient norms of the lowest vs the top "
                        "layer, the smoothed loss against its low, and the size of updates relative to the "
                        "weights. (Backprop itself is checked against finite differences by the Gradient "
                        "check button.)")
        self.kinds: tuple[str, ...] = ()
        self._text = None
        self._state = "quiet"
        theme.follow(self, lambda _t: self._restyle(), now=False)
        self.show_waiting()

    def _restyle(self) -> None:
        """quiet (nothing to judge yet), good or warning, in the theme's colours."""
        t = theme.current()
        self.setStyleSheet(self.STYLE.format(*{"quiet": (t.quiet_bg, t.quiet_border, t.quiet_ink),
                                               "good": (t.good_bg, t.good_border, t.good_ink),
                                               "warning": (t.warn_bg, t.warn_border, t.ink)}[self._state]))

    def show_waiting(self) -> None:
        """Before the first step there is nothing to judge yet."""
        self.kinds = ()
        self._text = None
        self.setText("Gradient health: press Step or Start — each update then looks for vanishing or "
                     "exploding gradients, a loss that explodes, and updates that are too small or too large.")
        self._state = "quiet"
        self._restyle()

    def show_diagnoses(self, diagnoses, records=None) -> None:
        self.kinds = tuple(d.kind for d in diagnoses)
        if diagnoses:
            text = "<br>".join(f"⚠ {d.message} <i>{d.advice}</i>" for d in diagnoses)
            state = "warning"
        else:
            text = "✓ No vanishing or exploding gradients, and update sizes look reasonable."
            state = "good"
        if text != self._text:
            self._text = text
            self.setText(text)
            self._state = state
            self._restyle()
            self.setToolTip(self.toolTip().split("\n\n")[0] + "\n\n" + "\n".join(
                f"{d.message} {d.advice}" for d in diagnoses) if diagnoses else self.toolTip().split("\n\n")[0])


class NoticeBar(QFrame):
    """A short, non-modal notice under the controls: the network was rebuilt for new
    settings (with Undo while the discarded weights were trained), or a typed number was
    refused.  It closes with ×, or by itself after a while unless it offers Undo; nothing
    waits for it."""

    undo_requested = Signal()
    TIMEOUT_MS = 12_000

    def __init__(self):
        super().__init__()
        from PySide6.QtCore import QTimer

        self.setObjectName("networkNotice")
        theme.style_sheet(self, lambda t: f"#networkNotice {{ background: {t.warn_bg}; border: 1px solid "
                                          f"{t.warn_border}; }} #networkNoticeText {{ color: {t.ink}; }}")
        self.label = QLabel(objectName="networkNoticeText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # quotes file names and typed text
        self.undo = QPushButton("Undo", objectName="undoRebuildButton")
        self.undo.setToolTip("Go back to the previous network with its trained weights and settings")
        self.undo.clicked.connect(self._on_undo)
        self.close_button = QPushButton("×", objectName="dismissNoticeButton")
        self.close_button.setToolTip("Dismiss this notice")
        self.close_button.setFixedWidth(28)
        self.close_button.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 6, 2)
        row.addWidget(self.label, 1)
        row.addWidget(self.undo)
        row.addWidget(self.close_button)
        self._timer = QTimer(self, singleShot=True, interval=self.TIMEOUT_MS)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_notice(self, text: str, undo: bool = False) -> None:
        """``undo``: offer Undo — then the notice stays until dismissed or replaced, so the
        trained weights it can bring back are not lost to a timer."""
        self.label.setText(text)
        self.undo.setVisible(undo)
        self.show()
        if undo:
            self._timer.stop()
        else:
            self._timer.start()

    def _on_undo(self) -> None:
        self.hide()
        self.undo_requested.emit()
