"""What every panel of the Expression mode draws: one immutable snapshot of the explorer.

The controller makes a new snapshot whenever the text, the choices or the point change
(the numbers come from ``core.explorer``); panels only read it (``show_snapshot``) and
send intents back through signals.
"""

from __future__ import annotations

from dataclasses import dataclass

from chainrule_gui.core.calculus.derivation import Derivation
from chainrule_gui.core.calculus.implicit import ImplicitDerivation
from chainrule_gui.core.errors import ChainRuleError
from chainrule_gui.core.graph.chain_graph import ChainGraph
from chainrule_gui.core.language.program import Program


@dataclass(frozen=True)
class ExplorerSnapshot:
    """The explorer's state and results at one moment.

    ``structure_changed`` is True when the graph, the output/input choice or the cut
    edges changed (views rebuild), False when only the point moved (views update numbers).
    ``derivation`` is None when there is nothing to differentiate or the point is bad;
    ``error`` then says why.  For an implicit equation ``implicit`` holds dy/dx instead.
    """

    revision: int
    text: str
    program: Program
    graph: ChainGraph
    of: str | None
    wrt: str | None
    point: dict[str, float]
    ranges: dict[str, tuple[float, float]]
    cut: frozenset[tuple[str, str]] = frozenset()
    derivation: Derivation | None = None
    implicit: ImplicitDerivation | None = None
    error: ChainRuleError | None = None
    structure_changed: bool = True
    max_paths: int = 200
    #: SymPy's derivative of a large composition is still being computed (it arrives in a
    #: later snapshot); the other four methods are already in ``derivation``.
    symbolic_pending: bool = False

    @property
    def is_implicit(self) -> bool:
        return self.program.relation is not None
