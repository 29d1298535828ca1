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
# Every cache keyed on expressions keeps the expressions alive too, and they cost far more
# than their printed form: measured with tracemalloc over 2,000 typical partials, about
# 850 bytes a node of the tree, 410 bytes a printed character.  So these caches are bounded
# by an estimate of the bytes they keep alive (a bound by characters of 2,000,000 let them
# hold several hundred MB while a person typed one new text after another).
BYTES_PER_NODE = 850
BYTES_PER_CHAR = 410
#: Bytes each printing cache may keep alive: the forms of a few thousand partials.
PRINT_CACHE_BYTES = 16 * 2**20


def printed_cost(printed: str) -> int:
    """Bytes a cache entry keeps alive: the printed form and the expression keyed on it."""
    return BYTES_PER_CHAR * len(printed) + 128


def node_count(expr: sp.Basic, limit: int) -> int:
    """Nodes in ``expr``'s tree, counted up to a little past ``limit``."""
    count, stack = 0, [expr]
    while stack and count <= limit:
        node = stack.pop()
        count += 1
        stack.extend(node.args)
    return count


@cached(LRUCache(maxsize=PRINT_CACHE_BYTES, getsizeof=printed_cost), lock=threading.Lock())
def _text_cached(expr: sp.Basic) -> str:
    return _Text().doprint(expr)


@cached(LRUCache(maxsize=PRINT_CACHE_BYTES, getsizeof=printed_cost), lock=threading.Lock())
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


def fmt(value: float | None, digits: int = 6) -> str:
    """A number as results print it: ``—`` for none, ``0`` for zero, else ``digits`` significant."""
    if value is None:
        return "—"
    if value == 0:
        return "0"
    return f"{value:.{digits}g}"
