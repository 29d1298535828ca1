"""What a checked result is asked for: outputs, inputs, cut edges and the point, checked once.

Each checked result (ARCHITECTURE.md, "calculus") starts from a :class:`Request`: the
choice is checked (:meth:`Request.checked`, or the result's own checks, as an implicit
slope's), then the point evaluated (:meth:`Request.at`).  The request then hands out what
every method needs: the operation edges of the cut, the values they hold fixed, the
inputs' values for SymPy, and the function along one input for finite differences.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import sympy as sp

from chainrule_gui.core.errors import ChainRuleError, ChoiceError
from chainrule_gui.core.expressions.numeric import evaluate as evaluate_sympy
from chainrule_gui.core.graph.chain_graph import ChainGraph, PointEvaluation


def check_choice(graph: ChainGraph, of: str, wrt: str) -> None:
    """``of`` must be a defined name and ``wrt`` an input."""
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


def edge_set(edges: Iterable[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    """``edges`` as a set of (parent, child) pairs (a caller may give lists, as JSON does)."""
    return frozenset((parent, child) for parent, child in edges)


def check_cut(graph: ChainGraph, cut: Iterable[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    """The cut edges (stop-gradient) as a set; each must be an edge of the variable graph."""
    edges = edge_set(cut)
    for parent, child in edges:
        if not graph.variables.has_edge(parent, child):
            raise ChoiceError(f"there is no edge {parent} → {child} to cut; "
                              f"{parent} does not use {child} directly")
    return edges


def function_along(graph: ChainGraph, point: Mapping[str, float], of: str, wrt: str,
                   frozen: Mapping[tuple[str, str], float] | None = None) -> Callable[[float], float]:
    """x ↦ ``of`` at ``point`` with ``wrt`` = x, the cut edges' values held at ``frozen``."""

    def f(x: float) -> float:
        return graph.forward_values({**point, wrt: x}, frozen)[of]

    return f


def symbolic_value(evaluate: Callable[[], object], what: str):
    """(``evaluate()``, None), or (None, a note) when SymPy's ``what`` cannot be evaluated here."""
    try:
        return evaluate(), None
    except ChainRuleError as exc:
        return None, f"SymPy's {what} could not be evaluated here: {exc}"


def present(*notes: str | None) -> tuple[str, ...]:
    """The notes that were written (a step that had nothing to say gives None)."""
    return tuple(n for n in notes if n)


def symbolic_matrix(req: Request, exprs, what: str):
    """(SymPy's matrix ``exprs`` evaluated at the request's point, None), or (None, a note)."""
    return symbolic_matrix_at(req.graph, req.evaluated.point, exprs, what)


def symbolic_matrix_at(graph: ChainGraph, point: Mapping[str, float], exprs, what: str):
    """(SymPy's matrix ``exprs`` evaluated with the inputs at ``point``, None), or (None, a note)."""
    import numpy as np  # not before the first view is painted: scalar results never load it

    values = {graph.program.symbols[n]: point[n] for n in graph.inputs}
    return symbolic_value(lambda: np.array([[evaluate_sympy(e, values) for e in row] for row in exprs]), what)


@dataclass(frozen=True)
class Request:
    """Outputs and inputs to differentiate, the cut edges, and (once :meth:`at` has run) the
    evaluated point.  A single-output, single-input result reads ``of`` and ``wrt``."""

    graph: ChainGraph
    outputs: tuple[str, ...]
    inputs: tuple[str, ...]
    cut: frozenset[tuple[str, str]] = frozenset()
    evaluation: PointEvaluation | None = None

    @classmethod
    def checked(cls, graph: ChainGraph, outputs: Sequence[str], inputs: Sequence[str],
                cut: Iterable[tuple[str, str]] = ()) -> Request:
        """Every output against every input (:func:`check_choice`), then the cut."""
        for of in outputs:
            for wrt in inputs:
                check_choice(graph, of, wrt)
        return cls(graph, tuple(outputs), tuple(inputs), check_cut(graph, cut))

    def at(self, point: Mapping[str, float], evaluation: PointEvaluation | None = None) -> Request:
        """This request at ``point``: ``evaluation`` when the caller has it, else evaluated here."""
        return replace(self, evaluation=evaluation if evaluation is not None else self.graph.evaluate(point))

    @property
    def evaluated(self) -> PointEvaluation:
        """The evaluated point; only a request that :meth:`at` has returned has one."""
        if self.evaluation is None:
            raise ValueError("this request has not been evaluated at a point (Request.at)")
        return self.evaluation

    @property
    def of(self) -> str:
        return self.outputs[0]

    @property
    def wrt(self) -> str:
        return self.inputs[0]

    @property
    def point(self) -> dict[str, float]:
        return self.evaluated.point

    @cached_property
    def op_cut(self) -> frozenset[tuple[str, str]]:
        """The operation-level edges of the cut."""
        return self.graph.operation_edges_of(self.cut)

    @cached_property
    def frozen(self) -> dict[tuple[str, str], float]:
        """The value each cut operation edge holds fixed: its operand's value at the point."""
        return {edge: self.evaluated.op_values[edge[1]] for edge in self.op_cut}

    def input_values(self) -> dict[sp.Symbol, float]:
        """Every input's symbol and value, for evaluating SymPy's expressions here."""
        program = self.graph.program
        return {program.symbols[n]: self.evaluated.point[n] for n in self.graph.inputs}

    def along(self, wrt: str | None = None, of: str | None = None) -> Callable[[float], float]:
        """The function of one input (``wrt``, by default the chosen one) through the cut graph."""
        return function_along(self.graph, self.point, of or self.of, wrt or self.wrt, self.frozen)
