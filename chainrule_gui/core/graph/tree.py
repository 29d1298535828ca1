"""The unfolded tree: the textbook tree diagram, where a shared name appears once per path.

In the DAG, ``x`` used by both ``z`` and ``y`` is one node; in the tree it is drawn under
each user, so every root-to-leaf branch is one chain-rule path.  The tree can be
exponentially larger than the DAG, so unfolding stops at ``max_nodes`` and the rest of a
branch is summarised by one "…" node that says how much is hidden.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection

import networkx as nx

DEFAULT_MAX_TREE_NODES = 200
HARD_MAX_TREE_NODES = 2000


def tree_node_id(path: tuple[str, ...]) -> str:
    return "/".join(path)


def unfold_tree(
    graph: nx.DiGraph,
    root: str,
    max_nodes: int = DEFAULT_MAX_TREE_NODES,
    collapsed: Collection[str] = (),
    expanded: Collection[str] = (),
    hard_max_nodes: int = HARD_MAX_TREE_NODES,
) -> nx.DiGraph:
    """Unfold ``graph`` below ``root`` breadth-first into a tree of at most ``max_nodes`` nodes.

    Tree nodes carry ``name`` (the graph node they copy), ``path``, and ``hidden``: how
    many copies below this node were left out because they did not fit (0 when the
    branch is complete).  Tree edges carry ``edge`` (the graph edge they copy).
    ``tree.graph["truncated"]`` says whether anything was left out.

    A person can fold the drawing: tree nodes (by id) in ``collapsed`` keep their branch
    hidden, and those in ``expanded`` unfold their children even past ``max_nodes`` —
    but never past ``hard_max_nodes``, since the full tree can be exponentially large.
    """
    collapsed, expanded = set(collapsed), set(expanded)
    tree = nx.DiGraph(truncated=False)
    tree.add_node(tree_node_id((root,)), name=root, path=(root,), hidden=0)
    queue: deque[tuple[str, ...]] = deque([(root,)])
    subtree_size = _subtree_sizes(graph)
    while queue:
        path = queue.popleft()
        parent_id = tree_node_id(path)
        children = list(graph.successors(path[-1]))
        if not children:
            continue
        budget = hard_max_nodes if parent_id in expanded else max_nodes
        if parent_id in collapsed or tree.number_of_nodes() + len(children) > budget:
            tree.nodes[parent_id]["hidden"] = sum(subtree_size[c] for c in children)
            tree.graph["truncated"] = True
            continue
        for child in children:
            child_path = path + (child,)
            tree.add_node(tree_node_id(child_path), name=child, path=child_path, hidden=0)
            tree.add_edge(parent_id, tree_node_id(child_path), edge=(path[-1], child))
            queue.append(child_path)
    return tree


def _subtree_sizes(graph: nx.DiGraph) -> dict[str, int]:
    """How many nodes the fully unfolded tree below each node has (itself included)."""
    size: dict[str, int] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        size[node] = 1 + sum(size[c] for c in graph.successors(node))
    return size

