"""Every worked example parses, and all methods agree at its point."""

import math

import pytest

from chainrule_gui.core.calculus.derivation import derive
from chainrule_gui.core.calculus.implicit import implicit_derivative
from chainrule_gui.core.examples import EXAMPLES
from chainrule_gui.core.graph.chain_graph import build_chain_graph
from chainrule_gui.core.graph.choices import choose_output_input
from chainrule_gui.core.language.program import parse_program


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.key)
def test_example_is_sound(example):
    program = parse_program(example.text)
    graph = build_chain_graph(program)
    assert set(example.point) == set(program.inputs)
    for name, (low, high) in example.ranges.items():
        assert low < example.point[name] < high or math.isclose(example.point[name], low)
    of, wrt = choose_output_input(graph, example.of, example.wrt)
    assert of is not None and wrt is not None
    if program.relation is not None:
        assert implicit_derivative(graph, of, wrt, example.point).agree
    else:
        d = derive(graph, of, wrt, example.point)
        assert d.agree
        assert d.path_count >= 1
    assert len(example.explanation) > 60


def test_seed_examples_are_there():
    keys = {e.key for e in EXAMPLES}
    assert {"exp-3x", "sin-x2", "exp-sqrt", "x2y3", "tree-diagram", "sigmoid-chain",
            "linear-regression", "reparameterization", "polar", "sigmoid-neuron", "cross-entropy",
            "diamond", "implicit-circle"} <= keys
