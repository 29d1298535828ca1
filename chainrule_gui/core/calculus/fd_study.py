"""How the finite-difference error depends on the step h: the truncation / round-off V.

For the central difference (f(x+h) − f(x−h)) / 2h the truncation error falls like h²
while the round-off error grows like ε·|f|/h, so |FD(h) − exact| against h on log-log
axes is a V whose bottom is near h ≈ ε^(1/3).  A kink (relu or abs at 0) within
[x − h, x + h] breaks the h² law: the difference then averages two one-sided slopes,
and those steps are flagged.

Everything here is numeric (forward passes only, no SymPy), so it is cheap enough to
redo whenever the point moves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from chainrule_gui.core.calculus.derivation import Derivation, crossed_kink
from chainrule_gui.core.calculus.finite_difference import EPSILON, central_difference
from chainrule_gui.core.errors import ChainRuleError
from chainrule_gui.core.graph.chain_graph import ChainGraph

#: Three steps per decade from 1e-14 to 1: enough to see both arms of the V.
DEFAULT_STEPS = tuple(10.0 ** (k / 3.0) for k in range(-42, 1))


@dataclass(frozen=True)
class StepError:
    """The central difference at one step h and its distance from the exact derivative."""

    step: float
    estimate: float
    error: float  # |estimate − exact|, may be exactly 0
    kink: str | None  # the relu/abs whose kink lies within ±h, if any


@dataclass(frozen=True)
class ErrorStudy:
    """|FD(h) − exact| over many steps h, for one derivative at one point.

    ``points`` are ordered by step; steps where f could not be evaluated at x ± h (a log
    of a negative number, …) are left out and counted in ``skipped``.
    """

    of: str
    wrt: str
    x: float
    exact: float
    points: tuple[StepError, ...]
    default_step: float | None  # the step the verification table used
    default_error: float | None
    skipped: int

    @property
    def best(self) -> StepError | None:
        """The smallest error among steps that do not straddle a kink."""
        smooth = [p for p in self.points if p.kink is None]
        return min(smooth, key=lambda p: p.error) if smooth else None

    @property
    def kinked(self) -> tuple[StepError, ...]:
        return tuple(p for p in self.points if p.kink is not None)

    @property
    def kink(self) -> str | None:
        """The relu/abs text whose kink some step straddles (the first found)."""
        return next((p.kink for p in self.points if p.kink is not None), None)

    def floor(self) -> float:
        """A positive value to draw exact zeros at on a log axis: below every real error."""
        positive = [p.error for p in self.points if p.error > 0]
        scale = max(abs(self.exact), 1.0)
        return min(positive + [EPSILON * scale]) / 10.0

    def summary(self) -> str:
        """One or two sentences for a caption or tooltip."""
        parts = []
        best = self.best
        if best is not None:
            parts.append(f"smallest error {_e(best.error)} at h = {best.step:.1e}")
            if best.step >= 0.1 * max(p.step for p in self.points):
                parts.append("no truncation arm: the central difference is exact for a polynomial of "
                             f"degree ≤ 2 in {self.wrt}, so only round-off remains")
        if self.default_step is not None and self.default_error is not None:
            parts.append(f"default step h = {self.default_step:.1e} gives {_e(self.default_error)}")
        if self.kinked:
            if len(self.kinked) == len(self.points):
                parts.append(f"{self.kink} has its kink within every step: no step recovers the derivative")
            else:
                parts.append(f"steps h ≥ {min(p.step for p in self.kinked):.1e} straddle the kink of {self.kink}")
        if self.skipped:
            parts.append(f"{self.skipped} step(s) left out: {self.of} is undefined at {self.wrt} ± h")
        return "; ".join(parts)


def _e(error: float) -> str:
    return "0 (exact)" if error == 0 else f"{error:.1e}"


def error_study(graph: ChainGraph, d: Derivation, steps: Sequence[float] = DEFAULT_STEPS) -> ErrorStudy:
    """The error of the central difference of d.of along d.wrt at d.point, for each step.

    Cut edges (stop-gradient) are honoured exactly as :func:`derive` does: the cut
    operand keeps its value at the point while x moves.
    """
    point = dict(d.point)
    x0 = point[d.wrt]
    op_cut = graph.operation_edges_of(d.cut)
    frozen = {edge: d.evaluation.op_values[edge[1]] for edge in op_cut}

    def f(x: float) -> float:
        return graph.forward_values({**point, d.wrt: x}, frozen)[d.of]

    points: list[StepError] = []
    skipped = 0
    for h in sorted(steps):
        try:
            value = central_difference(f, x0, h)
            kink = crossed_kink(graph, point, d.wrt, h, frozen)
        except (ChainRuleError, ArithmeticError):
            skipped += 1
            continue
        if not math.isfinite(value):
            skipped += 1
            continue
        points.append(StepError(h, value, abs(value - d.derivative), kink))
    fd = d.finite_difference
    return ErrorStudy(
        of=d.of, wrt=d.wrt, x=x0, exact=d.derivative, points=tuple(points),
        default_step=fd.step if fd is not None else None,
        default_error=abs(fd.value - d.derivative) if fd is not None else None,
        skipped=skipped,
    )
