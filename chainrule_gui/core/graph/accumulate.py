"""Forward and reverse accumulation: the two ways of factoring the sum over paths.

Both sweeps work on any DAG whose edges carry numeric local partials (the variable graph
or the operation graph), with edges pointing from a node to what it is computed from.

* Reverse mode seeds ∂out/∂out = 1 and pushes *adjoints* down:
  ``adjoint[child] += adjoint[parent] · ∂parent/∂child`` — one sweep gives the
  derivative of one output with respect to every node (a vector–Jacobian product).
* Forward mode seeds dx/dx = 1 and pulls *tangents* up:
  ``tangent[parent] = Σ ∂parent/∂child · tangent[child]`` — one sweep gives the
  derivative of every node with respect to one input (a Jacobian–vector product).

Each sweep can record its steps (``trace``) so a view can replay them edge by edge.
Second order uses the operation graph's own second partials: a Taylor sweep (forward
over forward) and forward-over-reverse (a Hessian–vector product).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from chainrule_gui.core.expressions.ops import OPS, Fault
from chainrule_gui.core.graph.chain_graph import located_error


@dataclass(frozen=True)
class SweepStep:
    """One edge's contribution during a sweep.

    Reverse mode: ``target`` is the child receiving ``contribution = adjoint[source] ·
    weight``.  Forward mode: ``target`` is the parent receiving ``weight ·
    tangent[source]``.  ``total`` is the target's running sum after this step.
    """

    source: str
    target: str
    weight: float
    contribution: float
    total: float


_ORDERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def top_down(graph: nx.DiGraph) -> list[str]:
    """Nodes with every user before what it uses (outputs first); cached per graph.

    Graphs are not changed after they are built; the node and edge counts guard the cache
    anyway.  Sorting costs more than a sweep itself on small graphs.
    """
    key = (graph.number_of_nodes(), graph.number_of_edges())
    cached = _ORDERS.get(graph)
    if cached is None or cached[0] != key:
        cached = (key, list(nx.topological_sort(graph)))
        _ORDERS[graph] = cached
    return cached[1]


def reverse_sweep(
    graph: nx.DiGraph,
    weights: Mapping[tuple[str, str], float],
    seeds: Mapping[str, float],
    order: Iterable[str] | None = None,
    trace: list[SweepStep] | None = None,
    stop_at: frozenset[str] = frozenset(),
    cut: frozenset[tuple[str, str]] = frozenset(),
) -> dict[str, float]:
    """Adjoints of every node for the output cotangent ``seeds`` (e.g. ``{"z": 1.0}``).

    Adjoints do not flow below nodes in ``stop_at`` nor across edges in ``cut``
    (a stop-gradient).
    """
    adjoint = {node: 0.0 for node in graph}
    adjoint.update(seeds)
    for node in order if order is not None else top_down(graph):
        a = adjoint[node]
        if a == 0.0 or node in stop_at:
            continue
        for child in graph.successors(node):
            if (node, child) in cut:
                continue
            w = weights[(node, child)]
            contribution = a * w
            adjoint[child] += contribution
            if trace is not None:
                trace.append(SweepStep(node, child, w, contribution, adjoint[child]))
    return adjoint


def forward_sweep(
    graph: nx.DiGraph,
    weights: Mapping[tuple[str, str], float],
    seeds: Mapping[str, float],
    order: Iterable[str] | None = None,
    trace: list[SweepStep] | None = None,
    cut: frozenset[tuple[str, str]] = frozenset(),
) -> dict[str, float]:
    """Tangents of every node for the input direction ``seeds`` (e.g. ``{"t": 1.0}``)."""
    tangent = {node: 0.0 for node in graph}
    tangent.update(seeds)
    nodes = list(order) if order is not None else list(reversed(top_down(graph)))
    for node in nodes:
        if node in seeds:
            continue
        total = 0.0
        for child in graph.successors(node):
            if (node, child) in cut:
                continue
            t = tangent[child]
            if t == 0.0:
                continue
            w = weights[(node, child)]
            total += w * t
            if trace is not None:
                trace.append(SweepStep(child, node, w, w * t, total))
        tangent[node] = total
    return tangent


@dataclass(frozen=True)
class OperationCounts:
    """What each way of computing derivatives costs on one graph.

    Every sweep visits each edge once: one multiplication and one addition.  Forward mode
    needs one sweep per input, reverse mode one per output; listing paths needs
    (length − 1) multiplications per path.
    """

    edges: int
    inputs: int
    outputs: int
    forward_multiplications: int
    reverse_multiplications: int
    path_multiplications: int | None  # None when the paths were too many to list
    path_count: int


def operation_counts(graph: nx.DiGraph, inputs: int, outputs: int, path_count: int,
                     path_multiplications: int | None) -> OperationCounts:
    edges = graph.number_of_edges()
    return OperationCounts(edges, inputs, outputs, inputs * edges, outputs * edges,
                           path_multiplications, path_count)


# -- second order on the operation graph ------------------------------------------------
def _local(node: str, data: dict, values: Mapping[str, float]):
    """Arguments, first partials and second partials of one node at the point."""
    args = data["args"]
    if data["kind"] == "variable":
        return args, (1.0,), ((0.0,),)
    spec = OPS[data["op"]]
    arg_values = [values[a] for a in args]
    try:
        return args, spec.grads(arg_values, values[node]), spec.hess(arg_values, values[node])
    except Fault as fault:
        raise located_error(fault, data, "the curvature of ") from None


def taylor_sweep(
    operations: nx.DiGraph, values: Mapping[str, float], direction: Mapping[str, float],
    cut: frozenset[tuple[str, str]] = frozenset(),
) -> tuple[dict[str, float], dict[str, float]]:
    """First and second directional derivatives of every node (truncated Taylor mode).

    With tangents t_i and second tangents s_i of a node's arguments:
    ``t = Σ_i g_i t_i`` and ``s = Σ_i g_i s_i + Σ_ij H_ij t_i t_j`` where g and H are the
    node's own first and second partials.  Across an edge in ``cut`` (user, operand) the
    user sees the operand as a constant: neither tangent passes.
    """
    first: dict[str, float] = {}
    second: dict[str, float] = {}
    for node in reversed(top_down(operations)):
        data = operations.nodes[node]
        if data["kind"] in ("input", "const"):
            first[node] = float(direction.get(node, 0.0))
            second[node] = 0.0
            continue
        args = data["args"]
        if cut:
            ts = [0.0 if (node, a) in cut else first[a] for a in args]
            ss = [0.0 if (node, a) in cut else second[a] for a in args]
        else:
            ts = [first[a] for a in args]
            ss = [second[a] for a in args]
        if not any(ts):
            first[node] = second[node] = 0.0
            continue
        _, g, h = _local(node, data, values)
        t = sum(gi * ti for gi, ti in zip(g, ts, strict=True) if ti)
        s = sum(gi * si for gi, si in zip(g, ss, strict=True) if si)
        for i, ti in enumerate(ts):
            for j, tj in enumerate(ts):
                if ti and tj:
                    s += h[i][j] * ti * tj
        first[node], second[node] = t, s
    return first, second


def hessian_vector_sweep(
    operations: nx.DiGraph, values: Mapping[str, float], output: str, direction: Mapping[str, float],
    cut: frozenset[tuple[str, str]] = frozenset(),
) -> tuple[dict[str, float], dict[str, float]]:
    """Forward-over-reverse: the gradient of ``output`` and its derivative along ``direction``.

    Returns ``(adjoint, adjoint_tangent)``; at an input x, ``adjoint[x]`` is ∂out/∂x and
    ``adjoint_tangent[x]`` is (H·direction)_x.  Edges in ``cut`` pass neither adjoints
    nor tangents (the user sees a constant).
    """
    tangent, _ = taylor_sweep(operations, values, direction, cut)
    adjoint = {node: 0.0 for node in operations}
    dadjoint = {node: 0.0 for node in operations}
    adjoint[output] = 1.0
    for node in top_down(operations):
        a, da = adjoint[node], dadjoint[node]
        data = operations.nodes[node]
        if (a == 0.0 and da == 0.0) or data["kind"] in ("input", "const"):
            continue
        args, g, h = _local(node, data, values)
        seen = [0.0 if (node, aj) in cut else tangent[aj] for aj in args] if cut else [tangent[aj] for aj in args]
        for i, child in enumerate(args):
            if cut and (node, child) in cut:
                continue
            adjoint[child] += a * g[i]
            curvature = sum(h[i][j] * tj for j, tj in enumerate(seen) if tj)
            dadjoint[child] += da * g[i] + (a * curvature if curvature else 0.0)
    return adjoint, dadjoint
