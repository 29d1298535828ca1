"""Jacobians of compositions: J_h = J_f · J_g, and the JVP / VJP that avoid forming them.

For outputs y that depend on inputs x through intermediate names u (``via``), h = f∘g
with g: x ↦ u and f: u ↦ y.  Entry J_f[y, u] counts only the paths from y that reach u
before any other name of ``via``, so every path from y to x is counted exactly once in
J_f·J_g, wherever it first crosses ``via``.  By default ``via`` is what the outputs use
directly.

A JVP J·v needs one forward sweep seeded with v; a VJP uᵀJ one reverse sweep seeded
with u — the whole matrix is never formed.  uᵀ(Jv) = (uᵀJ)v checks both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np
import sympy as sp

from chainrule_gui.core.calculus.agreement import (
    FINITE_DIFFERENCE,
    PRODUCT,
    CheckedResult,
    Judge,
    Scale,
    matrix_size,
)
from chainrule_gui.core.calculus.derivation import composed_checked
from chainrule_gui.core.calculus.finite_difference import default_step
from chainrule_gui.core.calculus.request import Request, present, symbolic_matrix_at
from chainrule_gui.core.errors import ChoiceError
from chainrule_gui.core.graph.accumulate import forward_sweep, reverse_sweep
from chainrule_gui.core.graph.chain_graph import ChainGraph, PointEvaluation


@dataclass(frozen=True)
class JacobianResult(CheckedResult):
    """J_h (rows: outputs, columns: inputs) by several methods, and its factors J_f, J_g."""

    outputs: tuple[str, ...]
    inputs: tuple[str, ...]
    via: tuple[str, ...]
    point: dict[str, float]
    J_f: np.ndarray  # outputs × via
    J_g: np.ndarray  # via × inputs
    J_h: np.ndarray  # outputs × inputs (reverse mode, one sweep per output)
    methods: dict[str, np.ndarray | None]
    agreement: dict[str, bool | None]
    exprs: tuple[tuple[sp.Expr, ...], ...] | None
    notes: tuple[str, ...] = ()

    SYMBOLIC_FIELD: ClassVar[str] = "exprs"


def default_via(graph: ChainGraph, outputs: Sequence[str]) -> tuple[str, ...]:
    names = graph.program.names
    used = {dep for o in outputs for dep in graph.variables.successors(o)}
    return tuple(n for n in names if n in used)


def jacobian(graph: ChainGraph, outputs: Sequence[str], inputs: Sequence[str],
             point: Mapping[str, float], via: Sequence[str] | None = None,
             *, symbolic: bool = True, evaluation: PointEvaluation | None = None) -> JacobianResult:
    """J_h, J_f and J_g at ``point`` by the sweeps, checked against finite differences and
    (``symbolic``) SymPy's Jacobian.  A GUI asks with ``symbolic=False`` for each point
    and adds SymPy's part, computed once per choice of outputs and inputs, with
    :func:`with_symbolic_jacobian`."""
    req = Request.checked(graph, outputs, inputs)
    via = _checked_via(req, via)
    req = req.at(point, evaluation)
    ev = req.evaluated
    J_f = _outputs_by_via(req, via)
    J_g, forward = _forward_by_inputs(req, via)
    J_h = _reverse_by_outputs(req)
    methods = {"reverse": J_h, "forward": forward, "product": J_f @ J_g, "symbolic": None,
               "finite_difference": _jacobian_fd(req)}
    agreement = _judge(J_h).agreement(methods, skip=(FINITE_DIFFERENCE,) if ev.kinks else ())
    result = JacobianResult(req.outputs, req.inputs, via, dict(ev.point), J_f, J_g, J_h, methods, agreement,
                            None, tuple(ev.kinks))
    if not symbolic:
        return result
    return with_symbolic_jacobian(graph, result, symbolic_jacobian(graph, req.outputs, req.inputs))


def _judge(J_h: np.ndarray) -> Judge:
    return Judge.of("jacobian", result=matrix_size(J_h))


def _checked_via(req: Request, via: Sequence[str] | None) -> tuple[str, ...]:
    """The intermediates (by default what the outputs use directly); each must be a name, and
    together they must separate the outputs from the inputs."""
    via = tuple(via) if via else default_via(req.graph, req.outputs)
    for m in via:
        req.graph.require_name(m, "intermediate")
    _check_separates(req.graph, req.outputs, req.inputs, via)
    return via


def _outputs_by_via(req: Request, via: tuple[str, ...]) -> np.ndarray:
    """J_f: one reverse sweep per output over the variable graph, stopping at ``via``."""
    ev, stop = req.evaluated, frozenset(via)
    J_f = np.zeros((len(req.outputs), len(via)))
    for i, o in enumerate(req.outputs):
        adjoint = reverse_sweep(req.graph.variables, ev.partials, {o: 1.0}, stop_at=stop)
        J_f[i] = [adjoint[m] for m in via]
    return J_f


def _forward_by_inputs(req: Request, via: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """J_g and J_h by forward mode: one tangent sweep per input."""
    J_g = np.zeros((len(via), len(req.inputs)))
    forward = np.zeros((len(req.outputs), len(req.inputs)))
    for j, x in enumerate(req.inputs):
        tangent = forward_sweep(req.graph.operations, req.evaluated.op_partials, {x: 1.0})
        J_g[:, j] = [tangent[m] for m in via]
        forward[:, j] = [tangent[o] for o in req.outputs]
    return J_g, forward


def _reverse_by_outputs(req: Request) -> np.ndarray:
    """J_h by reverse mode: one adjoint sweep per output (the reference)."""
    J_h = np.zeros((len(req.outputs), len(req.inputs)))
    for i, o in enumerate(req.outputs):
        adjoint = reverse_sweep(req.graph.operations, req.evaluated.op_partials, {o: 1.0})
        J_h[i] = [adjoint[x] for x in req.inputs]
    return J_h



def symbolic_jacobian(graph: ChainGraph, outputs: Sequence[str], inputs: Sequence[str]):
    """SymPy's ∂(output)/∂(input) for each pair, as (rows of expressions, None), or (None,
    why) when an output is too large to substitute.  The slow part of the SymPy check, and
    the same at every point."""
    rows = []
    for o in outputs:
        expr, note = composed_checked(graph, o)
        if expr is None:
            return None, note
        rows.append(tuple(sp.diff(expr, graph.program.symbols[x]) for x in inputs))
    return tuple(rows), None


def with_symbolic_jacobian(graph: ChainGraph, result: JacobianResult, symbolic) -> JacobianResult:
    """``result`` with SymPy's Jacobian (from :func:`symbolic_jacobian` for the same outputs
    and inputs) evaluated at its point and compared; nothing else is computed again."""
    exprs, note = symbolic
    matrix = None
    if exprs is not None:
        matrix, note = symbolic_matrix_at(graph, result.point, exprs, "Jacobian")
    mark = None if matrix is None else _judge(result.J_h).close("symbolic", matrix, result.J_h)
    return replace(result, methods={**result.methods, "symbolic": matrix}, exprs=exprs,
                   notes=(*result.notes, *present(note)), agreement={**result.agreement, "symbolic": mark})


def _check_separates(graph: ChainGraph, outputs, inputs, via) -> None:
    """Every path from an output to an input must pass through ``via`` (or start in it)."""
    blocked = set(via)
    for o in outputs:
        if o in blocked:
            continue
        stack, seen = [o], {o}
        while stack:
            node = stack.pop()
            for child in graph.variables.successors(node):
                if child in blocked or child in seen:
                    continue
                if child in inputs:
                    raise ChoiceError(f"{o} reaches {child} without passing through {', '.join(via)}; "
                                      f"add a name on that path (or {child} itself) to the intermediates")
                seen.add(child)
                stack.append(child)


def _jacobian_fd(req: Request) -> np.ndarray:
    """Central differences, one column per input."""
    graph, outputs, point = req.graph, req.outputs, req.point
    out = np.zeros((len(outputs), len(req.inputs)))
    for j, x in enumerate(req.inputs):
        h = default_step(point[x])
        plus = graph.forward_values({**point, x: point[x] + h})
        minus = graph.forward_values({**point, x: point[x] - h})
        out[:, j] = [(plus[o] - minus[o]) / (2 * h) for o in outputs]
    return out


@dataclass(frozen=True)
class ProductCheck:
    """J·v by one forward sweep, uᵀJ by one reverse sweep, and uᵀ(Jv) against (uᵀJ)v."""

    jvp: np.ndarray  # J·v, one entry per output
    vjp: np.ndarray  # uᵀJ, one entry per input
    u_dot_jvp: float
    vjp_dot_v: float

    @property
    def agree(self) -> bool:
        return PRODUCT.within(self.u_dot_jvp, self.vjp_dot_v, Scale())


def jvp_vjp(graph: ChainGraph, outputs: Sequence[str], inputs: Sequence[str], point: Mapping[str, float],
            v: Sequence[float], u: Sequence[float], evaluation: PointEvaluation | None = None) -> ProductCheck:
    if len(v) != len(inputs) or len(u) != len(outputs):
        raise ChoiceError(f"v needs {len(inputs)} entries (one per input) and u {len(outputs)} "
                          "(one per output)")
    ev = evaluation if evaluation is not None else graph.evaluate(point)
    ops = graph.operations
    tangent = forward_sweep(ops, ev.op_partials, dict(zip(inputs, map(float, v), strict=True)))
    adjoint = reverse_sweep(ops, ev.op_partials, dict(zip(outputs, map(float, u), strict=True)))
    jv = np.array([tangent[o] for o in outputs])
    uj = np.array([adjoint[x] for x in inputs])
    return ProductCheck(jv, uj, float(np.dot(u, jv)), float(np.dot(uj, v)))
