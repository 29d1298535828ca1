"""Plain-text formulas for table cells and tooltips, written as people write them."""

from __future__ import annotations

from chainrule_gui.core.expressions.printing import to_text


def readable(expr) -> str:
    """``2*x + y**2`` as ``2·x + y^2``: SymPy's text with the taught symbols."""
    return to_text(expr).replace("**", "^").replace("*", "·")
