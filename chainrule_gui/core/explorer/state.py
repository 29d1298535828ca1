"""The explorer's state: what the person typed and chose, as one immutable value.

Every intent (typing, choosing an output or input, moving the point, setting a range,
cutting an edge, changing the diagram's view) is a pure function from one state to the
next (:mod:`.transitions`); nothing here knows Qt, threads or SymPy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from chainrule_gui.core.graph.choices import Choice
from chainrule_gui.core.graph.paths import Edge, edge_set

#: A new input's value, and the half-width of a range made around a value.
DEFAULT_VALUE = 1.0
DEFAULT_HALF_RANGE = 3.0
DEFAULT_MAX_PATHS = 200
DEFAULT_DIAGRAM = "tree"
DEFAULT_LABELS = "both"

def _frozen(mapping: Mapping | None, value=lambda v: v) -> Mapping:
    """A read-only copy: the state's mappings cannot be changed behind its back."""
    return MappingProxyType({k: value(v) for k, v in (mapping or {}).items()})


def range_around(value: float) -> tuple[float, float]:
    return (value - DEFAULT_HALF_RANGE, value + DEFAULT_HALF_RANGE)


@dataclass(frozen=True)
class ExplorerState:
    """The Expression tab's state: text, choices, point, ranges, cuts and view settings.

    ``text`` is what was typed last, which may not read (a typo); the choices, point and
    cuts are then those of the last text that did.  ``choice`` says which of output and
    input the person picked and which follow the text
    (:func:`~chainrule_gui.core.graph.choices.follow_choice`).  ``roles`` is the role of
    each free name the point was set for (None: given with the text, by a session or an
    example), so an edit keeps only the values of names still in the same role.
    """

    text: str = ""
    choice: Choice = Choice()
    point: Mapping[str, float] = field(default_factory=dict)
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    roles: Mapping[str, str] | None = None
    cut: frozenset[Edge] = frozenset()
    max_paths: int = DEFAULT_MAX_PATHS
    diagram: str = DEFAULT_DIAGRAM  # the diagram's view: tree, graph or operations
    labels: str = DEFAULT_LABELS  # its edge labels: symbolic, numeric or both

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "point", _frozen(self.point, float))
        set_(self, "ranges", _frozen(self.ranges, lambda r: (float(r[0]), float(r[1]))))
        if self.roles is not None:
            set_(self, "roles", _frozen(self.roles))
        set_(self, "cut", edge_set(self.cut))
        set_(self, "max_paths", max(1, int(self.max_paths)))

    @property
    def of(self) -> str | None:
        return self.choice.of

    @property
    def wrt(self) -> str | None:
        return self.choice.wrt

    @property
    def picked_of(self) -> str | None:
        """The output the person chose (None: the text's default), as a session saves it."""
        return self.choice.of if self.choice.of_picked else None

    @property
    def picked_wrt(self) -> str | None:
        return self.choice.wrt if self.choice.wrt_picked else None

    @property
    def free_names(self) -> frozenset[str] | None:
        """The free names of the last text that read (None: not read yet)."""
        return None if self.roles is None else frozenset(self.roles)


class StructureKey(NamedTuple):
    """What a diagram, a path list or SymPy's derivative is the same for: the text, the
    output, the input and the cut edges.  Moving the point keeps it; anything else here
    draws a new structure."""

    text: str
    of: str | None
    wrt: str | None
    cut: frozenset[Edge]


def structure_key(shown) -> StructureKey:
    """The key of anything that shows a structure (a snapshot, a reading): its ``text``,
    ``of``, ``wrt`` and ``cut``.  The one place the key is put together."""
    return StructureKey(shown.text, shown.of, shown.wrt, edge_set(shown.cut))
