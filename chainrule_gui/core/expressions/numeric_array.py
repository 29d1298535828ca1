"""Evaluate SymPy expressions on NumPy arrays (many points at once), NaN where undefined.

The array counterpart of :mod:`.numeric`: used for plots and heatmaps, where a gap is the
right picture of "undefined here".  The expression tree is walked once for all points.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import sympy as sp

from chainrule_gui.core.expressions.numeric import fold
from chainrule_gui.core.expressions.ops import OPS, by_sympy_function

#: Functions SymPy writes in derivatives and simplified forms that are not primitives.
_DERIVED = {
    sp.sign: np.sign,
    sp.Heaviside: lambda x, h0=0.0: np.where(x > 0, 1.0, np.where(x < 0, 0.0, h0)),
    sp.DiracDelta: lambda x, *_: np.where(x == 0, np.nan, 0.0),
    sp.sec: lambda x: 1.0 / np.cos(x), sp.csc: lambda x: 1.0 / np.sin(x), sp.cot: lambda x: 1.0 / np.tan(x),
    sp.asinh: np.arcsinh, sp.acosh: np.arccosh, sp.atanh: np.arctanh,
}  # fmt: skip
_FUNCS = by_sympy_function(lambda spec: spec.array_value) | _DERIVED


def evaluate_array(expr: sp.Expr, values: Mapping[sp.Symbol, np.ndarray], shape=None) -> np.ndarray:
    """``expr`` at every point; ``values`` maps symbols to arrays (or scalars) of one shape."""
    if shape is None:
        shape = np.broadcast(*[np.asarray(v) for v in values.values()]).shape if values else ()
    with np.errstate(all="ignore"):
        value = fold(expr, lambda node, args: _value(node, args, values))
        result = np.broadcast_to(np.asarray(value, dtype=float), shape).astype(float)
    result[~np.isfinite(result)] = np.nan
    return result


def _value(node, args, values):
    if node.is_Symbol:
        return np.asarray(values[node], dtype=float)
    if node.is_Number or node.is_NumberSymbol:
        try:
            return float(node)
        except (TypeError, OverflowError):
            return np.nan
    if node.is_Add:
        return sum(args[1:], args[0])
    if node.is_Mul:
        result = args[0]
        for a in args[1:]:
            result = result * a
        return result
    if node.is_Pow:
        base, exponent = args
        return OPS["pow"].array_value(np.asarray(base, dtype=float), exponent)
    func = _FUNCS.get(node.func)
    if func is None:
        return np.nan
    return func(*args)
