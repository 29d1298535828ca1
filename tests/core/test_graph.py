"""The two graphs: structure, local partials, layout and the unfolded tree."""

import math
import random

import networkx as nx
import pytest
import sympy as sp

from chainrule_gui.core.diagram.layers import layered_layout
from chainrule_gui.core.expressions.ops import OPS, sympy_partials
from chainrule_gui.core.graph.chain_graph import build_chain_graph
from chainrule_gui.core.graph.paths import count_paths, count_paths_through, iter_paths
from chainrule_gui.core.graph.tree import unfold_tree
from chainrule_gui.core.language.program import parse_program

SEED = "z = x^2 + sin(x*y); x = t^2; y = e^t"


def test_variable_graph_is_the_tree_diagram():
    g = build_chain_graph(parse_program(SEED))
    assert set(g.variables.edges) == {("z", "x"), ("z", "y"), ("x", "t"), ("y", "t")}
    x, y = sp.symbols("x y", real=True)
    assert sp.simplify(g.local_partial("z", "x") - (2 * x + y * sp.cos(x * y))) == 0
    assert g.variables.nodes["z"]["kind"] == "output"
    assert g.variables.nodes["t"]["kind"] == "input"


def test_operation_graph_has_every_primitive():
    g = build_chain_graph(parse_program(SEED))
    ops = sorted(d["op"] for _, d in g.operations.nodes(data=True) if d["kind"] == "op")
    assert ops == sorted(["pow", "mul", "sin", "add", "pow", "exp"])
    assert nx.is_directed_acyclic_graph(g.operations)


def test_repeated_operand_is_one_edge_with_summed_partial():
    g = build_chain_graph(parse_program("f = x*x"))
    mul = next(n for n, d in g.operations.nodes(data=True) if d.get("op") == "mul")
    data = g.operations.edges[mul, "x"]
    assert data["indices"] == (0, 1)
    ev = g.evaluate({"x": 3.0})
    assert ev.op_partials[(mul, "x")] == 6.0


def test_values_and_partials_at_a_point():
    g = build_chain_graph(parse_program(SEED))
    ev = g.evaluate({"t": 1.0})
    assert ev.values["x"] == 1.0 and math.isclose(ev.values["y"], math.e)
    assert math.isclose(ev.values["z"], 1 + math.sin(math.e))
    assert math.isclose(ev.partials[("z", "x")], 2 + math.e * math.cos(math.e))


POINTS = {"add": [(0.3, -1.2)], "sub": [(0.3, -1.2)], "mul": [(0.3, -1.2)], "div": [(0.3, -1.2)],
          "neg": [(0.4,)], "pow": [(1.3, 2.5), (-1.5, 3.0)], "log": [(2.5,), (2.5, 3.0)],
          "asin": [(0.3,)], "acos": [(-0.6,)]}


@pytest.mark.parametrize("name", sorted(OPS))
def test_each_operation_knows_its_own_derivatives(name):
    """Hand-written first and second partials match SymPy's, for every primitive."""
    spec = OPS[name]
    for args in POINTS.get(name, [(0.7,)] if spec.arity == (1, 1) else [(0.7, 1.9)]):
        dummies = sp.symbols(f"a0:{len(args)}", real=True)
        expr = spec.sympy(*dummies)
        subs = dict(zip(dummies, args))
        value = spec.value(*args)
        assert math.isclose(value, float(expr.subs(subs)), rel_tol=1e-12)
        grads = spec.grads(args, value)
        hess = spec.hess(args, value)
        for i, a in enumerate(dummies):
            if name == "pow" and i == 1 and args[0] < 0:
                continue  # ∂/∂exponent of a negative base is undefined (NaN by design)
            assert math.isclose(grads[i], float(sp.diff(expr, a).subs(subs)), rel_tol=1e-10, abs_tol=1e-12)
            for j, b in enumerate(dummies):
                if name == "pow" and args[0] < 0 and 1 in (i, j):
                    continue
                expected = float(sp.diff(expr, a, b).subs(subs))
                assert math.isclose(hess[i][j], expected, rel_tol=1e-10, abs_tol=1e-12), (i, j)
        symbolic = sympy_partials(spec, list(dummies))
        for i, a in enumerate(dummies):
            assert sp.simplify(symbolic[i] - sp.diff(expr, a)) == 0


def diamonds(depth):
    lines = ["x0 = t"]
    for i in range(1, depth + 1):
        lines += [f"a{i} = sin(x{i-1})", f"b{i} = cos(x{i-1})", f"x{i} = a{i} + b{i}"]
    return build_chain_graph(parse_program("\n".join(lines))), f"x{depth}"


def test_paths_are_counted_without_listing():
    g, top = diamonds(20)
    assert count_paths(g.variables, top, "t") == 2**20
    assert count_paths_through(g.variables, top, "t", ("x20", "a20")) == 2**19


def test_paths_are_listed_lazily():
    g, top = diamonds(20)
    first = list(zip(range(5), iter_paths(g.variables, top, "t")))
    assert len(first) == 5
    assert all(p[0] == top and p[-1] == "t" for _, p in first)
    g, top = diamonds(4)
    paths = list(iter_paths(g.variables, top, "t"))
    assert len(paths) == len(set(paths)) == 16


def test_layout_puts_outputs_on_top_and_inputs_at_the_bottom():
    g = build_chain_graph(parse_program("z = x + w; x = t^2; w = sin(x)"))
    layout = layered_layout(g.variables, g.inputs)
    ys = {n: p[1] for n, p in layout.positions.items()}
    assert ys["z"] == 0 and ys["t"] == max(ys.values())
    assert ys["w"] < ys["x"]  # x is used by w, so it sits below it
    assert ("z", "x") in layout.edge_points  # the long edge bends around w's layer


def test_layout_untangles_a_scrambled_ladder():
    """A ladder (i → i, i → i+1 between layers) can be drawn without crossings."""
    rng = random.Random(4)
    names = {}
    graph = nx.DiGraph()
    for k in range(4):
        order = list(range(6))
        rng.shuffle(order)  # insertion order scrambled, so the first guess crosses
        for i in order:
            names[k, i] = f"n{rng.random():.6f}"
            graph.add_node(names[k, i])
    for k in range(3):
        for i in range(6):
            graph.add_edge(names[k, i], names[k + 1, i])
            if i + 1 < 6:
                graph.add_edge(names[k, i], names[k + 1, i + 1])
    layout = layered_layout(graph)
    assert layout.crossings == 0
    for row in layout.layers:  # at least one slot between neighbours of a layer
        xs = sorted(layout.positions[n][0] for n in row)
        assert all(b - a >= 1 - 1e-9 for a, b in zip(xs, xs[1:]))


def test_unfolded_tree_copies_shared_names_per_path():
    g = build_chain_graph(parse_program(SEED))
    tree = unfold_tree(g.variables, "z")
    names = sorted(d["name"] for _, d in tree.nodes(data=True))
    assert names == ["t", "t", "x", "y", "z"]
    assert not tree.graph["truncated"]


def test_unfolded_tree_is_capped():
    g, top = diamonds(12)
    tree = unfold_tree(g.variables, top, max_nodes=50)
    assert tree.number_of_nodes() <= 50
    assert tree.graph["truncated"]
    assert any(d["hidden"] > 0 for _, d in tree.nodes(data=True))
