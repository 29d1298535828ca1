"""From text to a checked set of definitions: who depends on whom, what is free.

``parse_program`` is the single entry point from user text into the core.  It parses,
checks names (defined twice, circular), turns each right-hand side into SymPy, and
classifies names as *inputs* (used but never defined), *outputs* (defined but used by
nothing) and intermediates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import sympy as sp

from chainrule_gui.core.errors import ParseError
from chainrule_gui.core.language.parser import parse_statements
from chainrule_gui.core.language.symbolic import make_symbol, to_sympy
from chainrule_gui.core.language.syntax import Expr, Statement

#: Names tried, in order, for a bare expression typed without ``name =``.
_GENERATED_NAMES = ("f", "g", "h", "F", "out", "result")


@dataclass(frozen=True)
class Definition:
    """``name = expr`` as typed, with its SymPy right-hand side ``sym``."""

    name: str
    expr: Expr
    sym: sp.Expr
    line: int
    column: int
    text: str
    generated: bool = False  # the name was chosen for a bare expression

    @property
    def dependencies(self) -> set[str]:
        return self.expr.names()


@dataclass(frozen=True)
class Relation:
    """An implicit equation ``lhs = rhs``, read as F = lhs − rhs = 0."""

    lhs: Expr
    rhs: Expr
    sym: sp.Expr  # F = lhs - rhs
    line: int
    column: int
    text: str

    @property
    def names(self) -> set[str]:
        return self.lhs.names() | self.rhs.names()


@dataclass(frozen=True)
class Program:
    """Checked definitions.

    ``definitions`` keeps the typed order; ``order`` lists defined names with every
    dependency before its dependents; ``inputs`` are free names in order of first
    appearance; ``outputs`` are defined names no other definition (or relation) uses.
    """

    text: str
    definitions: dict[str, Definition]
    order: tuple[str, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    symbols: dict[str, sp.Symbol]
    relation: Relation | None = None
    dependency_graph: nx.DiGraph = field(default_factory=nx.DiGraph, compare=False, repr=False)

    def symbol(self, name: str) -> sp.Symbol:
        return self.symbols[name]

    def equation(self) -> Relation:
        """The implicit equation, where the caller knows there is one (F's node exists
        only then); without one, that is our bug."""
        if self.relation is None:
            raise ValueError("this program has no implicit equation")
        return self.relation

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.definitions) + self.inputs


def parse_program(text: str, implicit: bool = False) -> Program:
    """Parse and check ``text``; raise :class:`ParseError` with line and column if wrong."""
    statements = parse_statements(text, implicit=implicit)
    definitions: dict[str, Statement] = {}
    relation: Statement | None = None
    bare: Statement | None = None
    for st in statements:
        if st.kind == "definition":
            name = st.defined()
            if name in definitions:
                first = definitions[name]
                raise ParseError(
                    f"{name} is defined twice: on line {first.line} and again here; "
                    "remove or rename one of them",
                    st.line, st.column, len(name),
                )
            definitions[name] = st
        elif st.kind == "relation":
            if relation is not None:
                raise ParseError(
                    f"only one implicit equation can be explored at a time "
                    f"(the first is on line {relation.line})",
                    st.line, st.column, len(st.text),
                )
            relation = st
        else:
            if bare is not None:
                raise ParseError(
                    "only one expression may be left without a name; "
                    "give this one a name, e.g. g = …",
                    st.line, st.column, len(st.text),
                )
            bare = st
    used_names = {n for st in statements for n in st.rhs.names()}
    if relation is not None:
        used_names |= relation.left().names()
    generated = None
    if bare is not None:
        generated = next((n for n in _GENERATED_NAMES if n not in definitions and n not in used_names), None)
        if generated is None:
            raise ParseError("give this expression a name, e.g. out = …", bare.line, bare.column)
        definitions[generated] = Statement(
            "definition", bare.rhs, name=generated, line=bare.line, column=bare.column,
            text=f"{generated} = {bare.text}",
        )

    graph = nx.DiGraph()
    for name, st in definitions.items():
        graph.add_node(name)
        for dep in sorted(st.rhs.names()):
            graph.add_edge(name, dep)
    _check_cycles(graph, definitions)

    inputs = _free_names_in_order(statements, definitions)
    symbols = {name: make_symbol(name) for name in list(definitions) + inputs}
    order = tuple(n for n in reversed(list(nx.topological_sort(graph))) if n in definitions)
    checked = {
        name: Definition(name, st.rhs, to_sympy(st.rhs, symbols), st.line, st.column, st.text,
                         generated=(name == generated))
        for name, st in definitions.items()
    }
    checked = {name: checked[name] for name in definitions}  # keep typed order
    rel = None
    if relation is not None:
        lhs = to_sympy(relation.left(), symbols)
        rhs = to_sympy(relation.rhs, symbols)
        rel = Relation(relation.left(), relation.rhs, lhs - rhs, relation.line, relation.column, relation.text)
    used_by_others = {dep for name in definitions for dep in graph.successors(name)}
    if rel is not None:
        used_by_others |= rel.names
    outputs = tuple(n for n in definitions if n not in used_by_others)
    return Program(text, checked, order, tuple(inputs), outputs, symbols, rel, graph)


def _check_cycles(graph: nx.DiGraph, definitions: dict[str, Statement]) -> None:
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return
    names = [edge[0] for edge in cycle]
    # Start the story at the name typed first, so the message reads naturally.
    first = min(names, key=lambda n: (definitions[n].line, definitions[n].column))
    k = names.index(first)
    names = names[k:] + names[:k]
    chain = " → ".join(names + [names[0]])
    st = definitions[first]
    if len(names) == 1:
        message = f"{first} is defined in terms of itself ({chain}); a definition cannot use its own name"
    else:
        message = f"circular definition: {chain}; each name must be computable from the ones below it"
    raise ParseError(message, st.line, st.column, len(first))


def _free_names_in_order(statements: list[Statement], definitions: dict[str, Statement]) -> list[str]:
    seen: list[str] = []
    nodes: list[Expr] = []
    for st in statements:
        if st.lhs is not None and st.kind == "relation":
            nodes.extend(st.lhs.walk())
        nodes.extend(st.rhs.walk())
    for node in sorted((n for n in nodes if n.op == "name"), key=lambda n: n.start):
        name = node.variable()
        if name not in definitions and name not in seen:
            seen.append(name)
    return seen
