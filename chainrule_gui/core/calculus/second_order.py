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

import networkx as nx
import numpy as np
import sympy as sp

from chainrule_gui.core.graph.accumulate import forward_sweep, hessian_vector_sweep, reverse_sweep, taylor_sweep
from chainrule_gui.core.graph.chain_graph import ChainGraph, PointEvaluation
from chainrule_gui.core.calculus.derivation import (
    METHOD_NAMES,
    check_choice,
    check_cut,
    composed_checked,
    composed_with_cut,
    crossed_kink,
    rough_note,
    rough_primitive,
    symbolic_derivative,
)
from chainrule_gui.core.errors import ChainRuleError
from chainrule_gui.core.calculus.finite_difference import EPSILON, FiniteDifference, estimate
from chainrule_gui.core.graph.numeric import evaluate as evaluate_sympy
from chainrule_gui.core.graph.ops import OPS

EXACT_RTOL = 1e-7


@dataclass(frozen=True)
class ChainTerm:
    """One term of the second-order chain rule: an outer partial times inner derivatives."""

    label: str  # "d²z/du² · (du/dx)²"
    outer: sp.Expr  # the outer partial, symbolic
    outer_value: float
    inner_value: float
    value: float


@dataclass(frozen=True)
class SecondDerivation:
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

    @property
    def agree(self) -> bool:
        return all(v is not False for v in self.agreement.values())


def _d(name: str, single: bool, order: int = 1) -> str:
    d = "d" if single else "∂"
    return d if order == 1 else f"{d}²"


def derive_second(graph: ChainGraph, of: str, wrt: str, point: Mapping[str, float],
                  *, symbolic: bool = True, evaluation: PointEvaluation | None = None,
                  cut: Iterable[tuple[str, str]] = ()) -> SecondDerivation:
    """d²(of)/d(wrt)² by the second-order chain rule and four checks.  Cut edges
    (stop-gradient) hold their child's value fixed, as in :func:`derivation.derive`.

    A GUI asks with ``symbolic=False`` for each point and adds SymPy's second derivative,
    computed once (:func:`symbolic_second`), with :func:`with_symbolic_second`."""
    check_choice(graph, of, wrt)
    cut = check_cut(graph, cut)
    ev = evaluation if evaluation is not None else graph.evaluate(point)
    notes = list(ev.kinks)
    ops = graph.operations
    op_cut = graph.operation_edges_of(cut)
    first, second = taylor_sweep(ops, ev.op_values, {wrt: 1.0}, op_cut)
    adjoint, hv = hessian_vector_sweep(ops, ev.op_values, of, {wrt: 1.0}, op_cut)
    frozen = {edge: ev.op_values[edge[1]] for edge in op_cut}

    program = graph.program
    outer_expr = program.definitions[of].sym
    deps = list(graph.variables.successors(of))
    single = len(deps) == 1
    live = [u for u in deps if (of, u) not in cut]  # what of sees move
    values = {program.symbols[n]: v for n, v in ev.values.items() if n in program.symbols}
    terms: list[ChainTerm] = []
    inner = {u: (first[u], second[u]) for u in live}  # a cut child is a constant to of
    for i, u in enumerate(live):
        for v in live[i:]:
            if wrt not in graph.inputs_of(u) or wrt not in graph.inputs_of(v):
                continue
            outer = sp.diff(outer_expr, program.symbols[u], program.symbols[v])
            if outer == 0:
                continue
            label_outer = (f"{_d(of, single, 2)}{of}/{_d(of, single)}{u}²" if u == v
                           else f"∂²{of}/∂{u}∂{v}")
            if u == v:
                inner_label = "" if u == wrt else f" · (d{u}/d{wrt})²"
                inner_value = first[u] ** 2
                factor = 1.0
            else:
                inner_label = " · ".join([""] + [f"d{w}/d{wrt}" for w in (u, v) if w != wrt])
                inner_value = first[u] * first[v]
                factor = 2.0
                label_outer = f"2 · {label_outer}"
            outer_value = evaluate_sympy(outer, values, label_outer)
            terms.append(ChainTerm(label_outer + inner_label, outer, outer_value, inner_value,
                                   factor * outer_value * inner_value))
    for u in live:
        if u == wrt or wrt not in graph.inputs_of(u):
            continue
        outer = sp.diff(outer_expr, program.symbols[u])
        label = f"{_d(of, single)}{of}/{_d(of, single)}{u} · d²{u}/d{wrt}²"
        outer_value = evaluate_sympy(outer, values, label)
        terms.append(ChainTerm(label, outer, outer_value, second[u], outer_value * second[u]))

    methods: dict[str, float | None] = {
        "paths": math.fsum(t.value for t in terms),
        "reverse": hv[wrt],
        "forward": second[of],
        "symbolic": None,
        "finite_difference": None,
    }

    def f(x: float) -> float:
        return graph.forward_values({**ev.point, wrt: x}, frozen)[of]

    fd = None
    try:
        fd = estimate(f, ev.point[wrt], order=2)
        methods["finite_difference"] = fd.value
    except ChainRuleError as exc:
        notes.append(f"finite differences could not be evaluated next to the point: {exc}")
    reference = methods["reverse"]
    fd_note = None
    if fd is not None and not ev.kinks:
        fd_note = _second_fd_note(graph, of, wrt, ev, frozen, fd, reference, op_cut)
        if fd_note:
            notes.append(fd_note)
    agreement = {}
    for name in METHOD_NAMES:
        value = methods[name]
        if value is None:
            agreement[name] = None
        elif name == "finite_difference":
            agreement[name] = None if ev.kinks or fd_note else fd.agrees_with(reference)
        else:
            agreement[name] = _agrees_exactly(value, reference, terms)
    d = SecondDerivation(of, wrt, dict(ev.point), ev.values[of], adjoint[wrt], reference, None,
                         tuple(terms), inner, methods, agreement, tuple(notes), fd)
    return with_symbolic_second(graph, d, symbolic_second(graph, of, wrt, cut)) if symbolic else d


def _agrees_exactly(value: float, reference: float, terms: Sequence[ChainTerm]) -> bool:
    """An exact method's value agrees with forward-over-reverse (up to rounding in the terms)."""
    magnitude = max([abs(reference)] + [abs(t.value) for t in terms])
    return math.isfinite(value) and abs(value - reference) <= (
        EXACT_RTOL * abs(reference) + 1e-9 * magnitude + 1e-300)


def symbolic_second(graph: ChainGraph, of: str, wrt: str, cut: Iterable[tuple[str, str]] = ()):
    """SymPy's d²(of)/d(wrt)² as (expression, None), or (None, why): the slow part of the
    SymPy check, the same at every point."""
    return symbolic_derivative(graph, of, wrt, check_cut(graph, cut), order=2)


def with_symbolic_second(graph: ChainGraph, d: SecondDerivation, symbolic) -> SecondDerivation:
    """``d`` with SymPy's second derivative (from :func:`symbolic_second` for the same
    output, input and cut) evaluated at its point and compared; nothing else is computed
    again."""
    expr, note = symbolic
    notes = list(d.notes) + ([note] if note else [])
    value = None
    if expr is not None:
        inputs = {graph.program.symbols[n]: d.point[n] for n in graph.inputs}
        try:
            value = evaluate_sympy(expr, inputs, f"d²{d.of}/d{d.wrt}²")
        except ChainRuleError as exc:
            notes.append(f"SymPy's second derivative could not be evaluated here: {exc}")
    agrees = None if value is None else _agrees_exactly(value, d.second, d.terms)
    return replace(d, second_expr=expr, methods={**d.methods, "symbolic": value},
                   agreement={**d.agreement, "symbolic": agrees}, notes=tuple(notes))


@dataclass(frozen=True)
class HessianResult:
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

    @property
    def agree(self) -> bool:
        return all(v is not False for v in self.agreement.values())


def _second_fd_note(graph: ChainGraph, of: str, wrt: str, ev: PointEvaluation, frozen: dict, fd, exact: float,
                    op_cut) -> str | None:
    """Why the second difference cannot confirm d²f/dx² here (a kink or a singularity within
    its step), or None.

    Checked when the difference disagrees, and also when its own error estimate is not
    small beside it: across a kink the estimate is as large as the value, and would let
    anything "agree" (sqrt(x²) at x = 1e-6: 16250 against 0)."""
    imprecise = fd.error_estimate > 1e-4 * max(abs(fd.value), abs(exact))
    if fd.agrees_with(exact) and not imprecise:
        return None
    return _not_smooth_along(graph, of, wrt, ev, frozen, fd.step, abs(fd.value - exact), op_cut)


def _not_smooth_along(graph: ChainGraph, of: str, wrt: str, ev: PointEvaluation, frozen: dict, h: float,
                      error: float, op_cut, name_input: bool = False) -> str | None:
    """A note when a kink or a singularity lies within ±h along ``wrt`` and explains a second
    difference's ``error``, else None."""
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
    for name in wrt:
        check_choice(graph, of, name)
    cut = check_cut(graph, cut)
    ev = graph.evaluate(point)
    ops = graph.operations
    op_cut = graph.operation_edges_of(cut)
    frozen = {edge: ev.op_values[edge[1]] for edge in op_cut}
    n = len(wrt)
    reverse = np.zeros((n, n))
    for j, xj in enumerate(wrt):
        _, hv = hessian_vector_sweep(ops, ev.op_values, of, {xj: 1.0}, op_cut)
        reverse[:, j] = [hv[xi] for xi in wrt]
    # Taylor mode gives second directional derivatives; polarization recovers H_ij.
    taylor = np.zeros((n, n))
    diag = [taylor_sweep(ops, ev.op_values, {x: 1.0}, op_cut)[1][of] for x in wrt]
    for i in range(n):
        taylor[i, i] = diag[i]
        for j in range(i + 1, n):
            both = taylor_sweep(ops, ev.op_values, {wrt[i]: 1.0, wrt[j]: 1.0}, op_cut)[1][of]
            taylor[i, j] = taylor[j, i] = (both - diag[i] - diag[j]) / 2.0
    notes = list(ev.kinks)
    fd = _hessian_fd(graph, of, wrt, ev.point, frozen)
    scale = max(1e-300, float(np.max(np.abs(reverse))) if n else 0.0)
    fd_tol = _fd_tolerance(graph, of, wrt, ev.point) + 1e-6 * scale
    fd_notes = []
    if not ev.kinks and not np.all(np.abs(fd - reverse) <= fd_tol):
        # Along each input in turn: a kink or singularity within its step explains the miss.
        for i, x in enumerate(wrt):
            error = float(np.max(np.abs(fd[i] - reverse[i])))
            note = _not_smooth_along(graph, of, x, ev, frozen, _hessian_step(ev.point, x), error, op_cut,
                                     name_input=True)
            if note:
                fd_notes.append(note)
        notes += fd_notes
    agreement = {
        "reverse": True,
        "forward": _same_hessian(taylor, reverse),
        "symbolic": None,
        "finite_difference": None if ev.kinks or fd_notes else bool(np.all(np.abs(fd - reverse) <= fd_tol)),
    }
    symmetric = bool(np.allclose(reverse, reverse.T, rtol=1e-9, atol=1e-12 * scale))
    h = HessianResult(of, tuple(wrt), dict(ev.point), reverse,
                      {"reverse": reverse, "forward": taylor, "symbolic": None, "finite_difference": fd},
                      agreement, symmetric, None, tuple(notes), _kinks_below(graph, ev, of, wrt, op_cut))
    return with_symbolic_hessian(graph, h, symbolic_hessian(graph, of, wrt, cut)) if symbolic else h


def _same_hessian(matrix: np.ndarray, reverse: np.ndarray) -> bool:
    scale = max(1e-300, float(np.max(np.abs(reverse))) if reverse.size else 0.0)
    return bool(np.allclose(matrix, reverse, rtol=EXACT_RTOL, atol=1e-9 * scale))


def symbolic_hessian(graph: ChainGraph, of: str, wrt: Sequence[str], cut: Iterable[tuple[str, str]] = ()):
    """SymPy's second partials of ``of`` over ``wrt`` as (rows of expressions, None), or
    (None, why) when ``of`` is too large: the slow part of the check, the same at every point."""
    expr, note = composed_checked(graph, of)
    if note:
        return None, note
    expr, meaning = composed_with_cut(graph, of, check_cut(graph, cut))
    symbols = [graph.program.symbols[x] for x in wrt]
    return tuple(tuple(sp.diff(expr, a, b).xreplace(meaning) for b in symbols) for a in symbols), None


def with_symbolic_hessian(graph: ChainGraph, h: HessianResult, symbolic) -> HessianResult:
    """``h`` with SymPy's Hessian (from :func:`symbolic_hessian` for the same output, inputs
    and cut) evaluated at its point and compared; nothing else is computed again."""
    exprs, note = symbolic
    notes = list(h.notes) + ([note] if note else [])
    matrix = None
    if exprs is not None:
        inputs = {graph.program.symbols[x]: h.point[x] for x in graph.inputs}
        try:
            matrix = np.array([[evaluate_sympy(e, inputs) for e in row] for row in exprs])
        except ChainRuleError as exc:
            notes.append(f"SymPy's Hessian could not be evaluated here: {exc}")
    return replace(h, methods={**h.methods, "symbolic": matrix}, exprs=exprs, notes=tuple(notes),
                   agreement={**h.agreement, "symbolic": None if matrix is None else _same_hessian(matrix, h.matrix)})


def _kinks_below(graph: ChainGraph, ev: PointEvaluation, of: str, wrt: Sequence[str],
                 op_cut) -> tuple[str, ...]:
    """The kinks at this point that ``of`` sees move with one of ``wrt`` (past no cut edge)."""
    ops = graph.operations
    below = nx.descendants(nx.restricted_view(ops, [], list(op_cut)), of)
    chosen = set(wrt)
    kinks = []
    for node in graph.op_order:
        data = ops.nodes[node]
        if node not in below or data["kind"] != "op" or not OPS[data["op"]].kink:
            continue
        argument = data["args"][0]
        if ev.op_values.get(argument) == 0.0 and chosen & graph.inputs_of(argument):
            kinks.append(f"{data['text']}, where {ops.nodes[argument]['text']} = 0")
    return tuple(kinks)


def _hessian_fd(graph, of, wrt, point, frozen=None) -> np.ndarray:
    n = len(wrt)
    out = np.zeros((n, n))

    def f(shift: dict[str, float]) -> float:
        return graph.forward_values({**point, **{k: point[k] + v for k, v in shift.items()}}, frozen)[of]

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


def _fd_tolerance(graph, of, wrt, point) -> float:
    """A second difference at h ≈ ε^¼ is good to about 1e-8·|f|; allow a wide margin."""
    f0 = abs(graph.forward_values(point)[of])
    return 1e-5 * max(1.0, f0)
