"""The "Second order" tab: the chain rule one level deeper, and the Hessian.

Left: d²(of)/d(wrt)² as the sum of the terms ∂²f/∂u∂v · u′v′ and ∂f/∂u · u″ (for a single
inner function the textbook f″(g)·g′² + f′(g)·g″), each with its numbers, and four more
ways to the same value.  Right: the Hessian of the output over chosen inputs as a
heatmap with a symmetry check.  The numbers come from a background thread, once per
point; SymPy's second derivatives (a further check) once per text and choice, and are then
evaluated at each point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from chainrule_gui.core.calculus.second_order import (
    HessianResult,
    SecondDerivation,
    derive_second,
    hessian,
    symbolic_hessian,
    symbolic_second,
    with_symbolic_hessian,
    with_symbolic_second,
)
from chainrule_gui.core.errors import ChainRuleError
from chainrule_gui.core.explorer.state import structure_key
from chainrule_gui.core.expressions.printing import fmt
from chainrule_gui.core.output.latex import name_latex
from chainrule_gui.gui import theme
from chainrule_gui.gui.background import NumbersThenSymbolic, Staged
from chainrule_gui.gui.expression.formatting import readable
from chainrule_gui.gui.expression.lazy import LazyView
from chainrule_gui.gui.expression.matrix_view import MatrixPanel
from chainrule_gui.gui.expression.name_picker import NamePicker
from chainrule_gui.gui.expression.snapshot import ExplorerSnapshot
from chainrule_gui.gui.tables import cell, fit_table
from chainrule_gui.gui.typeset import latex_pixmap

AGREE = "#009e73"
DISAGREE = "#d55e00"
SECOND_TITLES = {"paths": "sum of the terms", "reverse": "forward-over-reverse", "forward": "Taylor mode",
                 "symbolic": "SymPy", "finite_difference": "finite difference"}
HESSIAN_TITLES = {"reverse": "forward-over-reverse", "forward": "Taylor mode", "symbolic": "SymPy",
                  "finite_difference": "finite difference"}


def chain_rule_latex(of: str, wrt: str, deps: list[str]) -> str:
    """The second-order chain rule for ``of`` = f(deps) with the names of this example."""
    z, x = name_latex(of), name_latex(wrt)
    lhs = rf"\frac{{d^2 {z}}}{{d{x}^2}}"
    inner = [u for u in deps if u != wrt]
    if len(deps) == 1 and inner:
        u = name_latex(inner[0])
        return (rf"{lhs} = \frac{{d^2 {z}}}{{d{u}^2}}\left(\frac{{d{u}}}{{d{x}}}\right)^2"
                rf" + \frac{{d{z}}}{{d{u}}}\,\frac{{d^2 {u}}}{{d{x}^2}}")
    return (rf"{lhs} = \sum_{{u,v}} \frac{{\partial^2 {z}}}{{\partial u\,\partial v}}\,"
            rf"\frac{{du}}{{d{x}}}\frac{{dv}}{{d{x}}} + \sum_u \frac{{\partial {z}}}{{\partial u}}\,"
            rf"\frac{{d^2 u}}{{d{x}^2}}")


def checks_html(methods: dict, agreement: dict, titles: dict, pending: set[str] = frozenset()) -> str:
    parts = []
    for name, title in titles.items():
        ok = agreement.get(name)
        value = methods.get(name)
        shown = "" if value is None or not np.isscalar(value) else f" {fmt(float(value), 10)}"
        if ok is None:
            mark = "computing…" if name in pending else "not compared"
            parts.append(f"<span style='color:{theme.current().muted}'>{title}{shown} ({mark})</span>")
        else:
            color = AGREE if ok else DISAGREE
            parts.append(f"<span style='color:{color}'>{title}{shown} {'✓' if ok else '✗'}</span>")
    return "<br>".join(parts)


def notes_html(notes) -> str:
    """The result's notes as muted bullet lines, each after a line break."""
    return "".join(f"<br><span style='color:{theme.current().muted}'>• {n}</span>" for n in notes)


class SecondOrderView(LazyView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("secondOrderView")
        self.second: SecondDerivation | None = None
        self.hessian: HessianResult | None = None
        # ``second`` and ``hessian`` once SymPy's check is in them
        self.symbolic_second: SecondDerivation | None = None
        self.symbolic_hessian: HessianResult | None = None
        self._symbolic_pending = False
        self._hessian_choice: tuple[str, ...] = ()
        self.work = NumbersThenSymbolic("second-order", self)
        self.work.shown.connect(self._on_result)
        # left: the second derivative
        self.second_title = QLabel(objectName="secondTitle")
        self.rule = QLabel(objectName="secondRule")
        self.rule.setToolTip("The chain rule differentiated once more: product rule on ∂f/∂u · du/dx")
        self.terms = QTableWidget(0, 3, objectName="secondTerms")
        self.terms.setHorizontalHeaderLabels(["Term", "Outer partial", "Outer × inner = term"])
        self.terms.verticalHeader().hide()
        self.terms.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.terms.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.terms.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # the last header ("Outer × inner = term") was cut at both ends in an empty table
        self.terms.horizontalHeader().setStretchLastSection(True)
        self.total = QLabel(objectName="secondTotal")
        self.inner = QLabel(objectName="secondInner")
        self.second_checks = QLabel(objectName="secondChecks")
        self.message = QLabel(objectName="secondMessage")
        theme.style_sheet(self.message, lambda t: f"color: {t.error};")
        # cut edges hold values fixed here as in the diagram: said on both pages, not as an error
        self.cut_note = QLabel(objectName="secondCutNote")
        self.hessian_cut_note = QLabel(objectName="hessianCutNote")
        for label in (self.cut_note, self.hessian_cut_note):
            theme.style_sheet(label, lambda t: f"color: {t.muted};")
            label.setWordWrap(True)
            label.hide()
        for label in (self.second_title, self.total, self.inner, self.second_checks, self.message):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # right: the Hessian
        self.hessian_inputs = NamePicker("Inputs", "Rows and columns of the Hessian")
        self.hessian_inputs.setObjectName("hessian_inputs")
        self.hessian_inputs.changed.connect(self._on_pick)
        self.hessian_panel = MatrixPanel("hessianMatrix", r"H_{ij} = \partial^2 f / \partial x_i \partial x_j",
                                         "Second partial derivatives of the output; symmetric when they "
                                         "are continuous (Schwarz)")
        self.symmetry = QLabel(objectName="hessianSymmetry")
        self.hessian_checks = QLabel(objectName="hessianChecks")
        self.hessian_message = QLabel(objectName="hessianMessage")
        theme.style_sheet(self.hessian_message, lambda t: f"color: {t.error};")
        for label in (self.symmetry, self.hessian_checks, self.hessian_message):
            label.setWordWrap(True)
        self._layout()

    def _layout(self) -> None:
        left = QWidget()
        box = QVBoxLayout(left)
        box.setContentsMargins(4, 4, 4, 4)
        box.setSpacing(4)
        for widget in (self.second_title, self.cut_note, self.message, self.rule, self.terms, self.total,
                       self.inner, self.second_checks):
            box.addWidget(widget)
        box.addStretch(1)
        right = QWidget()
        rbox = QVBoxLayout(right)
        rbox.setContentsMargins(4, 4, 4, 4)
        rbox.setSpacing(4)
        title = QLabel("<b>Hessian</b> of a scalar output")
        for widget in (title, self.hessian_inputs, self.hessian_cut_note, self.hessian_message,
                       self.hessian_panel, self.symmetry, self.hessian_checks):
            rbox.addWidget(widget)
        rbox.addStretch(1)
        # The bottom area is short: the two parts take turns, each with the full width.
        self.pages = QTabWidget(objectName="secondOrderPages")
        self.pages.setDocumentMode(True)
        self.pages.setTabPosition(QTabWidget.TabPosition.West)
        for widget, title, tip in ((left, "d²/dx²", "The second derivative term by term"),
                                   (right, "Hessian", "All second partials of the output as a heatmap")):
            area = QScrollArea()
            area.setWidget(widget)
            area.setWidgetResizable(True)
            area.setFrameShape(QFrame.Shape.NoFrame)
            index = self.pages.addTab(area, title)
            self.pages.setTabToolTip(index, tip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

    # -- choices ----------------------------------------------------------------------------
    def _on_pick(self, names: tuple[str, ...]) -> None:
        self._hessian_choice = names
        self.rerender()

    def choose_hessian_inputs(self, names) -> None:
        self._hessian_choice = tuple(names)
        self.rerender()

    # -- drawing ------------------------------------------------------------------------------
    def render_snapshot(self, snapshot: ExplorerSnapshot, rebuild: bool) -> None:
        of, wrt = snapshot.of, snapshot.wrt
        if snapshot.is_implicit or not of or not wrt or of not in snapshot.program.definitions:
            self._clear("Second derivatives need an output defined from inputs, e.g. y = sin(u); u = x^2.")
            return
        graph = snapshot.graph
        candidates = [n for n in graph.inputs if n in graph.inputs_of(of)]
        chosen = tuple(n for n in self._hessian_choice if n in candidates) or tuple(candidates)
        self.hessian_inputs.set_names(candidates, chosen)
        if rebuild or self.rule.pixmap().isNull():
            self._typeset_rule(chain_rule_latex(of, wrt, list(graph.variables.successors(of))))
        point, cut = dict(snapshot.point), snapshot.cut
        structure = (structure_key(snapshot), chosen)
        self.work.request(
            (*structure, tuple(sorted(point.items()))), structure,
            numbers=lambda _cancelled: _numbers(graph, of, wrt, chosen, point, cut),
            symbolic=lambda _cancelled: _symbolic_parts(graph, of, wrt, chosen, cut),
            merge=lambda numbers, parts: numbers.with_symbolic(graph, parts))

    def _on_result(self, staged: Staged) -> None:
        """The numbers for the snapshot drawn last (older ones never arrive), then with SymPy's."""
        if staged.error is not None:  # our bug (logged): both pages say so
            self._clear(staged.error)
            return
        numbers: SecondOrderNumbers = staged.value
        settled = not staged.symbolic_pending and not staged.symbolic_error
        self.second, self.hessian = numbers.second, numbers.hessian
        self.symbolic_second = numbers.second if settled else None
        self.symbolic_hessian = numbers.hessian if settled else None
        self._symbolic_pending = staged.symbolic_pending
        self.second_checks.setToolTip(f"SymPy: {staged.symbolic_error}" if staged.symbolic_error else "")
        self._show_cut(self.snapshot.cut)
        if numbers.second is None:
            self._clear_second(numbers.second_error)
        else:
            self.message.setText("")
            self.message.hide()
            self._draw_second(numbers.second)
        self._draw_hessian(numbers.hessian, numbers.hessian_error)

    def _show_cut(self, cut: frozenset) -> None:
        edges = sorted(cut)
        if not edges:
            text = ""
        elif len(edges) == 1:
            parent, child = edges[0]
            text = (f"✂ {parent} → {child} is cut: {child}'s value is held fixed here too "
                    "(stop-gradient), so nothing flows through that edge.")
        else:
            names = ", ".join(f"{p} → {c}" for p, c in edges)
            text = (f"✂ {names} are cut: their values are held fixed here too (stop-gradient), "
                    "so nothing flows through those edges.")
        for label in (self.cut_note, self.hessian_cut_note):
            label.setText(text)
            label.setVisible(bool(text))

    def _clear(self, message: str) -> None:
        """Nothing to differentiate twice: ``message`` on both pages."""
        self.work.cancel()  # an answer still coming for an earlier snapshot must not cover this
        self.second = self.hessian = self.symbolic_second = self.symbolic_hessian = None
        self._show_cut(frozenset())
        self._clear_second(message)
        self._draw_hessian(None, message)

    def _clear_second(self, message: str) -> None:
        self.second_title.setText("")
        self.message.setText(message)
        self.message.show()
        self.rule.clear()
        self.terms.setRowCount(0)
        for label in (self.total, self.inner, self.second_checks):
            label.clear()

    def _typeset_rule(self, rule_latex: str) -> None:
        pixmap = latex_pixmap(rule_latex, 14.0, theme.current().ink, self.devicePixelRatioF())
        if pixmap is None:
            self.rule.setText(rule_latex)
        else:
            self.rule.setPixmap(pixmap)

    def _draw_second(self, d: SecondDerivation) -> None:
        self.second_title.setText(f"<b>d²{d.of}/d{d.wrt}²</b> by the chain rule, one level deeper "
                                  f"(d{d.of}/d{d.wrt} = {fmt(d.first, 8)})")
        self.terms.setRowCount(len(d.terms))
        for row, term in enumerate(d.terms):
            cells = [term.label, readable(term.outer),
                     ("2 × " if term.label.startswith("2 ·") else "")
                     + f"{fmt(term.outer_value, 4)} × {fmt(term.inner_value, 4)} = {fmt(term.value, 6)}"]
            for col, text in enumerate(cells):
                item = cell(self.terms, row, col)
                item.setText(text)
                item.setToolTip(f"{term.label}: outer partial {readable(term.outer)} = {fmt(term.outer_value, 12)}, "
                                f"inner factor {fmt(term.inner_value, 12)}, term {fmt(term.value, 15)}")
        fit_table(self.terms)
        total = d.methods["paths"]
        self.total.setText(f"Sum of the {len(d.terms)} term(s) = <b>{fmt(total, 12)}</b>"
                           + (" &nbsp; (no term depends on the input: the second derivative is 0)"
                              if not d.terms else ""))
        inner = [f"d{u}/d{d.wrt} = {fmt(a, 6)}, d²{u}/d{d.wrt}² = {fmt(b, 6)}"
                 for u, (a, b) in d.inner.items() if u != d.wrt]
        self.inner.setText("where " + "; ".join(inner) if inner else "")
        self._show_second_checks()

    def _show_second_checks(self) -> None:
        d = self.second
        if d is None:
            return
        pending = {"symbolic"} if self._symbolic_pending else set()
        self.second_checks.setText("<b>Checks</b> (against forward-over-reverse):<br>"
                                   + checks_html(d.methods, d.agreement, SECOND_TITLES, pending)
                                   + notes_html(d.notes))

    def _draw_hessian(self, h: HessianResult | None, error: str | None) -> None:
        if h is not None and h.kinks:
            error = kink_message(h)  # the sweeps' zeros there would pass for the Hessian
        self.hessian_message.setText(error or "")
        self.hessian_message.setVisible(bool(error))
        self.hessian_panel.setVisible(h is not None and not h.kinks)  # no empty table under a message
        if h is None or h.kinks:
            self.hessian_panel.table.set_matrix([], [], np.zeros((0, 0)))
            self.symmetry.clear()
            self.hessian_checks.clear()
            return
        names = list(h.wrt)
        tips = None
        if h.exprs is not None:
            tips = [[f"SymPy: ∂²{h.of}/∂{a}∂{b} = {readable(e)}" for b, e in zip(names, row)]
                    for a, row in zip(names, h.exprs)]
        self.hessian_panel.set_title(rf"H = \nabla^2 {name_latex(h.of)}")
        self.hessian_panel.subtitle.setText(f"{len(names)} × {len(names)} at the point")
        self.hessian_panel.table.set_matrix(names, names, h.matrix, tips)
        asymmetry = float(np.max(np.abs(h.matrix - h.matrix.T))) if h.matrix.size else 0.0
        color = AGREE if h.symmetric else DISAGREE
        self.symmetry.setText(f"<b style='color:{color}'>{'✓ symmetric: H = Hᵀ' if h.symmetric else '✗ not symmetric'}"
                              f"</b> &nbsp; max |H − Hᵀ| = {asymmetry:.1e}")
        self.symmetry.setToolTip("Mixed partials agree (∂²f/∂x∂y = ∂²f/∂y∂x) wherever they are continuous")
        pending = {"symbolic"} if self._symbolic_pending else set()
        self.hessian_checks.setText("<b>Checks</b>:<br>" + checks_html({}, h.agreement, HESSIAN_TITLES, pending)
                                    + notes_html(h.notes))

    @property
    def computing(self) -> bool:
        return self.work.waiting

    def shutdown(self) -> None:
        self.work.shutdown()


def kink_message(h: HessianResult) -> str:
    """Why there is no Hessian at a kink, naming the point and what is 0 there."""
    point = ", ".join(f"{name} = {fmt(value)}" for name, value in h.point.items())
    kinks = "; ".join(h.kinks)
    return (f"No Hessian at {point}: the output passes through a kink there ({kinks}). The slope jumps "
            "at a kink, so the second derivatives through it do not exist. Move the point off the kink "
            "to see the Hessian.")


@dataclass(frozen=True)
class SecondOrderNumbers:
    """Both pages' results at one point; each on its own (at a kink d²/dx² cannot be
    evaluated, and the Hessian page must then say why rather than stay blank)."""

    second: SecondDerivation | None
    second_error: str | None
    hessian: HessianResult | None
    hessian_error: str | None

    def with_symbolic(self, graph, parts) -> SecondOrderNumbers:
        """With SymPy's second derivative and Hessian (``_symbolic_parts``) evaluated here."""
        second_part, hessian_part = parts
        return SecondOrderNumbers(
            None if self.second is None else with_symbolic_second(graph, self.second, second_part),
            self.second_error,
            None if self.hessian is None else with_symbolic_hessian(graph, self.hessian, hessian_part),
            self.hessian_error)


def _numbers(graph, of, wrt, inputs, point, cut) -> SecondOrderNumbers:
    """Runs on a background thread: d²/dx² and the Hessian at the point, without SymPy's."""
    try:
        second, second_error = derive_second(graph, of, wrt, point, symbolic=False, cut=cut), None
    except ChainRuleError as exc:
        second, second_error = None, str(exc)
    try:
        hess, hessian_error = (hessian(graph, of, inputs, point, symbolic=False, cut=cut) if inputs else None), None
    except ChainRuleError as exc:
        hess, hessian_error = None, str(exc)
    return SecondOrderNumbers(second, second_error, hess, hessian_error)


def _symbolic_parts(graph, of, wrt, inputs, cut):
    """Runs on a background thread: SymPy's second derivative and Hessian (the same at
    every point), each as (expressions, why not) and each on its own."""
    return _part(symbolic_second, graph, of, wrt, cut), _part(symbolic_hessian, graph, of, inputs, cut)


def _part(symbolic, *args):
    try:
        return symbolic(*args)
    except ChainRuleError as exc:
        return None, f"SymPy: {exc}"
