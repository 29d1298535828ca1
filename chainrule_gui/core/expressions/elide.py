"""Short forms of long expressions, for labels that must fit in a box.

A diagram label has room for a couple of dozen characters; a local partial of a big
definition can have thousands.  :func:`short_form` keeps the leading terms of a sum and
replaces the largest inner pieces of anything else with "⋯", so the label stays valid
mathematics (``2x + y\\cos(\\cdots) + \\cdots``) and the full expression goes into a tooltip.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import sympy as sp
from cachetools import LRUCache, cached

from chainrule_gui.core.expressions.ops import OPS
from chainrule_gui.core.expressions.printing import BYTES_PER_NODE, node_count, to_latex, to_text

ELLIPSIS = sp.Symbol(r"\cdots")
#: Expressions with more nodes than this are never printed whole just to measure them.
MAX_PRINTED_NODES = 80  # a label of ~30 characters never holds more
MAX_TOOLTIP_CHARS = 600
MAX_TOOLTIP_NODES = 20000
#: Bytes each cache of short forms may keep alive, the expressions keyed on included
#: (see printing.BYTES_PER_NODE).
SHORT_CACHE_BYTES = 8 * 2**20


def _entry_cost(entry: tuple[object, int]) -> int:
    return BYTES_PER_NODE * entry[1] + 256


def _remembered(function):
    """``function(expr, …)`` cached, bounded by the bytes of the expressions it keeps alive."""
    @cached(LRUCache(maxsize=SHORT_CACHE_BYTES, getsizeof=_entry_cost), lock=threading.Lock())
    def entry(expr: sp.Basic, *args):
        return function(expr, *args), node_count(expr, MAX_TOOLTIP_NODES)

    def remembered(expr: sp.Basic, *args):
        return entry(expr, *args)[0]

    remembered.cache, remembered.cache_clear = entry.cache, entry.cache_clear
    remembered.__doc__, remembered.__name__ = function.__doc__, function.__name__
    return remembered


@dataclass(frozen=True)
class ShortForm:
    """``text`` and ``latex`` of at most about ``budget`` characters; ``elided`` if shortened."""

    text: str
    latex: str
    elided: bool


@_remembered
def short_form(expr: sp.Basic, budget: int = 28) -> ShortForm:
    """``expr`` printed in about ``budget`` characters (text length; typeset is similar).

    Cached: a tree drawing repeats the same partial once per path, and every rebuild
    (another view, a cut) asks again.
    """
    if node_count(expr, MAX_PRINTED_NODES) <= MAX_PRINTED_NODES:
        text = to_text(expr)
        if display_length(text) <= budget:
            return ShortForm(text, to_latex(expr), False)
    if expr.is_Add:
        return _short_sum(expr, budget)
    shortened = _replace_largest(expr, budget)
    return ShortForm(_plain(to_text(shortened)), to_latex(shortened), True)


@_remembered
def full_text(expr: sp.Basic, limit: int = MAX_TOOLTIP_CHARS) -> str:
    """Plain text of ``expr``, cut at ``limit`` characters (for tooltips)."""
    if node_count(expr, MAX_TOOLTIP_NODES) > MAX_TOOLTIP_NODES:
        return f"(an expression of more than {MAX_TOOLTIP_NODES:,} terms and operations)"
    text = to_text(expr)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def display_length(text: str) -> int:
    """About how many characters ``text`` takes once typeset (σ, not sigmoid; no * signs)."""
    for long, short in _TYPESET_SHORTER:
        text = text.replace(long, short)
    return len(text)


#: Printed names and signs with what they become once typeset: the primitives' short forms
#: first (``ex*p`` is not ``exp``), then the unit step H and the multiplication signs.
_TYPESET_SHORTER = (*((spec.name, spec.short) for spec in OPS.values() if spec.short),
                    ("Heaviside", "H"), ("**", "^"), ("*", ""))


def _plain(text: str) -> str:
    return text.replace(r"\cdots", "…")


def _short_sum(expr: sp.Add, budget: int) -> ShortForm:
    """Leading terms while they fit, then ``+ ⋯``."""
    # SymPy's printing order costs a sort key per term; past a few terms any order will do
    terms = expr.as_ordered_terms() if len(expr.args) <= 8 else list(expr.args)
    texts, latexes, used = [], [], 0
    for term in terms:
        small = node_count(term, MAX_PRINTED_NODES) <= MAX_PRINTED_NODES
        text = to_text(term) if small else None
        if text is not None and used + display_length(text) + 3 <= budget - 4:
            texts.append(text)
            latexes.append(to_latex(term))
            used += display_length(text) + 3
            continue
        if not texts:  # not even the first term fits: shorten it
            first = short_form(term, max(6, budget - 6))
            texts.append(first.text)
            latexes.append(first.latex)
        break
    text = _join(texts, " + ", " ") + " + …"
    latex = _join(latexes, " + ", " ") + r" + \cdots"
    return ShortForm(text, latex, True)


def _join(parts: list[str], plus: str, space: str) -> str:
    out = parts[0]
    for part in parts[1:]:
        out += (space if part.startswith("-") else plus) + part
    return out


def _replace_largest(expr: sp.Basic, budget: int) -> sp.Basic:
    """Swap large inner pieces for ⋯ until the text fits in ``budget``.

    Arguments of functions go first, then of powers, so the outer shape stays readable:
    ``w₅(1 − σ(⋯))σ(⋯)`` rather than ``⋯·w₅``; a repeated argument is replaced
    everywhere at once.
    """
    current = expr
    for _ in range(12):
        if not current.args:
            return current
        if node_count(current, MAX_PRINTED_NODES) <= MAX_PRINTED_NODES and \
                display_length(to_text(current)) <= budget:
            return current
        pool = ([e for e in _inner_arguments(current, functions=True) if e != ELLIPSIS]
                or [e for e in _inner_arguments(current, functions=False) if e != ELLIPSIS]
                or [e for e in _proper_subexpressions(current) if e != ELLIPSIS])
        if not pool:
            return ELLIPSIS
        largest = max(pool, key=lambda e: node_count(e, 10**6))
        current = current.xreplace({largest: ELLIPSIS})
    return current


def _inner_arguments(expr: sp.Basic, functions: bool):
    """Arguments of functions (or else of powers) inside ``expr`` that are worth shortening."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Function) if functions else node.is_Pow:
            for arg in node.args:
                if arg.args and arg is not expr:
                    yield arg


def _proper_subexpressions(expr: sp.Basic):
    for arg in expr.args:
        if arg.args:
            yield arg
            yield from _proper_subexpressions(arg)
