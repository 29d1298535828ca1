"""A layered drawing of a dependency DAG: outputs on top, inputs at the bottom.

Sugiyama-style, computed here so that every view draws the same picture:

1. **layers** — a node sits one layer below its lowest user (longest path from the
   top); every input goes to the bottom layer;
2. **dummy nodes** split edges that span several layers, so long edges bend around
   nodes instead of crossing them;
3. **ordering** — alternating down and up barycenter sweeps reduce crossings; the best
   order seen is kept;
4. **coordinates** — each node moves toward the mean position of its neighbours, with a
   minimum gap between nodes of a layer.

Coordinates are abstract: x in units of one node slot, y = layer index (0 = top).
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import networkx as nx

MAX_SWEEPS = 24
RANDOM_RESTARTS = 6
MAX_RESTART_NODES = 150
FULL_RESTART_NODES = 60
TRANSPOSE_PASSES = 6
MAX_TRANSPOSE_NODES = 600

#: A node of the drawn graph: a name, a diagram's box key, or a dummy the layout adds
#: (a bend here, a label slot in :mod:`.placement`).
Node = Hashable


@dataclass(frozen=True)
class Layout:
    """Node positions and the bend points of edges that span several layers."""

    positions: dict[Node, tuple[float, float]]
    edge_points: dict[tuple[Node, Node], list[tuple[float, float]]]
    layers: list[list[Node]]
    crossings: int

    @property
    def width(self) -> float:
        xs = [x for x, _ in self.positions.values()]
        return (max(xs) - min(xs)) if xs else 0.0

    @property
    def depth(self) -> int:
        return len(self.layers)


def layered_layout(graph: nx.DiGraph, bottom: Iterable[Node] = ()) -> Layout:
    """Lay out ``graph`` (edges point downward, from user to what it uses).

    Nodes in ``bottom`` (typically the inputs) are placed on the lowest layer.
    """
    if graph.number_of_nodes() == 0:
        return Layout({}, {}, [], 0)
    bottom = set(bottom) & set(graph)
    layer = assign_layers(graph, bottom)
    work, chains = _with_dummies(graph, layer)
    depth = max(layer.values()) + 1
    layers = best_ordering(work, layer, depth)
    xs = _coordinates(work, layers)
    positions = {n: (xs[n], float(layer[n])) for n in graph}
    edge_points = {
        edge: [(xs[d], float(work.nodes[d]["layer"])) for d in dummies]
        for edge, dummies in chains.items()
    }
    real_layers = [[n for n in row if n in graph] for row in layers]
    return Layout(positions, edge_points, real_layers, count_all(work, layers))


def layer_of(node: Node, layer: dict[Node, int], work: nx.DiGraph) -> int:
    return layer[node] if node in layer else work.nodes[node]["layer"]


def assign_layers(graph: nx.DiGraph, bottom: set[Node]) -> dict[Node, int]:
    layer: dict[Node, int] = {}
    for node in nx.topological_sort(graph):
        preds = list(graph.predecessors(node))
        layer[node] = max((layer[p] + 1 for p in preds), default=0)
    lowest = max(layer.values())
    for node in bottom:
        layer[node] = lowest
    return layer


def _with_dummies(graph: nx.DiGraph, layer: dict[Node, int]):
    work = nx.DiGraph()
    for node in graph:
        work.add_node(node, layer=layer[node], dummy=False)
    chains: dict[tuple[Node, Node], list[Node]] = {}
    for u, v in graph.edges:
        span = layer[v] - layer[u]
        if span <= 1:
            work.add_edge(u, v)
            continue
        previous = u
        dummies: list[Node] = []
        for k in range(1, span):
            d = f"\0dummy:{u}->{v}:{k}"
            work.add_node(d, layer=layer[u] + k, dummy=True)
            work.add_edge(previous, d)
            dummies.append(d)
            previous = d
        work.add_edge(previous, v)
        chains[(u, v)] = dummies
    return work, chains


def _initial_order(work: nx.DiGraph, reverse: bool) -> list[Node]:
    """Depth-first from the top: children of one parent start out next to each other."""
    order: list[Node] = []
    seen: set[Node] = set()
    roots = [n for n in work if work.in_degree(n) == 0]
    for root in reversed(roots) if reverse else roots:
        stack = [root]
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            order.append(node)
            children = list(work.successors(node))
            stack.extend(children if reverse else reversed(children))
    order.extend(n for n in work if n not in seen)
    return order


class _Adjacency:
    """A DiGraph's successor and predecessor lists, read in the hot loops below.

    Crossing reduction asks for neighbours hundreds of thousands of times on a few
    hundred operations; networkx's adjacency views cost several times a list lookup.
    """

    def __init__(self, graph: nx.DiGraph):
        self.succ = {n: list(graph.successors(n)) for n in graph}
        self.pred = {n: list(graph.predecessors(n)) for n in graph}

    def successors(self, node):
        return self.succ[node]

    def predecessors(self, node):
        return self.pred[node]

    def in_degree(self, node) -> int:
        return len(self.pred[node])

    def number_of_nodes(self) -> int:
        return len(self.succ)

    def __iter__(self):
        return iter(self.succ)


def best_ordering(work: nx.DiGraph, layer: dict[Node, int], depth: int) -> list[list[Node]]:
    """Crossing reduction from a few starting orders; the heuristic's local optima differ."""
    rows = {node: layer_of(node, layer, work) for node in work}
    work = _Adjacency(work)
    starts = [_initial_order(work, reverse=False), _initial_order(work, reverse=True)]
    size = work.number_of_nodes()
    if size <= MAX_RESTART_NODES:
        rng = random.Random(0)  # deterministic: the same text always gives the same picture
        # each restart is a full crossing reduction: fewer of them as drawings grow
        for _ in range(RANDOM_RESTARTS if size <= FULL_RESTART_NODES else RANDOM_RESTARTS // 3):
            order = list(work)
            rng.shuffle(order)
            starts.append(order)
    best: list[list[Node]] = []  # there are always starts: the two initial orders
    best_count: int | None = None
    for order in starts:
        layers: list[list[Node]] = [[] for _ in range(depth)]
        for node in order:
            layers[rows[node]].append(node)
        layers = _reduce_crossings(work, layers)
        count = count_all(work, layers)
        if best_count is None or count < best_count:
            best, best_count = layers, count
        if best_count == 0:
            break
    return best


def _crossings(work: nx.DiGraph, upper: list[Node], lower: list[Node]) -> int:
    """Edge crossings between two adjacent layers, by counting inversions."""
    pos = {n: i for i, n in enumerate(lower)}
    targets = []
    for u in upper:
        targets.extend(sorted(pos[v] for v in work.successors(u) if v in pos))
    count = 0
    seen: list[int] = []
    for t in targets:  # inversions: earlier edges ending to the right of t
        count += len(seen) - bisect_right(seen, t)
        seen.insert(bisect_right(seen, t), t)
    return count


def count_all(work: nx.DiGraph, layers: list[list[Node]]) -> int:
    return sum(_crossings(work, layers[i], layers[i + 1]) for i in range(len(layers) - 1))


def _barycenter_sort(row: list[Node], neighbours, reference: list[Node]) -> list[Node]:
    pos = {n: i for i, n in enumerate(reference)}
    keyed = []
    for i, node in enumerate(row):
        ns = [pos[m] for m in neighbours(node) if m in pos]
        keyed.append((sum(ns) / len(ns) if ns else float(i), i, node))
    keyed.sort()
    return [node for _, _, node in keyed]


def _reduce_crossings(work: nx.DiGraph, layers: list[list[Node]]) -> list[list[Node]]:
    """Barycenter sweeps until they stop helping, then adjacent swaps that still help."""
    best = [row[:] for row in layers]
    best_count = count_all(work, best)
    current = [row[:] for row in layers]
    stale = 0
    for sweep in range(MAX_SWEEPS):
        if best_count == 0 or stale >= 4:
            break
        if sweep % 2 == 0:
            for i in range(1, len(current)):
                current[i] = _barycenter_sort(current[i], work.predecessors, current[i - 1])
        else:
            for i in range(len(current) - 2, -1, -1):
                current[i] = _barycenter_sort(current[i], work.successors, current[i + 1])
        count = count_all(work, current)
        if count < best_count:
            best, best_count, stale = [row[:] for row in current], count, 0
        else:
            stale += 1
    if best_count and work.number_of_nodes() <= MAX_TRANSPOSE_NODES:
        _transpose(work, best)
    return best


def _transpose(work, layers: list[list[Node]]) -> None:
    """Swap neighbours within a layer while that removes crossings (greedy switching).

    Swapping neighbours u, v changes only the crossings between u's edges and v's, so
    each candidate swap costs deg(u)·deg(v), not a recount of two whole layer gaps.
    """
    positions = [{n: i for i, n in enumerate(row)} for row in layers]
    for _ in range(TRANSPOSE_PASSES):
        improved = False
        for i, row in enumerate(layers):
            above = positions[i - 1] if i > 0 else None
            below = positions[i + 1] if i + 1 < len(layers) else None
            for k in range(len(row) - 1):
                u, v = row[k], row[k + 1]
                if _pair_crossings(work, v, u, above, below) < _pair_crossings(work, u, v, above, below):
                    row[k], row[k + 1] = v, u
                    positions[i][u], positions[i][v] = k + 1, k
                    improved = True
        if not improved:
            return


def _pair_crossings(work, left: Node, right: Node, above: dict | None, below: dict | None) -> int:
    """Crossings between the edges of ``left`` and of ``right`` when ``left`` comes first."""
    count = 0
    for neighbours, position in ((work.predecessors, above), (work.successors, below)):
        if position is None:
            continue
        ls = [position[m] for m in neighbours(left) if m in position]
        rs = [position[m] for m in neighbours(right) if m in position]
        count += sum(1 for a in ls for b in rs if a > b)
    return count


def _coordinates(work: nx.DiGraph, layers: list[list[Node]], gap: float = 1.0) -> dict[Node, float]:
    xs: dict[Node, float] = {}
    for row in layers:
        for i, node in enumerate(row):
            xs[node] = i - (len(row) - 1) / 2.0
    for _ in range(6):
        for row in layers + layers[::-1]:
            wanted = []
            for node in row:
                ns = list(work.predecessors(node)) + list(work.successors(node))
                wanted.append(sum(xs[m] for m in ns) / len(ns) if ns else xs[node])
            placed = _place_in_order(wanted, gap)
            for node, x in zip(row, placed, strict=True):
                xs[node] = x
    if xs:
        mid = (max(xs.values()) + min(xs.values())) / 2.0
        xs = {n: x - mid for n, x in xs.items()}
    return xs


def _place_in_order(wanted: list[float], gap: float) -> list[float]:
    """Positions as close to ``wanted`` as possible, in order, at least ``gap`` apart."""
    # Pool-adjacent-violators on wanted[i] - i*gap gives the least-squares solution.
    shifted = [w - i * gap for i, w in enumerate(wanted)]
    blocks: list[list[float]] = []  # [sum, count]
    for value in shifted:
        blocks.append([value, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            s, c = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += c
    result: list[float] = []
    for s, c in blocks:
        result.extend([s / c] * int(c))
    return [r + i * gap for i, r in enumerate(result)]
