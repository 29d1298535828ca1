"""A finite difference that cannot confirm the derivative because the function is not smooth
within its step says why (as a relu/abs kink already did), instead of a bare "disagree"."""

import math

import pytest

from chainrule_gui.core.calculus.derivation import derive
from chainrule_gui.core.graph.chain_graph import build_chain_graph
from chainrule_gui.core.language.program import parse_program


def derivation(text, **point):
    graph = build_chain_graph(parse_program(text))
    return derive(graph, graph.outputs[0], graph.inputs[0], point)


def fd_notes(d):
    return [n for n in d.notes if "finite differences cannot confirm" in n or "finite difference at" in n]


def test_sqrt_of_a_square_near_zero_names_sqrt_and_a_step_that_agrees():
    d = derivation("y = sqrt(u); u = x^2", x=1e-6)
    assert d.derivative == pytest.approx(1.0)
    assert abs(d.methods["finite_difference"] - 1.0) > 0.5  # the default step straddles x = 0
    assert d.agreement["finite_difference"] is None  # not compared, like a kink: not "disagrees"
    assert d.agree
    [note] = fd_notes(d)
    assert note.startswith("sqrt(u) is not smooth within ±")
    assert "which agrees" in note  # a smaller step settles on 1


@pytest.mark.parametrize("text, x, primitive", [
    ("y = 1/x", 1e-6, "1/x"),  # a pole within the step
    ("y = log(u); u = x^2", 1e-6, "log(u)"),  # log's slope 1/u blows up at u = 0
    ("y = sin(1/x)", 1e-3, "sin(1/x)"),  # sin turns a full period within the step
    ("y = tan(x)", 1.5707963, "tan(x)"),  # the pole at π/2 is 3e-8 away
])
def test_other_singularities_are_named_too(text, x, primitive):
    d = derivation(text, x=x)
    assert d.agreement["finite_difference"] is None
    [note] = fd_notes(d)
    assert note.startswith(f"{primitive} is not smooth")


def test_a_pole_closer_than_any_step_says_no_step_settles():
    [note] = fd_notes(derivation("y = tan(x)", x=1.5707963))
    assert "no smaller step settles on it either" in note


@pytest.mark.parametrize("text, point", [
    ("y = sqrt(u); u = x^2", {"x": 1.0}),
    ("y = sqrt(u); u = x^2", {"x": 1e3}),
    ("y = sin(x)", {"x": math.pi / 2}),  # a stationary point is smooth: no note
    ("y = x^3", {"x": 1e-6}),
    ("y = exp(1000*x)", {"x": 0.01}),
    ("z = x^2 + sin(x*y); x = t^2; y = e^t", {"t": 1.0}),
])
def test_smooth_points_keep_a_plain_agreeing_check(text, point):
    d = derivation(text, **point)
    assert d.agreement["finite_difference"] is True and not fd_notes(d)


def test_kinks_keep_their_own_note():
    d = derivation("y = relu(u); u = x^2 - 1", x=1.0)
    assert d.agreement["finite_difference"] is None
    assert any("has a kink within" in n for n in d.notes) and not any("not smooth" in n for n in d.notes)


def test_a_cut_edge_is_honoured():
    """Cutting y → u holds u fixed, so y = sqrt(u) no longer varies with x and nothing is flagged."""
    graph = build_chain_graph(parse_program("y = sqrt(u) + x; u = x^2"))
    d = derive(graph, "y", "x", {"x": 1e-6}, cut=[("y", "u")])
    assert d.derivative == pytest.approx(1.0) and d.agreement["finite_difference"] is True
    assert not fd_notes(d)


# -- second order ------------------------------------------------------------------------
def second(text, **point):
    from chainrule_gui.core.calculus.second_order import derive_second

    graph = build_chain_graph(parse_program(text))
    return derive_second(graph, graph.outputs[0], graph.inputs[0], point)


def test_a_second_difference_across_a_singularity_no_longer_agrees_by_accident():
    """sqrt(x²) = |x| at x = 1e-6: d²/dx² is 0, the second difference 16250; its own error
    estimate was as large, so it 'agreed'.  Now it is not compared, and the note says why."""
    d = second("y = sqrt(u); u = x^2", x=1e-6)
    assert abs(d.methods["finite_difference"]) > 1e3
    assert d.agreement["finite_difference"] is None
    assert any(n.startswith("sqrt(u) is not smooth") and "second derivative" in n for n in d.notes)


@pytest.mark.parametrize("text, x, words", [
    ("y = 1/x", 1e-5, "1/x is not smooth"),  # a bare "disagree" before
    ("y = relu(u); u = x^2 - 1", 1.00001, "relu(u) has a kink within"),  # the kink is within the step only
])
def test_second_differences_name_what_lies_within_the_step(text, x, words):
    d = second(text, x=x)
    assert d.agreement["finite_difference"] is None
    assert any(words in n for n in d.notes)


@pytest.mark.parametrize("text, x", [
    ("y = sin(u); u = x^2", 0.7), ("y = sqrt(u); u = x^2", 1e-3), ("y = sqrt(x)", 1e-3), ("y = x", 0.3),
])
def test_smooth_second_differences_still_agree(text, x):
    d = second(text, x=x)
    assert d.agreement["finite_difference"] is True and not any("smooth" in n for n in d.notes)


def test_a_hessian_finite_difference_across_a_singularity_says_along_which_input():
    from chainrule_gui.core.calculus.second_order import hessian

    graph = build_chain_graph(parse_program("f = sqrt(u)*y; u = x^2"))
    h = hessian(graph, "f", ["x", "y"], {"x": 1e-6, "y": 1.0})
    assert h.agreement["finite_difference"] is None  # was a bare DISAGREES
    assert any(n.startswith("sqrt(u) is not smooth within ±1.2e-04 of the point along x") for n in h.notes)
    smooth = hessian(graph, "f", ["x", "y"], {"x": 0.5, "y": 1.0})
    assert smooth.agreement["finite_difference"] is True and not smooth.notes
