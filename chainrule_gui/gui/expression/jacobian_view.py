"""The Jacobian tab: J_h = J_f · J_g side by side, and a JVP / VJP playground.

With outputs y, inputs x and intermediates u (h = f∘g, g: x ↦ u, f: u ↦ y), the three
matrices are shown as numbers on heatmaps.  Clicking an entry of J_h emits the
variable-level paths from that output to that input (they are what the entry sums),
and spells the entry out as Σ_k J_f[i,k]·J_g[k,j].  The numbers come from the core's
sweeps on a background thread, once per point; SymPy's symbolic Jacobian, a further
check, once per choice of outputs and inputs, and is then evaluated at each point.
"""

from __future__ import annotations

from itertools import islice

import networkx as nx
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from chainrule_gui.core.calculus.agreement import agree
from chainrule_gui.core.calculus.jacobian import (
    JacobianResult,
    default_via,
    jacobian,
    symbolic_jacobian,
    with_symbolic_jacobian,
)
from chainrule_gui.core.expressions.printing import fmt
from chainrule_gui.core.graph.paths import count_paths, iter_paths
from chainrule_gui.gui import theme
from chainrule_gui.gui.background import NumbersThenSymbolic, Staged
from chainrule_gui.gui.expression.formatting import readable
from chainrule_gui.gui.expression.jvp_playground import JvpPlayground
from chainrule_gui.gui.expression.lazy import LazyView
from chainrule_gui.gui.expression.matrix_view import MatrixPanel
from chainrule_gui.gui.expression.name_picker import NamePicker
from chainrule_gui.gui.expression.snapshot import ExplorerSnapshot

#: Paths emitted for one clicked entry at most (the diagram highlights them all).
MAX_ENTRY_PATHS = 500
AGREE = "#009e73"
DISAGREE = "#d55e00"
CHECKS_TIP = ("J_h by reverse mode (one sweep per output), forward mode (one per input), the product "
              "J_f·J_g, SymPy's symbolic Jacobian and finite differences")
CHECK_TITLES = {"reverse": "reverse", "forward": "forward", "product": "J_f·J_g", "symbolic": "SymPy",
                "finite_difference": "finite diff."}


def entry_paths(graph, output: str, input_: str, limit: int = MAX_ENTRY_PATHS) -> list[tuple[str, ...]]:
    """The variable-level paths from ``output`` down to ``input_``: the terms of J_h[output, input]."""
    return list(islice(iter_paths(graph.variables, output, input_), limit))


def factor_paths(graph, source: str, target: str, via, limit: int = MAX_ENTRY_PATHS) -> list[tuple[str, ...]]:
    """Paths from ``source`` to ``target`` that cross no other intermediate: the terms of J_f."""
    blocked = set(via) - {target}
    paths = (p for p in iter_paths(graph.variables, source, target) if not blocked & set(p[1:-1]))
    return list(islice(paths, limit))


class JacobianView(LazyView):
    """``paths_highlighted(list of node tuples)`` asks the diagram to light those paths."""

    paths_highlighted = Signal(list)
    entry_chosen = Signal(str, str)  # J_h[output, input] was clicked: show that derivative

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("jacobianView")
        self.result: JacobianResult | None = None  # on screen (for ``result_snapshot``)
        self.result_snapshot: ExplorerSnapshot | None = None
        self.symbolic: JacobianResult | None = None  # ``result`` once SymPy's check is in it
        self._symbolic_pending = False
        self._choice: dict[str, tuple[str, ...]] = {}  # user's picks, kept while they still fit
        self.work = NumbersThenSymbolic("jacobian", self)
        self.work.shown.connect(self._on_result)
        self.outputs = NamePicker("Outputs", "Rows of J_h and J_f")
        self.via = NamePicker("through", "The intermediates: columns of J_f, rows of J_g")
        self.inputs = NamePicker("inputs", "Columns of J_h and J_g")
        for picker, role in ((self.outputs, "outputs"), (self.via, "via"), (self.inputs, "inputs")):
            picker.setObjectName(f"jacobian_{role}")
            picker.changed.connect(lambda names, r=role: self._on_pick(r, names))
        self.J_f = MatrixPanel("jacobianF", r"J_f",
                               "J_f = ∂(outputs)/∂(intermediates): how each output changes with each "
                               "intermediate, counting only paths that reach it before any other intermediate")
        self.J_g = MatrixPanel("jacobianG", r"J_g",
                               "J_g = ∂(intermediates)/∂(inputs): how each intermediate changes with each input")
        self.J_h = MatrixPanel("jacobianH", r"J_h = J_f \cdot J_g",
                               "J_h = ∂(outputs)/∂(inputs), the chain rule as a matrix product. "
                               "Click an entry to see its paths in the diagram.")
        self.J_h.table.entry_clicked.connect(self.select_entry)
        self.J_f.table.entry_clicked.connect(lambda i, k: self._select_factor("f", i, k))
        self.J_g.table.entry_clicked.connect(lambda k, j: self._select_factor("g", k, j))
        self.entry_text = QLabel(objectName="jacobianEntry")
        self.entry_text.setWordWrap(True)
        self.entry_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.checks = QLabel(objectName="jacobianChecks")
        self.checks.setWordWrap(True)
        self.message = QLabel(objectName="jacobianMessage")
        self.message.setWordWrap(True)
        theme.style_sheet(self.message, lambda t: f"color: {t.error};")
        self.playground = JvpPlayground()
        self._layout()

    def _layout(self) -> None:
        pickers = QHBoxLayout()
        for picker in (self.outputs, self.via, self.inputs):
            pickers.addWidget(picker)
        pickers.addStretch(1)
        matrices = QHBoxLayout()
        matrices.setSpacing(6)
        for index, panel in enumerate((self.J_f, self.J_g, self.J_h)):
            matrices.addWidget(panel)
            if index < 2:
                sign = QLabel("·" if index == 0 else "=")
                sign.setStyleSheet("font-size: 18pt;")
                matrices.addWidget(sign, 0, Qt.AlignmentFlag.AlignVCenter)
        matrices.addStretch(1)
        left = QWidget()
        box = QVBoxLayout(left)
        box.setContentsMargins(4, 4, 4, 4)
        box.addLayout(pickers)
        box.addWidget(self.message)
        box.addLayout(matrices)
        box.addWidget(self.entry_text)
        box.addWidget(self.checks)
        box.addStretch(1)
        # The bottom area is short: the matrices and the playground take turns.
        self.pages = QTabWidget(objectName="jacobianPages")
        self.pages.setDocumentMode(True)
        self.pages.setTabPosition(QTabWidget.TabPosition.West)
        self.pages.addTab(_scrolled(left), "Matrices")
        self.pages.addTab(_scrolled(self.playground), "JVP / VJP")
        self.pages.setTabToolTip(0, "J_h = J_f · J_g as numbers and heatmaps")
        self.pages.setTabToolTip(1, "Push a tangent v forward (J·v) and a cotangent u backward (uᵀJ)")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

    # -- choices --------------------------------------------------------------------------
    def _on_pick(self, role: str, names: tuple[str, ...]) -> None:
        self._choice[role] = names
        if role != "via":
            self._choice.pop("via", None)  # new outputs: offer their natural intermediates again
        self.rerender()

    def choose(self, outputs=None, inputs=None, via=None) -> None:
        """Set the outputs, inputs and intermediates (as clicking the buttons would)."""
        for role, names in (("outputs", outputs), ("inputs", inputs), ("via", via)):
            if names is not None:
                self._choice[role] = tuple(names)
        self.rerender()

    def _resolve(self, snapshot: ExplorerSnapshot) -> tuple[tuple, tuple, tuple, list, list, list]:
        graph = snapshot.graph
        program = graph.program
        all_outputs = [n for n in program.names if n in program.definitions]
        all_inputs = list(graph.inputs)
        outputs = tuple(n for n in self._choice.get("outputs", ()) if n in all_outputs)
        if not outputs:
            outputs = tuple(program.outputs) or ((snapshot.of,) if snapshot.of else ())
        inputs = tuple(n for n in self._choice.get("inputs", ()) if n in all_inputs)
        if not inputs:
            inputs = tuple(n for n in all_inputs if any(n in graph.inputs_of(o) for o in outputs)) or tuple(all_inputs)
        via_names = [n for n in program.names if n not in outputs]
        via = tuple(n for n in self._choice.get("via", ()) if n in via_names)
        if not via:
            via = default_via(graph, outputs)
        return outputs, inputs, via, all_outputs, all_inputs, via_names

    # -- drawing ---------------------------------------------------------------------------
    def render_snapshot(self, snapshot: ExplorerSnapshot, rebuild: bool) -> None:
        if snapshot.is_implicit or not snapshot.program.definitions:
            self._show_message("The Jacobian view needs definitions such as u = x*y; f = u^2 "
                               "(an equation is shown in the Implicit tab).")
            return
        graph = snapshot.graph
        outputs, inputs, via, all_outputs, all_inputs, via_names = self._resolve(snapshot)
        self.outputs.set_names(all_outputs, outputs)
        self.inputs.set_names(all_inputs, inputs)
        self.via.set_names(via_names, via)
        point = dict(snapshot.point)
        self.work.request(
            (snapshot.text, outputs, inputs, via, tuple(sorted(point.items()))), (snapshot.text, outputs, inputs),
            numbers=lambda _cancelled: jacobian(graph, outputs, inputs, point, via, symbolic=False),
            symbolic=lambda _cancelled: symbolic_jacobian(graph, outputs, inputs),
            merge=lambda result, part: with_symbolic_jacobian(graph, result, part))

    def _on_result(self, staged: Staged) -> None:
        """The numbers for the snapshot drawn last (older ones never arrive), then with SymPy's."""
        if staged.error is not None:
            self._show_message(staged.error)
            return
        snapshot, result = self.snapshot, staged.value
        self.message.hide()
        for panel in (self.J_f, self.J_g, self.J_h):
            panel.setEnabled(True)
        self.result, self.result_snapshot = result, snapshot
        self.symbolic = None if staged.symbolic_pending or staged.symbolic_error else result
        self._symbolic_pending = staged.symbolic_pending
        self.checks.setToolTip(f"SymPy's Jacobian: {staged.symbolic_error}" if staged.symbolic_error
                               else CHECKS_TIP)
        self._draw(result)
        self.playground.show_jacobian(snapshot.graph, result, snapshot.point)

    def _draw(self, result: JacobianResult) -> None:
        o, i, v = list(result.outputs), list(result.inputs), list(result.via)
        self.J_f.subtitle.setText(f"{len(o)} × {len(v)}")
        self.J_g.subtitle.setText(f"{len(v)} × {len(i)}")
        self.J_h.subtitle.setText(f"{len(o)} × {len(i)}, click an entry")
        self.J_f.table.set_matrix(o, v, result.J_f)
        self.J_g.table.set_matrix(v, i, result.J_g)
        symbolic = self.symbolic
        tips = None
        if symbolic is not None and symbolic.exprs is not None:
            tips = [[f"SymPy: ∂{oo}/∂{ii} = {readable(e)}" for ii, e in zip(i, row)]
                    for oo, row in zip(o, symbolic.exprs)]
        self.J_h.table.set_matrix(o, i, result.J_h, tips)
        self._show_checks(result, self._symbolic_pending)
        marked = self.J_h.table.marked
        if marked is not None:
            self._explain_entry(*marked, emit=False)
        elif not self.entry_text.text():
            self.entry_text.setText("Click an entry of J_h to see the paths and products it sums.")

    def _show_checks(self, result: JacobianResult, symbolic_pending: bool) -> None:
        agreement = result.agreement
        parts = []
        for name, ok in agreement.items():
            if ok is None:
                mark = "…" if name == "symbolic" and symbolic_pending else "—"
                parts.append(f"<span style='color:{theme.current().muted}'>{CHECK_TITLES[name]} {mark}</span>")
            else:
                color = AGREE if ok else DISAGREE
                parts.append(f"<span style='color:{color}'>{CHECK_TITLES[name]} {'✓' if ok else '✗'}</span>")
        verdict = agree(agreement)
        head = "<b>J_h checked:</b> " if verdict else "<b style='color:#d55e00'>J_h disagrees:</b> "
        notes = "".join(f"<br><span style='color:{theme.current().muted}'>• {n}</span>" for n in result.notes)
        self.checks.setText(head + " · ".join(parts) + notes)

    def _show_message(self, text: str) -> None:
        self.work.cancel()  # an answer still coming for an earlier snapshot must not cover this
        self.result = self.result_snapshot = self.symbolic = None
        self.message.setText(text)
        self.message.show()
        for panel in (self.J_f, self.J_g, self.J_h):
            panel.setEnabled(False)
        self.playground.show_jacobian(None, None, {})

    # -- entries -----------------------------------------------------------------------------
    def select_entry(self, i: int, j: int) -> None:
        """Explain J_h[i, j] and emit the paths from output i to input j."""
        self.J_h.table.mark(i, j)
        self.J_f.table.mark(None)
        self.J_g.table.mark(None)
        self._explain_entry(i, j, emit=True)

    def _explain_entry(self, i: int, j: int, emit: bool) -> None:
        result, snapshot = self.result, self.result_snapshot
        if result is None or snapshot is None or i >= len(result.outputs) or j >= len(result.inputs):
            return
        out, inp = result.outputs[i], result.inputs[j]
        terms = [(m, result.J_f[i, k], result.J_g[k, j]) for k, m in enumerate(result.via)
                 if result.J_f[i, k] != 0 or result.J_g[k, j] != 0]
        spelled = " + ".join(f"({fmt(a, 4)})·({fmt(b, 4)})" for _, a, b in terms) or "0"
        names = " + ".join(f"∂{out}/∂{m}·∂{m}/∂{inp}" for m, _, _ in terms) or "0"
        graph = snapshot.graph
        count = count_paths(graph.variables, out, inp)
        self.entry_text.setText(
            f"<b>J_h[{out}, {inp}]</b> = {names}<br>= {spelled} = <b>{fmt(result.J_h[i, j], 10)}</b>"
            f"<br><span style='color:{theme.current().muted}'>{count:,} path(s) from {out} to {inp} sum into this entry"
            f"{' (highlighted in the diagram)' if emit else ''}</span>")
        if emit:
            self.entry_chosen.emit(out, inp)
            self.paths_highlighted.emit(entry_paths(graph, out, inp))

    def _select_factor(self, which: str, a: int, b: int) -> None:
        result, snapshot = self.result, self.result_snapshot
        if result is None or snapshot is None:
            return
        graph = snapshot.graph
        (self.J_g if which == "f" else self.J_f).table.mark(None)
        self.J_h.table.mark(None)
        if which == "f":
            source, target = result.outputs[a], result.via[b]
            paths = factor_paths(graph, source, target, result.via)
            value = result.J_f[a, b]
            what = f"J_f[{source}, {target}] = ∂{source}/∂{target}"
        else:
            source, target = result.via[a], result.inputs[b]
            paths = entry_paths(graph, source, target) if source != target else []
            value = result.J_g[a, b]
            what = f"J_g[{source}, {target}] = ∂{source}/∂{target}"
        self.entry_text.setText(f"<b>{what}</b> = {fmt(value, 10)}<br><span style='color:{theme.current().muted}'>"
                                f"{len(paths)} path(s), highlighted in the diagram</span>")
        # The paths can only light up in a diagram that contains them: one of an output
        # above ``source`` (the diagram's current one if it is), towards an input below.
        output, input_ = self._diagram_for(graph, source, target)
        if output is not None and input_ is not None:
            self.entry_chosen.emit(output, input_)
        self.paths_highlighted.emit(paths)

    def _diagram_for(self, graph, source: str, target: str) -> tuple[str | None, str | None]:
        """The output and input whose diagram holds the paths from ``source`` to ``target``."""
        snapshot, result = self.result_snapshot, self.result
        variables = graph.variables

        def above(output: str) -> bool:
            return output == source or variables.has_node(output) and source in nx.descendants(variables, output)

        outputs = [snapshot.of] + [o for o in result.outputs if o != snapshot.of]
        output = next((o for o in outputs if o and above(o)), None)
        if output is None:
            return None, None
        below = graph.inputs_of(target) if target not in graph.inputs else {target}
        inputs = [snapshot.wrt] + [i for i in result.inputs if i != snapshot.wrt]
        input_ = next((i for i in inputs if i in below and i in graph.inputs_of(output)), None)
        return output, input_

    @property
    def computing(self) -> bool:
        return self.work.waiting

    def shutdown(self) -> None:
        self.work.shutdown()


def _scrolled(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area
