"""The numbers at the explorer's point: the derivative by its five methods, or dy/dx on an
equation's curve, for a state and the reading it is shown on.  Quick (well under a
millisecond on the examples): a GUI runs it on its GUI thread when a slider moves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chainrule_gui.core.calculus.derivation import Derivation, derive
from chainrule_gui.core.calculus.implicit import ImplicitDerivation, implicit_derivative
from chainrule_gui.core.errors import ChainRuleError, ChoiceError
from chainrule_gui.core.explorer.reading import Reading
from chainrule_gui.core.explorer.state import DEFAULT_VALUE, ExplorerState, StructureKey
from chainrule_gui.core.explorer.symbolic import GAVE_UP, NOT_KNOWN, SymbolicCache, relation_key


@dataclass(frozen=True)
class Evaluation:
    """What the state's point gives on a reading: ``derivation`` (or ``implicit`` for an
    equation), or ``error`` saying why there is none; the point and ranges of its inputs.
    ``symbolic_pending``: SymPy's derivative is not known yet (it comes later)."""

    key: StructureKey
    point: dict[str, float]
    ranges: dict[str, tuple[float, float]]
    derivation: Derivation | None = None
    implicit: ImplicitDerivation | None = None
    error: ChainRuleError | None = None
    symbolic_pending: bool = False


def shown_key(state: ExplorerState, reading: Reading) -> StructureKey:
    """The structure shown: the reading's text with the state's choices and cuts (a pick
    shows on the last reading until the text is read again with it)."""
    return StructureKey(reading.text, state.of, state.wrt, state.cut)


def evaluate(state: ExplorerState, reading: Reading, cache: SymbolicCache,
             symbolic: object = NOT_KNOWN) -> Evaluation:
    """The numbers at ``state``'s point on ``reading``'s graph.

    ``symbolic`` is SymPy's derivative when the caller has it in hand (else it is looked up
    in ``cache``); never computed here.
    """
    program = reading.program
    point = {n: state.point.get(n, DEFAULT_VALUE) for n in program.inputs}
    ranges = {n: state.ranges[n] for n in program.inputs}
    key = shown_key(state, reading)
    if symbolic is NOT_KNOWN:
        symbolic = cache.get(key)
    derivation = implicit = None
    error: ChainRuleError | None = None
    try:
        if program.relation is not None:
            if state.of and state.wrt:
                implicit = _on_curve(reading, cache, state.of, state.wrt, point)
        elif not (state.of and state.wrt):
            error = ChoiceError("define an output that depends on an input, e.g. z = x^2")
        else:
            # Known: SymPy has answered (None = too large, derive() then says so in its notes);
            # given up: too slow or failed, "not computed" and never asked again here.
            known = symbolic is not NOT_KNOWN and symbolic is not GAVE_UP
            derivation = derive(reading.graph, state.of, state.wrt, point, max_paths=state.max_paths,
                                cut=state.cut, symbolic=known, symbolic_expr=symbolic if known else None)
    except ChainRuleError as exc:
        error = exc
    return Evaluation(key, point, ranges, derivation, implicit, error,
                      symbolic_pending=derivation is not None and symbolic is NOT_KNOWN)


def _on_curve(reading: Reading, cache: SymbolicCache, of: str, wrt: str,
              point: Mapping[str, float]) -> ImplicitDerivation:
    """dy/dx on the curve, with SymPy's F_x and F_y if they were computed while reading."""
    partials = cache.get(relation_key(reading.text))
    partials = partials if isinstance(partials, Mapping) else {}
    exprs = (partials.get(wrt), partials.get(of))
    have = None not in exprs
    return implicit_derivative(reading.graph, of, wrt, point, symbolic=have,
                               symbolic_exprs=exprs if have else None)
