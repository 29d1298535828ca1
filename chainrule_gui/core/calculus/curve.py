"""The curve F(x, y) = 0 of an implicit equation, for drawing and for dragging a point on it.

``relation_grid`` samples F on a rectangle (other variables held at the point), and
``zero_level`` traces where F changes sign with marching squares (contourpy, which
matplotlib also uses).  ``project_onto_curve`` moves a point onto the curve along the
gradient of F — the shortest way there for small moves — so it works where the tangent
is vertical, unlike solving for y at fixed x.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

from chainrule_gui.core.errors import ChainRuleError, ChoiceError
from chainrule_gui.core.graph.accumulate import reverse_sweep
from chainrule_gui.core.graph.chain_graph import RELATION_NODE, ChainGraph


def relation_grid(graph: ChainGraph, x: str, y: str, point: Mapping[str, float],
                  xs: Sequence[float], ys: Sequence[float]) -> np.ndarray:
    """F at every (xs[j], ys[i]) as an array of shape (len(ys), len(xs)); NaN where undefined.

    Variables other than ``x`` and ``y`` keep their values from ``point``.
    """
    _require_relation(graph)
    base = dict(point)
    grid = np.full((len(ys), len(xs)), np.nan)
    for i, yv in enumerate(ys):
        base[y] = float(yv)
        for j, xv in enumerate(xs):
            base[x] = float(xv)
            try:
                grid[i, j] = graph.forward_values(base)[RELATION_NODE]
            except ChainRuleError:
                continue
    return grid


def zero_level(xs: Sequence[float], ys: Sequence[float], grid: np.ndarray) -> list[np.ndarray]:
    """The polylines where ``grid`` crosses 0, each an (n, 2) array of (x, y) points.

    Cells with an undefined corner are skipped, so a curve stops at the edge of F's domain
    instead of being drawn through it.
    """
    import contourpy

    z = np.ma.masked_invalid(np.asarray(grid, dtype=float))
    if z.count() == 0:
        return []
    generator = contourpy.contour_generator(np.asarray(xs, float), np.asarray(ys, float), z,
                                            line_type=contourpy.LineType.Separate)
    # LineType.Separate: one (n, 2) array per line (contourpy types every line type's union)
    lines = cast("list[np.ndarray]", generator.lines(0.0))
    return [line for line in lines if len(line) >= 2]


def polyline_with_breaks(lines: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """All polylines as one x and one y array separated by NaN (one plot item draws them all)."""
    if not lines:
        return np.empty(0), np.empty(0)
    pieces = []
    for line in lines:
        pieces.append(line)
        pieces.append(np.array([[np.nan, np.nan]]))
    joined = np.concatenate(pieces[:-1])
    return joined[:, 0], joined[:, 1]


@dataclass(frozen=True)
class CurvePoint:
    """A point on F = 0 with F's partials there; ``slope`` is dy/dx = −F_x/F_y or None."""

    x: float
    y: float
    residual: float
    F_x: float
    F_y: float

    @property
    def slope(self) -> float | None:
        if abs(self.F_y) <= 1e-12 * max(1.0, abs(self.F_x)):
            return None  # vertical tangent
        return -self.F_x / self.F_y

    @property
    def direction(self) -> tuple[float, float]:
        """A unit vector along the tangent, (F_y, −F_x) normalised; defined where ∇F ≠ 0."""
        norm = math.hypot(self.F_x, self.F_y)
        if norm == 0.0:
            return (1.0, 0.0)
        return (self.F_y / norm, -self.F_x / norm)


def curve_partials(graph: ChainGraph, x: str, y: str, point: Mapping[str, float]) -> CurvePoint:
    """F, F_x and F_y at ``point`` by one forward pass and one reverse sweep (no SymPy)."""
    _require_relation(graph)
    values, partials = graph.fast_partials(point)
    adjoint = reverse_sweep(graph.operations, partials, {RELATION_NODE: 1.0})
    return CurvePoint(float(point[x]), float(point[y]), values[RELATION_NODE], adjoint[x], adjoint[y])


def project_onto_curve(graph: ChainGraph, x: str, y: str, point: Mapping[str, float],
                       *, max_iterations: int = 40, max_move: float | None = None) -> CurvePoint | None:
    """The point of F = 0 reached from ``point`` by Newton steps along ∇F, or None.

    Each step solves the linearisation F + ∇F·δ = 0 for the shortest δ (δ ∥ ∇F).  Steps
    longer than ``max_move`` (default: a quarter of the distance from the start point to
    the origin, at least 0.25) are shortened so that the point does not jump to a far
    branch of the curve.  None when F is undefined on the way, ∇F vanishes, or the
    iteration does not settle.
    """
    _require_relation(graph)
    at = dict(point)
    limit = max_move if max_move is not None else max(0.25, 0.25 * math.hypot(at[x], at[y]))
    for _ in range(max_iterations):
        try:
            here = curve_partials(graph, x, y, at)
        except ChainRuleError:
            return None
        grad2 = here.F_x**2 + here.F_y**2
        if not math.isfinite(here.residual) or not math.isfinite(grad2) or grad2 == 0.0:
            return None
        scale = max(1.0, abs(here.x), abs(here.y))
        if abs(here.residual) <= 1e-13 * max(1.0, math.sqrt(grad2) * scale):
            return here
        dx, dy = -here.residual * here.F_x / grad2, -here.residual * here.F_y / grad2
        length = math.hypot(dx, dy)
        if length > limit:
            dx, dy = dx * limit / length, dy * limit / length
        at[x], at[y] = here.x + dx, here.y + dy
        if math.hypot(dx, dy) <= 1e-15 * scale:
            try:
                return curve_partials(graph, x, y, at)
            except ChainRuleError:
                return None
    return None


def _require_relation(graph: ChainGraph) -> None:
    if graph.program.relation is None:
        raise ChoiceError("a curve needs an equation such as x^2 + y^2 = 1")
