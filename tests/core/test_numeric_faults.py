"""Numeric trouble at a point names the node where it happened; nothing turns into NaN silently."""

import pytest

from chainrule_gui.core.chain_graph import build_chain_graph
from chainrule_gui.core.derivation import derive
from chainrule_gui.core.errors import NumericError
from chainrule_gui.core.program import parse_program


@pytest.mark.parametrize("text, point, words, node", [
    ("z = log(x - 3); x = t^2", {"t": 1.0}, "log of a negative number", "log(x - 3)"),
    ("z = 1/(t - 1)", {"t": 1.0}, "division by zero", "1/(t - 1)"),
    ("z = sqrt(t) + 1", {"t": -4.0}, "square root of a negative", "sqrt(t)"),
    ("z = exp(w); w = 1000*t", {"t": 1.0}, "too large", "exp(w)"),
    ("z = asin(t)", {"t": 2.0}, "between −1 and 1", "asin(t)"),
    ("z = t^0.5", {"t": -1.0}, "fractional power", "t^0.5"),
    ("z = log(t)", {"t": 0.0}, "log(0)", "log(t)"),
])
def test_fault_names_the_node(text, point, words, node):
    graph = build_chain_graph(parse_program(text))
    with pytest.raises(NumericError) as info:
        derive(graph, "z", next(iter(point)), point)
    assert words in str(info.value)
    assert info.value.node == node


def test_infinite_slope_is_reported():
    graph = build_chain_graph(parse_program("z = sqrt(t)"))
    with pytest.raises(NumericError, match="slope of sqrt is infinite"):
        derive(graph, "z", "t", {"t": 0.0})


def test_fault_in_definitions_says_which_definition():
    graph = build_chain_graph(parse_program("z = y + 1\ny = log(t)"))
    with pytest.raises(NumericError, match=r"in the definition of y, line 2"):
        graph.evaluate({"t": -1.0})
