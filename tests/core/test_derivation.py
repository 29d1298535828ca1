"""Details of the derivation: caps, cuts, adjoints, tangents, counts and notes."""

import math

import pytest

from chainrule_gui.core.calculus.derivation import derive
from chainrule_gui.core.errors import ChoiceError
from chainrule_gui.core.graph.chain_graph import build_chain_graph
from chainrule_gui.core.language.program import parse_program

SEED = "z = x^2 + sin(x*y); x = t^2; y = e^t"


@pytest.fixture
def seed():
    return build_chain_graph(parse_program(SEED))


def test_adjoints_and_tangents_at_variable_level(seed):
    d = derive(seed, "z", "t", {"t": 1.0})
    ev = d.evaluation
    assert d.adjoints["z"] == 1.0
    assert math.isclose(d.adjoints["x"], ev.partials[("z", "x")])
    assert math.isclose(d.adjoints["t"], d.derivative)
    assert math.isclose(d.tangents["x"], 2.0) and math.isclose(d.tangents["y"], math.e)
    assert math.isclose(d.tangents["z"], d.derivative)


def test_path_products_sum_to_the_derivative(seed):
    d = derive(seed, "z", "t", {"t": 0.3})
    assert math.isclose(sum(p.product for p in d.paths), d.derivative, rel_tol=1e-12)
    for p in d.paths:
        assert math.isclose(math.prod(p.factor_values), p.product)
        assert p.nodes[0] == "z" and p.nodes[-1] == "t"


def test_cutting_an_edge_removes_its_paths(seed):
    full = derive(seed, "z", "t", {"t": 1.0})
    cut = derive(seed, "z", "t", {"t": 1.0}, cut=[("z", "y")])
    assert cut.path_count == 1 and cut.removed_path_count == 1
    assert cut.removed_paths[0].nodes == ("z", "y", "t")
    assert math.isclose(cut.derivative, full.paths[0].product)
    assert cut.agree and cut.agreement["symbolic"] and cut.agreement["finite_difference"]


def test_cutting_the_only_route_gives_zero(seed):
    d = derive(seed, "z", "t", {"t": 1.0}, cut=[("x", "t"), ("y", "t")])
    assert d.derivative == 0.0 and d.path_count == 0
    assert any("does not depend" in n for n in d.notes)


def test_cut_must_be_an_edge(seed):
    with pytest.raises(ChoiceError, match="no edge t → z"):
        derive(seed, "z", "t", {"t": 1.0}, cut=[("t", "z")])


def test_path_cap_keeps_the_exact_total():
    lines = ["x0 = t"]
    for i in range(1, 16):
        lines += [f"a{i} = sin(x{i-1})", f"b{i} = cos(x{i-1})", f"x{i} = a{i}*b{i}"]
    graph = build_chain_graph(parse_program("\n".join(lines)))
    d = derive(graph, "x15", "t", {"t": 0.2}, max_paths=10)
    assert d.path_count == 2**15 and len(d.paths) == 10 and not d.paths_complete
    assert d.methods["paths"] is None
    assert math.isclose(d.derivative, d.methods["forward"], rel_tol=1e-12)
    assert d.agree


def test_operation_counts_show_why_reverse_wins_for_one_output():
    graph = build_chain_graph(parse_program("L = (w1*x1 + w2*x2 + w3*x3 + b - y)^2"))
    d = derive(graph, "L", "w1", {n: 1.0 for n in graph.inputs})
    counts = d.counts
    assert counts.inputs == 8 and counts.outputs == 1
    assert counts.forward_multiplications == 8 * counts.reverse_multiplications


def test_bad_choices_say_what_to_choose(seed):
    with pytest.raises(ChoiceError, match="differentiate with respect to an input: t"):
        derive(seed, "z", "x", {"t": 1.0})
    with pytest.raises(ChoiceError, match="no input 'q'"):
        derive(seed, "z", "q", {"t": 1.0})
    with pytest.raises(ChoiceError, match="no 'w'"):
        derive(seed, "w", "t", {"t": 1.0})
    with pytest.raises(ChoiceError, match="missing: t"):
        derive(seed, "z", "t", {})


def test_kink_is_flagged_honestly():
    graph = build_chain_graph(parse_program("y = relu(x)"))
    d = derive(graph, "y", "x", {"x": 0.0})
    assert d.derivative == 0.0
    assert any("kink" in n for n in d.notes)
    assert d.agreement["finite_difference"] is None  # not compared across a kink
    assert d.agree


def test_output_that_does_not_depend_on_the_input():
    graph = build_chain_graph(parse_program("z = x + 1; w = t"))
    d = derive(graph, "z", "t", {"x": 1.0, "t": 2.0})
    assert d.derivative == 0.0 and d.path_count == 0 and d.agree


def test_a_precomputed_symbolic_derivative_is_used_and_checked(seed):
    from chainrule_gui.core.calculus.derivation import symbolic_derivative

    expr, _ = symbolic_derivative(seed, "z", "t")
    d = derive(seed, "z", "t", {"t": 0.8}, symbolic_expr=expr)
    assert d.derivative_expr is expr
    assert d.agreement["symbolic"] is True
