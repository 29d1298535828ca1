"""Caches keyed on SymPy expressions are bounded by the memory they keep alive, not by a
count: a person typing one new text after another must not grow the process without end
(README, "Performance").  Measured with tracemalloc against the caches' own budgets."""

import gc
import tracemalloc

import sympy as sp

from chainrule_gui.core.expressions import elide, printing
from chainrule_gui.core.graph import chain_graph


def _distinct(i: int, x: sp.Symbol, y: sp.Symbol) -> sp.Expr:
    return x ** (i % 13 + 2) + sp.sin(x * y / (i + 1)) + sp.Rational(i, 1000) * sp.exp(y / (i % 7 + 2))


CACHED = (printing._text_cached, printing._latex_cached, chain_graph.local_partial_of,
          elide.short_form, elide.full_text)


def _clear_all() -> None:
    for function in CACHED:
        function.cache_clear()
    gc.collect()


def test_expression_caches_count_at_least_the_memory_they_keep_alive():
    """Each cache's own tally (what its byte budget bounds) is at least what clearing it
    gives back, so the budgets bound the process's memory, the expressions included."""
    x, y = sp.symbols("x y", real=True)
    _distinct(0, x, y).diff(x)  # SymPy's own first-use costs, outside the measurement
    _clear_all()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(300):
            partial = chain_graph.local_partial_of(_distinct(i, x, y), x)
            printing.to_text(partial)
            printing.to_latex(partial)
            elide.short_form(partial)
            elide.full_text(partial)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
        tallied = sum(function.cache.currsize for function in CACHED)
        _clear_all()
        released = held - (tracemalloc.get_traced_memory()[0] - before)
    finally:
        tracemalloc.stop()
    assert 0 < released <= tallied, f"caches gave back {released:,} bytes but counted {tallied:,}"
