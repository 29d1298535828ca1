"""The output and its derivative along one input, sampled for plots.

All samples are computed at once with NumPy: one vectorised forward pass over the
operation graph and one tangent sweep (forward mode), so a few hundred samples cost about
as much as a handful of single evaluations.  Where the composition is undefined the
samples are NaN, which plots draw as gaps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from chainrule_gui.core.expressions.numeric_array import evaluate_array
from chainrule_gui.core.expressions.ops import OPS
from chainrule_gui.core.graph.chain_graph import ChainGraph
from chainrule_gui.core.graph.paths import iter_paths


@dataclass(frozen=True)
class Samples:
    xs: np.ndarray
    values: np.ndarray  # of(x), NaN where undefined
    derivatives: np.ndarray  # d(of)/d(wrt)(x), NaN where undefined
    path_contributions: dict[tuple[str, ...], np.ndarray]  # path -> its product along x


def forward_arrays(graph: ChainGraph, point: Mapping[str, float], wrt: str, xs: np.ndarray):
    """Values of every operation node for ``wrt`` = each of ``xs`` (others at ``point``),
    and the tangent d(node)/d(wrt) of every node."""
    ops = graph.operations
    values: dict[str, np.ndarray] = {}
    tangents: dict[str, np.ndarray] = {}
    zero = np.zeros_like(xs)
    with np.errstate(all="ignore"):
        for node in graph.op_order:
            data = ops.nodes[node]
            kind = data["kind"]
            if kind == "input":
                values[node] = xs if node == wrt else np.full_like(xs, float(point[node]))
                tangents[node] = np.ones_like(xs) if node == wrt else zero
                continue
            if kind == "const":
                values[node] = np.full_like(xs, data["value"])
                tangents[node] = zero
                continue
            args = [values[a] for a in data["args"]]
            if kind == "variable":
                values[node] = args[0]
                tangents[node] = tangents[data["args"][0]]
                continue
            spec = OPS[data["op"]]
            v = spec.array_value(*args)
            values[node] = v
            arg_tangents = [tangents[a] for a in data["args"]]
            if any(t is not zero for t in arg_tangents):
                grads = spec.array_grads(args, v)
                total = zero
                for g, t in zip(grads, arg_tangents, strict=True):
                    if t is not zero:
                        total = total + g * t
                tangents[node] = total
            else:
                tangents[node] = zero
    return values, tangents


def sample(graph: ChainGraph, of: str, wrt: str, point: Mapping[str, float], xs: Sequence[float],
           paths: int = 0) -> Samples:
    """Sample ``of`` and its derivative at ``xs`` (the other inputs held at ``point``).

    With ``paths > 0`` also each of the first ``paths`` variable-level paths' products.
    """
    x_values = np.asarray(xs, dtype=float)
    values, tangents = forward_arrays(graph, point, wrt, x_values)
    out = _finite(values[of])
    derivative = _finite(tangents[of])
    derivative[np.isnan(out)] = np.nan
    contributions = {}
    if paths > 0:
        symbols = {graph.program.symbols[n]: values[n] for n in graph.variables if n in graph.program.symbols}
        partials: dict[tuple[str, str], np.ndarray] = {}
        for path in (p for _, p in zip(range(paths), iter_paths(graph.variables, of, wrt))):
            product = np.ones_like(x_values)
            for edge in zip(path, path[1:]):
                if edge not in partials:
                    partials[edge] = evaluate_array(graph.local_partial(*edge), symbols, x_values.shape)
                product = product * partials[edge]
            contributions[path] = _finite(product)
    return Samples(x_values, out, derivative, contributions)


def _finite(array: np.ndarray) -> np.ndarray:
    result = np.array(array, dtype=float, copy=True)
    result[~np.isfinite(result)] = np.nan
    return result



