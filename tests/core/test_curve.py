"""The curve of an implicit equation: sampling, tracing F = 0 and projecting onto it."""

import math

import numpy as np
import pytest

from chainrule_gui.core.calculus.curve import (
    curve_partials,
    polyline_with_breaks,
    project_onto_curve,
    relation_grid,
    zero_level,
)
from chainrule_gui.core.errors import ChoiceError
from chainrule_gui.core.graph.chain_graph import build_chain_graph
from chainrule_gui.core.language.program import parse_program

CIRCLE = build_chain_graph(parse_program("x^2 + y^2 = 1"))


def test_grid_samples_F_with_nan_where_undefined():
    graph = build_chain_graph(parse_program("log(x) + y = 0"))
    xs, ys = np.linspace(-1, 2, 7), np.linspace(-1, 1, 5)
    grid = relation_grid(graph, "x", "y", {"x": 1.0, "y": 0.0}, xs, ys)
    assert grid.shape == (5, 7)
    assert np.isnan(grid[:, xs <= 0]).all()
    assert grid[2, -1] == pytest.approx(math.log(2.0))


def test_zero_level_of_the_circle_lies_on_the_circle():
    xs = ys = np.linspace(-2, 2, 81)
    lines = zero_level(xs, ys, relation_grid(CIRCLE, "x", "y", {"x": 0, "y": 0}, xs, ys))
    assert len(lines) == 1
    points = lines[0]
    radius = np.hypot(points[:, 0], points[:, 1])
    assert np.abs(radius - 1).max() < 0.01  # linear interpolation on a 0.05 grid
    cx, cy = polyline_with_breaks(lines + lines)
    assert np.isnan(cx).sum() == 1 and len(cx) == 2 * len(points) + 1


def test_nothing_to_trace_gives_no_lines():
    xs = ys = np.linspace(3, 4, 11)
    assert zero_level(xs, ys, relation_grid(CIRCLE, "x", "y", {"x": 0, "y": 0}, xs, ys)) == []
    assert zero_level(xs, ys, np.full((11, 11), np.nan)) == []


@pytest.mark.parametrize("start", [(1.0, 1.0), (1.3, 0.1), (-0.2, 0.3), (0.0, -3.0), (1.0, 0.0)])
def test_projection_lands_on_the_circle(start):
    here = project_onto_curve(CIRCLE, "x", "y", {"x": start[0], "y": start[1]})
    assert here is not None
    assert abs(here.x**2 + here.y**2 - 1) < 1e-12
    # along the gradient of a circle is along the radius: the angle is kept
    assert math.atan2(here.y, here.x) == pytest.approx(math.atan2(start[1], start[0]), abs=1e-9)


def test_vertical_tangent_has_no_slope_but_a_direction():
    here = curve_partials(CIRCLE, "x", "y", {"x": 1.0, "y": 0.0})
    assert here.slope is None
    assert here.direction == pytest.approx((0.0, -1.0))
    there = curve_partials(CIRCLE, "x", "y", {"x": 0.6, "y": 0.8})
    assert there.slope == pytest.approx(-0.6 / 0.8)


def test_projection_gives_up_where_the_gradient_vanishes():
    assert project_onto_curve(CIRCLE, "x", "y", {"x": 0.0, "y": 0.0}) is None


def test_projection_keeps_other_variables_fixed():
    sphere = build_chain_graph(parse_program("x^2 + y^2 + z^2 = 1"))
    here = project_onto_curve(sphere, "x", "y", {"x": 1.0, "y": 1.0, "z": 0.6})
    assert here.x**2 + here.y**2 == pytest.approx(1 - 0.36)


def test_definitions_are_not_a_curve():
    graph = build_chain_graph(parse_program("y = x^2"))
    with pytest.raises(ChoiceError):
        project_onto_curve(graph, "x", "y", {"x": 1.0, "y": 1.0})
