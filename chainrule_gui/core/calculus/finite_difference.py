"""Central finite differences, their expected error, and the error-versus-step curve.

The central difference (f(x+h) − f(x−h)) / 2h has truncation error ≈ h²·|f'''|/6 and
round-off error ≈ ε·|f|/h; the best step balances them near h ≈ ε^(1/3)·max(1, |x|).
Plotting |FD(h) − exact| against h on log-log axes shows the two slopes as a V.
Where a kink (relu or abs at 0) lies within [x − h, x + h] the two one-sided slopes
differ and no step gives the derivative, so agreement is not expected there.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from chainrule_gui.core.calculus.agreement import ESTIMATED

EPSILON = sys.float_info.epsilon


def default_step(x: float, order: int = 1) -> float:
    """A step near the balance of truncation and round-off for the given derivative order."""
    power = 1.0 / 3.0 if order == 1 else 1.0 / 4.0
    return EPSILON**power * max(1.0, abs(x))


def central_difference(f: Callable[[float], float], x: float, h: float) -> float:
    return (f(x + h) - f(x - h)) / (2.0 * h)


def second_central_difference(f: Callable[[float], float], x: float, h: float) -> float:
    return (f(x + h) - 2.0 * f(x) + f(x - h)) / (h * h)


@dataclass(frozen=True)
class FiniteDifference:
    """A central difference with an estimate of its own error."""

    value: float
    step: float
    error_estimate: float

    def allowed(self, exact: float) -> float:
        """How far from ``exact`` this difference may be and still agree (:data:`~.agreement.ESTIMATED`)."""
        return ESTIMATED.allowed(exact, self.error_estimate)

    def agrees_with(self, exact: float) -> bool:
        return abs(self.value - exact) <= self.allowed(exact)


def estimate(f: Callable[[float], float], x: float, order: int = 1) -> FiniteDifference:
    """Central difference at the default step, with truncation and round-off estimates."""
    h = default_step(x, order)
    if order == 1:
        fine = central_difference(f, x, h)
        coarse = central_difference(f, x, 2.0 * h)
        scale = max(abs(f(x + h)), abs(f(x - h)))
        round_off = EPSILON * scale / h
    else:
        fine = second_central_difference(f, x, h)
        coarse = second_central_difference(f, x, 2.0 * h)
        round_off = 4.0 * EPSILON * abs(f(x)) / (h * h)
    truncation = abs(coarse - fine) / 3.0  # error ∝ h², so fine's error ≈ (coarse − fine)/3
    return FiniteDifference(fine, h, truncation + round_off)


def error_curve(
    f: Callable[[float], float], x: float, exact: float, steps: Sequence[float] | None = None
) -> list[tuple[float, float]]:
    """``(h, |FD(h) − exact|)`` for log-spaced steps; a failed evaluation is skipped."""
    if steps is None:
        steps = [10.0**k for k in range(-14, 1)] + [3.0 * 10.0**k for k in range(-14, 0)]
        steps = sorted(steps)
    curve = []
    for h in steps:
        try:
            curve.append((h, abs(central_difference(f, x, h) - exact)))
        except ArithmeticError:
            continue
    return curve


def is_finite(*values: float) -> bool:
    return all(math.isfinite(v) for v in values)
