"""The syntax tree the parser builds: what the person typed, with where they typed it.

Every node keeps its source span so that errors, numeric faults and the operation-level
graph can point back at the text.  Nothing here knows SymPy; :mod:`.symbolic` turns a
tree into SymPy objects and :mod:`.ops` gives each operation its local derivatives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TypeVar

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

    def walk(self) -> Iterator[Expr]:
        """Yield this node and every descendant, parents before children (iterative)."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.args))

    def names(self) -> set[str]:
        """The variable names this expression mentions."""
        return {n.variable() for n in self.walk() if n.op == "name"}

    def variable(self) -> str:
        """The name a ``"name"`` node stands for."""
        return _present(self.name, self, "name")

    def number(self) -> Fraction:
        """The exact value of a ``"num"`` node."""
        return _present(self.value, self, "value")


R = TypeVar("R")


def fold(expr: Expr, combine: Callable[[Expr, list[R]], R]) -> R:
    """``combine(node, [results of its arguments])`` from the leaves up, without recursion
    (nesting is bounded, but this keeps Python's recursion limit out of the picture)."""
    done: dict[int, R] = {}
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        if not expanded and node.args:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.args))
            continue
        done[id(node)] = combine(node, [done[id(c)] for c in node.args])
    return done[id(expr)]


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

    def defined(self) -> str:
        """The name a definition defines."""
        return _present(self.name, self, "name")

    def left(self) -> Expr:
        """The left side of a relation."""
        return _present(self.lhs, self, "left side")


_Field = TypeVar("_Field")


def _present(value: _Field | None, owner: Expr | Statement, what: str) -> _Field:
    """A field the kind of ``owner`` always has; None there is our bug, not the user's."""
    if value is None:
        raise ValueError(f"the {type(owner).__name__} {owner.text!r} has no {what}")
    return value
