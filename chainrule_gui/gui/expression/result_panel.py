"""The result panel (``resultPanel``): the total derivative and its five-way check.

Top: d(of)/d(wrt) typeset, unsimplified at once and simplified when SymPy's worker answers
("simplifying…" meanwhile, or "too slow to simplify").  A long formula scrolls sideways
instead of widening the window; its context menu copies it as LaTeX or text.  Below:
the value, an agree / disagree badge whose tooltip says why, the verification table
(path sum, reverse, forward, SymPy, finite difference), and the finite-difference error
against the step h on log-log axes.  For an implicit equation the table compares dy/dx
= −F_x/F_y by each method instead.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from chainrule_gui.core.calculus.agreement import TOLERANCES, disagreeing, not_compared
from chainrule_gui.core.calculus.derivation import METHOD_NAMES, METHOD_TITLES, Derivation
from chainrule_gui.core.calculus.fd_study import error_study
from chainrule_gui.core.errors import ChainRuleError, NumericError
from chainrule_gui.core.explorer.state import structure_key
from chainrule_gui.core.expressions.printing import fmt, size_exceeds, to_latex, to_text, to_text_bounded
from chainrule_gui.gui import startup, theme
from chainrule_gui.gui.expression.controller import Simplified
from chainrule_gui.gui.expression.snapshot import ExplorerSnapshot
from chainrule_gui.gui.expression.stale import StaleVeil
from chainrule_gui.gui.tables import cell
from chainrule_gui.gui.typeset import display_fractions, latex_pixmap

AGREE = "#009e73"  # Okabe–Ito bluish green
DISAGREE = "#d55e00"  # Okabe–Ito vermillion
MAX_TYPESET_NODES = 1000  # larger formulas are shown as (elided) text
MAX_TEXT_CHARS = 600
FORMULA_POINT_SIZE = 15.0
#: Wider than this the typeset image is not worth it: show wrapped text instead.
MAX_FORMULA_PIXELS = 6000
IMPLICIT_TITLES = dict(METHOD_TITLES, paths="path sums", finite_difference="FD along the curve")
FD_PLOT_TIP = ("How the finite-difference error depends on the step h (log-log).\n"
               "Right arm: truncation error ∝ h²; left arm: round-off ∝ ε/h.\n"
               "◆ the step used in the table; ✕ steps that straddle a kink; ▼ error exactly 0.")


class FormulaView(QScrollArea):
    """A typeset formula that scrolls sideways when long; right-click copies it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("resultFormulaArea")
        self.label = QLabel(objectName="resultFormula")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.label.customContextMenuRequested.connect(self._menu)
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.latex = ""
        self.text = ""
        self.set_formula("", "")
        theme.follow(self, lambda _t: self._typeset_again(), now=False)  # typeset in the new text colour

    def set_formula(self, latex: str, text: str) -> None:
        """Typeset ``latex``; fall back to wrapped ``text`` when mathtext cannot or it is huge."""
        self.latex, self.text = latex, text
        pixmap = None
        if latex and startup.in_progress():
            # matplotlib's mathtext is not loaded yet: text now, the typeset formula after
            # the first paint.
            startup.defer(self._typeset_again)
        elif latex:
            # As the diagram's labels: a fraction in an exponent as a slash (mathtext sets it
            # too small to read), the top-level fraction at display size.  Copying keeps SymPy's.
            pixmap = latex_pixmap(display_fractions(latex), FORMULA_POINT_SIZE, theme.current().ink,
                                  self.devicePixelRatioF())
        if pixmap is not None and pixmap.width() / pixmap.devicePixelRatio() <= MAX_FORMULA_PIXELS:
            self.label.setWordWrap(False)
            self.label.setPixmap(pixmap)
            height = int(pixmap.height() / pixmap.devicePixelRatio())
        else:
            # QLabel.setText ignores a text equal to the current one, and after setPixmap the
            # text is "": without clear() an empty formula would leave the old image up.
            self.label.clear()
            self.label.setWordWrap(True)
            self.label.setText(text)
            height = self.label.fontMetrics().lineSpacing() * (3 if len(text) > 60 else 1)
        self.label.setToolTip(text + "\n\nRight-click to copy as LaTeX or text." if text else "")
        scrollbar = self.horizontalScrollBar().sizeHint().height()
        self.setFixedHeight(min(height, 160) + scrollbar + 6)

    def _typeset_again(self) -> None:
        self.set_formula(self.latex, self.text)

    def copy_latex(self) -> None:
        QGuiApplication.clipboard().setText(self.latex)

    def copy_text(self) -> None:
        QGuiApplication.clipboard().setText(self.text)

    def context_menu(self) -> QMenu:
        menu = QMenu(self)
        for title, payload, slot, name in (("Copy as LaTeX", self.latex, self.copy_latex, "copyLatex"),
                                           ("Copy as text", self.text, self.copy_text, "copyText")):
            action = QAction(title, menu, objectName=name)
            action.setEnabled(bool(payload))
            action.triggered.connect(slot)
            menu.addAction(action)
        return menu

    def _menu(self, pos) -> None:
        self.context_menu().exec(self.label.mapToGlobal(pos))


class ResultPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("resultPanel")
        self.title = QLabel(objectName="resultTitle")
        self.title.setWordWrap(True)
        self.formula_view = FormulaView()
        self.formula = self.formula_view.label
        self.simplify_status = QLabel(objectName="simplifyStatus")
        theme.style_sheet(self.simplify_status, lambda t: f"color: {t.muted};")
        self.simplify_status.setWordWrap(True)
        self.simplify_status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.value = QLabel(objectName="resultValue")
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.value.setToolTip("The derivative's value at the point (reverse mode). Select to copy.")
        self.badge = QLabel(objectName="agreementBadge")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table = QTableWidget(len(METHOD_NAMES), 3, objectName="verificationTable")
        self.table.setHorizontalHeaderLabels(["Method", "Value", "Agrees"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().lineSpacing() + 6)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setFixedHeight(self.table.verticalHeader().defaultSectionSize() * len(METHOD_NAMES)
                                  + header.sizeHint().height() + 4)
        self.table.setToolTip("The same derivative computed five independent ways; hover a row for details")
        self.notes = QLabel(objectName="resultNotes")
        self.notes.setWordWrap(True)
        theme.style_sheet(self.notes, lambda t: f"color: {t.muted};")
        # The FD-error plot (pyqtgraph) is made when first needed, after the first paint.
        self._fd_plot = None
        self._fd_room = QWidget(objectName="fdErrorPlotRoom")
        self._fd_room.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._fd_room.setMinimumHeight(130)
        self._fd_draw_queued = False
        self.fd_caption = QLabel(objectName="fdErrorCaption")
        self.fd_caption.setWordWrap(True)
        theme.style_sheet(self.fd_caption, lambda t: f"color: {t.muted};")
        self._layout()
        self.stale_veil = StaleVeil(self)  # the badge, formula and plot keep their colours when disabled
        self.snapshot: ExplorerSnapshot | None = None
        self._simplified: Simplified | None = None
        self.study = None

    def _layout(self) -> None:
        value_row = QHBoxLayout()
        value_row.addWidget(self.value, 1)
        value_row.addWidget(self.badge)
        fd_title = QLabel("<b>Finite-difference error against the step h</b>")
        fd_title.setToolTip(FD_PLOT_TIP)
        self.fd_box = QWidget()
        fd_layout = QVBoxLayout(self.fd_box)
        fd_layout.setContentsMargins(0, 4, 0, 0)
        fd_layout.setSpacing(2)
        fd_layout.addWidget(fd_title)
        fd_layout.addWidget(self._fd_room, 1)
        self._fd_layout = fd_layout
        fd_layout.addWidget(self.fd_caption)
        # Everything sits in a scroll area: a short window scrolls the panel instead of
        # forcing the window taller than the screen.
        content = QWidget(objectName="resultContent")
        area = QScrollArea(objectName="resultScroll")
        area.setWidget(content)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(area)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        title_row.addWidget(self.simplify_status, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(title_row)
        layout.addWidget(self.formula_view)
        layout.addLayout(value_row)
        layout.addWidget(self.table)
        layout.addWidget(self.notes)
        layout.addWidget(self.fd_box, 1)
        # Takes the spare height when the plot is hidden (implicit), so labels do not spread out.
        layout.addStretch(0)
        self._content_layout = layout
        self._shown_expr = None

    @property
    def fd_plot(self):
        """The finite-difference error plot (made on first use)."""
        if self._fd_plot is None:
            from chainrule_gui.gui.expression.fd_error_plot import FdErrorPlot

            plot = FdErrorPlot()
            plot.setToolTip(FD_PLOT_TIP)
            plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            plot.setMinimumHeight(130)
            self._fd_layout.replaceWidget(self._fd_room, plot)
            self._fd_room.deleteLater()
            self._fd_plot = plot
            plot.show_study(self.study)
        return self._fd_plot

    def _show_study(self) -> None:
        """Draw ``self.study``; at start-up once the first paint is done."""
        if self._fd_plot is not None:
            self._fd_plot.show_study(self.study)
        elif not self._fd_draw_queued:
            self._fd_draw_queued = True
            startup.defer(self._draw_deferred_study)

    def _draw_deferred_study(self) -> None:
        self._fd_draw_queued = False
        self.fd_plot  # noqa: B018 - made now; it draws the newest study

    # -- panel protocol --------------------------------------------------------------------
    def show_stale(self, stale: bool) -> None:
        self.setEnabled(not stale)
        self.stale_veil.set_stale(stale)

    def show_snapshot(self, snapshot: ExplorerSnapshot) -> None:
        self.snapshot = snapshot
        d = snapshot.derivation
        for widget in (self.table, self.value, self.badge, self.formula_view):  # empty ones are noise
            widget.setVisible(d is not None or snapshot.implicit is not None)
        if d is not None:
            self._show_derivation(snapshot, d)
        elif snapshot.implicit is not None:
            self._show_implicit(snapshot)
        else:
            self._show_nothing(snapshot)

    def show_simplified(self, simplified: Simplified) -> None:
        if self.snapshot is None or simplified.key != structure_key(self.snapshot):
            return  # for an older text or choice: never shown
        self._simplified = simplified
        if self.snapshot.derivation is None:
            return  # kept for when the point is good again; nothing to show it with now
        if simplified.status == "ok":
            self._show_formula(simplified.expr)
            self.simplify_status.setText("simplified")
        elif simplified.status == "timeout":
            self.simplify_status.setText("too slow to simplify; showing the unsimplified form")
        else:
            self.simplify_status.setText("could not simplify; showing the unsimplified form")

    # -- drawing --------------------------------------------------------------------------
    def _show_derivation(self, snapshot: ExplorerSnapshot, d: Derivation) -> None:
        point = ", ".join(f"{k} = {fmt(v)}" for k, v in d.point.items())
        cut = f" with {len(d.cut)} edge(s) cut" if d.cut else ""
        self.title.setText(f"<b>d{d.of}/d{d.wrt}</b> at {point}{cut}")
        if snapshot.structure_changed or d.derivative_expr is not self._shown_expr:
            # New structure, SymPy's derivative of a large composition has just arrived, or
            # the point is good again after a fault.
            self._shown_expr = d.derivative_expr
            known = self._simplified
            if known is not None and known.key == structure_key(snapshot) and d.derivative_expr is not None:
                # The same formula was simplified (or given up on) already: no new request comes.
                if known.status != "ok":
                    self._show_formula(d.derivative_expr)
                self.show_simplified(known)
            else:
                self._simplified = None
                self._show_formula(d.derivative_expr, snapshot.symbolic_pending)
                if d.derivative_expr is not None:
                    self.simplify_status.setText("simplifying…")
                else:
                    self.simplify_status.setText("SymPy is differentiating…" if snapshot.symbolic_pending else "")
        self.value.setText(f"<span style='font-size:14pt'>= {fmt(d.derivative, 10)}</span>")
        self._fill_table(d.methods, d.agreement, METHOD_TITLES, self._row_tooltips(d))
        self._set_badge(d.agreement, self._badge_tooltip(d))
        self.notes.setText("\n".join(f"• {n}" for n in d.notes))
        self.notes.setVisible(bool(d.notes))
        self._show_fd(True)
        try:
            self.study = error_study(snapshot.graph, d)
        except ChainRuleError:
            self.study = None
        self._show_study()
        self.fd_caption.setText(self._caption())

    def _show_implicit(self, snapshot: ExplorerSnapshot) -> None:
        imp = snapshot.implicit
        point = ", ".join(f"{k} = {fmt(v)}" for k, v in imp.point.items())
        x, y = imp.wrt, imp.of
        fx, fy = imp.partials["reverse"]
        self.title.setText(f"<b>d{y}/d{x}</b> along the curve F = 0 at {point}<br>"
                           f"∂F/∂{x} = {fmt(fx)},  ∂F/∂{y} = {fmt(fy)} (see the Implicit tab)")
        self.formula_view.set_formula(
            rf"\frac{{d{y}}}{{d{x}}} = -\frac{{\partial F/\partial {x}}}{{\partial F/\partial {y}}}",
            f"d{y}/d{x} = −(∂F/∂{x}) / (∂F/∂{y})")
        self.simplify_status.clear()
        self.value.setText(f"<span style='font-size:14pt'>= {fmt(imp.derivative, 10)}</span>")
        tips = {name: f"−F_{x}/F_{y} with both partials from {METHOD_TITLES[name]}" for name in METHOD_NAMES}
        tips["finite_difference"] = (f"walks along the curve: solves F = 0 for {y} at {x} ± h "
                                     "and takes the central difference")
        self._fill_table(imp.methods, imp.agreement, IMPLICIT_TITLES, tips)
        tolerances = TOLERANCES["implicit"]
        self._set_badge(imp.agreement, f"Exact methods must agree to a relative {tolerances.exact.scaled:g}, "
                                       f"the walk along the curve to {tolerances.finite_difference.scaled:g}.")
        self.notes.setText("\n".join(f"• {n}" for n in imp.notes))
        self.notes.setVisible(bool(imp.notes))
        self._show_fd(False)
        self.study = None

    def _show_nothing(self, snapshot: ExplorerSnapshot) -> None:
        """No derivative to show: say why, and show nothing of an earlier one."""
        self._shown_expr = None
        error = snapshot.error
        notes = []
        if isinstance(error, NumericError) and snapshot.of and snapshot.wrt:
            point = ", ".join(f"{k} = {fmt(v)}" for k, v in snapshot.point.items())
            self.title.setText(f"<b>d{snapshot.of}/d{snapshot.wrt}</b> cannot be computed at {point}")
            where = ("the Implicit tab shows the curve" if snapshot.is_implicit
                     else "the plot shows where the function is defined")
            notes = [str(error), "The diagram shows every value that can be computed here and marks "
                                 f"where it fails; {where}. Move the point to see the derivative."]
        else:
            self.title.setText(html.escape(str(error)) if error else "")  # the title is rich text
        self.formula_view.set_formula("", "")
        self.simplify_status.clear()
        self.value.clear()
        self.badge.clear()
        self.badge.setStyleSheet("")
        self.table.clearContents()
        self.notes.setText("\n".join(f"• {n}" for n in notes))
        self.notes.setVisible(bool(notes))
        self._show_fd(False)
        self.study = None

    def _show_fd(self, visible: bool) -> None:
        self.fd_box.setVisible(visible)
        self._content_layout.setStretch(self._content_layout.count() - 1, 0 if visible else 1)

    def _show_formula(self, expr, pending: bool = False) -> None:
        d = self.snapshot.derivation
        if expr is None:
            self.formula_view.set_formula("", "(SymPy's derivative is on its way; the numbers below already "
                                              "come from four methods)" if pending else
                                              "(too large to differentiate symbolically; the numbers "
                                              "below still come from four methods)")
            return
        # Printing or typesetting a formula of thousands of terms takes seconds and helps nobody.
        if size_exceeds(expr, MAX_TYPESET_NODES):
            text = to_text_bounded(expr)
            if text is None:
                text = "(a formula too large to print: thousands of terms; the value is below)"
            elif len(text) > MAX_TEXT_CHARS:
                text = text[:MAX_TEXT_CHARS] + " …"
            self.formula_view.set_formula("", f"d{d.of}/d{d.wrt} = {text}")
            return
        latex = rf"\frac{{d{d.of}}}{{d{d.wrt}}} = " + to_latex(expr)
        self.formula_view.set_formula(latex, f"d{d.of}/d{d.wrt} = {to_text(expr)}")

    def _fill_table(self, methods, agreement, titles, tooltips) -> None:
        for row, name in enumerate(METHOD_NAMES):
            value = methods.get(name)
            agrees = agreement.get(name)
            mark = {True: "✓", False: "✗", None: "—"}[agrees]
            cells = [titles[name], fmt(value, 15) if value is not None else "not computed", mark]
            for col, text in enumerate(cells):
                item = cell(self.table, row, col)
                item.setText(text)
                item.setToolTip(tooltips.get(name, ""))
                if col == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    color = AGREE if agrees else DISAGREE if agrees is False else theme.current().muted
                    item.setForeground(QColor(color))

    def _set_badge(self, agreement, tooltip: str) -> None:
        disagree = [METHOD_TITLES[n] for n in disagreeing(agreement)]
        unchecked = [METHOD_TITLES[n] for n in not_compared(agreement)]
        if disagree:
            text, color = "✗ " + ", ".join(disagree) + " disagree" + ("s" if len(disagree) == 1 else ""), DISAGREE
        elif unchecked:
            text, color = f"✓ agree ({len(unchecked)} not compared)", AGREE
            tooltip += "\nNot compared: " + ", ".join(unchecked) + "."
        else:
            text, color = "✓ all methods agree", AGREE
        self.badge.setText(text)
        self.badge.setToolTip(tooltip)
        self.badge.setStyleSheet(f"color: white; background: {color}; border-radius: 4px; "
                                 "padding: 3px 8px; font-weight: bold;")

    @staticmethod
    def _badge_tooltip(d: Derivation) -> str:
        rel = TOLERANCES["derivative"].exact.rel
        lines = [f"Path sum, forward mode and SymPy must match reverse mode to a relative {rel:g}."]
        fd = d.finite_difference
        if fd is not None:
            allowed = fd.allowed(d.derivative)
            lines.append(f"Finite difference (step h = {fd.step:.2e}) is off by "
                         f"{abs(fd.value - d.derivative):.2e}; its estimated error is {fd.error_estimate:.2e}, "
                         f"so up to {allowed:.2e} counts as agreeing.")
        return "\n".join(lines)

    @staticmethod
    def _row_tooltips(d: Derivation) -> dict[str, str]:
        reference = d.derivative
        tips = {
            "paths": f"Σ over {d.path_count:,} path(s) of the product of the local partials along each",
            "reverse": "one backward sweep of adjoints over the operation graph (the reference value)",
            "forward": "one forward sweep of tangents over the operation graph",
            "symbolic": "SymPy differentiates the fully substituted expression, evaluated here",
        }
        for name in ("paths", "forward", "symbolic"):
            value = d.methods.get(name)
            if value is not None:
                tips[name] += f"\n|difference from reverse mode| = {abs(value - reference):.2e}"
        fd = d.finite_difference
        if fd is not None:
            tips["finite_difference"] = (f"central difference (f(x+h) − f(x−h)) / 2h with h = {fd.step:.2e}\n"
                                         f"estimated error ± {fd.error_estimate:.2e} "
                                         f"(truncation + round-off); actual {abs(fd.value - reference):.2e}")
        else:
            tips["finite_difference"] = "could not be evaluated next to the point (see the notes)"
        if fd is not None and d.agreement.get("finite_difference") is None:
            # Not compared: a kink or a singularity within the step (the core's note says which).
            why = next((n for n in reversed(d.notes) if "finite difference" in n), None)
            if why:
                tips["finite_difference"] += f"\nNot compared: {why}"
        if d.methods.get("paths") is None:
            tips["paths"] = "too many paths to list; the total comes from accumulation"
        return tips

    def _caption(self) -> str:
        study = self.study
        if study is None or not study.points:
            return "No finite differences could be evaluated next to this point."
        legend = ("<span style='color:#cc79a7'>◆</span> step used above"
                  + (" · <span style='color:#d55e00'>✕</span> straddles a kink" if study.kinked else "")
                  + (" · <span style='color:#999999'>▼</span> error exactly 0"
                     if any(p.error == 0 for p in study.points) else ""))
        return f"{study.summary()}.<br>{legend}"
