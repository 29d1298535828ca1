"""The total derivative of one output with respect to one input, five ways, checked.

1. **paths** — every path from the output down to the input in the variable graph, each
   the product of SymPy's local partials along it, summed;
2. **reverse** — one adjoint sweep over the operation graph (each op's own derivative);
3. **forward** — one tangent sweep over the operation graph;
4. **symbolic** — SymPy differentiates the fully substituted expression;
5. **finite_difference** — a central difference of the composed function.

They use different machinery, so agreement is real evidence.  Paths are counted exactly
but listed only up to ``max_paths``; past the cap the total still comes exactly from
accumulation.  Cut edges (stop-gradient) hold a value fixed: their paths vanish.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import ClassVar

import networkx as nx
import sympy as sp

from chainrule_gui.core.calculus.agreement import FINITE_DIFFERENCE, CheckedResult, Judge
from chainrule_gui.core.calculus.finite_difference import EPSILON, FiniteDifference, central_difference, estimate
from chainrule_gui.core.calculus.request import Request, function_along, present, symbolic_value
from chainrule_gui.core.errors import ChainRuleError, NumericError
from chainrule_gui.core.expressions.numeric import evaluate as evaluate_sympy
from chainrule_gui.core.expressions.ops import OPS
from chainrule_gui.core.graph.accumulate import (
    OperationCounts,
    forward_sweep,
    operation_counts,
    reverse_sweep,
)
from chainrule_gui.core.graph.chain_graph import (
    RELATION_NODE,
    ChainGraph,
    PointEvaluation,
    derivative_symbol,
)
from chainrule_gui.core.graph.paths import count_paths, iter_paths

DEFAULT_MAX_PATHS = 1000
#: The substituted expression is differentiated symbolically only below this size.
MAX_SYMBOLIC_OPS = 4000
#: A local slope that departs from the mean of its values at x ± h by more than this share
#: of their size is not smooth on the scale of the finite-difference step.
ROUGH_RTOL = 0.25
#: Points across [x − h, x + h] at which the local slopes are compared (odd: x is one).
ROUGH_SAMPLES = 9
METHOD_NAMES = ("paths", "reverse", "forward", "symbolic", "finite_difference")
METHOD_TITLES = {
    "paths": "path sum",
    "reverse": "reverse mode",
    "forward": "forward mode",
    "symbolic": "SymPy",
    "finite_difference": "finite difference",
}


@dataclass(frozen=True)
class PathTerm:
    """One path from the output to the input and its product of local partials."""

    nodes: tuple[str, ...]
    factor_names: tuple[str, ...]  # ("∂z/∂x", "dx/dt")
    factors: tuple[sp.Expr, ...]
    factor_values: tuple[float | None, ...]  # None for a factor that cannot be computed (paths_at_fault)
    product: float | None  # None when a factor is

    @property
    def edges(self) -> tuple[tuple[str, str], ...]:
        return tuple(zip(self.nodes, self.nodes[1:]))


@dataclass(frozen=True)
class Derivation(CheckedResult):
    """Everything known about d(of)/d(wrt) at one point; views only read it."""

    of: str
    wrt: str
    point: dict[str, float]
    value: float
    derivative: float
    derivative_expr: sp.Expr | None
    paths: tuple[PathTerm, ...]
    path_count: int
    methods: dict[str, float | None]
    agreement: dict[str, bool | None]
    notes: tuple[str, ...]
    adjoints: dict[str, float]
    tangents: dict[str, float]
    counts: OperationCounts
    evaluation: PointEvaluation
    finite_difference: FiniteDifference | None = None
    cut: frozenset[tuple[str, str]] = frozenset()
    removed_paths: tuple[PathTerm, ...] = ()
    removed_path_count: int = 0
    simplified_expr: sp.Expr | None = field(default=None, compare=False)

    SYMBOLIC_FIELD: ClassVar[str] = "derivative_expr"

    @property
    def paths_complete(self) -> bool:
        return len(self.paths) == self.path_count

def derive(
    graph: ChainGraph,
    of: str,
    wrt: str,
    point: Mapping[str, float],
    *,
    max_paths: int = DEFAULT_MAX_PATHS,
    cut: Iterable[tuple[str, str]] = (),
    symbolic: bool = True,
    symbolic_expr: sp.Expr | None = None,
    evaluation: PointEvaluation | None = None,
) -> Derivation:
    """Compute d(``of``)/d(``wrt``) at ``point`` by all five methods and compare them.

    ``symbolic_expr`` is SymPy's derivative when the caller has it already (from
    :func:`symbolic_derivative` with the same ``cut``); a GUI computes it once off the GUI
    thread and reuses it while sliders move.  ``symbolic=False`` skips that method.

    Where the point cannot be evaluated the :class:`NumericError` raised carries the paths
    with the factors known there (``paths``, ``path_count``): what a path list shows.
    """
    checked = Request.checked(graph, (of,), (wrt,), cut)
    try:
        req = checked.at(point, evaluation)
    except NumericError as fault:  # what a path list shows at a bad point comes with the error
        if fault.evaluation is not None:
            fault.paths, fault.path_count = paths_at_fault(graph, of, wrt, fault.evaluation,
                                                           max_paths=max_paths, cut=checked.cut)
        raise
    ev = req.evaluated
    paths = _PathSum.of(req, max_paths)
    op_adjoints = reverse_sweep(graph.operations, ev.op_partials, {of: 1.0}, cut=req.op_cut)
    op_tangents = forward_sweep(graph.operations, ev.op_partials, {wrt: 1.0}, cut=req.op_cut)
    derivative = op_adjoints[wrt]
    expr, symbolic_at, symbolic_note = symbolic_check(req, symbolic, symbolic_expr)
    fd, fd_note = _fd_check(req, derivative, op_adjoints, op_tangents)
    methods: dict[str, float | None] = {
        "paths": paths.total,
        "reverse": derivative,
        "forward": op_tangents[of],
        "symbolic": symbolic_at,
        "finite_difference": None if fd is None else fd.value,
    }
    judge = Judge.of("derivative", result=paths.magnitude(derivative),
                     estimate=0.0 if fd is None else fd.error_estimate)
    return Derivation(
        of=of, wrt=wrt, point=dict(ev.point), value=ev.values[of], derivative=derivative,
        derivative_expr=expr, paths=paths.listed, path_count=paths.count, methods=methods,
        agreement=judge.agreement(methods, skip=(FINITE_DIFFERENCE,) if fd_note else ()),
        notes=(*ev.kinks, *paths.notes, *present(symbolic_note, fd_note)),
        adjoints=reverse_sweep(graph.variables, ev.partials, {of: 1.0}, cut=req.cut),
        tangents=forward_sweep(graph.variables, ev.partials, {wrt: 1.0}, cut=req.cut),
        counts=paths.counts(graph), evaluation=ev, finite_difference=fd, cut=req.cut,
        removed_paths=paths.removed, removed_path_count=paths.removed_count,
    )


@dataclass(frozen=True)
class _PathSum:
    """The paths from the output to the input that no cut edge breaks (the first
    ``max_paths`` listed), those a cut edge removes, and what they say."""

    listed: tuple[PathTerm, ...]
    count: int
    removed: tuple[PathTerm, ...]
    removed_count: int
    notes: tuple[str, ...]

    @classmethod
    def of(cls, req: Request, max_paths: int) -> _PathSum:
        var, of, wrt, cut = req.graph.variables, req.of, req.wrt, req.cut
        edge_info: dict[tuple[str, str], tuple[str, sp.Expr]] = {}  # shared by every path's term
        listed, count = _listed_paths(var, of, wrt, req.evaluated, cut, max_paths, edge_info)
        removed: tuple[PathTerm, ...] = ()
        removed_count = 0
        if cut:
            removed_count = count_paths(var, of, wrt) - count
            broken = (p for p in iter_paths(var, of, wrt) if set(zip(p, p[1:])) & cut)
            removed = tuple(_path_term(var, nodes, req.evaluated, edge_info)
                            for nodes in islice(broken, max_paths))
        notes = []
        if count == 0:
            notes.append(f"{of} does not depend on {wrt}" + (" once the cut edges are removed" if cut else "")
                         + f", so d{of}/d{wrt} = 0")
        if len(listed) != count:
            notes.append(f"{count:,} paths is more than the {max_paths:,} listed; the path sum is not "
                         "computed, and the total comes exactly from accumulation")
        return cls(listed, count, removed, removed_count, tuple(notes))

    @property
    def complete(self) -> bool:
        return len(self.listed) == self.count

    @property
    def products(self) -> list[float]:
        """Every listed path's product: each is known, as the point evaluated
        (:meth:`ChainGraph.evaluate` raises where a local partial cannot be computed)."""
        products = [p.product for p in self.listed if p.product is not None]
        if len(products) != len(self.listed):
            raise ValueError("a path's product is unknown at a point that evaluated")
        return products

    @property
    def total(self) -> float | None:
        return math.fsum(self.products) if self.complete else None

    def magnitude(self, derivative: float) -> float:
        """The size the exact methods' rounding is measured against: a total that cancels
        can be far smaller than its terms."""
        return max([abs(derivative)] + [abs(product) for product in self.products])

    def counts(self, graph: ChainGraph) -> OperationCounts:
        multiplications = sum(len(p.nodes) - 2 for p in self.listed) if self.complete else None
        return operation_counts(graph.operations, len(graph.inputs), max(1, len(graph.outputs)),
                                self.count, multiplications)


def symbolic_check(req: Request, symbolic: bool, given: sp.Expr | None = None, order: int = 1):
    """SymPy's ``order``-th derivative of the request's output (``given``, or differentiated
    here unless too large), its value at the point, and a note when either is missing.

    With ``symbolic`` False, ``given`` is kept but not evaluated."""
    if not symbolic:
        return given, None, None
    expr, note = (given, None) if given is not None else symbolic_derivative(
        req.graph, req.of, req.wrt, req.cut, order=order)
    if expr is None:
        return None, None, note
    of, wrt = req.of, req.wrt
    label, what = (f"d{of}/d{wrt}", "derivative") if order == 1 else (f"d²{of}/d{wrt}²", "second derivative")
    value, note = symbolic_value(lambda: evaluate_sympy(expr, req.input_values(), label), what)
    return expr, value, note


def _fd_check(req: Request, derivative: float, op_adjoints: Mapping[str, float],
              op_tangents: Mapping[str, float]) -> tuple[FiniteDifference | None, str | None]:
    """The central difference, and a note when it cannot confirm the derivative here."""
    fd, note = _finite_difference(req)
    if fd is not None and note is None and not fd.agrees_with(derivative):
        note = not_smooth_note(req.graph, req.of, req.wrt, req.evaluated, req.frozen, fd, derivative,
                               op_adjoints, op_tangents, req.op_cut)
    return fd, note


def paths_at_fault(graph: ChainGraph, of: str, wrt: str, evaluation: PointEvaluation, *,
                   max_paths: int = DEFAULT_MAX_PATHS, cut: Iterable[tuple[str, str]] = ()):
    """The paths of d(``of``)/d(``wrt``) at a point where something cannot be computed.

    ``evaluation`` is what could be (``NumericError.evaluation``).  Each path keeps the
    factors known there; a factor that is not, and the product of a path that has one, are
    None.  Returns (the first ``max_paths`` paths, how many there are).
    """
    req = Request.checked(graph, (of,), (wrt,), cut)
    return _listed_paths(graph.variables, of, wrt, evaluation, req.cut, max_paths, {})


def _listed_paths(var: nx.DiGraph, of: str, wrt: str, ev: PointEvaluation, cut: frozenset,
                  max_paths: int, edge_info: dict) -> tuple[tuple[PathTerm, ...], int]:
    """The terms of the first ``max_paths`` paths that no cut edge breaks, and their count."""
    live = nx.restricted_view(var, [], list(cut)) if cut else var
    paths = tuple(_path_term(var, nodes, ev, edge_info) for nodes in islice(iter_paths(live, of, wrt), max_paths))
    return paths, count_paths(live, of, wrt)


def _path_term(var: nx.DiGraph, nodes: tuple[str, ...], ev: PointEvaluation,
               edge_info: dict[tuple[str, str], tuple[str, sp.Expr]]) -> PathTerm:
    edges = list(zip(nodes, nodes[1:]))
    values = tuple(_computed(ev.partials.get(e)) for e in edges)
    known = [v for v in values if v is not None]
    product = math.prod(known) if len(known) == len(values) else None
    infos = [_edge_info(var, edge, edge_info) for edge in edges]
    return PathTerm(nodes, tuple(n for n, _ in infos), tuple(e for _, e in infos), values, product)


def _computed(value: float | None) -> float | None:
    """A local partial, or None where it could not be computed (missing or not finite)."""
    return value if value is not None and math.isfinite(value) else None


def _edge_info(var: nx.DiGraph, edge: tuple[str, str],
               cache: dict[tuple[str, str], tuple[str, sp.Expr]]) -> tuple[str, sp.Expr]:
    """(the name of the edge's factor, SymPy's local partial); each edge is looked up in
    networkx once, not once per path through it."""
    info = cache.get(edge)
    if info is None:
        p, c = edge
        info = cache[edge] = (derivative_symbol(p, c, var.out_degree(p) == 1), var.edges[p, c]["partial"])
    return info


def composed_with_cut(graph: ChainGraph, name: str, cut: frozenset[tuple[str, str]]):
    """``name`` as a function of the inputs, where a cut edge p → c makes p see a frozen c.

    Returns the expression and the map {frozen symbol: what it stands for}.
    """
    if not cut:
        return graph.composed(name), {}
    program = graph.program
    frozen_symbols = {c: sp.Symbol(f"{c}_stop", real=True) for _, c in cut}
    result: dict[str, sp.Expr] = {}
    syms = {node: program.definitions[node].sym for node in program.order}
    if program.relation is not None:
        syms[RELATION_NODE] = program.relation.sym
    for node, expr in syms.items():
        mapping = {}
        for dep in graph.variables.successors(node):
            if (node, dep) in cut:
                mapping[program.symbols[dep]] = frozen_symbols[dep]
            elif dep in result:
                mapping[program.symbols[dep]] = result[dep]
        result[node] = expr.xreplace(mapping)
    meaning = {sym: graph.composed(c) if c in program.definitions else program.symbols[c]
               for c, sym in frozen_symbols.items()}
    return result[name], meaning


def composed_checked(graph: ChainGraph, of: str):
    """(substituted expression, None), or (None, reason) when it would be too large."""
    size = graph.composed_size(of)
    if size > MAX_SYMBOLIC_OPS:
        return None, (f"the fully substituted {of} would have about {size:,} operations, too many to "
                      "differentiate symbolically; the other methods still check the result")
    return graph.composed(of), None


def symbolic_derivative(graph: ChainGraph, of: str, wrt: str, cut=frozenset(), order: int = 1,
                        differentiate=None):
    """SymPy's derivative of the substituted expression, or (None, reason) when too large.

    ``differentiate(expr, symbol, order)`` does the differentiation itself when given (a GUI
    sends large ones to a child process that can be stopped); ``sympy.diff`` otherwise."""
    expr, note = composed_checked(graph, of)
    if expr is None:
        return None, note
    expr, meaning = composed_with_cut(graph, of, frozenset(cut))
    derivative = (differentiate or sp.diff)(expr, graph.program.symbols[wrt], order)
    if meaning:
        derivative = derivative.xreplace(meaning)
    return derivative, None


def _finite_difference(req: Request) -> tuple[FiniteDifference | None, str | None]:
    """The central difference through the cut graph, and a note when a kink lies within its step."""
    try:
        fd = estimate(req.along(), req.point[req.wrt])
    except ChainRuleError as exc:
        return None, f"finite differences could not be evaluated next to the point: {exc}"
    kink = crossed_kink(req.graph, req.point, req.wrt, fd.step, req.frozen)
    if kink:
        return fd, (f"{kink} has a kink within ±{fd.step:.1e} of the point, where the one-sided slopes "
                    "differ; finite differences cannot confirm the derivative there")
    return fd, None


@dataclass(frozen=True)
class RoughSpot:
    """A primitive whose local slope is not smooth across a finite-difference step."""

    text: str  # as typed, e.g. "sqrt(u)"
    slope: float  # its local slope at the point
    low: float  # its smallest and largest slope across the step
    high: float
    weight: float  # how far the slope departs from linear, carried to d(of)/d(wrt)


def rough_primitive(graph: ChainGraph, wrt: str, ev: PointEvaluation, frozen: dict, h: float,
                    op_adjoints: Mapping[str, float], op_tangents: Mapping[str, float],
                    op_cut=frozenset()) -> RoughSpot | None:
    """The primitive whose slope is least smooth across [x − h, x + h], weighted, or None.

    A central difference is exact up to O(h²) only where every local slope along the chain
    varies about linearly across the step.  The slopes are sampled at
    :data:`ROUGH_SAMPLES` points; a primitive whose slope departs from the straight line
    between its slopes at x − h and x + h by more than :data:`ROUGH_RTOL` of their size
    has a singularity, kink or fast oscillation within the step (sqrt near 0, 1/u near
    its pole, sin(1/x) near 0).  Of those, the one whose departure weighs most once the
    chain rule carries it to the output (× the output's adjoint at the primitive × the
    tangent of its operand) is returned.  Raises :class:`ChainRuleError` when a slope
    cannot be evaluated somewhere within the step.
    """
    samples = _slope_samples(graph, wrt, ev, frozen, h)
    spots = (_rough_spot(graph, edge, here, [sample.get(edge) for sample in samples], op_adjoints, op_tangents)
             for edge, here in ev.op_partials.items()
             if edge not in op_cut and wrt in graph.inputs_of(edge[1]) and edge[0] in op_adjoints)
    # The first of the heaviest, as the sweep over the edges meets them.
    return max((spot for spot in spots if spot is not None), key=lambda spot: spot.weight, default=None)


def _slope_samples(graph: ChainGraph, wrt: str, ev: PointEvaluation, frozen: dict, h: float) -> list[dict]:
    """Every operation's local partials at :data:`ROUGH_SAMPLES` points across [x − h, x + h]."""
    x0 = ev.point[wrt]
    offsets = [h * (2.0 * k / (ROUGH_SAMPLES - 1) - 1.0) for k in range(ROUGH_SAMPLES)]
    return [ev.op_partials if dx == 0 else graph.fast_partials({**ev.point, wrt: x0 + dx}, frozen)[1]
            for dx in offsets]


def _rough_spot(graph: ChainGraph, edge: tuple[str, str], here: float, slopes: list[float | None],
                op_adjoints: Mapping[str, float], op_tangents: Mapping[str, float]) -> RoughSpot | None:
    """The spot for one operation edge whose sampled ``slopes`` depart from a straight line
    by more than :data:`ROUGH_RTOL` of their size, or None."""
    known = [q for q in slopes if q is not None]
    if len(known) != len(slopes):
        return None
    size = max(abs(q) for q in known)
    first, last, n = known[0], known[-1], len(known) - 1
    departure = max(abs(q - (first + (last - first) * k / n)) for k, q in enumerate(known))
    if not size or departure <= ROUGH_RTOL * size:
        return None
    parent, child = edge
    weight = departure * abs(op_adjoints[parent]) * abs(op_tangents.get(child, 0.0))
    text = graph.operations.nodes[parent].get("text") or parent
    return RoughSpot(text, here, min(known), max(known), weight)


def rough_note(spot: RoughSpot, h: float, what: str = "the derivative", along: str | None = None) -> str:
    where = f"±{h:.1e} of the point" + (f" along {along}" if along else "")
    return (f"{spot.text} is not smooth within {where}: its local slope is {spot.slope:.3g} "
            f"here but {spot.low:.3g} to {spot.high:.3g} across the step (a singularity, kink or "
            f"oscillation), so finite differences cannot confirm {what} there")


def not_smooth_note(graph: ChainGraph, of: str, wrt: str, ev: PointEvaluation, frozen: dict,
                    fd: FiniteDifference, exact: float, op_adjoints: Mapping[str, float],
                    op_tangents: Mapping[str, float], op_cut=frozenset()) -> str | None:
    """Why a central difference that disagrees cannot confirm the derivative, when the reason
    is that the function is not smooth on the scale of the step (or None).

    Names the primitive :func:`rough_primitive` finds, if its departure accounts for a
    tenth of the difference's error or of the derivative.  If none does, but the difference settles on
    the exact value once the step shrinks, the function is still not smooth on the scale
    of the default step (its error did not fall like h²).  The note also says whether a
    smaller step agrees.
    """
    h = fd.step
    try:
        spot = rough_primitive(graph, wrt, ev, frozen, h, op_adjoints, op_tangents, op_cut)
    except ChainRuleError as exc:
        return (f"finite differences cannot confirm the derivative here: within ±{h:.1e} of the point "
                f"{exc}, so the function is not smooth across the step")
    smaller = _smaller_step(graph, of, wrt, ev.point, frozen, h, exact)
    error = abs(fd.value - exact)
    # Named when it matters: its departure accounts for a tenth of the error, or moves
    # the derivative by a tenth of itself within the step.
    if spot is not None and spot.weight >= 0.1 * min(error, abs(op_tangents.get(of, 0.0))):
        return rough_note(spot, h) + smaller
    if smaller.startswith(" (a smaller step"):
        return (f"the finite difference at the default step h = {h:.1e} is off by {error:.1e}, far more than "
                f"its estimated error {fd.error_estimate:.1e}: the function is not smooth on the scale of "
                f"that step, so it cannot confirm the derivative there{smaller}")
    return None


def _smaller_step(graph: ChainGraph, of: str, wrt: str, point: dict[str, float], frozen: dict,
                  h: float, exact: float) -> str:
    """'; at h = … it gives …, which agrees' for the largest smaller step that does, if any."""
    x0 = point[wrt]
    f = function_along(graph, point, of, wrt, frozen)
    try:
        scale = abs(f(x0))
    except ChainRuleError:
        return ""
    for k in range(1, 10):
        step = h / 10.0**k
        if step < 1e-13 * max(1.0, abs(x0)):
            break
        try:
            value = central_difference(f, x0, step)
        except (ChainRuleError, ArithmeticError):
            continue
        allowed = max(1e-6 * abs(exact), 10.0 * EPSILON * scale / step, 1e-10)
        if math.isfinite(value) and abs(value - exact) <= allowed:
            return f" (a smaller step, h = {step:.0e}, gives {value:.10g}, which agrees)"
    return " (no smaller step settles on it either)"


def is_kink(graph: ChainGraph, node: str) -> bool:
    """Whether operation ``node`` is a relu or abs (a primitive with a kink at 0)."""
    data = graph.operations.nodes[node]
    return data["kind"] == "op" and OPS[data["op"]].kink


def crossed_kink(graph: ChainGraph, point: dict[str, float], wrt: str, h: float,
                 frozen: dict | None = None) -> str | None:
    """The text of a relu/abs whose argument changes sign (or is 0) within x ± h."""
    kinks = [graph.operations.nodes[node] for node in graph.op_order
             if is_kink(graph, node) and wrt in graph.inputs_of(node)]
    if not kinks:
        return None  # no relu/abs downstream of wrt: nothing to evaluate
    x0 = point[wrt]
    samples = [graph.forward_values({**point, wrt: x}, frozen) for x in (x0 - h, x0, x0 + h)]
    for data in kinks:
        arg = data["args"][0]
        signs = {math.copysign(1.0, s[arg]) if s[arg] != 0 else 0.0 for s in samples}
        if len(signs) > 1 or 0.0 in signs:
            return data["text"]
    return None

