"""Gradient check in the Network tab: backprop against central differences, per layer.

The core's :func:`gradient_check` on the core's :func:`check_batch` — the same batch and
the same numbers as ``chainrule-gui gradcheck --json`` for the same network.  It costs
four forward passes per parameter, so it runs on a thread of its own with a progress bar,
an estimate of the time left and a Stop button; the window never waits for it.  The
panel is a non-modal dialog: training and the rest of the tab stay usable meanwhile.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from chainrule_gui.core.errors import ChainRuleError
from chainrule_gui.core.nn.gradcheck import (
    DEFAULT_ROWS,
    TOLERANCE,
    GradCheck,
    GradCheckCancelled,
    check_batch,
    gradient_check,
)

COLUMNS = ["Layer", "Weights", "Largest relative error", "Result", "Kinks left out"]


def error_text(value: float) -> str:
    """As ``gradcheck`` prints it."""
    return f"{value:.2e}"


class _Relay(QObject):
    """Carries the checking thread's news to the GUI thread (queued signals)."""

    progress = Signal(int, int, int)  # job, parameters done, parameters in all
    finished = Signal(int, object)  # job, GradCheck
    failed = Signal(int, str)


class GradCheckPanel(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("gradCheckPanel")
        self.setWindowTitle("Gradient check")
        self.setModal(False)
        self.summary = QLabel(objectName="gradCheckSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar(objectName="gradCheckProgress")
        self.progress.setToolTip("Parameters checked so far: each costs four forward passes")
        self.status = QLabel(objectName="gradCheckStatus")
        self.table = QTableWidget(0, len(COLUMNS), objectName="gradCheckTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setToolTip(f"Per layer, weights and biases together: the largest |backprop − finite "
                              f"difference| / max(|backprop|, |finite difference|); a layer passes below "
                              f"{TOLERANCE:g}. Entries whose nudge crosses a ReLU kink (no derivative "
                              "there) are counted and left out of the largest error.")
        self.again = QPushButton("Check again", objectName="gradCheckRunButton")
        self.again.setToolTip("Check the network as it is now (its weights change while it trains)")
        self.stop = QPushButton("Stop", objectName="gradCheckStopButton")
        self.stop.setToolTip("Stop this check; the network is not affected")
        close = QPushButton("Close", objectName="gradCheckCloseButton")
        close.setToolTip("Close this panel (a running check stops)")
        close.clicked.connect(self.close)
        self.stop.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.again)
        buttons.addWidget(self.stop)
        buttons.addStretch(1)
        buttons.addWidget(close)
        box = QVBoxLayout(self)
        box.addWidget(self.summary)
        box.addWidget(self.progress)
        box.addWidget(self.status)
        box.addWidget(self.table, 1)
        box.addLayout(buttons)
        self.resize(620, 320)
        self.result: GradCheck | None = None
        self._job = 0
        self._cancel = threading.Event()
        self._started = 0.0
        # Owned by the application, not the panel: closing the window mid-check must not
        # delete what the checking thread emits from (it raised in the thread), and the
        # thread must never hold the last reference (a QObject deleted off its thread).
        self._relay = _Relay(QCoreApplication.instance())
        self._relay.progress.connect(self._on_progress)
        self._relay.finished.connect(self._on_finished)
        self._relay.failed.connect(self._on_failed)
        self.stop.setEnabled(False)

    # -- running ------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.stop.isEnabled()

    def check(self, network, dataset, l2: float, step: int) -> bool:
        """Check ``network`` (copied) on the first rows of ``dataset``; False if it cannot be."""
        self.cancel()
        self.result = None
        self.table.setRowCount(0)
        try:
            X, Y = check_batch(network, dataset, DEFAULT_ROWS)
        except ChainRuleError as exc:
            self._say(f"Cannot check this network: {exc}.", "")
            return False
        rows = len(X)
        penalty = f", L2 λ = {l2:g} included in the loss" if l2 else ""
        self._say(f"Backprop against central differences (fourth order, h = 1e-3) for every weight and bias "
                  f"of the {'-'.join(map(str, network.sizes))} network after step {step:,}, on the data's first "
                  f"{rows} training row{'s' if rows != 1 else ''}{penalty} — the batch and numbers of "
                  f"`chainrule-gui gradcheck --json`.", "Checking…")
        self.progress.setRange(0, network.params.size)
        self.progress.setValue(0)
        self._job += 1
        self._cancel = threading.Event()
        self._started = time.perf_counter()
        self.stop.setEnabled(True)
        job, cancel, relay, copy = self._job, self._cancel, self._relay, network.copy()
        self.destroyed.connect(lambda *_: cancel.set())  # the window went away: stop checking

        def work() -> None:
            def progress(done: int, total: int) -> bool:
                relay.progress.emit(job, done, total)
                return not cancel.is_set()

            try:
                result = gradient_check(copy, X, Y, l2=l2, progress=progress)
            except GradCheckCancelled:
                return
            except ChainRuleError as exc:
                relay.failed.emit(job, str(exc))
                return
            except Exception as exc:  # noqa: BLE001 - our bug: said, never a dead thread in silence
                import logging

                logging.getLogger(__name__).exception("the gradient check failed")
                relay.failed.emit(job, f"internal error ({exc.__class__.__name__}: {exc}) — please report this")
                return
            relay.finished.emit(job, result)

        threading.Thread(target=work, name="gradientCheck", daemon=True).start()
        return True

    def cancel(self) -> None:
        if self.running:
            self._cancel.set()
            self.stop.setEnabled(False)
            self.status.setText("Stopped.")

    def network_replaced(self) -> None:
        """A new network (a preset, Reset, Open, new data): these numbers are not its own."""
        self.cancel()
        self.result = None
        self.table.setRowCount(0)
        self.progress.setValue(0)
        self._say("The network was replaced since this check: press Check again to check the new one.", "")

    def closeEvent(self, event):  # noqa: N802 - Qt override
        self.cancel()
        super().closeEvent(event)

    # -- news from the thread ---------------------------------------------------------------
    def _on_progress(self, job: int, done: int, total: int) -> None:
        if job != self._job or not self.running:
            return
        self.progress.setValue(done)
        elapsed = time.perf_counter() - self._started
        left = ""
        if done and elapsed > 1.0:
            left = f" · about {elapsed * (total - done) / done:,.0f} s left"
        self.status.setText(f"{done:,} of {total:,} parameters{left}")

    def _on_failed(self, job: int, message: str) -> None:
        if job == self._job:
            self.stop.setEnabled(False)
            self.status.setText(f"Cannot check this network: {message}")

    def _on_finished(self, job: int, result: GradCheck) -> None:
        if job != self._job:
            return
        self.stop.setEnabled(False)
        self.result = result
        self.progress.setValue(self.progress.maximum())
        self.table.setRowCount(len(result.layers))
        for row, layer in enumerate(result.layers):
            fan_in, fan_out = layer.dW.shape
            cells = [str(layer.index + 1), f"{fan_in}×{fan_out} + {fan_out} biases",
                     error_text(layer.max_rel_error), "pass" if layer.passed else "FAIL", str(layer.kinks)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 2:
                    item.setData(Qt.ItemDataRole.UserRole, layer.max_rel_error)  # the exact figure
                    item.setToolTip(repr(layer.max_rel_error))
                if column == 3 and not layer.passed:
                    item.setForeground(Qt.GlobalColor.red)
                self.table.setItem(row, column, item)
        kinks = f"; {result.kinks} entr{'ies' if result.kinks != 1 else 'y'} at a ReLU kink left out" \
            if result.kinks else ""
        verdict = "every layer agrees" if result.passed else "backprop and finite differences DISAGREE"
        self.status.setText(f"Done: {verdict} (pass below {TOLERANCE:g}; loss {result.loss:.10g}){kinks}.")

    def _say(self, summary: str, status: str) -> None:
        self.summary.setText(summary)
        self.status.setText(status)
