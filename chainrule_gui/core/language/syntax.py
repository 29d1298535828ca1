"""The syntax tree the parser builds: what the person typed, with where they typed it.

Every node keeps its source span so that errors, numeric faults and the operation-level
graph can point back at the text.  Nothing here knows SymPy; :mod:`.symbolic` turns a
tree into SymPy objects and :mod:`.ops` gives each operation its local derivatives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

#: Binary arithmetic operators and the symbol shown for them.
BINARY_OPS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "^"}


@dataclass(frozen=True, eq=False)
class Expr:
    """One node of a parsed expression.

    ``op`` is ``"num"`` (a literal, ``value`` holds it exactly), ``"name"`` (a variable,
    ``name`` holds it), ``"const"`` (``e`` or ``pi``), ``"neg"``, one of
    :data:`BINARY_OPS`, or a function name such as ``"sin"``.
    ``start``/``end`` are offsets into the whole source text; ``line``/``column`` are the
    1-based position of ``start``.
    """

    op: str
    args: tuple[Expr, ...] = ()
    value: Fraction | None = None
    name: str | None = None
    start: int = 0
    end: int = 0
    line: int = 1
    column: int = 1
    text: str = field(default="", compare=False)

    def walk(self):
        """Yield this node and every descendant, parents before children (iterative)."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.args))

    def names(self) -> set[str]:
        """The variable names this expression mentions."""
        return {n.name for n in self.walk() if n.op == "name"}

    def is_constant(self) -> bool:
        return not any(n.op == "name" for n in self.walk())


@dataclass(frozen=True)
class Statement:
    """One line (or ``;``-separated part) of the input.

    ``kind`` is ``"definition"`` (``name = rhs``), ``"relation"`` (``lhs = rhs`` read as
    the implicit equation F = lhs − rhs = 0) or ``"expression"`` (a bare expression,
    which becomes an output with a generated name).
    """

    kind: str
    rhs: Expr
    name: str | None = None
    lhs: Expr | None = None
    line: int = 1
    column: int = 1
    text: str = ""
