"""How expressions are written for people: SymPy's printers with the conventions taught.

The unit step that relu and |x| differentiate into prints as H(x) (SymPy would print
``Heaviside(x, 0)`` and θ(x, 0)); everything else is SymPy's own output.
"""

from __future__ import annotations

import threading

import sympy as sp
from cachetools import LRUCache, cached
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter


class _Text(StrPrinter):
    def _print_Heaviside(self, expr):
        return f"H({self._print(expr.args[0])})"


class _Latex(LatexPrinter):
    def _print_Heaviside(self, expr, exp=None):
        body = r"H\left(%s\right)" % self._print(expr.args[0])
        return body if exp is None else r"%s^{%s}" % (body, exp)


def to_text(expr: sp.Basic) -> str:
    """Plain text, e.g. ``2*x + y*cos(x*y)``."""
    try:
        return _text_cached(expr)
    except TypeError:  # unhashable (a mutable matrix): print it uncached
        return _Text().doprint(expr)


def to_latex(expr: sp.Basic) -> str:
    """LaTeX for typesetting, e.g. ``2 x + y \\cos{\\left(x y \\right)}``."""
    try:
        return _latex_cached(expr)
    except TypeError:
        return _Latex().doprint(expr)


# Cached: every redraw prints each edge's partial and the derivative again, and SymPy's
# printers take 0.1–1 ms an expression; expressions are immutable and hash cheaply.
#: Printed forms kept, bounded by their total length in characters (a count of 4096 let the
#: forms of large expressions, and the expressions they are keyed on, grow without a bound
#: that anyone chose while a person typed one new text after another).
PRINT_CACHE_CHARS = 2_000_000


def _chars(printed: str) -> int:
    return len(printed) + 64  # and an entry's own cost, so many short forms count too


@cached(LRUCache(maxsize=PRINT_CACHE_CHARS, getsizeof=_chars), lock=threading.Lock())
def _text_cached(expr: sp.Basic) -> str:
    return _Text().doprint(expr)


@cached(LRUCache(maxsize=PRINT_CACHE_CHARS, getsizeof=_chars), lock=threading.Lock())
def _latex_cached(expr: sp.Basic) -> str:
    return _Latex().doprint(expr)


def size_exceeds(expr: sp.Basic, limit: int) -> bool:
    """Whether ``expr`` has more than ``limit`` nodes, without walking all of a huge tree."""
    count = 0
    for _ in sp.preorder_traversal(expr):
        count += 1
        if count > limit:
            return True
    return False


#: Formulas with more nodes than this are described, not printed: printing one of a few
#: thousand nodes takes seconds and nobody reads it.
MAX_PRINTED_NODES = 2000


def to_text_bounded(expr: sp.Basic, limit: int = MAX_PRINTED_NODES) -> str | None:
    """Plain text of ``expr``, or None when it is too large to be worth printing."""
    return None if size_exceeds(expr, limit) else to_text(expr)
