"""Numeric trouble at a point names the node where it happened; nothing turns into NaN silently."""

import math

import pytest

from chainrule_gui.core.calculus.derivation import derive, paths_at_fault
from chainrule_gui.core.diagram.model import build_diagram, fault_marks, partial_numbers
from chainrule_gui.core.errors import NumericError
from chainrule_gui.core.graph.chain_graph import build_chain_graph
from chainrule_gui.core.language.program import parse_program


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


# -- what could be computed, and where it failed (for the diagram's marks) ----------------------
def fault_of(text, point):
    graph = build_chain_graph(parse_program(text))
    with pytest.raises(NumericError) as info:
        graph.evaluate(point)
    return graph, info.value


def test_a_value_fault_keeps_every_value_that_does_not_depend_on_it():
    graph, error = fault_of("z = log(x - 3) + y; x = t^2; y = sin(t)", {"t": 1.0})
    ev = error.evaluation
    assert ev.values == {"t": 1.0, "x": 1.0, "y": pytest.approx(math.sin(1.0))}  # z alone is missing
    assert ev.partials == {("x", "t"): 2.0, ("y", "t"): pytest.approx(math.cos(1.0))}
    assert error.owner == "z" and not error.is_slope_fault
    assert graph.operations.nodes[error.operation]["text"] == "log(x - 3)"
    assert error.reason == "log of a negative number (log(-2)) is not a real number"
    assert "z:" not in str(error)  # the message names text and line, not internal ids


def test_a_slope_fault_keeps_every_value_and_names_the_edges():
    graph, error = fault_of("z = sqrt(x)*y; x = t^2; y = exp(t)", {"t": 0.0})
    ev = error.evaluation
    assert ev.values == {"t": 0.0, "x": 0.0, "y": 1.0, "z": 0.0}
    assert error.is_slope_fault and error.edges == {("z", "x")}
    assert error.op_edge[1] == "x" and graph.operations.nodes[error.op_edge[0]]["op"] == "sqrt"
    assert ("z", "x") not in ev.partials and ev.partials[("z", "y")] == 0.0
    assert "infinite" in error.reason


def test_forward_values_reports_the_first_fault_with_the_values_beside_it():
    graph = build_chain_graph(parse_program("z = u + v; u = 1/(t - 1); v = log(t - 2); w = t + 1"))
    with pytest.raises(NumericError) as info:
        graph.forward_values({"t": 1.0})
    assert info.value.owner == "u"
    assert info.value.values["w"] == 2.0 and "v" not in info.value.values and "z" not in info.value.values


def test_an_all_constant_operation_never_faults():
    graph = build_chain_graph(parse_program("z = t + sqrt(0)"))  # sqrt's slope at 0 is never needed
    assert derive(graph, "z", "t", {"t": 1.0}).derivative == 1.0


def test_a_fault_in_an_equation_names_it():
    _graph, error = fault_of("x^2 + log(y) = 1", {"x": 0.5, "y": -1.0})
    assert error.owner == "_F" and error.evaluation.values == {"x": 0.5, "y": -1.0}


@pytest.mark.parametrize("view, expected_nodes, expected_edges", [
    ("tree", ["z"], []),
    ("graph", ["z"], []),
    ("operations", ["log"], []),
])
def test_fault_marks_for_a_value(view, expected_nodes, expected_edges):
    graph, error = fault_of("z = log(x - 3) + y; x = t^2; y = sin(t)", {"t": 1.0})
    model = build_diagram(graph, "z", "t", view)
    marks = fault_marks(model, error)
    assert [model.nodes[k].head for k in marks.nodes] == expected_nodes
    assert list(marks.edges) == expected_edges
    numbers = partial_numbers(model, error.evaluation)
    assert not numbers.complete and numbers.adjoints == {}
    assert "z" not in numbers.values and numbers.values["x"] == 1.0


@pytest.mark.parametrize("view", ["tree", "graph", "operations"])
def test_fault_marks_for_a_slope(view):
    graph, error = fault_of("z = sqrt(x)*y; x = t^2; y = exp(t)", {"t": 0.0})
    model = build_diagram(graph, "z", "t", view)
    marks = fault_marks(model, error)
    assert not marks.nodes and len(marks.edges) == 1
    edge = model.edges[marks.edges[0]]
    if view == "operations":
        assert edge.level_edge == error.op_edge
    else:
        assert edge.level_edge == ("z", "x")
    assert marks.reason.startswith("the slope of sqrt")


def test_paths_at_a_fault_keep_the_factors_that_exist():
    """The paths are structure; only the factors that need the failing value are missing,
    and a path's product exists exactly when all its factors do."""
    graph = build_chain_graph(parse_program("z = x*y + w; x = t^2; y = sqrt(t); w = 3*t"))
    with pytest.raises(NumericError) as info:
        graph.evaluate({"t": 0.0})  # dy/dt = 1/(2√t) is infinite at 0; every value exists
    paths, count = paths_at_fault(graph, "z", "t", info.value.evaluation)
    by_nodes = {p.nodes: p for p in paths}
    assert count == 3 and set(by_nodes) == {("z", "x", "t"), ("z", "y", "t"), ("z", "w", "t")}
    assert by_nodes[("z", "y", "t")].factor_values[1] is None and by_nodes[("z", "y", "t")].product is None
    assert by_nodes[("z", "x", "t")].factor_values == (0.0, 0.0) and by_nodes[("z", "x", "t")].product == 0.0
    assert by_nodes[("z", "w", "t")].product == 3.0
    paths, count = paths_at_fault(graph, "z", "t", info.value.evaluation, max_paths=1,
                                  cut=[("z", "w")])
    assert count == 2 and len(paths) == 1


def test_a_derivative_asked_at_a_fault_carries_its_paths():
    """What a path list shows at a bad point comes with the error: no view lists paths."""
    graph = build_chain_graph(parse_program("z = x*y + w; x = t^2; y = sqrt(t); w = 3*t"))
    with pytest.raises(NumericError) as info:
        derive(graph, "z", "t", {"t": 0.0}, max_paths=2, cut=[("z", "w")])
    expected = paths_at_fault(graph, "z", "t", info.value.evaluation, max_paths=2, cut=[("z", "w")])
    assert (info.value.paths, info.value.path_count) == expected
    assert info.value.path_count == 2 and [p.nodes for p in info.value.paths] == [("z", "x", "t"), ("z", "y", "t")]
