"""Values typed for a point (``t = pi/4``) go through the same safe parser as definitions."""

from __future__ import annotations

from chainrule_gui.core.errors import ChoiceError, ParseError
from chainrule_gui.core.expressions.numeric import evaluate
from chainrule_gui.core.language.parser import parse_expression
from chainrule_gui.core.language.symbolic import to_sympy


def constant_value(text: str, what: str = "the value") -> float:
    """The float value of a constant expression such as ``2``, ``-1.5e3`` or ``pi/4``."""
    if not text.strip():
        raise ChoiceError(f"{what} is empty; give a number such as 1 or pi/4")
    try:
        expr = parse_expression(text)
    except ParseError as exc:
        raise ChoiceError(f"{what} {text.strip()!r} cannot be read (column {exc.column}: {exc.message})") from None
    names = sorted(expr.names())
    if names:
        raise ChoiceError(f"{what} must be a number, not an expression in {', '.join(names)}")
    try:
        return evaluate(to_sympy(expr, {}), {}, what)
    except ParseError as exc:
        raise ChoiceError(f"{what} {text.strip()!r}: {exc.message}") from None
