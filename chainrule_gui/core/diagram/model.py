"""What a drawing of the chain rule shows, decided before anything is drawn.

Three views of one :class:`~chainrule_gui.core.graph.chain_graph.ChainGraph`:

* **tree** — the textbook tree diagram: the variable graph unfolded below the output,
  so a shared name appears once per path and every root-to-leaf branch is one
  chain-rule path.  Big trees end in "⋯" nodes that say how much is folded away;
* **graph** — the variable graph itself (each name once);
* **operations** — every primitive operation, like micrograd or torchviz.

Tree and graph are drawn at the *variables* level, operations at the *operations*
level; numbers (values, adjoints, tangents, local partials) belong to a level and are
looked up by each drawn node's ``name`` and each drawn edge's ``level_edge``.
Nothing here imports Qt: the GUI measures and paints, this module decides.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace

import networkx as nx

from chainrule_gui.core.expressions.elide import full_text, short_form
from chainrule_gui.core.expressions.printing import to_latex
from chainrule_gui.core.graph.accumulate import forward_sweep, reverse_sweep
from chainrule_gui.core.graph.chain_graph import RELATION_NODE, ChainGraph, derivative_symbol, display_name
from chainrule_gui.core.graph.paths import as_edge, edge_set
from chainrule_gui.core.graph.tree import unfold_tree

VIEWS = ("tree", "graph", "operations")
#: The tree view unfolds this many nodes before folding branches into "⋯" nodes.
TREE_BUDGET = 120
#: Characters of an expression shown in a node, and of a local partial on an edge.
NODE_EXPR_CHARS = 24
EDGE_PARTIAL_CHARS = 28
MORE_SUFFIX = "/⋯"


@dataclass(frozen=True)
class DrawnNode:
    """One box of the drawing.

    ``name`` is the node of the level graph it draws (a variable name, or an operation
    id); ``kind`` is output, intermediate, input or relation for names (at both
    levels), op or const for operations, or ``more`` (a folded tree branch).
    ``head`` is the bold name (plain text, so exports keep it as text);
    ``expr_text``/``expr_latex`` the expression it stands for (a definition's right-hand
    side, an operation's source text).
    """

    key: str
    name: str
    kind: str
    head: str
    expr_text: str | None = None
    expr_latex: str | None = None
    about: str = ""  # the tooltip's text; "{expr}" stands for the full expression
    expr: object = None  # the SymPy expression behind "{expr}", printed only when asked
    hidden: int = 0  # "more" nodes: how many tree nodes are folded away here
    parent_key: str | None = None  # "more" nodes: the tree node they unfold
    aliases: tuple[str, ...] = ()  # further level nodes this box draws (an op merged into its name)

    @property
    def detail(self) -> str:
        """The full description (printing a big expression takes a while: done on demand)."""
        return self.about.replace("{expr}", full_text(self.expr)) if self.expr is not None else self.about


@dataclass(frozen=True)
class DrawnEdge:
    """One line of the drawing, from a node to what it is computed from.

    ``level_edge`` is the edge of the level graph it draws (its numbers); ``edge`` the
    variable-graph edge a person can cut, when there is one; ``var_edges`` every
    variable-graph edge this line is part of (an operation inside z's definition that
    leads to x is part of z → x), so paths light up at the operations level too.
    ``path`` (tree view) is the chain of names from the output to the edge's child.
    """

    key: tuple[str, str]
    level_edge: tuple[str, str] | None
    edge: tuple[str, str] | None
    var_edges: frozenset = frozenset()
    path: tuple[str, ...] = ()
    symbol: str = ""
    symbol_latex: str = ""
    partial_text: str | None = None
    partial_latex: str | None = None
    elided: bool = False
    about: str = ""  # as for DrawnNode: "{expr}" stands for the full local partial
    partial: object = None
    cut: bool = False
    vanished: bool = False  # on a path from the output to the input that a cut removed

    @property
    def detail(self) -> str:
        return self.about.replace("{expr}", full_text(self.partial)) if self.partial is not None else self.about


@dataclass(frozen=True)
class DiagramModel:
    view: str
    level: str  # "variables" or "operations"
    root: str
    wrt: str | None
    nodes: dict[str, DrawnNode]
    edges: dict[tuple[str, str], DrawnEdge]
    bottom: tuple[str, ...]
    truncated: bool = False
    keys_by_name: dict[str, tuple[str, ...]] = field(default_factory=dict)
    keys_by_level_edge: dict[tuple[str, str], tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def graph(self) -> nx.DiGraph:
        drawn = nx.DiGraph()
        drawn.add_nodes_from(self.nodes)
        drawn.add_edges_from(self.edges)
        return drawn

    def keys_of(self, name: str) -> tuple[str, ...]:
        """Keys of the boxes that draw level node ``name`` (several in the tree view)."""
        return self.keys_by_name.get(name, ())

    def edge_keys_of(self, level_edge: tuple[str, str]) -> tuple[tuple[str, str], ...]:
        return self.keys_by_level_edge.get(as_edge(level_edge), ())


@dataclass(frozen=True)
class DiagramNumbers:
    """Numbers at the point for one level, keyed by level node and level edge.

    ``complete`` is False at a point where something failed: only what could be
    computed is there (no adjoints or tangents), and a missing number means "undefined
    here", not "not known yet".
    """

    values: dict[str, float]
    adjoints: dict[str, float]
    tangents: dict[str, float]
    partials: dict[tuple[str, str], float]
    complete: bool = True


@dataclass(frozen=True)
class FaultMarks:
    """Where a numeric fault shows on a drawing: the boxes and lines to mark, and why.

    ``nodes`` are drawn node keys (a value that cannot be computed), ``edges`` drawn edge
    keys (a local partial that cannot); ``reason`` is the short sentence shown next to
    them, ``message`` the whole one (with the operation and line) for tooltips.
    """

    nodes: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]
    reason: str
    message: str


def diagram_root(graph: ChainGraph, of: str | None) -> str | None:
    """The node at the top: the output, or F for an implicit equation."""
    return RELATION_NODE if graph.program.relation is not None else of


def build_diagram(
    graph: ChainGraph,
    of: str | None,
    wrt: str | None,
    view: str,
    cut: Collection[tuple[str, str]] = frozenset(),
    collapsed: Collection[str] = (),
    expanded: Collection[str] = (),
    tree_budget: int = TREE_BUDGET,
) -> DiagramModel | None:
    """The drawing of ``view`` below the output ``of`` (None when there is no output)."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; the views are {', '.join(VIEWS)}")
    root = diagram_root(graph, of)
    if root is None or root not in graph.variables:
        return None
    cut = edge_set(cut)
    if view == "operations":
        return _operations_model(graph, root, wrt, cut)
    return _variables_model(graph, root, wrt, cut, view, set(collapsed), set(expanded), tree_budget)


def diagram_numbers(model: DiagramModel, graph: ChainGraph, evaluation, adjoints=None,
                    tangents=None, cut: Collection[tuple[str, str]] = frozenset()) -> DiagramNumbers:
    """Values, adjoints ∂root/∂node, tangents ∂node/∂wrt and local partials for ``model``'s level.

    ``evaluation`` is the core's :class:`PointEvaluation`; variable-level adjoints and
    tangents come from the derivation when given, operation-level ones from one sweep
    each over the operation graph (as the derivation itself computes them).
    """
    cut = edge_set(cut)
    if model.level == "variables":
        var = graph.variables
        adj = dict(adjoints) if adjoints is not None else reverse_sweep(var, evaluation.partials,
                                                                         {model.root: 1.0}, cut=cut)
        tan = dict(tangents) if tangents is not None else (
            forward_sweep(var, evaluation.partials, {model.wrt: 1.0}, cut=cut) if model.wrt else {})
        return DiagramNumbers(evaluation.values, adj, tan, evaluation.partials)
    ops = graph.operations
    op_cut = graph.operation_edges_of(cut)
    adj = reverse_sweep(ops, evaluation.op_partials, {model.root: 1.0}, cut=op_cut)
    tan = forward_sweep(ops, evaluation.op_partials, {model.wrt: 1.0}, cut=op_cut) if model.wrt else {}
    return DiagramNumbers(evaluation.op_values, adj, tan, evaluation.op_partials)


def partial_numbers(model: DiagramModel, evaluation) -> DiagramNumbers:
    """The numbers that could be computed at a point where evaluation failed
    (``NumericError.evaluation``): values and local partials, no sweeps."""
    if model.level == "variables":
        return DiagramNumbers(dict(evaluation.values), {}, {}, dict(evaluation.partials), complete=False)
    return DiagramNumbers(dict(evaluation.op_values), {}, {}, dict(evaluation.op_partials), complete=False)


def fault_marks(model: DiagramModel, error) -> FaultMarks:
    """The boxes and lines of ``model`` where the :class:`NumericError` ``error`` arose.

    A failed value marks its definition's box (variables level) or its operation's box
    (operations level); a failed local partial marks the edge(s) it belongs to.  What
    the drawing does not show (a definition below another output) is not marked.
    """
    nodes: list[str] = []
    edges: list[tuple[str, str]] = []
    if error.is_slope_fault:
        if model.level == "operations" and error.op_edge is not None:
            edges.extend(model.edge_keys_of(error.op_edge))
        else:
            for edge in sorted(error.edges):
                edges.extend(model.edge_keys_of(edge))
    else:
        name = error.operation if model.level == "operations" else error.owner
        if name is not None:
            nodes.extend(model.keys_of(name))
    if not nodes and not edges and error.owner is not None:
        nodes.extend(model.keys_of(error.owner))  # at least the definition it happened in
    return FaultMarks(tuple(nodes), tuple(edges), error.reason, str(error))


# -- variables level ---------------------------------------------------------------------
def _variables_model(graph, root, wrt, cut, view, collapsed, expanded, tree_budget) -> DiagramModel:
    var = graph.variables
    live = nx.restricted_view(var, [], list(cut)) if cut else var
    on_path, live_on_path = _path_edges(var, root, wrt), _path_edges(live, root, wrt)
    reaches_wrt = _reaching(var, wrt)
    reaches_wrt_live = _reaching(live, wrt)
    nodes: dict[str, DrawnNode] = {}
    edges: dict[tuple[str, str], DrawnEdge] = {}
    truncated = False
    if view == "tree":
        tree = unfold_tree(var, root, tree_budget, collapsed, expanded)
        truncated = bool(tree.graph["truncated"])
        for key, data in tree.nodes(data=True):
            nodes[key] = _variable_node(graph, key, data["name"])
            if data["hidden"]:
                more = key + MORE_SUFFIX
                nodes[more] = DrawnNode(more, "", "more", f"⋯ {data['hidden']:,} folded",
                                        about="Click to unfold this branch", hidden=data["hidden"],
                                        parent_key=key)
                edges[(key, more)] = DrawnEdge((key, more), None, None)
        for u, v, data in tree.edges(data=True):
            edge = data["edge"]
            path = tree.nodes[v]["path"]
            path_edges = set(zip(path, path[1:]))
            was = wrt is not None and path[-1] in reaches_wrt
            alive = not (path_edges & cut) and path[-1] in reaches_wrt_live
            edges[(u, v)] = _variable_edge(var, (u, v), edge, path, cut, vanished=was and not alive)
    else:
        below = {root} | nx.descendants(var, root)
        for name in below:
            nodes[name] = _variable_node(graph, name, name)
        for edge in var.subgraph(below).edges:
            edges[edge] = _variable_edge(var, edge, edge, (), cut,
                                         vanished=edge in on_path and edge not in live_on_path)
    bottom = tuple(k for k, n in nodes.items() if n.name in graph.inputs)
    return _finish(view, "variables", root, wrt, nodes, edges, bottom, truncated)


def _variable_node(graph: ChainGraph, key: str, name: str) -> DrawnNode:
    data = graph.variables.nodes[name]
    kind = data["kind"]
    shown = display_name(name)
    if data["expr"] is None:  # an input
        return DrawnNode(key, name, kind, shown, about=f"{shown}: an input")
    short = short_form(data["expr"], NODE_EXPR_CHARS)
    line = f" (line {data['line']})" if data.get("line") else ""
    return DrawnNode(key, name, kind, shown, short.text, short.latex, about=f"{shown} = {{expr}}{line}",
                     expr=data["expr"])


def _variable_edge(var, key, edge, path, cut, vanished) -> DrawnEdge:
    parent, child = edge
    single = var.out_degree(parent) == 1
    partial = var.edges[edge]["partial"]
    short = short_form(partial, EDGE_PARTIAL_CHARS)
    symbol = derivative_symbol(parent, child, single)
    return DrawnEdge(key, edge, edge, frozenset([edge]), tuple(path), symbol,
                     _symbol_latex(var, parent, child, single), short.text, short.latex,
                     short.elided, f"{symbol} = {{expr}}", partial, edge in cut, vanished)


def _symbol_latex(var, parent: str, child: str, single: bool) -> str:
    def name(n):
        symbol = var.nodes[n].get("symbol")
        return "F" if n == RELATION_NODE or symbol is None else to_latex(symbol)

    d = r"\mathrm{d}" if single else r"\partial "
    return f"{d}{name(parent)}/{d}{name(child)}"


# -- operations level --------------------------------------------------------------------
def _operations_model(graph: ChainGraph, root: str, wrt: str | None, cut) -> DiagramModel:
    """Every operation below ``root``; a defined name shares the box of the operation it names.

    The operation graph links each name to the top operation of its definition by an
    identity edge (value and adjoint pass through unchanged), so drawing ``z`` and its
    ``+`` as one box ("z  +") loses nothing and saves a row per definition.
    """
    ops = graph.operations
    below = {root} | nx.descendants(ops, root)
    drawn = ops.subgraph(below)
    op_cut = graph.operation_edges_of(cut)
    live = nx.restricted_view(drawn, [], list(op_cut)) if op_cut else drawn
    on_path, live_on_path = _path_edges(drawn, root, wrt), _path_edges(live, root, wrt)
    reach = graph.definition_reach
    merged = _merged_names(ops, below)  # top operation -> the name drawn with it
    box = {n: merged.get(n, n) for n in below}
    nodes = {}
    for n in below:
        if n in merged:
            continue
        top = next((op for op, name in merged.items() if name == n), None)
        nodes[n] = _operation_node(ops, n, top)
        if n in graph.variables and nodes[n].kind == "variable":  # output/intermediate/relation colours
            nodes[n] = replace(nodes[n], kind=graph.variables.nodes[n]["kind"])
    edges: dict[tuple[str, str], DrawnEdge] = {}
    for a, b in drawn.edges:
        if a in box and b in merged and merged[b] == a:
            continue  # the identity edge inside a merged box
        key = (box[a], box[b])
        owner = ops.nodes[a].get("owner")
        var_edges = frozenset((owner, c) for c in reach.get(b, ()) if graph.variables.has_edge(owner, c))
        cuttable = (owner, b) if b in graph.variables and graph.variables.has_edge(owner, b) else None
        what = f"∂({_op_text(ops, a)})/∂({_op_text(ops, b)})"
        if ops.nodes[b]["kind"] == "const":  # nothing flows into a constant: no label
            short, partial = None, None
            about = f"{_op_text(ops, b)} is a constant: no derivative flows into it"
        else:
            partial = graph.operation_partial(a, b)
            short = short_form(partial, EDGE_PARTIAL_CHARS)
            about = f"{what} = {{expr}}"
        edges[key] = DrawnEdge(
            key, (a, b), cuttable, var_edges, (), "", "", short and short.text,
            short and short.latex, bool(short and short.elided), about, partial, (a, b) in op_cut,
            (a, b) in on_path and (a, b) not in live_on_path)
    bottom = tuple(n for n in nodes if ops.nodes[n]["kind"] == "input")
    return _finish("operations", "operations", root, wrt, nodes, edges, bottom, False)


def _merged_names(ops: nx.DiGraph, below: set[str]) -> dict[str, str]:
    """{top operation of a definition: its name} for names drawn together with their operation."""
    merged = {}
    for name in below:
        data = ops.nodes[name]
        if data["kind"] != "variable":
            continue
        (top,) = ops.successors(name)
        if ops.nodes[top]["kind"] == "op" and ops.in_degree(top) == 1:
            merged[top] = name
    return merged


def _operation_node(ops: nx.DiGraph, name: str, top: str | None = None) -> DrawnNode:
    data = ops.nodes[name]
    kind = data["kind"]
    text = data.get("text") or data.get("label", name)
    if kind == "op":
        short = text if len(text) <= NODE_EXPR_CHARS else text[: NODE_EXPR_CHARS - 1] + "…"
        return DrawnNode(name, name, "op", data["label"], short, None,
                         about=f"{data['label']}: {text}" + _line(data))
    if kind == "variable":
        shown = display_name(name)
        if top is not None:  # drawn with the operation that computes it
            op = ops.nodes[top]
            text = op.get("text", "")
            short = text if len(text) <= NODE_EXPR_CHARS else text[: NODE_EXPR_CHARS - 1] + "…"
            return DrawnNode(name, name, "variable", shown, f"= {short}", None,
                             about=f"{shown} = {op.get('text', '')}: a defined name, computed by "
                                   f"its top operation {op['label']}" + _line(data), aliases=(top,))
        return DrawnNode(name, name, "variable", shown, about=f"{shown}: a defined name" + _line(data))
    if kind == "const":
        return DrawnNode(name, name, "const", data["label"], about=f"the constant {data['label']}")
    return DrawnNode(name, name, "input", data["label"], about=f"{data['label']}: an input")


def _op_text(ops: nx.DiGraph, name: str) -> str:
    data = ops.nodes[name]
    return display_name(name) if data["kind"] in ("variable", "input") else data.get("text", name)


def _line(data: dict) -> str:
    return f" (line {data['line']})" if data.get("line") else ""


# -- shared --------------------------------------------------------------------------------
def _reaching(graph: nx.DiGraph, target: str | None) -> set[str]:
    if target is None or target not in graph:
        return set()
    return nx.ancestors(graph, target) | {target}


def _path_edges(graph: nx.DiGraph, root: str, target: str | None) -> set[tuple[str, str]]:
    """Edges on some path from ``root`` to ``target``."""
    if target is None or target not in graph or root not in graph:
        return set()
    from_root = nx.descendants(graph, root) | {root}
    to_target = _reaching(graph, target)
    return {(u, v) for u, v in graph.edges if u in from_root and v in to_target}


def _finish(view, level, root, wrt, nodes, edges, bottom, truncated) -> DiagramModel:
    by_name: dict[str, list[str]] = {}
    for key, node in nodes.items():
        if node.kind != "more":
            for name in (node.name, *node.aliases):
                by_name.setdefault(name, []).append(key)
    by_edge: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key, edge in edges.items():
        if edge.level_edge is not None:
            by_edge.setdefault(edge.level_edge, []).append(key)
    return DiagramModel(view, level, root, wrt, nodes, edges, bottom, truncated,
                        {k: tuple(v) for k, v in by_name.items()},
                        {k: tuple(v) for k, v in by_edge.items()})
