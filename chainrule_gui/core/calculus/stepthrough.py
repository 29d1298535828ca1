"""The chain rule one step at a time: frames of the three sweeps a diagram can replay.

* **forward pass** — values fill in node by node, operands before their users;
* **backward pass** (reverse mode) — the seed ∂out/∂out = 1, then every edge's
  contribution ``adjoint[parent] · ∂parent/∂child`` added to the child's running sum;
* **forward-mode sweep** — the seed d(wrt)/d(wrt) = 1, then every edge's contribution
  ``∂parent/∂child · tangent[child]`` added to the parent's running sum.

The sweeps are the core's own (:func:`.accumulate.reverse_sweep` and
:func:`.accumulate.forward_sweep` with ``trace``), so what a person steps through is
exactly what computed the derivative.  Frames hold numbers and a sentence; a view
decides how to show them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import networkx as nx

from chainrule_gui.core.calculus.request import edge_set
from chainrule_gui.core.expressions.printing import fmt
from chainrule_gui.core.graph.accumulate import OperationCounts, SweepStep, forward_sweep, reverse_sweep
from chainrule_gui.core.graph.chain_graph import ChainGraph, derivative_symbol, display_name

KINDS = ("forward_pass", "backward", "forward_mode")
TITLES = {
    "forward_pass": "Forward pass (values)",
    "backward": "Backward pass (adjoints, reverse mode)",
    "forward_mode": "Forward-mode sweep (tangents)",
}
LEVELS = ("variables", "operations")


@dataclass(frozen=True)
class Frame:
    """One step: ``node``'s number becomes ``number``.

    ``edge`` (user, operand) is the edge whose contribution was just added (None for a
    value or a seed); ``weight`` its local partial, ``source`` the number it multiplies
    (the user's adjoint going backward, the operand's tangent going forward).
    """

    node: str
    number: float
    caption: str
    edge: tuple[str, str] | None = None
    weight: float | None = None
    source: float | None = None
    contribution: float | None = None


@dataclass(frozen=True)
class StepSequence:
    kind: str
    level: str
    root: str
    wrt: str | None
    frames: tuple[Frame, ...]

    def __len__(self) -> int:
        return len(self.frames)

    def numbers_at(self, index: int) -> dict[str, float]:
        """Every node's number after frames 0..``index`` (nothing known before frame 0)."""
        numbers: dict[str, float] = {}
        for frame in self.frames[: max(0, index + 1)]:
            numbers[frame.node] = frame.number
        return numbers


def step_sequence(kind: str, graph: ChainGraph, level: str, root: str, wrt: str | None,
                  evaluation, cut: Collection[tuple[str, str]] = frozenset()) -> StepSequence:
    """The frames of ``kind`` on ``level`` below ``root``; ``cut`` holds variable-graph edges."""
    if kind not in KINDS:
        raise ValueError(f"unknown sweep {kind!r}; the sweeps are {', '.join(KINDS)}")
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    cut = edge_set(cut)
    if level == "variables":
        full, weights, values = graph.variables, evaluation.partials, evaluation.values
        level_cut = cut
    else:
        full, weights, values = graph.operations, evaluation.op_partials, evaluation.op_values
        level_cut = graph.operation_edges_of(cut)
    sub = full.subgraph({root} | nx.descendants(full, root))
    names = _Names(graph, level, root, wrt)
    if kind == "forward_pass":
        frames = _forward_pass(sub, values, names)
    elif kind == "backward":
        frames = _backward(sub, weights, names, level_cut)
    else:
        frames = _forward_mode(sub, weights, names, level_cut, wrt) if wrt is not None and wrt in sub else []
    return StepSequence(kind, level, root, wrt, tuple(frames))


def _forward_pass(sub: nx.DiGraph, values, names: _Names) -> list[Frame]:
    frames = []
    for node in reversed(list(nx.topological_sort(sub))):  # operands first
        value = values[node]
        operands = list(sub.successors(node))
        if not operands:
            caption = names.leaf_caption(node, value)
        else:
            given = ", ".join(f"{names.short(c)} = {fmt(values[c], 4)}" for c in operands)
            caption = f"{names.definition(node)} = {fmt(value, 6)}   (from {given})"
        frames.append(Frame(node, value, caption))
    return frames


def _backward(sub: nx.DiGraph, weights, names: _Names, cut) -> list[Frame]:
    root = names.root
    frames = [Frame(root, 1.0, f"Seed: {names.adjoint(root)} = 1 (the output's derivative with respect "
                               "to itself)")]
    trace: list[SweepStep] = []
    adjoint = reverse_sweep(sub, weights, {root: 1.0}, trace=trace, cut=frozenset(cut))
    for step in trace:
        parent, child = step.source, step.target
        if sub.nodes[child].get("kind") == "const":
            continue  # a constant's adjoint is never used: stepping through it is noise
        a = adjoint[parent]  # final by the time its edges are swept (topological order)
        caption = (f"{names.adjoint(child)} += {names.adjoint(parent)} · {names.local(parent, child)}"
                   f" = {fmt(a, 4)} × {fmt(step.weight, 4)} = {fmt(step.contribution, 4)}"
                   f"   → {names.adjoint(child)} = {fmt(step.total, 6)} so far")
        frames.append(Frame(child, step.total, caption, (parent, child), step.weight, a,
                            step.contribution))
    return frames


def _forward_mode(sub: nx.DiGraph, weights, names: _Names, cut, wrt: str) -> list[Frame]:
    frames = [Frame(wrt, 1.0, f"Seed: {names.tangent(wrt)} = 1 (the input's derivative with respect "
                              "to itself)")]
    trace: list[SweepStep] = []
    tangent = forward_sweep(sub, weights, {wrt: 1.0}, trace=trace, cut=frozenset(cut))
    for step in trace:
        child, parent = step.source, step.target
        t = tangent[child]  # final: operands are swept before their users
        caption = (f"{names.tangent(parent)} += {names.local(parent, child)} · {names.tangent(child)}"
                   f" = {fmt(step.weight, 4)} × {fmt(t, 4)} = {fmt(step.contribution, 4)}"
                   f"   → {names.tangent(parent)} = {fmt(step.total, 6)} so far")
        frames.append(Frame(parent, step.total, caption, (parent, child), step.weight, t,
                            step.contribution))
    return frames


class _Names:
    """How nodes are written in captions at one level."""

    def __init__(self, graph: ChainGraph, level: str, root: str, wrt: str | None):
        self.graph, self.level, self.root, self.wrt = graph, level, root, wrt

    def short(self, node: str) -> str:
        if self.level == "variables":
            return display_name(node)
        data = self.graph.operations.nodes[node]
        if data["kind"] in ("variable", "input"):
            return display_name(node)
        return data.get("text") or data.get("label", node)

    def _wrapped(self, node: str) -> str:
        text = self.short(node)
        return text if text.isidentifier() else f"({text})"

    def definition(self, node: str) -> str:
        if self.level == "variables":
            return f"{display_name(node)} = {self.graph.variables.nodes[node]['text']}"
        data = self.graph.operations.nodes[node]
        if data["kind"] == "variable":
            return f"{display_name(node)} = {self.short(next(iter(self.graph.operations.successors(node))))}"
        return f"{data['label']}: {self.short(node)}"

    def leaf_caption(self, node: str, value: float) -> str:
        if self.level == "operations" and self.graph.operations.nodes[node]["kind"] == "const":
            return f"{self.short(node)} is a constant: {fmt(value, 6)}"
        return f"{self.short(node)} = {fmt(value, 6)}   (an input: its value is given)"

    def adjoint(self, node: str) -> str:
        return f"∂{display_name(self.root)}/∂{self._wrapped(node)}"

    def tangent(self, node: str) -> str:
        return f"d{self._wrapped(node)}/d{self.wrt}"

    def local(self, parent: str, child: str) -> str:
        if self.level == "variables":
            var = self.graph.variables
            return derivative_symbol(parent, child, var.out_degree(parent) == 1)
        return f"∂{self._wrapped(parent)}/∂{self._wrapped(child)}"


def cost_summary(counts: OperationCounts) -> list[str]:
    """Sentences on what each way of computing the gradient costs on this graph."""
    e, n, m = counts.edges, counts.inputs, counts.outputs
    lines = [
        f"Forward mode: one sweep per input → {n} × {e} edges = {counts.forward_multiplications:,} "
        "multiply–adds for the whole gradient.",
        f"Reverse mode: one sweep per output → {m} × {e} edges = {counts.reverse_multiplications:,} "
        "multiply–adds.",
    ]
    if counts.path_multiplications is not None:
        lines.append(f"Listing all {counts.path_count:,} paths: {counts.path_multiplications:,} "
                     "multiplications for one input alone.")
    else:
        lines.append(f"Listing all {counts.path_count:,} paths one by one would take far longer.")
    if n > m:
        lines.append(f"Reverse mode wins here: with {m} output{'s' if m > 1 else ''} and {n} inputs, one "
                     "backward sweep gives the derivative with respect to every input at once, "
                     "while forward mode repeats its sweep for each input.")
    elif n == m:
        lines.append("Here both need the same work; reverse mode wins when there is one output and "
                     "many inputs (a loss and its weights), forward mode when there are few inputs "
                     "and many outputs.")
    else:
        lines.append("Forward mode wins here (more outputs than inputs); reverse mode wins when there "
                     "is one output and many inputs, as with a loss and its weights.")
    return lines
