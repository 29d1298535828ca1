"""The primitive operations on NumPy arrays, for evaluating many points at once (plots).

Same operations and local derivatives as :mod:`.ops`, vectorised.  Where an operation is
undefined (log of a negative, 0/0) the result is NaN instead of an error: a plot draws a
gap there, while a single point is still checked strictly by :mod:`.ops`.
Call inside ``np.errstate(all="ignore")``.
"""

from __future__ import annotations

import numpy as np


def _sigmoid(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _real_pow(a, b):
    result = np.power(a.astype(float), b)
    bad = (a < 0) & (np.asarray(b) != np.round(b))
    return np.where(bad, np.nan, result)


def _pow_grads(a, v):
    base, exponent = a
    d_base = np.where(exponent == 0, 0.0, exponent * _real_pow(base, exponent - 1))
    d_exp = np.where(base > 0, v * np.log(np.where(base > 0, base, 1.0)),
                     np.where(base == 0, 0.0, np.nan))
    return d_base, d_exp


def _log(a, base=None):
    a = np.where(a > 0, a, np.nan)
    if base is None:
        return np.log(a)
    base = np.where((base > 0) & (base != 1), base, np.nan)
    return np.log(a) / np.log(base)


def _log_grads(a, v):
    if len(a) == 1:
        return (1.0 / a[0],)
    x, b = a
    lb = np.log(b)
    return 1.0 / (x * lb), -np.log(x) / (b * lb * lb)


def _domain(fn, low, high):
    return lambda a: fn(np.where((a >= low) & (a <= high), a, np.nan))


ARRAY_OPS = {
    "add": (lambda a, b: a + b, lambda a, v: (np.ones_like(v), np.ones_like(v))),
    "sub": (lambda a, b: a - b, lambda a, v: (np.ones_like(v), -np.ones_like(v))),
    "mul": (lambda a, b: a * b, lambda a, v: (a[1] * np.ones_like(v), a[0] * np.ones_like(v))),
    "div": (lambda a, b: a / np.where(b == 0, np.nan, b), lambda a, v: (1.0 / a[1], -v / a[1])),
    "neg": (lambda a: -a, lambda a, v: (-np.ones_like(v),)),
    "pow": (_real_pow, _pow_grads),
    "log": (_log, _log_grads),
    "sin": (np.sin, lambda a, v: (np.cos(a[0]),)),
    "cos": (np.cos, lambda a, v: (-np.sin(a[0]),)),
    "tan": (np.tan, lambda a, v: (1.0 + v * v,)),
    "asin": (_domain(np.arcsin, -1, 1), lambda a, v: (1.0 / np.sqrt(1.0 - a[0] ** 2),)),
    "acos": (_domain(np.arccos, -1, 1), lambda a, v: (-1.0 / np.sqrt(1.0 - a[0] ** 2),)),
    "atan": (np.arctan, lambda a, v: (1.0 / (1.0 + a[0] ** 2),)),
    "sinh": (np.sinh, lambda a, v: (np.cosh(a[0]),)),
    "cosh": (np.cosh, lambda a, v: (np.sinh(a[0]),)),
    "tanh": (np.tanh, lambda a, v: (1.0 - v * v,)),
    "exp": (np.exp, lambda a, v: (v,)),
    "sqrt": (_domain(np.sqrt, 0, np.inf), lambda a, v: (0.5 / v,)),
    "abs": (np.abs, lambda a, v: (np.sign(a[0]),)),
    "sigmoid": (_sigmoid, lambda a, v: (v * (1.0 - v),)),
    "relu": (lambda a: np.maximum(a, 0.0), lambda a, v: ((a[0] > 0).astype(float),)),
    "softplus": (lambda a: np.logaddexp(0.0, a), lambda a, v: (_sigmoid(a[0]),)),
}
