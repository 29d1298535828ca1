"""The result panel (``resultPanel``): the total derivative and its five-way check.

Top: d(of)/d(wrt) typeset, unsimplified at once and simplified when SymPy's worker answers
("simplifying…" meanwhile, or "too slow to simplify").  Below: the value, an agree /
disagree badge, and the verification table (path sum, reverse, forward, SymPy, finite
difference).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chainrule_gui.core.derivation import METHOD_NAMES, METHOD_TITLES
from chainrule_gui.core.printing import size_exceeds, to_latex, to_text, to_text_bounded
from chainrule_gui.core.report import fmt
from chainrule_gui.gui.expression.controller import Simplified, simplify_key
from chainrule_gui.gui.expression.snapshot import ExplorerSnapshot
from chainrule_gui.gui.typeset import latex_pixmap

MAX_TYPESET_NODES = 400  # larger formulas are shown as (elided) text
MAX_TEXT_CHARS = 600
AGREE = "#009e73"  # Okabe–Ito bluish green
DISAGREE = "#d55e00"  # Okabe–Ito vermillion


class ResultPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("resultPanel")
        self.title = QLabel(objectName="resultTitle")
        self.formula = QLabel(objectName="resultFormula")
        self.formula.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.formula.setWordWrap(True)
        self.simplify_status = QLabel(objectName="simplifyStatus")
        self.value = QLabel(objectName="resultValue")
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.badge = QLabel(objectName="agreementBadge")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table = QTableWidget(len(METHOD_NAMES), 3, objectName="verificationTable")
        self.table.setHorizontalHeaderLabels(["Method", "Value", "Agrees"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.notes = QLabel(objectName="resultNotes")
        self.notes.setWordWrap(True)
        layout = QVBoxLayout(self)
        for w in (self.title, self.formula, self.simplify_status, self.value, self.badge, self.table,
                  self.notes):
            layout.addWidget(w)
        layout.addStretch(1)
        self.snapshot: ExplorerSnapshot | None = None
        self._simplified: Simplified | None = None
        self._shown_expr = None

    def show_stale(self, stale: bool) -> None:
        self.setEnabled(not stale)

    def show_snapshot(self, snapshot: ExplorerSnapshot) -> None:
        self.snapshot = snapshot
        d = snapshot.derivation
        if d is None:
            message = str(snapshot.error) if snapshot.error else ""
            if snapshot.implicit is not None:
                message = f"d{snapshot.of}/d{snapshot.wrt} = {fmt(snapshot.implicit.derivative, 10)} on the curve"
            self.title.setText(message)
            self.formula.clear()
            self.value.clear()
            self.badge.clear()
            self.table.clearContents()
            self.notes.clear()
            return
        self.title.setText(f"<b>d{d.of}/d{d.wrt}</b> at " + ", ".join(f"{k} = {fmt(v)}" for k, v in d.point.items()))
        if snapshot.structure_changed or d.derivative_expr is not self._shown_expr:
            self._shown_expr = d.derivative_expr
            self._simplified = None
            self._show_formula(d.derivative_expr)
            if d.derivative_expr is not None:
                self.simplify_status.setText("simplifying…")
            else:
                self.simplify_status.setText("SymPy is differentiating…" if snapshot.symbolic_pending else "")
        self.value.setText(f"<span style='font-size:15pt'>= {fmt(d.derivative, 12)}</span>")
        ok = d.agree
        self.badge.setText("✓ all methods agree" if ok else "✗ the methods disagree")
        self.badge.setStyleSheet(f"color: white; background: {AGREE if ok else DISAGREE}; "
                                 "border-radius: 4px; padding: 3px; font-weight: bold;")
        for row, name in enumerate(METHOD_NAMES):
            value = d.methods[name]
            agreement = d.agreement[name]
            mark = {True: "✓", False: "✗", None: "—"}[agreement]
            cells = [METHOD_TITLES[name], fmt(value, 15), mark]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 2 and agreement is not None:
                    item.setForeground(QColor(AGREE if agreement else DISAGREE))
                self.table.setItem(row, col, item)
        self.notes.setText("\n".join(f"• {n}" for n in d.notes))

    def show_simplified(self, simplified: Simplified) -> None:
        if self.snapshot is None or self.snapshot.derivation is None:
            return
        if simplified.key != simplify_key(self.snapshot):
            return  # for an older text or choice
        self._simplified = simplified
        if simplified.status == "ok":
            self._show_formula(simplified.expr)
            self.simplify_status.setText("simplified")
        elif simplified.status == "timeout":
            self.simplify_status.setText("too slow to simplify; showing the unsimplified form")
        else:
            self.simplify_status.setText("could not simplify; showing the unsimplified form")

    def _show_formula(self, expr) -> None:
        if expr is None:
            self.formula.setText("")
            return
        d = self.snapshot.derivation
        pixmap = None
        if not size_exceeds(expr, MAX_TYPESET_NODES):
            latex = rf"\frac{{d{d.of}}}{{d{d.wrt}}} = " + to_latex(expr)
            pixmap = latex_pixmap(latex, 12.0, self.palette().text().color(), self.devicePixelRatioF())
        if pixmap is None or pixmap.width() > 4000:
            text = to_text_bounded(expr)
            if text is None:
                text = "(a formula too large to print: thousands of terms)"
            elif len(text) > MAX_TEXT_CHARS:
                text = text[:MAX_TEXT_CHARS] + " …"
            self.formula.setText(f"d{d.of}/d{d.wrt} = {text}")
            self.formula.setToolTip("")
        else:
            self.formula.setPixmap(pixmap)
            self.formula.setToolTip(to_text(expr))
