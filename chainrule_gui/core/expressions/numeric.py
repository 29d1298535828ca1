"""Evaluate SymPy expressions at a point in floating point, with clear faults.

Used for the symbolic local partials on edges and for the symbolic total derivative.
A tree walk over the expression with :mod:`math` is faster than ``evalf``/``subs`` for
these small expressions, never builds huge exact numbers, and raises at the offending
sub-expression instead of returning NaN.  (``lambdify`` would generate and ``exec``
code; we do not need it.)
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import sympy as sp

from chainrule_gui.core.errors import NumericError
from chainrule_gui.core.expressions.ops import OPS, Fault, by_sympy_function
from chainrule_gui.core.expressions.printing import to_text


def _heaviside(x: float, h0: float = 0.0) -> float:
    return 1.0 if x > 0 else (0.0 if x < 0 else h0)


def _dirac(x: float, *_: float) -> float:
    if x == 0:  # _value names the argument first; this is the fallback
        raise Fault("this derivative does not exist at a kink")
    return 0.0


#: Functions SymPy writes in derivatives and simplified forms that are not primitives.
_DERIVED = {
    sp.sign: lambda x: math.copysign(1.0, x) if x else 0.0,
    sp.Heaviside: _heaviside, sp.DiracDelta: _dirac,
    sp.sec: lambda x: OPS["div"].value(1.0, math.cos(x)),
    sp.csc: lambda x: OPS["div"].value(1.0, math.sin(x)),
    sp.cot: lambda x: OPS["div"].value(math.cos(x), math.sin(x)),
    sp.asinh: math.asinh, sp.acosh: math.acosh, sp.atanh: math.atanh,
}  # fmt: skip
_FUNCS = by_sympy_function(lambda spec: spec.value) | _DERIVED


def evaluate(expr: sp.Expr, values: Mapping[sp.Symbol, float], where: str = "") -> float:
    """The float value of ``expr`` with ``values`` substituted for its symbols.

    Raises :class:`NumericError` naming ``where`` (e.g. "∂z/∂x") and the failing part.
    """
    try:
        return _evaluate(expr, values)
    except Fault as fault:
        place = f" in {where}" if where else ""
        raise NumericError(f"cannot evaluate{place} at this point: {fault}", node=where or None) from None


def _evaluate(expr: sp.Expr, values: Mapping[sp.Symbol, float]) -> float:
    return fold(expr, lambda node, args: _value(node, args, values))


def fold(expr: sp.Basic, combine):
    """``combine(node, [results of its arguments])`` from the leaves up, each shared
    subexpression once, without recursion (a deep expression must not hit Python's limit).
    Numbers are leaves even though SymPy gives some of them arguments."""
    cache: dict[sp.Basic, object] = {}
    stack: list[tuple[sp.Basic, bool]] = [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        if node in cache:
            continue
        if not expanded and node.args and not node.is_Number:
            stack.append((node, True))
            stack.extend((a, False) for a in node.args if a not in cache)
            continue
        cache[node] = combine(node, [cache[a] for a in node.args] if node.args and not node.is_Number else [])
    return cache[expr]


def _value(node: sp.Basic, args: list[float], values) -> float:
    if node.is_Symbol:
        try:
            return float(values[node])
        except KeyError:
            raise Fault(f"no value was given for {node}") from None
    if node.is_Number:
        if node is sp.S.ComplexInfinity or node.is_infinite:
            raise Fault("the expression is infinite")
        if node is sp.S.NaN:
            raise Fault("the expression is undefined (NaN)")
        try:
            return float(node)
        except OverflowError:
            raise Fault(f"the number {node} is too large for floating point") from None
    if node.is_NumberSymbol:  # e, π and friends
        return float(node)
    if node.is_Add:
        return OPS["add"].value(math.fsum(args), 0.0)
    if node.is_Mul:
        result = 1.0
        for a in args:
            result = OPS["mul"].value(result, a)
        return result
    if node.is_Pow:
        base, exponent = args
        if exponent == -1.0:
            return OPS["div"].value(1.0, base)
        if exponent == 0.5:
            return OPS["sqrt"].value(base)
        return OPS["pow"].value(base, exponent)
    if node.func is sp.DiracDelta and args and args[0] == 0:
        # Name what is 0: "x = 0" read as the input x for abs(x - y) at x = y = 1.
        raise Fault(f"this derivative does not exist at the kink, where {to_text(node.args[0])} = 0")
    func = _FUNCS.get(node.func)
    if func is None:
        raise Fault(f"the function {node.func} cannot be evaluated numerically")
    try:
        result = func(*args)
    except (ValueError, OverflowError, ZeroDivisionError) as exc:
        raise Fault(str(exc)) from None
    if not math.isfinite(result):
        raise Fault(f"{node.func}(…) is not finite here")
    return result
