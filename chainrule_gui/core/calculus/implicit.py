"""Implicit differentiation: the slope dy/dx along a curve F(x, y) = 0.

Differentiating F(x, y(x)) = 0 by the chain rule gives F_x + F_y · dy/dx = 0, so
dy/dx = −F_x / F_y wherever F_y ≠ 0.  F_x and F_y are computed by each method (paths,
reverse, forward, SymPy, finite differences of F); the finite-difference check also
walks along the curve itself, solving F(x ± h, y) = 0 for y by Newton's method.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import sympy as sp

from chainrule_gui.core.calculus.agreement import CheckedResult, Judge
from chainrule_gui.core.calculus.derivation import METHOD_NAMES, Derivation, derive
from chainrule_gui.core.calculus.finite_difference import default_step
from chainrule_gui.core.calculus.request import Request
from chainrule_gui.core.errors import ChainRuleError, ChoiceError
from chainrule_gui.core.graph.accumulate import reverse_sweep
from chainrule_gui.core.graph.chain_graph import RELATION_NODE, ChainGraph
from chainrule_gui.core.language.lookalikes import with_lookalike_notes

#: |F| at the point, relative to the size of its terms, above which the point is off the curve.
ON_CURVE_RTOL = 1e-6


@dataclass(frozen=True)
class ImplicitDerivation(CheckedResult):
    """d(of)/d(wrt) along F = 0, with F_x and F_y from each method."""

    of: str
    wrt: str
    point: dict[str, float]
    residual: float  # F at the point
    derivative: float
    derivative_expr: sp.Expr | None  # −F_x/F_y
    F_expr: sp.Expr
    partials: dict[str, tuple[float | None, float | None]]  # method -> (F_x, F_y)
    methods: dict[str, float | None]
    agreement: dict[str, bool | None]
    notes: tuple[str, ...] = ()
    F_wrt: Derivation | None = None  # ∂F/∂(wrt): its paths, checks and tree
    F_of: Derivation | None = None  # ∂F/∂(of)

    SYMBOLIC_FIELD: ClassVar[str] = "derivative_expr"


def implicit_derivative(graph: ChainGraph, of: str, wrt: str, point: Mapping[str, float],
                        *, symbolic: bool = True, symbolic_exprs=None) -> ImplicitDerivation:
    """dy/dx on the curve F = 0 with ``of`` = y and ``wrt`` = x (both inputs of F).

    ``symbolic_exprs`` = (∂F/∂wrt, ∂F/∂of) from SymPy when the caller has them already (a
    GUI computes them off the GUI thread)."""
    req = _on_curve(_implicit_request(graph, of, wrt, point), point)
    ev = req.evaluated
    given_fx, given_fy = symbolic_exprs if symbolic_exprs is not None else (None, None)
    fx = derive(graph, RELATION_NODE, wrt, point, evaluation=ev, symbolic=symbolic, symbolic_expr=given_fx)
    fy = derive(graph, RELATION_NODE, of, point, evaluation=ev, symbolic=symbolic, symbolic_expr=given_fy)
    _check_not_vertical(fx, fy, of, wrt)
    partials = {name: (fx.methods[name], fy.methods[name]) for name in METHOD_NAMES}
    methods = {name: _slope(*pair) for name, pair in partials.items()}
    fd_on_curve = _slope_along_curve(graph, of, wrt, dict(ev.point))
    if fd_on_curve is not None:
        methods["finite_difference"] = fd_on_curve
    derivative = -fx.derivative / fy.derivative  # methods["reverse"], known: F_y ≠ 0 was checked
    agreement = Judge.of("implicit", result=max(1.0, abs(derivative))).agreement(methods)
    fx_expr, fy_expr = fx.derivative_expr, fy.derivative_expr
    expr = -fx_expr / fy_expr if fx_expr is not None and fy_expr is not None else None
    notes = (*fx.notes, *(n for n in fy.notes if n not in fx.notes))
    ordered = {n: ev.point[n] for n in graph.inputs}  # F(x, y, z) reads in the equation's order
    return ImplicitDerivation(of, wrt, ordered, ev.values[RELATION_NODE], derivative, expr,
                              graph.composed(RELATION_NODE), partials, methods, agreement, notes, fx, fy)


def _implicit_request(graph: ChainGraph, of: str, wrt: str, point: Mapping[str, float]) -> Request:
    """F's partials by ``wrt`` and ``of``, both variables of an equation, with a value for each."""
    if graph.program.relation is None:
        raise ChoiceError("implicit differentiation needs an equation such as x^2 + y^2 = 1 "
                          "(a left side that is not just a name, or use the implicit option)")
    for name, role in ((of, "dependent variable (--of)"), (wrt, "independent variable (--wrt)")):
        if name not in graph.inputs:
            raise ChoiceError(f"{name!r} cannot be the {role}: choose one of the equation's free "
                              f"variables: {', '.join(graph.inputs)}")
    if of == wrt:
        raise ChoiceError("the two variables must differ, e.g. --of y --wrt x")
    missing = [n for n in graph.inputs if n not in point]
    if missing:
        raise ChoiceError(with_lookalike_notes("give a value for every variable; missing: " + ", ".join(missing),
                                               missing))
    return Request(graph, (RELATION_NODE,), (wrt, of))


def _on_curve(req: Request, point: Mapping[str, float]) -> Request:
    """The request evaluated at ``point``, which must lie on the curve F = 0."""
    req = req.at(point)
    residual = req.evaluated.values[RELATION_NODE]
    if abs(residual) > ON_CURVE_RTOL * max(1.0, _term_scale(req.graph, req.evaluated.op_values)):
        wrt, of = req.inputs
        raise ChoiceError(_off_curve_message(req.graph, of, wrt, point, residual))
    return req


def _check_not_vertical(fx: Derivation, fy: Derivation, of: str, wrt: str) -> None:
    """F_y must not vanish: y is then no function of x near the point."""
    if abs(fy.derivative) <= 1e-12 * max(1.0, abs(fx.derivative)):
        raise ChoiceError(
            f"∂F/∂{of} = 0 here, so the tangent is vertical and d{of}/d{wrt} is undefined "
            f"(the curve cannot be written as {of}({wrt}) near this point)")


def _slope(fx: float | None, fy: float | None) -> float | None:
    """−F_x/F_y, or None where a partial is missing or F_y is 0."""
    return None if fx is None or fy is None or fy == 0 else -fx / fy


def _term_scale(graph: ChainGraph, op_values) -> float:
    """The size of the two sides of the equation, to judge |F| against."""
    diff_node = graph.operations.nodes[RELATION_NODE]["args"][0]
    left, right = graph.operations.nodes[diff_node]["args"]
    return max(abs(op_values[left]), abs(op_values[right]))


def _solve_on_curve(graph: ChainGraph, of: str, point: dict[str, float], start: float) -> float | None:
    """Newton's method for F(…, of = y, …) = 0 from y = start; None if it does not converge."""
    y = start
    for _ in range(50):
        try:
            values = graph.forward_values({**point, of: y})
            ev_partials = graph.evaluate({**point, of: y}).op_partials
        except ChainRuleError:
            return None
        residual = values[RELATION_NODE]
        slope = reverse_sweep(graph.operations, ev_partials, {RELATION_NODE: 1.0})[of]
        if slope == 0 or not math.isfinite(slope):
            return None
        step = residual / slope
        y -= step
        if abs(step) <= 1e-14 * max(1.0, abs(y)):
            return y
    return None


def _slope_along_curve(graph: ChainGraph, of: str, wrt: str, point: dict[str, float]) -> float | None:
    x0, y0 = point[wrt], point[of]
    h = default_step(x0)
    ys = []
    for x in (x0 + h, x0 - h):
        y = _solve_on_curve(graph, of, {**point, wrt: x}, y0)
        if y is None:
            return None
        ys.append(y)
    return (ys[0] - ys[1]) / (2 * h)


def _off_curve_message(graph: ChainGraph, of: str, wrt: str, point, residual: float) -> str:
    where = ", ".join(f"{n} = {point[n]:g}" for n in graph.inputs)
    message = (f"the point ({where}) is not on the curve: F = left side − right side = "
               f"{residual:.6g} there, but it must be 0")
    fixed = _solve_on_curve(graph, of, dict(point), point[of])
    if fixed is not None:
        message += f"; for {wrt} = {point[wrt]:g} the curve passes through {of} = {fixed:.6g}"
    return message


def project_to_curve(graph: ChainGraph, of: str, point: Mapping[str, float]) -> float | None:
    """The y that puts ``point`` on the curve, searching from its current y (or None)."""
    return _solve_on_curve(graph, of, dict(point), point[of])

