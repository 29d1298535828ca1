"""Reading a typed text for the explorer: its graphs, the choice and cuts that fit it, and
SymPy's derivative when that is quick.  Slow on big input: a GUI reads off its GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from chainrule_gui.core.explorer.state import Edge, ExplorerState, structure_key
from chainrule_gui.core.explorer.symbolic import NOT_KNOWN, SymbolicCache
from chainrule_gui.core.graph.chain_graph import RELATION_NODE, ChainGraph, build_chain_graph
from chainrule_gui.core.graph.choices import Choice, follow_choice
from chainrule_gui.core.language.program import Program, parse_program

#: Below this size SymPy's derivative is computed while reading (a few ms), so the first
#: numbers shown already have it; above it the reading is shown at once and SymPy's answer
#: is asked for afterwards (``Reading.deferred``).
INLINE_SYMBOLIC_OPS = 400


@dataclass(frozen=True)
class Reading:
    """One text that reads: what it defines, and what of it is differentiated.

    ``choice`` and ``cut`` are the state's, followed to this text (a picked name kept while
    it fits, cut edges kept while they exist).  ``symbolic`` is SymPy's derivative for
    them when it was computed while reading (:data:`~.symbolic.NOT_KNOWN` otherwise);
    ``deferred`` says it is too large to wait for.
    """

    text: str
    program: Program
    graph: ChainGraph
    choice: Choice
    cut: frozenset[Edge]
    symbolic: object = NOT_KNOWN
    deferred: bool = False

    @property
    def of(self) -> str | None:
        return self.choice.of

    @property
    def wrt(self) -> str | None:
        return self.choice.wrt


def cut_in(graph: ChainGraph, cut: frozenset[Edge]) -> frozenset[Edge]:
    """The cut edges that ``graph`` still has (an edit may remove a use)."""
    return frozenset(e for e in cut if graph.variables.has_edge(*e))


def read_text(text: str, state: ExplorerState, cache: SymbolicCache) -> Reading:
    """Read ``text`` with the choices and cuts of ``state``.

    Raises :class:`~chainrule_gui.core.errors.ParseError` (or another ``ChainRuleError``)
    when the text does not read; the state then stays as it was, so a typo keeps the last
    good choices.  An equation's partials, or a small composition's derivative, are put in
    ``cache`` for any later choice and point.
    """
    program = parse_program(text)
    graph = build_chain_graph(program)
    choice = follow_choice(graph, state.choice)
    cut = cut_in(graph, state.cut)
    reading = Reading(text, program, graph, choice, cut)
    if program.relation is not None:
        if graph.composed_size(RELATION_NODE) <= INLINE_SYMBOLIC_OPS:
            cache.relation_partials(graph, text)
        return reading
    if not (choice.of and choice.wrt):
        return reading
    if graph.composed_size(choice.of) > INLINE_SYMBOLIC_OPS:
        return Reading(text, program, graph, choice, cut, deferred=True)
    return Reading(text, program, graph, choice, cut, cache.derivative(graph, structure_key(reading)))
