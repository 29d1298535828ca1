"""The primitive registry: one entry per operation, and all that is known about it.

An entry is micrograd's shape: an operation knows ``f(a, b, …)``, the local partials
``∂f/∂a_i`` and (for second-order work) ``∂²f/∂a_i∂a_j`` — and nothing about the graph it
sits in.  Forward mode, reverse mode, paths and Taylor propagation in :mod:`.accumulate`
only combine these local numbers.

Every other table of primitives is derived from :data:`OPS`: the parser's functions and
their argument counts, the float and array evaluators of SymPy expressions
(:mod:`.numeric`, :mod:`.numeric_array`), the NumPy export's helper functions and the
short forms that labels are measured by.  Adding a primitive is adding one entry here,
with its math (here, in :mod:`.ops_numpy` and, where SymPy lacks the function, in
:mod:`.sympy_functions`).

Float values use :mod:`math` so that a domain problem raises at the exact operation
(``Fault``) instead of spreading a silent NaN; array values give NaN there, which a plot
draws as a gap.  NumPy and SymPy are imported on first use: the parser reads this table
as the editor starts.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from chainrule_gui.core.exports import LazyModule
from chainrule_gui.core.expressions import ops_numpy as arrays

if TYPE_CHECKING:  # for annotations only: NumPy is imported on first use
    from numpy.typing import NDArray

np = LazyModule("numpy")
sp = LazyModule("sympy")
ours = LazyModule("chainrule_gui.core.expressions.sympy_functions")  # σ, relu, softplus


class Fault(Exception):
    """A numeric problem at one operation; the caller adds where it happened."""


def _check(value: float) -> float:
    if math.isinf(value):
        raise Fault("the result is too large for floating point (overflow)")
    if math.isnan(value):
        raise Fault("the result is not a number")
    return value


def _call(fn: Callable[..., float], *args: float) -> float:
    try:
        return _check(fn(*args))
    except OverflowError:
        raise Fault("the result is too large for floating point (overflow)") from None
    except ZeroDivisionError:
        raise Fault("division by zero") from None


def _sigmoid(a: float) -> float:
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    z = math.exp(a)
    return z / (1.0 + z)


def _softplus(a: float) -> float:
    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))


def _sign(a: float) -> float:
    return 1.0 if a > 0 else (-1.0 if a < 0 else 0.0)


def _real_pow(a: float, b: float) -> float:
    if a < 0 and not float(b).is_integer():
        raise Fault(f"a negative number to a fractional power ({_fmt_power(a, b)}) is not a real number")
    if a == 0 and b < 0:
        raise Fault(f"zero to a negative power (0^{_fmt(b)}) divides by zero")
    try:
        return _check(math.pow(a, b))
    except OverflowError:
        raise Fault(f"{_fmt_power(a, b)} is too large for floating point (overflow)") from None


def _fmt(x: float) -> str:
    """Six significant digits, and more where six would show a whole number that ``x`` is
    not: at 1.0000001, "1^1e+300 is too large" said something false."""
    for digits in range(6, 18):
        text = f"{x:.{digits}g}"
        if float(text) == x or not float(text).is_integer():
            return text
    return repr(float(x))


def _fmt_power(a: float, b: float) -> str:
    """a^b as it reads: (-8)^0.333333, not -8^0.333333 (which is -(8^0.333333))."""
    base = _fmt(a)
    return f"({base})^{_fmt(b)}" if a < 0 else f"{base}^{_fmt(b)}"


def _div_value(a: float, b: float) -> float:
    if b == 0:
        raise Fault(f"division by zero ({_fmt(a)} / 0)")
    return _call(lambda x, y: x / y, a, b)


def _log_value(a: float, base: float | None = None) -> float:
    if a == 0:
        raise Fault("log(0) is undefined (it goes to −∞)")
    if a < 0:
        raise Fault(f"log of a negative number (log({_fmt(a)})) is not a real number")
    if base is None:
        return math.log(a)
    if base <= 0 or base == 1:
        raise Fault(f"a logarithm needs a positive base other than 1, not {_fmt(base)}")
    return math.log(a) / math.log(base)


def _sqrt_value(a: float) -> float:
    if a < 0:
        raise Fault(f"the square root of a negative number (sqrt({_fmt(a)})) is not a real number")
    return math.sqrt(a)


def _inverse_trig_domain(name: str, fn):
    def value(a: float) -> float:
        if not -1.0 <= a <= 1.0:
            raise Fault(f"{name} is defined only between −1 and 1, not at {_fmt(a)}")
        return fn(a)

    return value


def _edge_of_domain(a: float) -> float:
    if abs(a) >= 1.0:
        raise Fault("the slope is infinite at the end of the domain (±1)")
    return 1.0 - a * a


def _sqrt_slope(a: float, v: float) -> float:
    if v == 0:
        raise Fault("the slope of sqrt is infinite at 0")
    return 0.5 / v


def _pow_grads(a: Sequence[float], v: float) -> tuple[float, float]:
    base, exponent = a
    if base == 0 and exponent < 1 and exponent != 0:
        raise Fault(f"the slope of x^{_fmt(exponent)} is infinite at x = 0")
    d_base = 0.0 if exponent == 0 else exponent * _real_pow(base, exponent - 1)
    # ∂/∂exponent needs log(base); it matters only when the exponent varies, so a
    # non-positive base gives NaN here and the graph reports it only on a live edge.
    if base > 0:
        d_exp = v * math.log(base)
    elif base == 0:
        d_exp = 0.0
    else:
        d_exp = math.nan
    return d_base, d_exp


def _pow_hess(a: Sequence[float], v: float) -> tuple[tuple[float, float], tuple[float, float]]:
    base, exponent = a
    if exponent in (0.0, 1.0):
        aa = 0.0
    else:
        aa = exponent * (exponent - 1) * _real_pow(base, exponent - 2)
    if base > 0:
        ln = math.log(base)
        ab = _real_pow(base, exponent - 1) * (1 + exponent * ln)
        bb = v * ln * ln
    else:
        ab = bb = math.nan
    return ((aa, ab), (ab, bb))


def _log2_grads(a: Sequence[float], v: float) -> tuple[float, ...]:
    if len(a) == 1:
        return (1.0 / a[0],)
    x, b = a
    lb = math.log(b)
    return (1.0 / (x * lb), -math.log(x) / (b * lb * lb))


def _log2_hess(a: Sequence[float], v: float):
    if len(a) == 1:
        return ((-1.0 / (a[0] * a[0]),),)
    x, b = a
    lb, lx = math.log(b), math.log(x)
    xx = -1.0 / (x * x * lb)
    xb = -1.0 / (x * b * lb * lb)
    bb = lx * (2 + lb) / (b * b * lb**3)
    return ((xx, xb), (xb, bb))


def _tan_slope(a: float, v: float) -> float:
    return 1.0 + v * v


def _raise_infinite(name: str) -> float:
    raise Fault(f"the curvature of {name} is infinite here")


@dataclass(frozen=True)
class OpSpec:
    """One primitive operation.

    ``value(*a)`` computes f in floats; ``grads(a, v)`` the tuple of ∂f/∂a_i at the
    arguments ``a`` where ``v = f(a)``; ``hess(a, v)`` the matrix of ∂²f/∂a_i∂a_j;
    ``array_value`` and ``array_grads`` the same two on NumPy arrays, NaN where undefined.
    ``load_sympy()`` returns what builds its SymPy expression (read it as :attr:`sympy`).
    ``arity`` is the least and most number of arguments, which the parser checks.

    ``function`` says the language writes it ``name(…)`` (the others are operators);
    ``aliases`` are other names it may be written with, each with its own arity.  ``kink``
    marks functions that are not differentiable where their argument is 0 (relu, abs).
    ``short`` is what its printed name shrinks to once typeset (σ for sigmoid), for label
    budgets; ``numpy_helper`` the definition an exported NumPy module needs where NumPy
    has no such function.
    """

    name: str
    symbol: str
    arity: tuple[int, int]
    value: Callable[..., float]
    grads: Callable[[Sequence[float], float], tuple[float, ...]]
    hess: Callable[[Sequence[float], float], tuple[tuple[float, ...], ...]]
    array_value: Callable[..., NDArray]
    array_grads: Callable[[Sequence[NDArray], NDArray], tuple[NDArray, ...]]
    load_sympy: Callable[[], Callable[..., object]]
    function: bool = True
    aliases: tuple[tuple[str, tuple[int, int]], ...] = ()
    kink: bool = False
    short: str | None = None
    numpy_helper: str | None = None

    @cached_property
    def sympy(self) -> Callable[..., object]:
        """What builds this operation's SymPy expression from its arguments' expressions
        (SymPy's own function where it has one)."""
        return self.load_sympy()


def _operator(name, symbol, arity, value, grads, hess, array_value, array_grads, sympy) -> OpSpec:
    """An operation the language writes with a sign (``+``, ``^``, …) rather than a name."""
    return OpSpec(name, symbol, (arity, arity), value, grads, hess, array_value, array_grads,
                  lambda: sympy, function=False)


def _unary(name, value, d1, d2, array, array_d1, sympy, symbol=None, **more) -> OpSpec:
    """A one-argument function from f, f' and f'' (the slopes as functions of (a, v)), in
    floats and on arrays, and the SymPy function ``sympy()`` returns."""
    return OpSpec(
        name=name,
        symbol=symbol or name,
        arity=(1, 1),
        value=value,
        grads=lambda a, v: (_call(d1, a[0], v),),
        hess=lambda a, v: ((_call(d2, a[0], v),),),
        array_value=array,
        array_grads=lambda a, v: (array_d1(a[0], v),),
        load_sympy=sympy,
        **more,
    )


def _numpy_helper(name: str, body: str) -> str:
    return f"def {name}(x):\n    return {body}\n"


_ENTRIES = (
    _operator("add", "+", 2, lambda a, b: _call(lambda x, y: x + y, a, b),
              lambda a, v: (1.0, 1.0), lambda a, v: ((0.0, 0.0), (0.0, 0.0)),
              lambda a, b: a + b, lambda a, v: (np.ones_like(v), np.ones_like(v)), operator.add),
    _operator("sub", "−", 2, lambda a, b: _call(lambda x, y: x - y, a, b),
              lambda a, v: (1.0, -1.0), lambda a, v: ((0.0, 0.0), (0.0, 0.0)),
              lambda a, b: a - b, lambda a, v: (np.ones_like(v), -np.ones_like(v)), operator.sub),
    _operator("mul", "×", 2, lambda a, b: _call(lambda x, y: x * y, a, b),
              lambda a, v: (a[1], a[0]), lambda a, v: ((0.0, 1.0), (1.0, 0.0)),
              lambda a, b: a * b, lambda a, v: (a[1] * np.ones_like(v), a[0] * np.ones_like(v)),
              operator.mul),
    _operator("div", "÷", 2, _div_value,
              lambda a, v: (1.0 / a[1], -v / a[1]),
              lambda a, v: ((0.0, -1.0 / a[1] ** 2), (-1.0 / a[1] ** 2, 2.0 * a[0] / a[1] ** 3)),
              lambda a, b: a / np.where(b == 0, np.nan, b), lambda a, v: (1.0 / a[1], -v / a[1]),
              operator.truediv),
    _operator("neg", "−", 1, lambda a: -a, lambda a, v: (-1.0,), lambda a, v: ((0.0,),),
              lambda a: -a, lambda a, v: (-np.ones_like(v),), operator.neg),
    _operator("pow", "^", 2, _real_pow, _pow_grads, _pow_hess,
              arrays.real_pow, arrays.pow_grads, operator.pow),
    _unary("sin", lambda a: _call(math.sin, a), lambda a, v: math.cos(a), lambda a, v: -v,
           lambda a: np.sin(a), lambda a, v: np.cos(a), lambda: sp.sin),
    _unary("cos", lambda a: _call(math.cos, a), lambda a, v: -math.sin(a), lambda a, v: -v,
           lambda a: np.cos(a), lambda a, v: -np.sin(a), lambda: sp.cos),
    _unary("tan", lambda a: _call(math.tan, a), _tan_slope, lambda a, v: 2.0 * v * (1.0 + v * v),
           lambda a: np.tan(a), lambda a, v: 1.0 + v * v, lambda: sp.tan),
    _unary("asin", _inverse_trig_domain("asin", math.asin),
           lambda a, v: 1.0 / math.sqrt(_edge_of_domain(a)),
           lambda a, v: a / _edge_of_domain(a) ** 1.5,
           arrays.within(lambda a: np.arcsin(a), -1, 1), lambda a, v: 1.0 / np.sqrt(1.0 - a**2),
           lambda: sp.asin),
    _unary("acos", _inverse_trig_domain("acos", math.acos),
           lambda a, v: -1.0 / math.sqrt(_edge_of_domain(a)),
           lambda a, v: -a / _edge_of_domain(a) ** 1.5,
           arrays.within(lambda a: np.arccos(a), -1, 1), lambda a, v: -1.0 / np.sqrt(1.0 - a**2),
           lambda: sp.acos),
    _unary("atan", lambda a: math.atan(a),
           lambda a, v: 1.0 / (1.0 + a * a), lambda a, v: -2.0 * a / (1.0 + a * a) ** 2,
           lambda a: np.arctan(a), lambda a, v: 1.0 / (1.0 + a**2), lambda: sp.atan),
    _unary("sinh", lambda a: _call(math.sinh, a), lambda a, v: math.cosh(a), lambda a, v: v,
           lambda a: np.sinh(a), lambda a, v: np.cosh(a), lambda: sp.sinh),
    _unary("cosh", lambda a: _call(math.cosh, a), lambda a, v: math.sinh(a), lambda a, v: v,
           lambda a: np.cosh(a), lambda a, v: np.sinh(a), lambda: sp.cosh),
    _unary("tanh", lambda a: math.tanh(a),
           lambda a, v: 1.0 - v * v, lambda a, v: -2.0 * v * (1.0 - v * v),
           lambda a: np.tanh(a), lambda a, v: 1.0 - v * v, lambda: sp.tanh),
    _unary("exp", lambda a: _call(math.exp, a), lambda a, v: v, lambda a, v: v,
           lambda a: np.exp(a), lambda a, v: v, lambda: sp.exp, short="e"),
    OpSpec("log", "log", (1, 2), _log_value, _log2_grads, _log2_hess,
           arrays.log, arrays.log_grads, lambda: sp.log,
           aliases=(("ln", (1, 1)),)),  # ln(x) is log(x), and takes no base
    _unary("sqrt", _sqrt_value, _sqrt_slope,
           lambda a, v: -0.25 / (v * v * v) if v else _raise_infinite("sqrt"),
           arrays.within(lambda a: np.sqrt(a), 0, math.inf), lambda a, v: 0.5 / v, lambda: sp.sqrt,
           symbol="√", short="√"),
    _unary("abs", lambda a: abs(a), lambda a, v: _sign(a), lambda a, v: 0.0,
           lambda a: np.abs(a), lambda a, v: np.sign(a), lambda: sp.Abs,
           symbol="|·|", kink=True),
    _unary("sigmoid", lambda a: _sigmoid(a),
           lambda a, v: v * (1.0 - v), lambda a, v: v * (1.0 - v) * (1.0 - 2.0 * v),
           arrays.sigmoid, lambda a, v: v * (1.0 - v), lambda: ours.sigmoid,
           symbol="σ", short="σ",
           numpy_helper=_numpy_helper("sigmoid", "0.5 * (1.0 + np.tanh(0.5 * x))  # = 1 / (1 + e^-x), stable")),
    _unary("relu", lambda a: a if a > 0 else 0.0,
           lambda a, v: 1.0 if a > 0 else 0.0, lambda a, v: 0.0,
           lambda a: np.maximum(a, 0.0), lambda a, v: (a > 0).astype(float), lambda: ours.relu,
           kink=True, numpy_helper=_numpy_helper("relu", "np.maximum(x, 0.0)")),
    _unary("softplus", lambda a: _call(_softplus, a),
           lambda a, v: _sigmoid(a), lambda a, v: _sigmoid(a) * (1.0 - _sigmoid(a)),
           lambda a: np.logaddexp(0.0, a), lambda a, v: arrays.sigmoid(a), lambda: ours.softplus,
           short="sp", numpy_helper=_numpy_helper("softplus", "np.logaddexp(0.0, x)")),
)  # fmt: skip

#: Every primitive operation by name: the one registry.
OPS: dict[str, OpSpec] = {spec.name: spec for spec in _ENTRIES}


_Math = TypeVar("_Math", bound=Callable[..., object])


def by_sympy_function(part: Callable[[OpSpec], _Math]) -> dict[object, _Math]:
    """Each function primitive's SymPy function mapped to its ``part`` (``OpSpec.value`` or
    ``OpSpec.array_value``), for evaluating SymPy expressions.  sqrt has none: SymPy writes
    it as a power, which the evaluators take as such."""
    return {spec.sympy: part(spec) for spec in OPS.values()
            if spec.function and isinstance(spec.sympy, type)}


def sympy_partials(spec: OpSpec, args: Sequence[object]) -> list[object]:
    """Symbolic ∂f/∂a_i of one operation, written in terms of its argument expressions."""
    dummies = [sp.Dummy(f"a{i}", real=True) for i in range(len(args))]
    f = spec.sympy(*dummies)
    mapping = dict(zip(dummies, args, strict=True))
    return [sp.diff(f, d).xreplace(mapping) for d in dummies]
