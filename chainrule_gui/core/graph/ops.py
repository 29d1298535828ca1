"""Primitive operations, each knowing its value and its own local derivatives.

This is micrograd's shape: an operation knows ``f(a, b, …)``, the local partials
``∂f/∂a_i`` and (for second-order work) ``∂²f/∂a_i∂a_j`` — and nothing about the graph it
sits in.  Forward mode, reverse mode, paths and Taylor propagation in :mod:`.accumulate`
only combine these local numbers.

Values use Python floats and :mod:`math` so that a domain problem raises at the exact
operation (``Fault``) instead of spreading a silent NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy as sp

from chainrule_gui.core.graph.sympy_functions import SYMPY_FUNCTIONS


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


@dataclass(frozen=True)
class OpSpec:
    """One primitive operation.

    ``value(*a)`` computes f; ``grads(a, v)`` the tuple of ∂f/∂a_i at the arguments ``a``
    where ``v = f(a)``; ``hess(a, v)`` the matrix of ∂²f/∂a_i∂a_j.  ``kink`` marks
    functions that are not differentiable where their argument is 0 (relu, abs).
    """

    name: str
    symbol: str
    arity: int
    value: Callable[..., float]
    grads: Callable[[Sequence[float], float], tuple[float, ...]]
    hess: Callable[[Sequence[float], float], tuple[tuple[float, ...], ...]]
    sympy: Callable[..., sp.Expr]
    kink: bool = False


def _unary(name, symbol, value, d1, d2, kink=False) -> OpSpec:
    """A one-argument op from f, f' and f'' (each a function of (a, v))."""
    return OpSpec(
        name=name,
        symbol=symbol,
        arity=1,
        value=value,
        grads=lambda a, v: (_call(d1, a[0], v),),
        hess=lambda a, v: ((_call(d2, a[0], v),),),
        sympy=SYMPY_FUNCTIONS.get(name, None) or (lambda x: x),
        kink=kink,
    )


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


OPS: dict[str, OpSpec] = {
    "add": OpSpec("add", "+", 2, lambda a, b: _call(lambda x, y: x + y, a, b),
                  lambda a, v: (1.0, 1.0), lambda a, v: ((0.0, 0.0), (0.0, 0.0)),
                  lambda a, b: a + b),
    "sub": OpSpec("sub", "−", 2, lambda a, b: _call(lambda x, y: x - y, a, b),
                  lambda a, v: (1.0, -1.0), lambda a, v: ((0.0, 0.0), (0.0, 0.0)),
                  lambda a, b: a - b),
    "mul": OpSpec("mul", "×", 2, lambda a, b: _call(lambda x, y: x * y, a, b),
                  lambda a, v: (a[1], a[0]), lambda a, v: ((0.0, 1.0), (1.0, 0.0)),
                  lambda a, b: a * b),
    "div": OpSpec("div", "÷", 2, _div_value,
                  lambda a, v: (1.0 / a[1], -v / a[1]),
                  lambda a, v: ((0.0, -1.0 / a[1] ** 2), (-1.0 / a[1] ** 2, 2.0 * a[0] / a[1] ** 3)),
                  lambda a, b: a / b),
    "neg": OpSpec("neg", "−", 1, lambda a: -a, lambda a, v: (-1.0,), lambda a, v: ((0.0,),),
                  lambda a: -a),
    "pow": OpSpec("pow", "^", 2, _real_pow, _pow_grads, _pow_hess, lambda a, b: a**b),
    "log": OpSpec("log", "log", 2, _log_value, _log2_grads, _log2_hess,
                  lambda a, b=None: sp.log(a) if b is None else sp.log(a, b)),
    "sin": _unary("sin", "sin", lambda a: _call(math.sin, a),
                  lambda a, v: math.cos(a), lambda a, v: -v),
    "cos": _unary("cos", "cos", lambda a: _call(math.cos, a),
                  lambda a, v: -math.sin(a), lambda a, v: -v),
    "tan": _unary("tan", "tan", lambda a: _call(math.tan, a), _tan_slope,
                  lambda a, v: 2.0 * v * (1.0 + v * v)),
    "asin": _unary("asin", "asin", _inverse_trig_domain("asin", math.asin),
                   lambda a, v: 1.0 / math.sqrt(_edge_of_domain(a)),
                   lambda a, v: a / _edge_of_domain(a) ** 1.5),
    "acos": _unary("acos", "acos", _inverse_trig_domain("acos", math.acos),
                   lambda a, v: -1.0 / math.sqrt(_edge_of_domain(a)),
                   lambda a, v: -a / _edge_of_domain(a) ** 1.5),
    "atan": _unary("atan", "atan", lambda a: math.atan(a),
                   lambda a, v: 1.0 / (1.0 + a * a), lambda a, v: -2.0 * a / (1.0 + a * a) ** 2),
    "sinh": _unary("sinh", "sinh", lambda a: _call(math.sinh, a),
                   lambda a, v: math.cosh(a), lambda a, v: v),
    "cosh": _unary("cosh", "cosh", lambda a: _call(math.cosh, a),
                   lambda a, v: math.sinh(a), lambda a, v: v),
    "tanh": _unary("tanh", "tanh", lambda a: math.tanh(a),
                   lambda a, v: 1.0 - v * v, lambda a, v: -2.0 * v * (1.0 - v * v)),
    "exp": _unary("exp", "exp", lambda a: _call(math.exp, a),
                  lambda a, v: v, lambda a, v: v),
    "sqrt": _unary("sqrt", "√", _sqrt_value, _sqrt_slope,
                   lambda a, v: -0.25 / (v * v * v) if v else _raise_infinite("sqrt")),
    "abs": _unary("abs", "|·|", lambda a: abs(a), lambda a, v: _sign(a),
                  lambda a, v: 0.0, kink=True),
    "sigmoid": _unary("sigmoid", "σ", lambda a: _sigmoid(a),
                      lambda a, v: v * (1.0 - v), lambda a, v: v * (1.0 - v) * (1.0 - 2.0 * v)),
    "relu": _unary("relu", "relu", lambda a: a if a > 0 else 0.0,
                   lambda a, v: 1.0 if a > 0 else 0.0, lambda a, v: 0.0, kink=True),
    "softplus": _unary("softplus", "softplus", lambda a: _call(_softplus, a),
                       lambda a, v: _sigmoid(a),
                       lambda a, v: _sigmoid(a) * (1.0 - _sigmoid(a))),
}  # fmt: skip


def _raise_infinite(name: str) -> float:
    raise Fault(f"the curvature of {name} is infinite here")


def op_spec(name: str) -> OpSpec:
    return OPS[name]


def sympy_partials(spec: OpSpec, args: Sequence[sp.Expr]) -> list[sp.Expr]:
    """Symbolic ∂f/∂a_i of one operation, written in terms of its argument expressions."""
    dummies = [sp.Dummy(f"a{i}", real=True) for i in range(len(args))]
    f = spec.sympy(*dummies)
    mapping = dict(zip(dummies, args, strict=True))
    return [sp.diff(f, d).xreplace(mapping) for d in dummies]
