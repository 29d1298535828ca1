"""Frames of the forward pass, backward pass and forward-mode sweep (no screen needed)."""

import math

import networkx as nx
import pytest

from chainrule_gui.core.calculus.derivation import derive
from chainrule_gui.core.calculus.stepthrough import cost_summary, step_sequence
from chainrule_gui.core.graph.chain_graph import build_chain_graph
from chainrule_gui.core.language.program import parse_program

SEED = "z = x^2 + sin(x*y); x = t^2; y = e^t"
MANY_INPUTS = "L = (w1*a + w2*b + w3*c - y)^2"


def setup(text, of, wrt, point=None, cut=frozenset()):
    g = build_chain_graph(parse_program(text))
    point = point or {name: 0.5 + 0.25 * i for i, name in enumerate(g.inputs)}
    return g, derive(g, of, wrt, point, cut=cut)


@pytest.mark.parametrize("level", ["variables", "operations"])
def test_forward_pass_fills_values_in_operands_first(level):
    g, d = setup(SEED, "z", "t", {"t": 1.0})
    s = step_sequence("forward_pass", g, level, "z", "t", d.evaluation)
    graph = g.variables if level == "variables" else g.operations
    order = [f.node for f in s.frames]
    assert len(order) == len(set(order)) == len(nx.descendants(graph, "z")) + 1
    seen = set()
    for node in order:
        assert set(graph.successors(node)) <= seen  # every operand is known already
        seen.add(node)
    values = d.evaluation.values if level == "variables" else d.evaluation.op_values
    assert all(f.number == values[f.node] for f in s.frames)
    assert order[-1] == "z" and order[0] == "t"
    assert [f.node for f in s.frames[:1]] == ["t"]


@pytest.mark.parametrize("level", ["variables", "operations"])
def test_backward_contributions_sum_to_the_adjoints(level):
    g, d = setup(SEED, "z", "t", {"t": 1.0})
    s = step_sequence("backward", g, level, "z", "t", d.evaluation)
    assert s.frames[0].node == "z" and s.frames[0].number == 1.0 and s.frames[0].edge is None
    sums = {}
    for frame in s.frames[1:]:
        parent, child = frame.edge
        assert frame.node == child
        assert math.isclose(frame.contribution, frame.source * frame.weight, rel_tol=1e-12)
        sums[child] = sums.get(child, 0.0) + frame.contribution
        assert math.isclose(frame.number, sums[child], rel_tol=1e-12)  # the running sum
    if level == "variables":
        for node, total in sums.items():
            assert math.isclose(total, d.adjoints[node], rel_tol=1e-12)
    assert math.isclose(s.numbers_at(len(s) - 1)["t"], d.derivative, rel_tol=1e-12)
    # t receives one contribution per edge into it
    graph = g.variables if level == "variables" else g.operations
    into_t = sorted(f.edge for f in s.frames if f.node == "t")
    assert into_t == sorted(graph.in_edges("t"))


def test_forward_mode_sweep_ends_with_the_derivative():
    g, d = setup(SEED, "z", "t", {"t": 1.0})
    for level in ("variables", "operations"):
        s = step_sequence("forward_mode", g, level, "z", "t", d.evaluation)
        assert s.frames[0].node == "t" and s.frames[0].number == 1.0
        assert math.isclose(s.numbers_at(len(s) - 1)["z"], d.derivative, rel_tol=1e-12)
        for frame in s.frames[1:]:
            assert frame.node == frame.edge[0]  # the user receives ∂user/∂operand · tangent


def test_numbers_at_replays_frames_up_to_an_index():
    g, d = setup(SEED, "z", "t", {"t": 1.0})
    s = step_sequence("backward", g, "variables", "z", "t", d.evaluation)
    assert s.numbers_at(-1) == {}
    assert s.numbers_at(0) == {"z": 1.0}
    assert set(s.numbers_at(2)) == {"z", "x", "y"}
    assert math.isclose(s.numbers_at(3)["t"], d.paths[0].product, rel_tol=1e-12)  # first path only


def test_a_cut_edge_carries_nothing_backward():
    g, d = setup(SEED, "z", "t", {"t": 1.0}, cut=frozenset({("z", "y")}))
    s = step_sequence("backward", g, "variables", "z", "t", d.evaluation, cut={("z", "y")})
    assert ("z", "y") not in {f.edge for f in s.frames}
    assert math.isclose(s.numbers_at(len(s) - 1)["t"], d.derivative, rel_tol=1e-12)


def test_captions_name_the_edge_and_the_running_sum():
    g, d = setup(SEED, "z", "t", {"t": 1.0})
    s = step_sequence("backward", g, "variables", "z", "t", d.evaluation)
    assert s.frames[-1].caption.startswith("∂z/∂t += ∂z/∂y · dy/dt = ")
    assert "so far" in s.frames[-1].caption


def test_reverse_mode_needs_one_sweep_for_many_inputs():
    g, d = setup(MANY_INPUTS, "L", "w1")
    counts = d.counts
    assert counts.inputs == 7 and counts.outputs == 1
    assert counts.forward_multiplications == 7 * counts.reverse_multiplications
    text = " ".join(cost_summary(counts))
    assert "Reverse mode wins here" in text and f"7 × {counts.edges}" in text


def test_unknown_kinds_are_refused():
    g, d = setup(SEED, "z", "t")
    with pytest.raises(ValueError):
        step_sequence("sideways", g, "variables", "z", "t", d.evaluation)
    with pytest.raises(ValueError):
        step_sequence("backward", g, "atoms", "z", "t", d.evaluation)
