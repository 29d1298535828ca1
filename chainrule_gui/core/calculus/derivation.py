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

import networkx as nx
import sympy as sp

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
from chainrule_gui.core.errors import ChainRuleError, ChoiceError, NumericError
from chainrule_gui.core.calculus.finite_difference import EPSILON, FiniteDifference, central_difference, estimate
from chainrule_gui.core.graph.numeric import evaluate as evaluate_sympy
from chainrule_gui.core.graph.ops import OPS
from chainrule_gui.core.graph.paths import count_paths, iter_paths

DEFAULT_MAX_PATHS = 1000
#: The substituted expression is differentiated symbolically only below this size.
MAX_SYMBOLIC_OPS = 4000
#: Relative tolerance between the exact methods (paths, reverse, forward, symbolic).
EXACT_RTOL = 1e-8
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
    factor_values: tuple[float, ...]  # None for a factor that cannot be computed (paths_at_fault)
    product: float  # None when a factor is

    @property
    def edges(self) -> tuple[tuple[str, str], ...]:
        return tuple(zip(self.nodes, self.nodes[1:]))


@dataclass(frozen=True)
class Derivation:
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

    @property
    def agree(self) -> bool:
        return all(v is not False for v in self.agreement.values())

    @property
    def paths_complete(self) -> bool:
        return len(self.paths) == self.path_count

    @property
    def best_expr(self) -> sp.Expr | None:
        return self.simplified_expr if self.simplified_expr is not None else self.derivative_expr


def check_choice(graph: ChainGraph, of: str, wrt: str) -> None:
    graph.require_name(of, "output")
    if of in graph.inputs:
        raise ChoiceError(f"{of} is an input; choose a defined name as the output: "
                          + ", ".join(n for n in graph.program.definitions))
    if wrt not in graph.inputs:
        if wrt in graph.program.definitions:
            raise ChoiceError(
                f"{wrt} is defined ({wrt} = {graph.program.definitions[wrt].expr.text}); "
                f"differentiate with respect to an input: {', '.join(graph.inputs) or 'none'}")
        raise ChoiceError(f"there is no input {wrt!r}; the inputs are: {', '.join(graph.inputs) or 'none'}")


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
    check_choice(graph, of, wrt)
    cut = check_cut(graph, cut)
    try:
        ev = evaluation if evaluation is not None else graph.evaluate(point)
    except NumericError as fault:
        if fault.evaluation is not None:
            fault.paths, fault.path_count = _listed_paths(graph.variables, of, wrt, fault.evaluation, cut,
                                                          max_paths, {})
        raise
    notes: list[str] = list(ev.kinks)
    var = graph.variables

    edge_info: dict[tuple[str, str], tuple[str, sp.Expr]] = {}  # shared by every path's term
    paths, path_count = _listed_paths(var, of, wrt, ev, cut, max_paths, edge_info)
    removed: tuple[PathTerm, ...] = ()
    removed_count = 0
    if cut:
        removed_count = count_paths(var, of, wrt) - path_count
        removed = tuple(
            _path_term(var, nodes, ev, edge_info)
            for nodes in islice((p for p in iter_paths(var, of, wrt) if set(zip(p, p[1:])) & cut), max_paths)
        )
    if path_count == 0:
        notes.append(f"{of} does not depend on {wrt}" + (" once the cut edges are removed" if cut else "")
                     + f", so d{of}/d{wrt} = 0")
    complete = len(paths) == path_count
    if not complete:
        notes.append(f"{path_count:,} paths is more than the {max_paths:,} listed; the path sum is not "
                     "computed, and the total comes exactly from accumulation")

    op_cut = graph.operation_edges_of(cut)
    op_adjoints = reverse_sweep(graph.operations, ev.op_partials, {of: 1.0}, cut=op_cut)
    op_tangents = forward_sweep(graph.operations, ev.op_partials, {wrt: 1.0}, cut=op_cut)
    methods: dict[str, float | None] = {
        "paths": math.fsum(p.product for p in paths) if complete else None,
        "reverse": op_adjoints[wrt],
        "forward": op_tangents[of],
        "symbolic": None,
        "finite_difference": None,
    }
    derivative = methods["reverse"]

    expr = symbolic_expr
    if symbolic and expr is None:
        expr, note = symbolic_derivative(graph, of, wrt, cut)
        if note:
            notes.append(note)
    if symbolic and expr is not None:
        try:
            methods["symbolic"] = evaluate_sympy(expr, _input_values(graph, ev), f"d{of}/d{wrt}")
        except ChainRuleError as exc:
            notes.append(f"SymPy's derivative could not be evaluated here: {exc}")

    frozen = {edge: ev.op_values[edge[1]] for edge in op_cut}
    fd, fd_note = _finite_difference(graph, of, wrt, ev.point, frozen)
    if fd is not None and fd_note is None and not fd.agrees_with(derivative):
        fd_note = not_smooth_note(graph, of, wrt, ev, frozen, fd, derivative,
                                  op_adjoints, op_tangents, op_cut)
    if fd is not None:
        methods["finite_difference"] = fd.value
    if fd_note:
        notes.append(fd_note)

    magnitude = max([abs(derivative)] + [abs(p.product) for p in paths])
    agreement = {name: _agrees(name, value, derivative, magnitude, fd, fd_note)
                 for name, value in methods.items() if name != "reverse"}
    agreement["reverse"] = True
    agreement = {name: agreement[name] for name in METHOD_NAMES}

    adjoints = reverse_sweep(var, ev.partials, {of: 1.0}, cut=cut)
    tangents = forward_sweep(var, ev.partials, {wrt: 1.0}, cut=cut)
    path_mults = sum(len(p.nodes) - 2 for p in paths) if complete else None
    counts = operation_counts(graph.operations, len(graph.inputs), max(1, len(graph.outputs)),
                              path_count, path_mults)
    return Derivation(
        of=of, wrt=wrt, point=dict(ev.point), value=ev.values[of], derivative=derivative,
        derivative_expr=expr, paths=paths, path_count=path_count, methods=methods,
        agreement=agreement, notes=tuple(notes), adjoints=adjoints, tangents=tangents,
        counts=counts, evaluation=ev, finite_difference=fd, cut=cut,
        removed_paths=removed, removed_path_count=removed_count,
    )


def check_cut(graph: ChainGraph, cut: Iterable[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    edges = frozenset(tuple(e) for e in cut)
    for parent, child in edges:
        if not graph.variables.has_edge(parent, child):
            raise ChoiceError(f"there is no edge {parent} → {child} to cut; "
                              f"{parent} does not use {child} directly")
    return edges


def paths_at_fault(graph: ChainGraph, of: str, wrt: str, evaluation: PointEvaluation, *,
                   max_paths: int = DEFAULT_MAX_PATHS, cut: Iterable[tuple[str, str]] = ()):
    """The paths of d(``of``)/d(``wrt``) at a point where something cannot be computed.

    ``evaluation`` is what could be (``NumericError.evaluation``).  Each path keeps the
    factors known there; a factor that is not, and the product of a path that has one, are
    None.  Returns (the first ``max_paths`` paths, how many there are).
    """
    check_choice(graph, of, wrt)
    return _listed_paths(graph.variables, of, wrt, evaluation, check_cut(graph, cut), max_paths, {})


def _listed_paths(var: nx.DiGraph, of: str, wrt: str, ev: PointEvaluation, cut: frozenset,
                  max_paths: int, edge_info: dict) -> tuple[tuple[PathTerm, ...], int]:
    """The terms of the first ``max_paths`` paths that no cut edge breaks, and their count."""
    live = nx.restricted_view(var, [], list(cut)) if cut else var
    paths = tuple(_path_term(var, nodes, ev, edge_info) for nodes in islice(iter_paths(live, of, wrt), max_paths))
    return paths, count_paths(live, of, wrt)


def _path_term(var: nx.DiGraph, nodes: tuple[str, ...], ev: PointEvaluation,
               edge_info: dict[tuple[str, str], tuple[str, sp.Expr]]) -> PathTerm:
    edges = list(zip(nodes, nodes[1:]))
    values = tuple(ev.partials.get(e) for e in edges)
    defined = all(v is not None and math.isfinite(v) for v in values)
    if not defined:
        values = tuple(v if v is not None and math.isfinite(v) else None for v in values)
    product = math.prod(values) if defined else None
    infos = []
    for p, c in edges:
        info = edge_info.get((p, c))
        if info is None:  # each edge looked up in networkx once, not once per path through it
            info = edge_info[(p, c)] = (derivative_symbol(p, c, var.out_degree(p) == 1), var.edges[p, c]["partial"])
        infos.append(info)
    return PathTerm(nodes, tuple(n for n, _ in infos), tuple(e for _, e in infos), values, product)


def _input_values(graph: ChainGraph, ev: PointEvaluation) -> dict[sp.Symbol, float]:
    return {graph.program.symbols[n]: ev.point[n] for n in graph.inputs}


def composed_with_cut(graph: ChainGraph, name: str, cut: frozenset[tuple[str, str]]):
    """``name`` as a function of the inputs, where a cut edge p → c makes p see a frozen c.

    Returns the expression and the map {frozen symbol: what it stands for}.
    """
    if not cut:
        return graph.composed(name), {}
    program = graph.program
    frozen_symbols = {c: sp.Symbol(f"{c}_stop", real=True) for _, c in cut}
    result: dict[str, sp.Expr] = {}
    order = list(program.order) + ([RELATION_NODE] if program.relation is not None else [])
    for node in order:
        expr = program.relation.sym if node == RELATION_NODE else program.definitions[node].sym
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


def _finite_difference(graph: ChainGraph, of: str, wrt: str, point: dict[str, float],
                       frozen: dict[tuple[str, str], float]):
    x0 = point[wrt]

    def f(x: float) -> float:
        return graph.forward_values({**point, wrt: x}, frozen)[of]

    try:
        fd = estimate(f, x0)
    except ChainRuleError as exc:
        return None, f"finite differences could not be evaluated next to the point: {exc}"
    kink = crossed_kink(graph, point, wrt, fd.step, frozen)
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
    x0 = ev.point[wrt]
    offsets = [h * (2.0 * k / (ROUGH_SAMPLES - 1) - 1.0) for k in range(ROUGH_SAMPLES)]
    samples = [ev.op_partials if dx == 0 else graph.fast_partials({**ev.point, wrt: x0 + dx}, frozen)[1]
               for dx in offsets]
    worst = None
    for edge, here in ev.op_partials.items():
        parent, child = edge
        if edge in op_cut or wrt not in graph.inputs_of(child) or parent not in op_adjoints:
            continue
        slopes = [sample.get(edge) for sample in samples]
        if any(q is None for q in slopes):
            continue
        size = max(abs(q) for q in slopes)
        first, last, n = slopes[0], slopes[-1], len(slopes) - 1
        departure = max(abs(q - (first + (last - first) * k / n)) for k, q in enumerate(slopes))
        if not size or departure <= ROUGH_RTOL * size:
            continue
        weight = departure * abs(op_adjoints[parent]) * abs(op_tangents.get(child, 0.0))
        if worst is None or weight > worst.weight:
            text = graph.operations.nodes[parent].get("text") or parent
            worst = RoughSpot(text, here, min(slopes), max(slopes), weight)
    return worst


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

    def f(x: float) -> float:
        return graph.forward_values({**point, wrt: x}, frozen)[of]

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


def crossed_kink(graph: ChainGraph, point: dict[str, float], wrt: str, h: float,
                 frozen: dict | None = None) -> str | None:
    """The text of a relu/abs whose argument changes sign (or is 0) within x ± h."""
    kinks = []
    for node in graph.op_order:
        data = graph.operations.nodes[node]
        if data["kind"] == "op" and OPS[data["op"]].kink and wrt in graph.inputs_of(node):
            kinks.append(data)
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


def _agrees(name, value, reference, magnitude, fd, fd_note) -> bool | None:
    if value is None:
        return None
    if not math.isfinite(value):
        return False
    if name == "finite_difference":
        if fd_note:  # across a kink the difference is not expected to agree
            return None
        return fd.agrees_with(reference)
    return abs(value - reference) <= EXACT_RTOL * max(abs(reference), 1e-300) + 1e-10 * magnitude + 1e-300
