"""When the methods of a checked result agree: one tolerance table and one judge.

Every checked result (a derivative, a second derivative, a Hessian, a Jacobian, an
implicit slope) computes one quantity by several methods and compares each with reverse
mode's value, the *reference* (ARCHITECTURE.md, "calculus").  Exact methods (path sums,
forward mode, J_f·J_g, SymPy) differ from it only by rounding; a finite difference also by
its truncation error, so it is allowed more.  Each result's row of :data:`TOLERANCES` says
how much, and :class:`Judge` applies it the same way for all of them: a method's mark is
True (agrees), False (disagrees) or None (not computed, or not expected to agree here —
across a kink, say).  :class:`CheckedResult` is the shape the results share.

NumPy is imported only where a matrix is compared: the result panel imports this module,
and the first view is painted before NumPy loads (``tests/gui/test_startup.py``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar

FINITE_DIFFERENCE = "finite_difference"
REFERENCE = "reverse"
#: Added to a scalar tolerance so that 0 agrees with 0 and with a denormal's worth of noise.
TINY = 1e-300


@dataclass(frozen=True)
class Scale:
    """What the absolute part of a tolerance is measured against, for one result."""

    result: float = 1.0  # the result's own size: its largest path product, entry, …
    function: float = 1.0  # max(1, |f|) at the point: a second difference's round-off ∝ |f|
    estimate: float = 0.0  # a finite difference's estimate of its own error


@dataclass(frozen=True)
class Tolerance:
    """|value − reference| ≤ rel·|reference| + scaled·result + function·function + floor
    (the sizes of :class:`Scale`).

    A scalar value must be finite too; matrices are compared entry by entry by numpy's
    rule (``allclose``: ``rel`` relative to the reference's entry, the rest absolute).
    """

    rel: float = 0.0
    scaled: float = 0.0
    function: float = 0.0
    floor: float = 0.0

    def allowed(self, reference: float, scale: Scale) -> float:
        """The allowance for a scalar ``reference`` (its absolute part for 0), summed in the
        order written; a term whose coefficient is 0 adds nothing, even at an infinite size."""
        total = 0.0
        for coefficient, size in ((self.rel, abs(reference)), (self.scaled, scale.result),
                                  (self.function, scale.function)):
            if coefficient:
                total += coefficient * size
        return total + self.floor

    def within(self, value, reference, scale: Scale) -> bool:
        """Whether ``value`` (a number or a matrix like ``reference``) is close enough."""
        if not isinstance(reference, float | int):
            import numpy as np

            return bool(np.allclose(value, reference, rtol=self.rel, atol=self.allowed(0.0, scale)))
        return math.isfinite(value) and abs(value - reference) <= self.allowed(reference, scale)


@dataclass(frozen=True)
class EstimatedTolerance:
    """For a central difference that estimates its own error (truncation + round-off):
    |value − exact| ≤ max(times·estimate, rel·|exact|, floor)."""

    times: float
    rel: float
    floor: float

    def allowed(self, exact: float, estimate: float) -> float:
        return max(self.times * estimate, self.rel * abs(exact), self.floor)

    def within(self, value, reference, scale: Scale) -> bool:
        return math.isfinite(value) and abs(value - reference) <= self.allowed(reference, scale.estimate)


@dataclass(frozen=True)
class Tolerances:
    """One row of :data:`TOLERANCES`: the derivative's order, and how close its exact
    methods and its finite difference must come to the reference."""

    order: int
    exact: Tolerance
    finite_difference: Tolerance | EstimatedTolerance


#: A scalar central difference: ten times its own error estimate, at least 1e-7 relative.
ESTIMATED = EstimatedTolerance(times=10.0, rel=1e-7, floor=1e-10)

#: Every tolerance of the checked results, by result.  The scaled terms are relative to the
#: result's size (:attr:`Scale.result`): a derivative's largest path product or chain-rule
#: term (a total that cancels can be far smaller), a matrix's largest entry, or
#: max(1, |dy/dx|) for an implicit slope.  Second derivatives lose more to rounding (1e-7
#: against 1e-8); matrices have no error estimate per entry, so their finite differences get
#: a fixed allowance.
TOLERANCES: Mapping[str, Tolerances] = MappingProxyType({
    "derivative": Tolerances(1, Tolerance(rel=1e-8, scaled=1e-10, floor=TINY), ESTIMATED),
    "jacobian": Tolerances(1, Tolerance(rel=1e-8, scaled=1e-9), Tolerance(rel=1e-5, scaled=1e-6)),
    "implicit": Tolerances(1, Tolerance(scaled=1e-8), Tolerance(scaled=1e-5)),
    "second": Tolerances(2, Tolerance(rel=1e-7, scaled=1e-9, floor=TINY), ESTIMATED),
    # A second difference at h ≈ ε^¼ is good to about 1e-8·|f|; the allowance is wide.
    "hessian": Tolerances(2, Tolerance(rel=1e-7, scaled=1e-9), Tolerance(scaled=1e-6, function=1e-5)),
})
#: ∂²f/∂x∂y against ∂²f/∂y∂x (scaled by the Hessian's largest entry).
SYMMETRY = Tolerance(rel=1e-9, scaled=1e-12)
#: uᵀ(Jv) against (uᵀJ)v.
PRODUCT = Tolerance(rel=1e-9, scaled=1e-12)


def matrix_size(matrix) -> float:
    """A matrix result's size for :attr:`Scale.result`: its largest entry, at least :data:`TINY`."""
    return max(TINY, float(abs(matrix).max()) if matrix.size else 0.0)


def agree(agreement: Mapping[str, bool | None]) -> bool:
    """Nothing disagrees (a method not compared does not count against)."""
    return all(ok is not False for ok in agreement.values())


def disagreeing(agreement: Mapping[str, bool | None]) -> tuple[str, ...]:
    """The methods that disagree, in the order of ``agreement``."""
    return tuple(name for name, ok in agreement.items() if ok is False)


def not_compared(agreement: Mapping[str, bool | None]) -> tuple[str, ...]:
    """The methods not compared (not computed, or not expected to agree here)."""
    return tuple(name for name, ok in agreement.items() if ok is None)


def is_finite(value) -> bool:
    """A finite number, or a matrix of them."""
    if isinstance(value, float | int):
        return math.isfinite(value)
    import numpy as np

    return bool(np.all(np.isfinite(value)))


@dataclass(frozen=True)
class Judge:
    """Marks each method of one result against its reference under one row of :data:`TOLERANCES`."""

    tolerances: Tolerances
    scale: Scale = Scale()

    @classmethod
    def of(cls, kind: str, **scale: float) -> Judge:
        """The judge for a result ``kind`` (a key of :data:`TOLERANCES`) at the sizes of :class:`Scale`."""
        return cls(TOLERANCES[kind], Scale(**scale))

    def close(self, name: str, value, reference) -> bool:
        """Whether method ``name``'s ``value`` is within its tolerance of ``reference``."""
        tolerance = self.tolerances.finite_difference if name == FINITE_DIFFERENCE else self.tolerances.exact
        return tolerance.within(value, reference, self.scale)

    def agreement(self, methods: Mapping[str, object], skip: Collection[str] = ()) -> dict[str, bool | None]:
        """A mark for every method, in the order of ``methods``: None for one not computed or
        in ``skip``; the reference agrees with itself when it is a finite number (every entry)."""
        reference = methods[REFERENCE]

        def mark(name: str, value) -> bool | None:
            if value is None or name in skip:
                return None
            if name == REFERENCE:
                return is_finite(value)
            return self.close(name, value, reference)

        return {name: mark(name, value) for name, value in methods.items()}


class CheckedResult:
    """The shape every checked result shares (ARCHITECTURE.md, "calculus").

    ``methods`` holds each method's value (None where it was not computed), ``agreement``
    each method's mark from :class:`Judge`, ``notes`` what the numbers alone do not say.
    The reference is reverse mode's value; ``symbolic`` is SymPy's form of the result
    (an expression, or a matrix of them), or None.
    """

    methods: Mapping[str, object]
    agreement: Mapping[str, bool | None]
    notes: tuple[str, ...]
    #: The field that holds SymPy's form of the result.
    SYMBOLIC_FIELD: ClassVar[str]

    @property
    def reference(self):
        return self.methods[REFERENCE]

    @property
    def agree(self) -> bool:
        return agree(self.agreement)

    @property
    def disagreeing(self) -> tuple[str, ...]:
        return disagreeing(self.agreement)

    @property
    def symbolic(self):
        return getattr(self, self.SYMBOLIC_FIELD)
