"""Paths from an output down to an input: counted exactly, listed lazily.

The total derivative is the sum over these paths of the product of the local partials
along each one.  Their number grows exponentially on diamond-shaped graphs (a chain of
20 diamonds has 2^20 paths), so :func:`count_paths` uses dynamic programming and
:func:`iter_paths` yields paths one at a time for the caller to cap.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import networkx as nx

#: An edge of a chain-rule graph: (the user, what it uses).
Edge = tuple[str, str]


def as_edge(edge: Iterable[str]) -> Edge:
    """``edge`` as a pair, whatever sequence it comes in (a list read from a file, say)."""
    user, used = edge
    return (user, used)


def edge_set(edges: Iterable[Iterable[str]]) -> frozenset[Edge]:
    """Edges as a set of pairs (cut edges, as states and diagrams hold them)."""
    return frozenset(as_edge(e) for e in edges)


def _reaching(graph: nx.DiGraph, target: str) -> set[str]:
    return nx.ancestors(graph, target) | {target}


def count_paths(graph: nx.DiGraph, source: str, target: str) -> int:
    """The exact number of directed paths from ``source`` to ``target`` (a Python int)."""
    if source == target:
        return 1
    useful = _reaching(graph, target) & (nx.descendants(graph, source) | {source})
    counts: dict[str, int] = {target: 1}
    for node in reversed(list(nx.topological_sort(graph.subgraph(useful)))):
        if node != target:
            counts[node] = sum(counts.get(child, 0) for child in graph.successors(node) if child in useful)
    return counts.get(source, 0)


def count_paths_through(graph: nx.DiGraph, source: str, target: str, edge: tuple[str, str]) -> int:
    """How many ``source`` → ``target`` paths use ``edge``."""
    u, v = edge
    return count_paths(graph, source, u) * count_paths(graph, v, target)


def iter_paths(graph: nx.DiGraph, source: str, target: str) -> Iterator[tuple[str, ...]]:
    """Yield every path from ``source`` to ``target`` as a tuple of nodes, lazily.

    Depth-first with an explicit stack; branches that cannot reach ``target`` are never
    entered, so each yielded path costs work proportional to its length.
    """
    useful = _reaching(graph, target)
    if source not in useful:
        return
    if source == target:
        yield (source,)
        return
    stack: list[tuple[str, Iterator[str]]] = [(source, iter(_children(graph, source, useful)))]
    path = [source]
    while stack:
        _node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            path.pop()
            continue
        if child == target:
            yield tuple(path) + (child,)
            continue
        path.append(child)
        stack.append((child, iter(_children(graph, child, useful))))


def _children(graph: nx.DiGraph, node: str, useful: set[str]) -> list[str]:
    return [c for c in graph.successors(node) if c in useful]
