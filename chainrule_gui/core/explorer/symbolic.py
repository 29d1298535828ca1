"""SymPy's derivatives for the structures shown, kept in a cache bounded by size.

The explorer asks SymPy once per :class:`~.state.StructureKey` (text, output, input, cut)
and reuses the answer while the point moves, across a pick and back, and when an edit is
undone.  The cache is shared by the threads that compute answers and the one that shows
them; it keeps at most :data:`SYMBOLIC_CACHE_BYTES` alive (estimated from the distinct
nodes of each answer, see ``printing.BYTES_PER_NODE``), the least recently used dropped first.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from cachetools import LRUCache

from chainrule_gui.core.calculus.derivation import symbolic_derivative
from chainrule_gui.core.explorer.state import StructureKey
from chainrule_gui.core.expressions.printing import BYTES_PER_NODE
from chainrule_gui.core.graph.chain_graph import RELATION_NODE

#: Bytes the cache may keep alive (a count of entries, as before, let a few large
#: derivatives hold hundreds of MB; 400,000 nodes and characters let it grow by about one
#: entry per distinct edit for 1,500 edits, measured with tests/benchmarks/bench_edit_memory.py).
SYMBOLIC_CACHE_BYTES = 16 * 2**20


class _Marker:
    def __init__(self, meaning: str):
        self.meaning = meaning

    def __repr__(self) -> str:
        return f"<{self.meaning}>"


#: Not in the cache: SymPy has not been asked (or its answer was dropped to make room).
NOT_KNOWN = _Marker("SymPy not asked")
#: In the cache: SymPy was asked and gave no answer (too slow, or failed); not asked again.
GAVE_UP = _Marker("SymPy gave up")


def expression_nodes(value) -> int:
    """Distinct nodes of a SymPy expression (a shared subexpression counts once: a derivative
    shares much of itself), summed over a mapping of them; 1 for anything else."""
    if isinstance(value, Mapping):
        return sum(expression_nodes(v) for v in value.values())
    seen: set[int] = set()
    pending = [value]
    while pending:
        node = pending.pop()
        if id(node) not in seen:
            seen.add(id(node))
            pending.extend(getattr(node, "args", ()))
    return len(seen)


def relation_key(text: str) -> StructureKey:
    """Where the partials ∂F/∂v of an equation's every variable v are kept."""
    return StructureKey(text, RELATION_NODE, None, frozenset())


class SymbolicCache:
    """SymPy's answers by structure key; safe to use from several threads."""

    def __init__(self, size: int = SYMBOLIC_CACHE_BYTES):
        self.size = size
        # Each entry is (answer, cost); one larger than the whole cache is kept alone.
        self._entries: LRUCache = LRUCache(maxsize=size, getsizeof=lambda entry: entry[1])
        self._lock = threading.Lock()

    def get(self, key: StructureKey) -> object:
        """The answer kept for ``key``: an expression, None (too large for SymPy, which
        says why itself), :data:`GAVE_UP`, or :data:`NOT_KNOWN`."""
        with self._lock:
            entry = self._entries.get(key)
        return NOT_KNOWN if entry is None else entry[0]

    def store(self, key: StructureKey, answer: object) -> None:
        cost = min(self.size, 2 * len(key.text) + 200 + BYTES_PER_NODE * expression_nodes(answer))
        with self._lock:
            self._entries[key] = (answer, cost)

    def __contains__(self, key: StructureKey) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    @property
    def used(self) -> int:
        """The bytes estimated to be held now (never more than ``size``)."""
        with self._lock:
            return int(self._entries.currsize)

    def derivative(self, graph, key: StructureKey) -> object:
        """SymPy's d(of)/d(wrt) with the cut for ``key``, computed here if not kept (slow on
        a large composition: call it off the GUI thread)."""
        if key.of is None or key.wrt is None:
            raise ValueError(f"a derivative needs an output and an input: {key}")
        answer = self.get(key)
        if answer is NOT_KNOWN:
            answer, _note = symbolic_derivative(graph, key.of, key.wrt, key.cut)
            self.store(key, answer)
        return answer

    def relation_partials(self, graph, text: str) -> dict[str, object]:
        """SymPy's ∂F/∂v for every variable v of the equation F = 0 of ``graph`` (the only
        answer kept under its key)."""
        key = relation_key(text)
        answer = self.get(key)
        if isinstance(answer, dict):
            return answer
        partials = {name: symbolic_derivative(graph, RELATION_NODE, name)[0] for name in graph.inputs}
        self.store(key, partials)
        return partials
