"""Second derivatives: the chain rule one level deeper, and the Hessian.

For z = f(u₁, …, u_k) with each u_i a function of x,

    d²z/dx² = Σ_ij ∂²f/∂u_i∂u_j · u_i′ · u_j′  +  Σ_i ∂f/∂u_i · u_i″,

which for a single inner function is the textbook f″(g)·g′² + f′(g)·g″.  The terms use
SymPy's partials of the outer definition and the inner derivatives from a Taylor sweep.
Checks: forward-over-reverse (a Hessian–vector product), Taylor mode (forward over
forward), SymPy's second derivative, and a second central difference.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

import networkx as nx
import numpy as np
import sympy as sp

from chainrule_gui.core.calculus.agreement import (
    FINITE_DIFFERENCE,
    SYMMETRY,
    CheckedResult,
    Judge,
    Scale,
    matrix_size,
)
from chainrule_gui.core.calculus.derivation import (
    composed_checked,
    composed_with_cut,
    crossed_kink,
    is_kink,
    rough_note,
    rough_primitive,
    symbolic_check,
    symbolic_derivative,
)
from chainrule_gui.core.calculus.finite_difference import EPSILON, FiniteDifference, estimate
from chainrule_gui.core.calculus.request import (
    Request,
    check_cut,
    present,
    symbolic_matrix,
    symbolic_matrix_at,
    symbolic_value,
)
from chainrule_gui.core.errors import ChainRuleError
from chainrule_gui.core.expressions.numeric import evaluate as evaluate_sympy
from chainrule_gui.core.graph.accumulate import forward_sweep, hessian_vector_sweep, reverse_sweep, taylor_sweep
from chainrule_gui.core.graph.chain_graph import ChainGraph, PointEvaluation


@dataclass(frozen=True)
class ChainTerm:
    """One term of the second-order chain rule: an outer partial times inner derivatives."""

    label: str  # "d²z/du² · (du/dx)²"
    outer: sp.Expr  # the outer partial, symbolic
    outer_value: float
    inner_value: float
    value: float


@dataclass(frozen=True)
class SecondDerivation(CheckedResult):
    """d²(of)/d(wrt)² at a point, with the chain-rule terms and four checks."""

    of: str
    wrt: str
    point: dict[str, float]
    value: float
    first: float
    second: float
    second_expr: sp.Expr | None
    terms: tuple[ChainTerm, ...]
    inner: dict[str, tuple[float, float]]  # u -> (du/dx, d²u/dx²), for each u the output sees move
    methods: dict[str, float | None]
    agreement: dict[str, bool | None]
    notes: tuple[str, ...]
    finite_difference: FiniteDifference | None = None

    SYMBOLIC_FIELD: ClassVar[str] = "second_expr"


def _d(single: bool, order: int = 1) -> str:
    d = "d" if single else "∂"
    return d if order == 1 else f"{d}²"


def derive_second(graph: ChainGraph, of: str, wrt: str, point: Mapping[str, float],
                  *, symbolic: bool = True, evaluation: PointEvaluation | None = None,
                  cut: Iterable[tuple[str, str]] = ()) -> SecondDerivation:
    """d²(of)/d(wrt)² by the second-order chain rule and four checks.  Cut edges
    (stop-gradient) hold their child's value fixed, as in :func:`derivation.derive`.

    A GUI asks with ``symbolic=False`` for each point and adds SymPy's second derivative,
    computed once (:func:`symbolic_second`), with :func:`with_symbolic_second`."""
    req = Request.checked(graph, (of,), (wrt,), cut).at(point, evaluation)
    ev = req.evaluated
    first, second = taylor_sweep(graph.operations, ev.op_values, {wrt: 1.0}, req.op_cut)
    adjoint, hv = hessian_vector_sweep(graph.operations, ev.op_values, of, {wrt: 1.0}, req.op_cut)
    rule = _ChainRule(req, first, second)
    terms = rule.terms()
    reference = hv[wrt]
    expr, symbolic_at, symbolic_note = symbolic_check(req, symbolic, order=2)
    fd, fd_note = _second_fd(req, reference)
    methods: dict[str, float | None] = {
        "paths": math.fsum(t.value for t in terms),
        "reverse": reference,
        "forward": second[of],
        "symbolic": symbolic_at,
        "finite_difference": None if fd is None else fd.value,
    }
    skip = (FINITE_DIFFERENCE,) if ev.kinks or fd_note else ()
    agreement = _second_judge(reference, terms, fd).agreement(methods, skip=skip)
    notes = (*ev.kinks, *present(symbolic_note, fd_note))
    return SecondDerivation(of, wrt, dict(ev.point), ev.values[of], adjoint[wrt], reference, expr,
                            terms, rule.inner(), methods, agreement, notes, fd)


def _second_judge(reference: float, terms, fd: FiniteDifference | None) -> Judge:
    return Judge.of("second", result=max([abs(reference)] + [abs(t.value) for t in terms]),
                    estimate=0.0 if fd is None else fd.error_estimate)


def symbolic_second(graph: ChainGraph, of: str, wrt: str, cut: Iterable[tuple[str, str]] = ()):
    """SymPy's d²(of)/d(wrt)² as (expression, None), or (None, why): the slow part of the
    SymPy check, the same at every point."""
    return symbolic_derivative(graph, of, wrt, check_cut(graph, cut), order=2)


def with_symbolic_second(graph: ChainGraph, d: SecondDerivation, symbolic) -> SecondDerivation:
    """``d`` with SymPy's second derivative (from :func:`symbolic_second` for the same
    output, input and cut) evaluated at its point and compared; nothing else is computed
    again."""
    expr, note = symbolic
    value = None
    if expr is not None:
        inputs = {graph.program.symbols[n]: d.point[n] for n in graph.inputs}
        value, note = symbolic_value(lambda: evaluate_sympy(expr, inputs, f"d²{d.of}/d{d.wrt}²"),
                                     "second derivative")
    mark = None if value is None else _second_judge(d.second, d.terms, d.finite_difference).close(
        "symbolic", value, d.second)
    return replace(d, second_expr=expr, methods={**d.methods, "symbolic": value},
                   agreement={**d.agreement, "symbolic": mark}, notes=(*d.notes, *present(note)))


class _ChainRule:
    """The terms of d²(of)/d(wrt)² = Σ ∂²f/∂u∂v · u′v′ + Σ ∂f/∂u · u″ over what ``of`` uses
    directly (past no cut edge), from the Taylor sweep's ``first`` and ``second``."""

    def __init__(self, req: Request, first: Mapping[str, float], second: Mapping[str, float]):
        self.req, self.first, self.second = req, first, second
        graph, of = req.graph, req.of
        program = graph.program
        self.outer_expr = program.definitions[of].sym
        self.symbols = program.symbols
        deps = list(graph.variables.successors(of))
        self.single = len(deps) == 1
        self.live = [u for u in deps if (of, u) not in req.cut]  # what of sees move
        self.moving = [u for u in self.live if req.wrt in graph.inputs_of(u)]
        ev = req.evaluated
        self.values = {program.symbols[n]: v for n, v in ev.values.items() if n in program.symbols}

    def inner(self) -> dict[str, tuple[float, float]]:
        return {u: (self.first[u], self.second[u]) for u in self.live}  # a cut child is a constant to of

    def terms(self) -> tuple[ChainTerm, ...]:
        pairs = [self._pair_term(u, v) for i, u in enumerate(self.moving) for v in self.moving[i:]]
        inner = [self._inner_term(u) for u in self.moving if u != self.req.wrt]
        return tuple(t for t in pairs + inner if t is not None)

    def _pair_term(self, u: str, v: str) -> ChainTerm | None:
        """∂²f/∂u∂v · u′v′ (twice over for u ≠ v), or None where ∂²f/∂u∂v is 0."""
        of, wrt, first = self.req.of, self.req.wrt, self.first
        outer = sp.diff(self.outer_expr, self.symbols[u], self.symbols[v])
        if outer == 0:
            return None
        if u == v:
            label_outer = f"{_d(self.single, 2)}{of}/{_d(self.single)}{u}²"
            inner_label = "" if u == wrt else f" · (d{u}/d{wrt})²"
            inner_value, factor = first[u] ** 2, 1.0
        else:
            label_outer = f"2 · ∂²{of}/∂{u}∂{v}"
            inner_label = " · ".join([""] + [f"d{w}/d{wrt}" for w in (u, v) if w != wrt])
            inner_value, factor = first[u] * first[v], 2.0
        outer_value = evaluate_sympy(outer, self.values, label_outer)
        return ChainTerm(label_outer + inner_label, outer, outer_value, inner_value,
                         factor * outer_value * inner_value)

    def _inner_term(self, u: str) -> ChainTerm:
        """∂f/∂u · u″."""
        of, wrt = self.req.of, self.req.wrt
        outer = sp.diff(self.outer_expr, self.symbols[u])
        label = f"{_d(self.single)}{of}/{_d(self.single)}{u} · d²{u}/d{wrt}²"
        outer_value = evaluate_sympy(outer, self.values, label)
        return ChainTerm(label, outer, outer_value, self.second[u], outer_value * self.second[u])


def _second_fd(req: Request, reference: float) -> tuple[FiniteDifference | None, str | None]:
    """The second central difference, and a note when it cannot be evaluated or cannot
    confirm the second derivative here (not checked at a kink, whose note says so)."""
    try:
        fd = estimate(req.along(), req.point[req.wrt], order=2)
    except ChainRuleError as exc:
        return None, f"finite differences could not be evaluated next to the point: {exc}"
    if req.evaluated.kinks:
        return fd, None
    return fd, _second_fd_note(req, fd, reference)


@dataclass(frozen=True)
class HessianResult(CheckedResult):
    """The Hessian of a scalar output: reverse (forward-over-reverse), Taylor, SymPy, FD."""

    of: str
    wrt: tuple[str, ...]
    point: dict[str, float]
    matrix: np.ndarray  # forward-over-reverse
    methods: dict[str, np.ndarray | None]
    agreement: dict[str, bool | None]
    symmetric: bool
    exprs: tuple[tuple[sp.Expr, ...], ...] | None
    notes: tuple[str, ...] = ()
    #: Kinks (relu, abs with argument 0) that the output passes through and that move with a
    #: chosen input, as "abs(x - y), where x - y = 0": the slope jumps there, so the second
    #: derivatives through them do not exist and ``matrix`` only holds the sweeps' convention.
    kinks: tuple[str, ...] = ()

    SYMBOLIC_FIELD: ClassVar[str] = "exprs"


def _second_fd_note(req: Request, fd: FiniteDifference, exact: float) -> str | None:
    """Why the second difference cannot confirm d²f/dx² here (a kink or a singularity within
    its step), or None.

    Checked when the difference disagrees, and also when its own error estimate is not
    small beside it: across a kink the estimate is as large as the value, and would let
    anything "agree" (sqrt(x²) at x = 1e-6: 16250 against 0)."""
    imprecise = fd.error_estimate > 1e-4 * max(abs(fd.value), abs(exact))
    if fd.agrees_with(exact) and not imprecise:
        return None
    return _not_smooth_along(req, req.wrt, fd.step, abs(fd.value - exact))


def _not_smooth_along(req: Request, wrt: str, h: float, error: float, name_input: bool = False) -> str | None:
    """A note when a kink or a singularity lies within ±h along ``wrt`` and explains a second
    difference's ``error``, else None."""
    graph, of, ev, frozen, op_cut = req.graph, req.of, req.evaluated, req.frozen, req.op_cut
    kink = crossed_kink(graph, ev.point, wrt, h, frozen)
    if kink:
        along = f" along {wrt}" if name_input else ""
        return (f"{kink} has a kink within ±{h:.1e} of the point{along}, where the one-sided slopes "
                "differ; finite differences cannot confirm the second derivative there")
    op_adjoints = reverse_sweep(graph.operations, ev.op_partials, {of: 1.0}, cut=op_cut)
    op_tangents = forward_sweep(graph.operations, ev.op_partials, {wrt: 1.0}, cut=op_cut)
    try:
        spot = rough_primitive(graph, wrt, ev, frozen, h, op_adjoints, op_tangents, op_cut)
    except ChainRuleError:
        return None
    # A slope that departs within the step moves df/dx by about spot.weight, which the second
    # difference divides by h: named when that is a tenth of its error, or of df/dx itself.
    if spot is not None and spot.weight >= 0.1 * min(h * error, abs(op_tangents[of])):
        return rough_note(spot, h, "the second derivative", wrt if name_input else None)
    return None


def hessian(graph: ChainGraph, of: str, wrt: Sequence[str], point: Mapping[str, float],
            *, symbolic: bool = True, cut: Iterable[tuple[str, str]] = ()) -> HessianResult:
    """The Hessian of ``of`` over the inputs ``wrt``; cut edges hold their child fixed.
    SymPy's part can be added later: :func:`symbolic_hessian`, :func:`with_symbolic_hessian`."""
    req = Request.checked(graph, (of,), tuple(wrt), cut).at(point)
    ev = req.evaluated
    reverse = _reverse_hessian(req)
    taylor = _taylor_hessian(req)
    exprs, sym_matrix, symbolic_note = _symbolic_hessian(req, symbolic)
    fd = _hessian_fd(req)
    scale = matrix_size(reverse)
    judge = Judge.of("hessian", result=scale, function=max(1.0, abs(ev.values[of])))
    fd_notes = () if ev.kinks or judge.close(FINITE_DIFFERENCE, fd, reverse) else _hessian_fd_notes(req, fd, reverse)
    methods = {"reverse": reverse, "forward": taylor, "symbolic": sym_matrix, "finite_difference": fd}
    agreement = judge.agreement(methods, skip=(FINITE_DIFFERENCE,) if ev.kinks or fd_notes else ())
    symmetric = SYMMETRY.within(reverse, reverse.T, Scale(result=scale))
    notes = (*ev.kinks, *present(symbolic_note), *fd_notes)
    return HessianResult(of, req.inputs, dict(ev.point), reverse, methods, agreement, symmetric, exprs,
                         notes, _kinks_below(req))


def _reverse_hessian(req: Request) -> np.ndarray:
    """Column j by one forward-over-reverse sweep seeded with input j (a Hessian–vector product)."""
    wrt, ev = req.inputs, req.evaluated
    reverse = np.zeros((len(wrt), len(wrt)))
    for j, xj in enumerate(wrt):
        _, hv = hessian_vector_sweep(req.graph.operations, ev.op_values, req.of, {xj: 1.0}, req.op_cut)
        reverse[:, j] = [hv[xi] for xi in wrt]
    return reverse


def _taylor_hessian(req: Request) -> np.ndarray:
    """Taylor mode gives second directional derivatives; polarization recovers H_ij."""
    wrt, n = req.inputs, len(req.inputs)

    def along(seed: dict[str, float]) -> float:
        return taylor_sweep(req.graph.operations, req.evaluated.op_values, seed, req.op_cut)[1][req.of]

    taylor = np.zeros((n, n))
    diag = [along({x: 1.0}) for x in wrt]
    for i in range(n):
        taylor[i, i] = diag[i]
        for j in range(i + 1, n):
            both = along({wrt[i]: 1.0, wrt[j]: 1.0})
            taylor[i, j] = taylor[j, i] = (both - diag[i] - diag[j]) / 2.0
    return taylor


def _symbolic_hessian(req: Request, symbolic: bool):
    """SymPy's second partials of the (cut) substituted output, their values here, and a
    note when either is missing."""
    if not symbolic:
        return None, None, None
    _, note = composed_checked(req.graph, req.of)
    if note:
        return None, None, note
    expr, meaning = composed_with_cut(req.graph, req.of, req.cut)
    symbols = [req.graph.program.symbols[x] for x in req.inputs]
    exprs = tuple(tuple(sp.diff(expr, a, b).xreplace(meaning) for b in symbols) for a in symbols)
    matrix, note = symbolic_matrix(req, exprs, "Hessian")
    return exprs, matrix, note


def symbolic_hessian(graph: ChainGraph, of: str, wrt: Sequence[str], cut: Iterable[tuple[str, str]] = ()):
    """SymPy's second partials of ``of`` over ``wrt`` as (rows of expressions, None), or
    (None, why) when ``of`` is too large: the slow part of the check, the same at every point."""
    _, note = composed_checked(graph, of)
    if note:
        return None, note
    expr, meaning = composed_with_cut(graph, of, check_cut(graph, cut))
    symbols = [graph.program.symbols[x] for x in wrt]
    return tuple(tuple(sp.diff(expr, a, b).xreplace(meaning) for b in symbols) for a in symbols), None


def with_symbolic_hessian(graph: ChainGraph, h: HessianResult, symbolic) -> HessianResult:
    """``h`` with SymPy's Hessian (from :func:`symbolic_hessian` for the same output, inputs
    and cut) evaluated at its point and compared; nothing else is computed again."""
    exprs, note = symbolic
    matrix = None
    if exprs is not None:
        matrix, note = symbolic_matrix_at(graph, h.point, exprs, "Hessian")
    judge = Judge.of("hessian", result=matrix_size(h.matrix), function=1.0)
    mark = None if matrix is None else judge.close("symbolic", matrix, h.matrix)
    return replace(h, methods={**h.methods, "symbolic": matrix}, exprs=exprs, notes=(*h.notes, *present(note)),
                   agreement={**h.agreement, "symbolic": mark})


def _hessian_fd_notes(req: Request, fd: np.ndarray, reverse: np.ndarray) -> tuple[str, ...]:
    """Along each input in turn: a kink or singularity within its step that explains the miss."""
    notes = []
    for i, x in enumerate(req.inputs):
        error = float(np.max(np.abs(fd[i] - reverse[i])))
        note = _not_smooth_along(req, x, _hessian_step(req.point, x), error, name_input=True)
        if note:
            notes.append(note)
    return tuple(notes)


def _kinks_below(req: Request) -> tuple[str, ...]:
    """The kinks at this point that ``of`` sees move with one of the chosen inputs (past no cut edge)."""
    graph, ev = req.graph, req.evaluated
    ops = graph.operations
    below = nx.descendants(nx.restricted_view(ops, [], list(req.op_cut)), req.of)
    chosen = set(req.inputs)
    kinks = []
    for node in graph.op_order:
        if node not in below or not is_kink(graph, node):
            continue
        data = ops.nodes[node]
        argument = data["args"][0]
        if ev.op_values.get(argument) == 0.0 and chosen & graph.inputs_of(argument):
            kinks.append(f"{data['text']}, where {ops.nodes[argument]['text']} = 0")
    return tuple(kinks)


def _hessian_fd(req: Request) -> np.ndarray:
    """Second central differences, mixed ones over four corners."""
    wrt, point, n = req.inputs, req.point, len(req.inputs)
    out = np.zeros((n, n))

    def f(shift: dict[str, float]) -> float:
        return req.graph.forward_values({**point, **{k: point[k] + v for k, v in shift.items()}}, req.frozen)[req.of]

    hs = [_hessian_step(point, x) for x in wrt]
    f0 = f({})
    for i, xi in enumerate(wrt):
        hi = hs[i]
        out[i, i] = (f({xi: hi}) - 2 * f0 + f({xi: -hi})) / (hi * hi)
        for j in range(i + 1, n):
            xj, hj = wrt[j], hs[j]
            value = (f({xi: hi, xj: hj}) - f({xi: hi, xj: -hj}) - f({xi: -hi, xj: hj})
                     + f({xi: -hi, xj: -hj})) / (4 * hi * hj)
            out[i, j] = out[j, i] = value
    return out


def _hessian_step(point, x: str) -> float:
    return EPSILON**0.25 * max(1.0, abs(point[x]))
