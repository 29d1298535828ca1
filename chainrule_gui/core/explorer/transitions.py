"""What each of the person's intents does to the explorer's state: pure functions from one
:class:`~.state.ExplorerState` to the next.

An intent that does not apply (a value that is not finite, an empty range, the output
already chosen) returns the very same state, so a caller can tell that nothing changed
with ``is``.  Typing only replaces the text: the choices, point and cuts follow it once it
reads (:func:`adopt_reading`), and stay as they were while it does not.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace

from chainrule_gui.core.calculus.implicit import project_to_curve
from chainrule_gui.core.explorer.reading import Reading, cut_in
from chainrule_gui.core.explorer.state import (
    DEFAULT_VALUE,
    Edge,
    ExplorerState,
    range_around,
)
from chainrule_gui.core.graph.choices import Choice, carried_values, input_roles
from chainrule_gui.core.graph.paths import as_edge, edge_set


# -- opening ------------------------------------------------------------------------------
def opened(text: str, of: str | None = None, wrt: str | None = None,
           point: Mapping[str, float] | None = None,
           ranges: Mapping[str, tuple[float, float]] | None = None,
           cut: Iterable[Edge] = (), **settings) -> ExplorerState:
    """The state a session or an example opens: the ``of`` and ``wrt`` given count as
    picked (None leaves the choice to the text); a value without a range gets one around
    it.  ``settings``: ``max_paths``, ``diagram``, ``labels``."""
    point = dict(point or {})
    ranges = {**{name: range_around(value) for name, value in point.items()}, **(ranges or {})}
    return ExplorerState(text=text, choice=Choice.named(of, wrt), point=point, ranges=ranges,
                         cut=edge_set(cut), **settings)


# -- typing and choosing ------------------------------------------------------------------
def edit_text(state: ExplorerState, text: str) -> ExplorerState:
    return state if text == state.text else replace(state, text=text)


def choose_output(state: ExplorerState, name: str) -> ExplorerState:
    """The person picks the output (a chooser, a Jacobian entry): kept while it fits."""
    if not name or name == state.of:
        return state
    return replace(state, choice=state.choice.pick_output(name))


def choose_input(state: ExplorerState, name: str) -> ExplorerState:
    if not name or name == state.wrt:
        return state
    return replace(state, choice=state.choice.pick_input(name))


def toggle_cut(state: ExplorerState, edge: Edge) -> ExplorerState:
    return set_cut(state, state.cut ^ {as_edge(edge)})


def set_cut(state: ExplorerState, cut: Iterable[Edge]) -> ExplorerState:
    return replace(state, cut=edge_set(cut))


def set_max_paths(state: ExplorerState, count: int) -> ExplorerState:
    return replace(state, max_paths=count)


def set_view(state: ExplorerState, diagram: str | None = None, labels: str | None = None) -> ExplorerState:
    """The diagram's view or label mode changed (None: that one stays)."""
    diagram = state.diagram if diagram is None else diagram
    labels = state.labels if labels is None else labels
    if (diagram, labels) == (state.diagram, state.labels):
        return state
    return replace(state, diagram=diagram, labels=labels)


# -- the point ----------------------------------------------------------------------------
def set_value(state: ExplorerState, name: str, value: float) -> ExplorerState:
    """One input's value; its range widens to hold it."""
    if not math.isfinite(value) or state.point.get(name) == value:
        return state
    low, high = state.ranges.get(name, range_around(value))
    return replace(state, point={**state.point, name: value},
                   ranges={**state.ranges, name: (min(low, value), max(high, value))})


def set_values(state: ExplorerState, values: Mapping[str, float]) -> ExplorerState:
    """Several values at once (a point dragged along a curve); ranges stay."""
    return replace(state, point={**state.point, **values})


def set_range(state: ExplorerState, name: str, low: float, high: float) -> ExplorerState:
    """An input's range; its value moves inside it."""
    if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        return state
    value = min(max(state.point.get(name, low), low), high)
    return replace(state, ranges={**state.ranges, name: (low, high)}, point={**state.point, name: value})


# -- a text that reads ----------------------------------------------------------------------
def adopt_reading(state: ExplorerState, reading: Reading) -> ExplorerState:
    """The state once ``reading`` is shown: its choice, the cut edges it still has, and a
    value and range for each of its inputs.

    Values carry over for names still free in the same role; a name that was defined, or
    was a variable of an equation, before this text is not the same quantity (the circle's
    x = 0.9487 does not carry over to ``f = x^2*y^3``).  On an equation the point is moved
    onto its curve.  The text is not touched: it may have been typed on since.
    """
    program = reading.program
    roles = input_roles(program)
    point = carried_values(state.point, state.roles, roles)
    ranges = carried_values(state.ranges, state.roles, roles)
    for name in program.inputs:
        point.setdefault(name, DEFAULT_VALUE)
        ranges.setdefault(name, range_around(point[name]))
    x, y = reading.wrt, reading.of
    if program.relation is not None and x in program.inputs and y in program.inputs:
        point.update(_onto_curve(reading, point, x, y))
    return replace(state, choice=reading.choice, cut=cut_in(reading.graph, state.cut), point=point,
                   ranges=ranges, roles=roles)


def _onto_curve(reading: Reading, point: Mapping[str, float], x: str, y: str) -> dict[str, float]:
    """New values of x and y (the reading's input and output) that put ``point`` on the
    equation's curve (none if it fails).

    The nearest point of the curve (along ∇F), not the one straight above or below: from
    (1, 1) on x^2 + y^2 = 1 that would be (1, 0), a vertical tangent."""
    from chainrule_gui.core.calculus.curve import project_onto_curve  # NumPy: not needed at start-up

    graph = reading.graph
    inputs = {n: point[n] for n in reading.program.inputs}
    on_curve = project_onto_curve(graph, x, y, inputs)
    if on_curve is not None:
        return {x: on_curve.x, y: on_curve.y}
    value = project_to_curve(graph, y, inputs)
    return {} if value is None else {y: value}
