"""The diagram's Qt-free half: sized layout, folding, what each view draws, short labels."""

import itertools
import math

import networkx as nx
import pytest
import sympy as sp

from chainrule_gui.core.calculus.derivation import derive
from chainrule_gui.core.diagram.model import build_diagram, diagram_numbers
from chainrule_gui.core.diagram.placement import diagram_layout
from chainrule_gui.core.expressions.elide import short_form
from chainrule_gui.core.graph.chain_graph import build_chain_graph
from chainrule_gui.core.graph.tree import unfold_tree
from chainrule_gui.core.language.program import parse_program

SEED = "z = x^2 + sin(x*y); x = t^2; y = e^t"
#: A small network: 30+ operations, shared inputs, a tree of 60+ nodes.
NETWORK = ("L = (yhat - y)^2; yhat = sigmoid(w5*h1 + w6*h2 + b2); h1 = relu(w1*x1 + w2*x2 + b1); "
           "h2 = tanh(w3*x1 + w4*x2 + b1); x1 = 2*s; x2 = s^2")


def graph_of(text):
    return build_chain_graph(parse_program(text))


def intersect(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def boxes(layout):
    rects = [layout.node_rect(k) for k in layout.nodes]
    rects += [layout.label_rect(e) for e in layout.labels if layout.label_sizes[e][0] > 0]
    return rects


@pytest.mark.parametrize("view", ["tree", "graph", "operations"])
def test_no_two_boxes_overlap_on_a_big_example(view):
    g = graph_of(NETWORK)
    model = build_diagram(g, "L", "s", view)
    assert len(model.nodes) >= 14
    # widths vary like real labels do: long names, long partials
    sizes = {k: (40 + 7 * len(n.head + (n.expr_text or "")), 44) for k, n in model.nodes.items()}
    labels = {k: (30 + 6 * len(e.partial_text or ""), 30) for k, e in model.edges.items()}
    layout = diagram_layout(model.graph(), sizes, labels, model.bottom)
    rects = boxes(layout)
    assert len(rects) >= len(model.nodes)
    for a, b in itertools.combinations(rects, 2):
        assert not intersect(a, b), (a, b)


def test_layout_puts_the_output_on_top_inputs_at_the_bottom_and_labels_between():
    g = graph_of(SEED)
    model = build_diagram(g, "z", "t", "graph")
    layout = diagram_layout(model.graph(), {k: (60, 40) for k in model.nodes},
                            {e: (90, 24) for e in model.edges}, model.bottom)
    ys = {k: p[1] for k, p in layout.nodes.items()}
    assert ys["z"] < ys["x"] == ys["y"] < ys["t"]
    for (u, v), (_, label_y) in layout.labels.items():
        assert ys[u] < label_y < ys[v]  # each label sits on its own edge, between its ends
    assert layout.crossings == 0


def test_a_long_edge_bends_around_the_layer_it_crosses():
    g = graph_of("z = w + x; w = x^2; x = t")
    model = build_diagram(g, "z", "t", "graph")
    layout = diagram_layout(model.graph(), {k: (50, 30) for k in model.nodes}, {}, model.bottom)
    assert len(layout.routes[("z", "x")]) == 3  # label slot, then two bends past w's rows


def test_folding_and_unfolding_a_tree_branch():
    g = graph_of(SEED)
    tree = unfold_tree(g.variables, "z", collapsed={"z/x"})
    assert "z/x/t" not in tree and tree.nodes["z/x"]["hidden"] == 1
    small = unfold_tree(g.variables, "z", max_nodes=3)
    assert small.number_of_nodes() == 3 and small.graph["truncated"]
    opened = unfold_tree(g.variables, "z", max_nodes=3, expanded={"z/x", "z/y"})
    assert {"z/x/t", "z/y/t"} <= set(opened)


def test_the_tree_view_folds_big_trees_into_more_nodes():
    g = graph_of(NETWORK)
    model = build_diagram(g, "L", "s", "tree", tree_budget=20)
    more = [n for n in model.nodes.values() if n.kind == "more"]
    assert more and model.truncated
    assert all(n.hidden > 0 and n.parent_key in model.nodes for n in more)
    opened = more[0].parent_key
    unfolded = build_diagram(g, "L", "s", "tree", tree_budget=20, expanded={opened})
    assert opened + "/⋯" not in unfolded.nodes
    children = [k for k in unfolded.nodes if k.rsplit("/", 1)[0] == opened]
    assert len(children) == len(list(g.variables.successors(model.nodes[opened].name)))


def test_views_of_the_seed():
    g = graph_of(SEED)
    tree = build_diagram(g, "z", "t", "tree")
    assert sorted(n.name for n in tree.nodes.values()) == ["t", "t", "x", "y", "z"]
    assert tree.keys_of("t") == ("z/x/t", "z/y/t")
    assert tree.edge_keys_of(("x", "t")) == (("z/x", "z/x/t"),)
    graph = build_diagram(g, "z", "t", "graph")
    assert set(graph.nodes) == {"z", "x", "y", "t"}
    edge = graph.edges[("z", "x")]
    assert edge.symbol == "∂z/∂x" and edge.partial_text == "2*x + y*cos(x*y)"
    assert edge.partial_latex == r"2 x + y \cos{\left(x y \right)}"
    assert graph.edges[("x", "t")].symbol == "dx/dt"
    ops = build_diagram(g, "z", "t", "operations")
    # 12 operation nodes; z, x and y share the box of the operation they name
    assert len(ops.nodes) == 9 and ops.level == "operations"
    assert ops.nodes["z"].head == "z" and ops.nodes["z"].expr_text == "= x^2 + sin(x*y)"
    assert ops.keys_of(ops.nodes["z"].aliases[0]) == ("z",)
    assert len(g.operations.subgraph(set(ops.keys_by_name))) == 12


def test_operation_edges_know_which_variable_edges_they_belong_to():
    g = graph_of(SEED)
    ops = build_diagram(g, "z", "t", "operations")
    lit = {k for k, e in ops.edges.items() if ("z", "y") in e.var_edges}
    # z's definition from its top down to y: (z +) → sin → × → y
    heads = {ops.nodes[a].head for a, _ in lit}
    assert heads == {"z", "sin", "×"}
    assert all(e.edge in (None, ("z", "x"), ("z", "y")) for k, e in ops.edges.items() if k in lit)
    cuttable = {e.edge for e in ops.edges.values() if e.edge}
    assert cuttable == {("z", "x"), ("z", "y"), ("x", "t"), ("y", "t")}


def test_a_cut_marks_its_edge_and_the_edges_that_vanish():
    g = graph_of(SEED)
    cut = {("z", "y")}
    graph = build_diagram(g, "z", "t", "graph", cut=cut)
    assert graph.edges[("z", "y")].cut and graph.edges[("z", "y")].vanished
    assert graph.edges[("y", "t")].vanished and not graph.edges[("y", "t")].cut
    assert not graph.edges[("z", "x")].vanished and not graph.edges[("x", "t")].vanished
    tree = build_diagram(g, "z", "t", "tree", cut=cut)
    assert tree.edges[("z/y", "z/y/t")].vanished and not tree.edges[("z/x", "z/x/t")].vanished
    ops = build_diagram(g, "z", "t", "operations", cut=cut)
    assert [e.edge for e in ops.edges.values() if e.cut] == [("z", "y")]
    assert any(e.vanished and not e.cut for e in ops.edges.values())


def test_numbers_at_both_levels_agree_with_the_derivation():
    g = graph_of(NETWORK)
    point = {name: 0.3 + 0.1 * i for i, name in enumerate(g.inputs)}
    d = derive(g, "L", "s", point)
    for view in ("graph", "operations"):
        model = build_diagram(g, "L", "s", view)
        numbers = diagram_numbers(model, g, d.evaluation, None if view == "operations" else d.adjoints,
                                  None if view == "operations" else d.tangents)
        assert math.isclose(numbers.adjoints["s"], d.derivative, rel_tol=1e-9)
        assert math.isclose(numbers.tangents["L"], d.derivative, rel_tol=1e-9)
        assert numbers.values["L"] == d.value
        for edge in model.edges.values():
            if edge.level_edge and edge.partial_text is not None:
                assert math.isfinite(numbers.partials[edge.level_edge])


def test_implicit_equations_are_drawn_from_F():
    g = graph_of("x^2 + y^2 = 1")
    model = build_diagram(g, "y", "x", "graph")
    assert model.root == "_F" and model.nodes["_F"].head == "F"
    assert set(model.bottom) == {"x", "y"}


def test_short_forms_fit_and_stay_valid_mathematics():
    from matplotlib.mathtext import MathTextParser

    x, y = sp.symbols("x y")
    big = sp.diff(sum(sp.sin(k * x + y) * sp.exp(-x * y / (k + 1)) for k in range(1, 31)), x)
    parser = MathTextParser("path")
    for expr in (big, sp.exp(sp.sin(x * y + sp.cos(x**2 + y)) / (1 + x**2 + y**2)), 2 * x + y):
        short = short_form(expr, 28)
        assert len(short.text) <= 40
        assert short.elided == (len(str(expr)) > 28)
        parser.parse(f"${short.latex}$", dpi=72)  # raises if mathtext cannot typeset it


def test_unknown_view_is_refused():
    with pytest.raises(ValueError):
        build_diagram(graph_of(SEED), "z", "t", "sideways")


def test_layout_handles_empty_and_single_node_graphs():
    assert diagram_layout(nx.DiGraph(), {}).nodes == {}
    one = nx.DiGraph()
    one.add_node("a")
    assert diagram_layout(one, {"a": (10, 10)}).nodes["a"] == (0.0, 5.0)
