"""Second derivatives at a kink: the Hessian says which kinks it passes through, and SymPy's
failure names what is 0 there (not a generic "x = 0")."""

import pytest

from chainrule_gui.core.calculus.second_order import derive_second, hessian
from chainrule_gui.core.errors import NumericError
from chainrule_gui.core.graph.chain_graph import build_chain_graph
from chainrule_gui.core.language.program import parse_program


def graph(text):
    return build_chain_graph(parse_program(text))


def test_the_hessian_names_the_kinks_it_passes_through():
    g = graph("f = abs(x-y)")
    assert hessian(g, "f", ("x", "y"), {"x": 1.0, "y": 1.0}, symbolic=False).kinks == ("abs(x-y), where x-y = 0",)
    assert hessian(g, "f", ("x", "y"), {"x": 1.0, "y": 2.0}, symbolic=False).kinks == ()


def test_a_kink_that_does_not_move_with_the_chosen_inputs_is_not_one():
    g = graph("f = relu(x)*y")
    point = {"x": 0.0, "y": 2.0}
    assert hessian(g, "f", ("x", "y"), point, symbolic=False).kinks == ("relu(x), where x = 0",)
    assert hessian(g, "f", ("y",), point, symbolic=False).kinks == ()  # relu(x) is a constant along y


def test_a_cut_edge_hides_the_kink_behind_it():
    g = graph("f = u*y\nu = relu(x)")
    point = {"x": 0.0, "y": 2.0}
    assert hessian(g, "f", ("x", "y"), point, symbolic=False).kinks == ("relu(x), where x = 0",)
    assert hessian(g, "f", ("x", "y"), point, symbolic=False, cut=[("f", "u")]).kinks == ()


def test_the_second_derivative_at_a_kink_names_what_is_zero():
    g = graph("f = abs(x-y)")
    with pytest.raises(NumericError, match="where x - y = 0") as raised:
        derive_second(g, "f", "x", {"x": 1.0, "y": 1.0}, symbolic=False)
    assert "(x = 0)" not in str(raised.value)  # x is 1 here
