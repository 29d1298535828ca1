"""Where every box of a diagram goes, so that no two boxes overlap.

:func:`.layers.layered_layout` places nodes on layers in abstract slots.  A drawing with
a label on every edge needs more: labels are as wide as nodes, and two labels between
the same layers must not overlap either.  Here every edge gets a **label slot** — a
dummy node on a row of its own just below the edge's parent — so labels take part in
crossing reduction and spacing exactly like nodes do::

    row 0   the output
    row 1   labels of the edges leaving row 0
    row 2   nodes of layer 1
    row 3   labels of the edges leaving layer 1 (and bends of longer edges)
    …

Within a row, boxes keep at least a gap apart (the caller measures each box), and rows
are stacked by their tallest box, so boxes of different rows cannot meet either.
Coordinates are in the caller's units (pixels for the GUI); y grows downward and every
position is the centre of its box.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from chainrule_gui.core.diagram.layers import assign_layers, best_ordering, count_all

#: The free space kept between neighbouring boxes of one row.
NODE_GAP = 28.0
LABEL_GAP = 10.0
BEND_GAP = 6.0
#: The space between consecutive rows.
ROW_GAP = 12.0


@dataclass(frozen=True)
class DiagramLayout:
    """Centres of node boxes and label boxes, and each edge's route.

    ``routes[edge]`` lists the points an edge passes between its parent and its child:
    the centre of its label first, then the bends of an edge that spans several layers.
    """

    nodes: dict[Hashable, tuple[float, float]]
    labels: dict[tuple, tuple[float, float]]
    routes: dict[tuple, list[tuple[float, float]]]
    node_sizes: dict[Hashable, tuple[float, float]]
    label_sizes: dict[tuple, tuple[float, float]]
    rows: int
    crossings: int

    def node_rect(self, key) -> tuple[float, float, float, float]:
        """(left, top, width, height) of a node's box."""
        return _rect(self.nodes[key], self.node_sizes[key])

    def label_rect(self, edge) -> tuple[float, float, float, float]:
        return _rect(self.labels[edge], self.label_sizes[edge])


def _rect(centre, size):
    (x, y), (w, h) = centre, size
    return (x - w / 2.0, y - h / 2.0, w, h)


def diagram_layout(
    graph: nx.DiGraph,
    node_sizes: Mapping[Hashable, tuple[float, float]],
    label_sizes: Mapping[tuple, tuple[float, float]] | None = None,
    bottom: Iterable[Hashable] = (),
) -> DiagramLayout:
    """Lay out ``graph`` (edges point from a node to what it is computed from).

    ``node_sizes`` and ``label_sizes`` give each node's and edge label's (width, height);
    an edge without a size gets an empty label.  Nodes in ``bottom`` (the inputs) sit on
    the lowest layer.
    """
    label_sizes = dict(label_sizes or {})
    if graph.number_of_nodes() == 0:
        return DiagramLayout({}, {}, {}, {}, {}, 0, 0)
    layer = assign_layers(graph, set(bottom) & set(graph))
    work, row_of, slots, chains = _with_label_slots(graph, layer)
    depth = max(row_of.values()) + 1
    rows = best_ordering(work, row_of, depth)

    size: dict[Hashable, tuple[float, float]] = {}
    gap: dict[Hashable, float] = {}
    for node in graph:
        size[node] = _pair(node_sizes[node])
        gap[node] = NODE_GAP
    for edge, chain in chains.items():
        for index, dummy in enumerate(chain):
            if index == 0:
                size[dummy] = _pair(label_sizes.get(edge, (0.0, 0.0)))
                gap[dummy] = LABEL_GAP
            else:
                size[dummy] = (0.0, 0.0)
                gap[dummy] = BEND_GAP
    xs = _coordinates(work, rows, size, gap)
    ys = _row_centres(rows, size)

    def centre(n):
        return (xs[n], ys[row_of[n]])

    nodes = {n: centre(n) for n in graph}
    labels = {edge: centre(slots[edge]) for edge in chains}
    routes = {edge: [centre(d) for d in chain] for edge, chain in chains.items()}
    return DiagramLayout(nodes, labels, routes, {n: size[n] for n in graph},
                         {e: size[slots[e]] for e in chains}, depth, count_all(work, rows))


def _pair(size: Sequence[float]) -> tuple[float, float]:
    """A box's (width, height) as its own tuple, whatever sequence the caller gave."""
    width, height = size
    return (width, height)


def _with_label_slots(graph: nx.DiGraph, layer: dict):
    """The work graph: nodes on even rows, a label slot and bends on the odd rows between."""
    work = nx.DiGraph()
    row_of: dict = {}
    for node in graph:
        work.add_node(node)
        row_of[node] = 2 * layer[node]
    slots: dict = {}
    chains: dict = {}
    for u, v in graph.edges:
        previous, chain = u, []
        for row in range(2 * layer[u] + 1, 2 * layer[v]):
            dummy = ("\0route", u, v, row)  # a tuple: cannot clash with a caller's key
            work.add_node(dummy)
            row_of[dummy] = row
            work.add_edge(previous, dummy)
            chain.append(dummy)
            previous = dummy
        work.add_edge(previous, v)
        slots[(u, v)] = chain[0]
        chains[(u, v)] = chain
    return work, row_of, slots, chains


def _coordinates(work: nx.DiGraph, rows: list[list], size: dict, gap: dict) -> dict:
    """Each box moves toward the mean x of its neighbours, keeping its row's order and gaps."""
    neighbours = {n: list(work.predecessors(n)) + list(work.successors(n)) for n in work}
    # the least distance from each row's first centre to each of its centres (sizes are fixed)
    offsets = {id(row): _offsets(row, size, gap) for row in rows}
    xs: dict = {}
    for row in rows:
        xs.update(zip(row, _place_at(offsets[id(row)], [0.0] * len(row)), strict=True))
    # Each pass costs a sweep over every box; big drawings settle with fewer passes.
    passes = 8 if len(neighbours) < 1500 else 4
    at = xs.__getitem__
    for _ in range(passes):
        for row in rows[1:] + rows[::-1]:
            wanted = []
            for node in row:
                ns = neighbours[node]
                wanted.append(sum(map(at, ns)) / len(ns) if ns else xs[node])
            xs.update(zip(row, _place_at(offsets[id(row)], wanted), strict=True))
    if xs:
        lefts = [xs[n] - size[n][0] / 2 for n in xs]
        rights = [xs[n] + size[n][0] / 2 for n in xs]
        mid = (min(lefts) + max(rights)) / 2.0
        xs = {n: x - mid for n, x in xs.items()}
    return xs


def _offsets(row: list, size: dict, gap: dict) -> list[float]:
    offsets = [0.0]
    for a, b in zip(row, row[1:]):
        offsets.append(offsets[-1] + (size[a][0] + size[b][0]) / 2.0 + max(gap[a], gap[b]))
    return offsets


def _place_at(offsets: list[float], wanted: list[float]) -> list[float]:
    """Centres as close to ``wanted`` as possible (least squares), in order, boxes apart.

    With offsets c_i (the least distance from box 0's centre to box i's), placing
    x_i = c_i + y_i makes the constraint "y non-decreasing"; pool-adjacent-violators
    solves that isotonic regression exactly."""
    blocks: list[list[float]] = []  # [sum, count]
    for w, c in zip(wanted, offsets, strict=True):
        blocks.append([w - c, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, n = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += n
    result: list[float] = []
    for s, n in blocks:
        result.extend([s / n] * int(n))
    return [y + c for y, c in zip(result, offsets, strict=True)]


def _row_centres(rows: list[list], size: dict) -> list[float]:
    ys, top = [], 0.0
    for row in rows:
        height = max((size[n][1] for n in row), default=0.0)
        ys.append(top + height / 2.0)
        top += height + ROW_GAP
    return ys
