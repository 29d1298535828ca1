"""Build SymPy expressions from syntax trees — ourselves, never through ``eval``.

SymPy evaluates numbers eagerly: ``9^9^9`` or ``sin(cos(exp(exp(exp(exp(1))))))`` can
hang it for minutes.  So every constant sub-expression is first evaluated in floating
point (cheap, bounded) and refused when its magnitude leaves [1e-300, 1e300]; only then
is the SymPy object built.  A power of a number to a rational with a large denominator
is kept unevaluated (SymPy would search for exact roots).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import sympy as sp

from chainrule_gui.core.errors import ParseError
from chainrule_gui.core.expressions.ops import OPS, Fault
from chainrule_gui.core.language.syntax import Expr, fold

#: Largest and smallest magnitude a constant may have.
MAX_LOG10 = 300.0
#: Rational exponents with a larger denominator stay unevaluated.
MAX_ROOT_DENOMINATOR = 64


def make_symbol(name: str) -> sp.Symbol:
    """The SymPy symbol for a variable: always real, so |x|' is sign(x), not a complex formula."""
    return sp.Symbol(name, real=True)


def exact_constant(node: Expr) -> sp.Expr:
    """The exact SymPy value of a number literal, or of ``e`` or ``pi``."""
    if node.op == "const":
        return sp.E if node.name == "e" else sp.pi
    value = node.number()
    return sp.Rational(value.numerator, value.denominator)


def _error(node: Expr, message: str) -> ParseError:
    return ParseError(message, node.line, node.column, max(1, len(node.text)))


def _const_log10(node: Expr, args: Sequence[float]) -> float | None:
    """log10 of |value| of a power of constants, computed before the power itself."""
    if node.op == "pow":
        base, exponent = args
        if base in (0.0, 1.0, -1.0):
            return None
        return exponent * math.log10(abs(base))
    if node.op == "exp":
        return args[0] / math.log(10)
    if node.op in ("sinh", "cosh"):
        return abs(args[0]) / math.log(10)
    return None


def _describe_size(log10: float) -> str:
    if math.isinf(log10) or abs(log10) > 1e15:
        return "astronomically"
    return f"about 10^{log10:,.0f} —"


def to_sympy(expr: Expr, symbols: dict[str, sp.Symbol]) -> sp.Expr:
    """Convert ``expr`` to SymPy; ``symbols`` maps variable names to their symbols.

    Raises :class:`ParseError` (pointing at the sub-expression) for constants that are
    too large, too small, or undefined (``log(0)``, ``1/0``, ``sqrt(-1)``).
    """
    return fold(expr, lambda node, built: _build(node, built, symbols))[0]


def _build(node: Expr, children: list[tuple[sp.Expr, float | None]],
           symbols: Mapping[str, sp.Symbol]) -> tuple[sp.Expr, float | None]:
    if node.op == "num":
        return exact_constant(node), float(node.number())
    if node.op == "const":
        return (sp.E, math.e) if node.name == "e" else (sp.pi, math.pi)
    if node.op == "name":
        return symbols[node.variable()], None
    args = [c[0] for c in children]
    consts = [c[1] for c in children]
    known = [c for c in consts if c is not None]
    value = _constant_value(node, known) if len(known) == len(consts) else None
    result = _sympy_op(node, args, consts)
    if result in _UNDEFINED or any(a in _UNDEFINED for a in result.args):
        raise _error(node, f"{node.text} is undefined (it divides by zero or takes log(0))")
    return result, value


_UNDEFINED = (sp.zoo, sp.nan, sp.oo, -sp.oo)


def _constant_value(node: Expr, consts: list[float]) -> float:
    log10 = _const_log10(node, consts)
    if log10 is not None and log10 > MAX_LOG10:
        raise _error(node, f"the number {node.text} is too large to work with "
                           f"({_describe_size(log10)} the limit is 10^{MAX_LOG10:.0f})")
    if log10 is not None and log10 < -MAX_LOG10:
        raise _error(node, f"the number {node.text} is too small to work with "
                           f"(below 10^-{MAX_LOG10:.0f})")
    spec = OPS[node.op]
    try:
        value = spec.value(*consts)
    except Fault as fault:
        raise _error(node, f"{node.text} cannot be computed: {fault}") from None
    if abs(value) > 10**MAX_LOG10:
        raise _error(node, f"the number {node.text} is too large to work with "
                           f"(the limit is 10^{MAX_LOG10:.0f})")
    return value


def _sympy_op(node: Expr, args: list[sp.Expr], consts: list[float | None]) -> sp.Expr:
    op = node.op
    if op == "neg":
        return -args[0]
    if op == "add":
        return args[0] + args[1]
    if op == "sub":
        return args[0] - args[1]
    if op == "mul":
        return args[0] * args[1]
    if op == "div":
        if consts[1] == 0:
            raise _error(node, f"division by zero in {node.text}")
        return args[0] / args[1]
    if op == "pow":
        base, exponent = args
        if base.is_number and exponent.is_Rational and not exponent.is_Integer:
            if exponent.q > MAX_ROOT_DENOMINATOR:
                return sp.Pow(base, exponent, evaluate=False)
        return base**exponent
    return OPS[op].sympy(*args)
