"""The finite-difference error against the step h: the V, kinks, cuts and undefined steps."""

import math

import pytest

from chainrule_gui.core.calculus.derivation import derive
from chainrule_gui.core.calculus.fd_study import error_study
from chainrule_gui.core.graph.chain_graph import build_chain_graph
from chainrule_gui.core.language.program import parse_program


def study(text, of, wrt, point, cut=()):
    graph = build_chain_graph(parse_program(text))
    d = derive(graph, of, wrt, point, cut=cut)
    return d, error_study(graph, d)


def test_smooth_function_gives_the_truncation_round_off_v():
    d, s = study("y = sin(x)", "y", "x", {"x": 1.0})
    best = s.best
    assert 1e-8 <= best.step <= 1e-3  # the bottom of the V is in the middle range
    smallest, largest = s.points[0], s.points[-1]
    assert smallest.step < 1e-13 and largest.step == 1.0
    assert smallest.error > 100 * best.error  # round-off arm on the left
    assert largest.error > 100 * best.error  # truncation arm on the right
    # the right arm falls like h^2: a factor 10 in h is about 100 in the error
    right = [p for p in s.points if 1e-3 <= p.step <= 1e-1]
    slope = math.log10(right[-1].error / right[0].error) / math.log10(right[-1].step / right[0].step)
    assert slope == pytest.approx(2.0, abs=0.2)
    assert s.kinked == ()
    assert s.default_step == d.finite_difference.step
    assert s.default_error == pytest.approx(abs(d.finite_difference.value - d.derivative))


def test_relu_at_its_kink_is_flagged_at_every_step():
    d, s = study("y = relu(x)", "y", "x", {"x": 0.0})
    assert len(s.kinked) == len(s.points) > 20
    assert s.kink == "relu(x)"
    assert s.best is None
    assert all(p.error == pytest.approx(0.5) for p in s.points)  # the average of slopes 0 and 1
    assert "no step recovers the derivative" in s.summary()
    assert any("kink" in n for n in d.notes)


def test_a_nearby_kink_is_flagged_only_for_steps_that_reach_it():
    _, s = study("y = relu(x - 0.001) + x^2", "y", "x", {"x": 0.0})
    flagged = {p.step for p in s.kinked}
    assert flagged and all(h >= 1e-3 for h in flagged)
    assert all(p.kink is None for p in s.points if p.step < 1e-3)


def test_cut_edges_are_held_fixed_as_in_the_derivation():
    d, s = study("z = x^2 + sin(x*y); x = t^2; y = e^t", "z", "t", {"t": 1.0}, cut=[("z", "y")])
    assert s.exact == d.derivative
    assert s.best.error < 1e-7  # the frozen function's slope is the cut derivative


def test_steps_where_the_function_is_undefined_are_left_out():
    _, s = study("y = log(x)", "y", "x", {"x": 0.5})
    assert s.skipped >= 1
    assert max(p.step for p in s.points) < 0.5
    assert "left out: y is undefined at x ± h" in s.summary()


def test_the_note_names_the_output_and_input_it_is_about():
    _, s = study("w = x*exp(y/z); x = t^2; y = 1 - t; z = 1 + 2*t", "w", "t", {"t": 0.5})
    assert s.skipped >= 1
    assert "w is undefined at t ± h" in s.summary()


def test_exact_zeros_get_a_floor_below_every_real_error():
    _, s = study("y = 3*x", "y", "x", {"x": 1.0})
    positive = [p.error for p in s.points if p.error > 0]
    assert any(p.error == 0 for p in s.points)
    assert 0 < s.floor() < min(positive + [1.0])
