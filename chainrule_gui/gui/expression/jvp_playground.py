"""The JVP / VJP playground: a tangent v flows forward to J·v, a cotangent u flows back to uᵀJ.

One forward sweep seeded with v gives J·v without forming J; one reverse sweep seeded
with u gives uᵀJ.  Both are checked against each other through uᵀ(Jv) = (uᵀJ)v.  The
intermediate tangents and adjoints are listed level by level so the flow can be followed.
"""

from __future__ import annotations

import networkx as nx
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from chainrule_gui.core.calculus.jacobian import JacobianResult, ProductCheck, jvp_vjp
from chainrule_gui.core.errors import ChainRuleError
from chainrule_gui.core.expressions.printing import fmt
from chainrule_gui.core.graph.accumulate import forward_sweep, reverse_sweep
from chainrule_gui.gui import theme

AGREE = "#009e73"
DISAGREE = "#d55e00"
WHY_SCALAR = (
    "<b>Why a gradient needs a scalar output.</b> A reverse sweep starts from one cotangent u on "
    "the outputs and returns uᵀJ: one whole row of J (every input at once) per sweep. For a "
    "scalar output that row <i>is</i> the gradient, so one sweep suffices however many inputs "
    "there are. With m outputs there is no single gradient: the full J takes m reverse sweeps "
    "(one per row) or n forward sweeps (one per input column), and uᵀJ with a chosen u is what "
    "backpropagation computes for a loss."
)


class JvpPlayground(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("jvpPlayground")
        self.v_spins: dict[str, QDoubleSpinBox] = {}
        self.u_spins: dict[str, QDoubleSpinBox] = {}
        self._values: dict[tuple[str, str], float] = {}  # ("v", name) -> value the user chose
        self.graph = None
        self.result: JacobianResult | None = None
        self.point: dict[str, float] = {}
        self.check: ProductCheck | None = None
        title = QLabel("<b>JVP / VJP playground</b>")
        title.setToolTip("Products with the Jacobian without forming it: what forward and reverse mode compute")
        self.v_box = QGridLayout()
        self.u_box = QGridLayout()
        self.jvp_label = QLabel(objectName="jvpResult")
        self.vjp_label = QLabel(objectName="vjpResult")
        self.forward_flow = QLabel(objectName="jvpFlow")
        self.backward_flow = QLabel(objectName="vjpFlow")
        self.identity = QLabel(objectName="jvpIdentity")
        for label in (self.jvp_label, self.vjp_label, self.forward_flow, self.backward_flow, self.identity):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for label in (self.forward_flow, self.backward_flow):
            theme.style_sheet(label, lambda t: f"color: {t.muted};")
        self.why = QLabel(WHY_SCALAR)
        self.why.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addWidget(title)
        layout.addWidget(QLabel("Tangent <b>v</b> (a direction in the inputs):"))
        layout.addLayout(self.v_box)
        layout.addWidget(self.jvp_label)
        layout.addWidget(self.forward_flow)
        layout.addWidget(QLabel("Cotangent <b>u</b> (a weighting of the outputs):"))
        layout.addLayout(self.u_box)
        layout.addWidget(self.vjp_label)
        layout.addWidget(self.backward_flow)
        layout.addWidget(self.identity)
        layout.addWidget(self.why)
        layout.addStretch(1)

    # -- public -------------------------------------------------------------------------------
    def show_jacobian(self, graph, result: JacobianResult | None, point) -> None:
        self.graph, self.result, self.point = graph, result, dict(point)
        if result is None:
            self._spins("v", self.v_box, self.v_spins, [])
            self._spins("u", self.u_box, self.u_spins, [])
            for label in (self.jvp_label, self.vjp_label, self.forward_flow, self.backward_flow, self.identity):
                label.clear()
            self.check = None
            return
        self._spins("v", self.v_box, self.v_spins, result.inputs)
        self._spins("u", self.u_box, self.u_spins, result.outputs)
        self.recompute()

    def set_vectors(self, v=None, u=None) -> None:
        """Set the tangent and/or cotangent entries in order (inputs, outputs)."""
        for spins, values in ((self.v_spins, v), (self.u_spins, u)):
            if values is None:
                continue
            for spin, value in zip(spins.values(), values, strict=True):
                spin.blockSignals(True)
                spin.setValue(float(value))
                spin.blockSignals(False)
                self._values[(spin.property("role"), spin.property("name"))] = float(value)
        self.recompute()

    def recompute(self) -> None:
        result, graph = self.result, self.graph
        if result is None or graph is None:
            return
        v = [s.value() for s in self.v_spins.values()]
        u = [s.value() for s in self.u_spins.values()]
        try:
            ev = graph.evaluate(self.point)
            check = jvp_vjp(graph, result.outputs, result.inputs, self.point, v, u, evaluation=ev)
        except ChainRuleError as exc:
            self.identity.setText(f"<span style='color:{DISAGREE}'>{exc}</span>")
            self.check = None
            return
        self.check = check
        self.jvp_label.setText("<b>J·v</b> (one forward sweep) = (" + ", ".join(
            f"{o}: {fmt(x, 6)}" for o, x in zip(result.outputs, check.jvp)) + ")")
        self.vjp_label.setText("<b>uᵀJ</b> (one reverse sweep) = (" + ", ".join(
            f"{i}: {fmt(x, 6)}" for i, x in zip(result.inputs, check.vjp)) + ")")
        self.forward_flow.setText("forward: " + self._flow(graph, ev, dict(zip(result.inputs, v)), True))
        self.backward_flow.setText("backward: " + self._flow(graph, ev, dict(zip(result.outputs, u)), False))
        ok = check.agree
        color = AGREE if ok else DISAGREE
        self.identity.setText(
            f"uᵀ(Jv) = {fmt(check.u_dot_jvp, 12)} &nbsp; (uᵀJ)v = {fmt(check.vjp_dot_v, 12)} &nbsp; "
            f"<b style='color:{color}'>{'✓ equal' if ok else '✗ differ'}</b>")
        self.identity.setToolTip("Both are the number uᵀJv; forward mode gets it through Jv, reverse "
                                 "mode through uᵀJ — agreement checks the two sweeps against each other.")

    # -- helpers ------------------------------------------------------------------------------
    def _spins(self, role: str, grid: QGridLayout, spins: dict, names) -> None:
        names = list(names)
        if list(spins) == names:
            return
        for spin in spins.values():
            self._values[(role, spin.property("name"))] = spin.value()
        while grid.count():
            widget = grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        spins.clear()
        for index, name in enumerate(names):
            spin = QDoubleSpinBox(objectName=f"{role}_{name}")
            spin.setRange(-1e6, 1e6)
            spin.setDecimals(3)
            spin.setSingleStep(0.5)
            spin.setMaximumWidth(110)
            spin.setProperty("role", role)
            spin.setProperty("name", name)
            spin.setValue(self._values.get((role, name), 1.0 if index == 0 else 0.0))
            what = "input" if role == "v" else "output"
            spin.setToolTip(f"{role}[{name}]: the {'tangent' if role == 'v' else 'cotangent'} entry for "
                            f"{what} {name}. With a 1 here and 0 elsewhere, "
                            + ("J·v is the column of J for this input." if role == "v"
                               else "uᵀJ is the row of J for this output (its gradient)."))
            spin.valueChanged.connect(self._on_spin)
            row, col = divmod(index, 3)
            label = QLabel(f"{name}:")
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(label, row, 2 * col)
            grid.addWidget(spin, row, 2 * col + 1)
            spins[name] = spin
        grid.setColumnStretch(6, 1)  # keep the boxes together on the left

    def _on_spin(self, _value: float) -> None:
        spin = self.sender()
        if spin is not None:
            self._values[(spin.property("role"), spin.property("name"))] = spin.value()
        self.recompute()

    @staticmethod
    def _flow(graph, ev, seeds: dict[str, float], forward: bool) -> str:
        """Tangents (forward) or adjoints (backward) level by level on the variable graph."""
        var = graph.variables
        if forward:
            values = forward_sweep(var, ev.partials, seeds)
            relevant = set(seeds) | {a for s in seeds for a in nx.ancestors(var, s)}
        else:
            values = reverse_sweep(var, ev.partials, seeds)
            relevant = set(seeds) | {d for s in seeds for d in nx.descendants(var, s)}
        levels = list(nx.topological_generations(var.subgraph(relevant)))
        if forward:
            levels.reverse()  # inputs first
        parts = [", ".join(f"{n} {fmt(values[n], 4)}" for n in level if n != "_F") for level in levels]
        return " ▸ ".join(p for p in parts if p)
