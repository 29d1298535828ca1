"""The dependency graph of a program, at two granularities, with a local partial on every edge.

*Variable level* (``ChainGraph.variables``) is the textbook tree diagram: each defined name
points at the names on its right-hand side, and the edge z → x carries ∂z/∂x.
*Operation level* (``ChainGraph.operations``) is the computational graph of micrograd or
torchviz: every primitive operation is a node, and each edge carries the operation's own
local derivative.  Edges point from a node to what it is computed from (output at the
top, inputs at the bottom), so "paths from the output to the input" follow edge direction.

``ChainGraph.evaluate(point)`` computes every value and every local partial at a point.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
import sympy as sp
from cachetools import LRUCache, cached

from chainrule_gui.core.errors import ChoiceError, NumericError
from chainrule_gui.core.expressions.numeric import evaluate as evaluate_sympy
from chainrule_gui.core.expressions.ops import OPS, Fault, sympy_partials
from chainrule_gui.core.expressions.printing import BYTES_PER_NODE, node_count
from chainrule_gui.core.language.lookalikes import with_lookalike_notes
from chainrule_gui.core.language.program import Program
from chainrule_gui.core.language.symbolic import exact_constant
from chainrule_gui.core.language.syntax import Expr, fold

#: Node id of an implicit equation F = lhs − rhs (cannot clash: names start with a letter).
RELATION_NODE = "_F"


def derivative_symbol(parent: str, child: str, single: bool) -> str:
    """``dx/dt`` when ``parent`` depends on one thing only, else ``∂z/∂x``."""
    d = "d" if single else "∂"
    return f"{d}{display_name(parent)}/{d}{display_name(child)}"


def display_name(node: str) -> str:
    return "F" if node == RELATION_NODE else node


@dataclass
class ChainGraph:
    """Both graphs of one program; build with :func:`build_chain_graph`."""

    program: Program
    variables: nx.DiGraph
    operations: nx.DiGraph
    op_order: list[str] = field(default_factory=list)  # operands before users

    # -- structure ----------------------------------------------------------------
    @property
    def inputs(self) -> tuple[str, ...]:
        return self.program.inputs

    @property
    def outputs(self) -> tuple[str, ...]:
        return self.program.outputs

    @cached_property
    def _inputs_below(self) -> dict[str, frozenset[str]]:
        """For every node of either graph, the inputs it depends on."""
        below: dict[str, frozenset[str]] = {}
        for graph in (self.variables, self.operations):
            for node in reversed(list(nx.topological_sort(graph))):
                if graph.nodes[node]["kind"] == "input":
                    below[node] = frozenset([node])
                else:
                    acc: set[str] = set()
                    for child in graph.successors(node):
                        acc |= below[child]
                    below[node] = frozenset(acc)
        return below

    def inputs_of(self, node: str) -> frozenset[str]:
        return self._inputs_below[node]

    def local_partial(self, parent: str, child: str) -> sp.Expr:
        return self.variables.edges[parent, child]["partial"]

    def composed(self, name: str) -> sp.Expr:
        """``name``'s expression with every definition substituted: a function of inputs only."""
        return self._composed[name]

    @cached_property
    def _composed(self) -> dict[str, sp.Expr]:
        program = self.program
        result: dict[str, sp.Expr] = {}
        for name in program.order:
            expr = program.definitions[name].sym
            mapping = {program.symbols[dep]: result[dep] for dep in self.variables.successors(name)
                       if dep in result}
            result[name] = expr.xreplace(mapping) if mapping else expr
        if program.relation is not None:
            mapping = {program.symbols[n]: result[n] for n in self.variables.successors(RELATION_NODE)
                       if n in result}
            result[RELATION_NODE] = program.relation.sym.xreplace(mapping)
        return result

    def composed_size(self, name: str) -> int:
        """How many operations the fully substituted expression of ``name`` has (no building)."""
        sizes: dict[str, int] = {}
        for node in reversed(list(nx.topological_sort(self.variables))):
            data = self.variables.nodes[node]
            if data["kind"] == "input":
                sizes[node] = 1
                continue
            own = sp.count_ops(data["expr"]) + 1
            uses = _symbol_uses(data["expr"])
            sizes[node] = own + sum(uses.get(self.program.symbols.get(c), 1) * (sizes[c] - 1)
                                    for c in self.variables.successors(node))
        return sizes[name]

    def operation_expr(self, node: str) -> sp.Expr:
        """The SymPy form of an operation-level node, in terms of the names it uses."""
        cache = self._op_exprs
        if node in cache:
            return cache[node]
        pending = [node]
        while pending:  # post-order without recursion: nesting can be deep
            current = pending[-1]
            data = self.operations.nodes[current]
            if data["kind"] != "op":
                cache[current] = data["sym"] if data.get("sym") is not None else \
                    self.program.equation().sym
                pending.pop()
                continue
            missing = [a for a in data["args"] if a not in cache]
            if missing:
                pending.extend(missing)
                continue
            cache[current] = OPS[data["op"]].sympy(*(cache[a] for a in data["args"]))
            pending.pop()
        return cache[node]

    def operation_partial(self, parent: str, child: str) -> sp.Expr:
        """The symbolic local partial on an operation-level edge (summed over repeated uses)."""
        key = (parent, child)
        if key not in self._op_partials_symbolic:
            data = self.operations.nodes[parent]
            if data["kind"] == "variable":
                partial = sp.S.One
            else:
                args = [self.operation_expr(a) for a in data["args"]]
                partials = sympy_partials(OPS[data["op"]], args)
                partial = sp.Add(*(partials[i] for i in self.operations.edges[key]["indices"]))
            self._op_partials_symbolic[key] = partial
        return self._op_partials_symbolic[key]

    @cached_property
    def _op_exprs(self) -> dict[str, sp.Expr]:
        return {}

    @cached_property
    def _op_partials_symbolic(self) -> dict[tuple[str, str], sp.Expr]:
        return {}

    def require_name(self, name: str, role: str) -> None:
        if name not in self.variables:
            known = ", ".join(n for n in self.variables if n != RELATION_NODE)
            raise ChoiceError(f"there is no {name!r} to use as the {role}; the names are: {known}")

    # -- numbers ------------------------------------------------------------------
    def evaluate(self, point: Mapping[str, float]) -> PointEvaluation:
        """Values and local partials of both graphs at ``point`` (a value for every input).

        When something cannot be evaluated (log of a negative, an infinite slope) this
        raises the first :class:`NumericError` in evaluation order, carrying in
        ``evaluation`` everything that could be computed: values that do not depend on
        the failing operation, and the local partials of every node whose value exists.
        """
        missing = [n for n in self.inputs if n not in point]
        if missing:
            raise ChoiceError(with_lookalike_notes("give a value for every input; missing: " + ", ".join(missing),
                                                   missing))
        value_fault = None
        try:
            op_values = self.forward_values(point)
        except NumericError as error:
            value_fault, op_values = error, error.values or {}
        op_partials, slope_fault = self._op_partials(op_values)
        values = {n: op_values[n] for n in self.variables if n in op_values}
        partials, partial_fault = self._variable_partials(values)
        kinks = tuple(
            f"{self.operations.nodes[n]['text']} is at its kink (argument = 0)"
            for n in self.op_order
            if self.operations.nodes[n]["kind"] == "op" and OPS[self.operations.nodes[n]["op"]].kink
            and self.inputs_of(n) and op_values.get(self.operations.nodes[n]["args"][0]) == 0.0
        )
        evaluation = PointEvaluation(dict(point), op_values, op_partials, values, partials, kinks)
        fault = value_fault or slope_fault or partial_fault
        if fault is not None:
            fault.evaluation = evaluation
            raise fault
        return evaluation

    def _variable_partials(self, values: dict[str, float]):
        """SymPy's local partial on every variable edge whose parent has a value, and the
        first fault (or None)."""
        symbol_values = {self.program.symbols[n]: v for n, v in values.items() if n in self.program.symbols}
        partials: dict[tuple[str, str], float] = {}
        fault = None
        for parent, child, data in self.variables.edges(data=True):
            if parent not in values or child not in values:
                continue  # the value itself failed: its slope there means nothing
            where = derivative_symbol(parent, child, self.variables.out_degree(parent) == 1)
            try:
                partials[(parent, child)] = evaluate_sympy(data["partial"], symbol_values, where)
            except NumericError as error:
                if fault is None:
                    fault = error
                    fault.owner, fault.edges = parent, frozenset([(parent, child)])
        return partials, fault

    def _op_partials(self, op_values: dict[str, float]):
        """Local partials of every operation whose value and operands' values exist, and
        the first fault (or None)."""
        op_partials: dict[tuple[str, str], float] = {}
        fault = None
        for parent in self.op_order:
            data = self.operations.nodes[parent]
            if data["kind"] in ("input", "const"):
                continue
            args = data["args"]
            if parent not in op_values or any(a not in op_values for a in args):
                continue
            if not self.inputs_of(parent):  # all constant: no derivative flows here
                for child in args:
                    op_partials[(parent, child)] = 0.0
                continue
            arg_values = [op_values[a] for a in args]
            try:
                grads = _op_grads(data["op"], arg_values, op_values[parent])
            except Fault as error:
                if fault is None:
                    live = [c for c in args if self.inputs_of(c)]
                    fault = located_error(error, data, "the slope of ", operation=parent,
                                          op_edge=(parent, live[0]) if live else None)
                    fault.edges = self._variable_edges_of(parent, live)
                continue
            for index, (child, g) in enumerate(zip(args, grads, strict=True)):
                if not self.inputs_of(child):
                    g = 0.0  # a constant operand: its partial never enters a derivative
                elif math.isnan(g) or math.isinf(g):
                    if fault is None:
                        fault = located_error(Fault(_undefined_partial(data, index)), data, "",
                                              operation=parent, op_edge=(parent, child))
                        fault.edges = self._variable_edges_of(parent, [child])
                    continue
                op_partials[(parent, child)] = op_partials.get((parent, child), 0.0) + g
        return op_partials, fault

    def _variable_edges_of(self, operation: str, operands) -> frozenset[tuple[str, str]]:
        """The variable edges an operation's edges to ``operands`` are part of (owner → what
        each operand reaches inside the owner's definition)."""
        owner = self.operations.nodes[operation].get("owner")
        reach = self.definition_reach
        return frozenset((owner, c) for b in operands for c in reach.get(b, ())
                         if self.variables.has_edge(owner, c))

    @cached_property
    def definition_reach(self) -> dict[str, frozenset[str]]:
        """For every operation node, the variable-graph nodes it reaches inside one definition.

        A node of the variable graph reaches itself; an operation reaches what its operands
        reach.  So an operation edge a → b inside z's definition lies on the variable edge
        z → c for every c that b reaches.
        """
        reach: dict[str, frozenset[str]] = {}
        for node in self.op_order:  # operands before users
            data = self.operations.nodes[node]
            if node in self.variables:
                reach[node] = frozenset([node])
            elif data["kind"] == "const":
                reach[node] = frozenset()
            else:
                acc: set[str] = set()
                for child in self.operations.successors(node):
                    acc |= reach[child]
                reach[node] = frozenset(acc)
        return reach

    def fast_partials(self, point: Mapping[str, float], frozen: Mapping[tuple[str, str], float] | None = None,
                      ) -> tuple[dict[str, float], dict[tuple[str, str], float]]:
        """Operation-level values and local partials only (no SymPy): for sampling many points.
        ``frozen`` as for :meth:`forward_values`."""
        op_values = self.forward_values(point, frozen)
        op_partials, fault = self._op_partials(op_values)
        if fault is not None:
            raise fault
        return op_values, op_partials

    def forward_values(
        self, point: Mapping[str, float], frozen: Mapping[tuple[str, str], float] | None = None
    ) -> dict[str, float]:
        """The value of every operation-level node at ``point`` (one forward pass).

        ``frozen`` maps operation edges (user, operand) to a value the user sees instead
        of the operand's current one: a stop-gradient holds a value fixed.  A fault
        raises :class:`NumericError` for the first failing operation, after every value
        that does not depend on it has been computed too (``error.values``).
        """
        values: dict[str, float] = {}
        fault, fault_place = None, (0, 0)
        for node in self.op_order:
            data = self.operations.nodes[node]
            kind = data["kind"]
            if kind == "input":
                values[node] = float(point[node])
            elif kind == "const":
                values[node] = data["value"]
            else:
                try:
                    args = [frozen[(node, a)] if frozen and (node, a) in frozen else values[a]
                            for a in data["args"]]
                except KeyError:
                    continue  # downstream of a fault: no value
                if kind == "variable":
                    values[node] = args[0]
                    continue
                try:
                    values[node] = OPS[data["op"]].value(*args)
                except Fault as error:
                    place = (data.get("line") or 0, data.get("column") or 0)
                    if fault is None or place < fault_place:  # the first in the text
                        fault, fault_place = located_error(error, data, "", operation=node), place
        if fault is not None:
            fault.values = values
            raise fault
        return values

    def operation_edges_of(self, cut: frozenset[tuple[str, str]]) -> frozenset[tuple[str, str]]:
        """The operation-level edges that make up variable-level edges ``cut``.

        The variable edge z → x is every edge into node x from an operation of z's definition.
        """
        edges = set()
        for parent, child in cut:
            for user in self.operations.predecessors(child):
                if self.operations.nodes[user].get("owner") == parent:
                    edges.add((user, child))
        return frozenset(edges)


@dataclass(frozen=True)
class PointEvaluation:
    """Everything numeric at one point.

    ``op_values``/``op_partials`` belong to the operation graph; ``values``/``partials``
    to the variable graph (the partials there come from SymPy's local derivatives, so the
    two levels are independent checks of each other).
    """

    point: dict[str, float]
    op_values: dict[str, float]
    op_partials: dict[tuple[str, str], float]
    values: dict[str, float]
    partials: dict[tuple[str, str], float]
    kinks: tuple[str, ...] = ()


def _op_grads(op: str, arg_values: list[float], value: float) -> tuple[float, ...]:
    if op == "id":
        return (1.0,)
    return OPS[op].grads(arg_values, value)


def _undefined_partial(data: dict, index: int) -> str:
    if data["op"] == "pow" and index == 1:
        return ("the derivative of a power with respect to its exponent needs log of the base, "
                "and the base is not positive here")
    return "the local derivative is undefined here"


def located_error(fault: Fault, data: dict, prefix: str, operation: str | None = None,
                  op_edge: tuple[str, str] | None = None) -> NumericError:
    owner = data.get("owner")
    text = data.get("text", "")
    where = f"{prefix}{text}" if text else owner
    if owner == RELATION_NODE:
        origin = "in the equation"
    elif owner:
        origin = f"in the definition of {owner}"
    else:
        origin = ""
    line = data.get("line")
    at = f", line {line}" if line else ""
    return NumericError(f"{where}: {fault} ({origin}{at})".replace(" ()", ""), node=text or owner,
                        reason=str(fault), operation=operation, owner=owner, op_edge=op_edge)


def _symbol_uses(expr: sp.Expr) -> dict[sp.Symbol, int]:
    uses: dict[sp.Symbol, int] = {}
    for node in sp.preorder_traversal(expr):
        if node.is_Symbol:
            uses[node] = uses.get(node, 0) + 1
    return uses


# -- building ----------------------------------------------------------------------
def build_chain_graph(program: Program) -> ChainGraph:
    """Build both graphs for ``program`` (symbolic work only; no point needed)."""
    variables = _variable_graph(program)
    operations = _operation_graph(program)
    order = list(reversed(list(nx.topological_sort(operations))))
    return ChainGraph(program, variables, operations, order)


def _variable_graph(program: Program) -> nx.DiGraph:
    graph = nx.DiGraph()
    for name in program.inputs:
        graph.add_node(name, kind="input", expr=None, text=name, line=None,
                       symbol=program.symbols[name])
    outputs = set(program.outputs)
    for name, definition in program.definitions.items():
        graph.add_node(name, kind="output" if name in outputs else "intermediate",
                       expr=definition.sym, text=definition.expr.text, line=definition.line,
                       symbol=program.symbols[name])
    owners = [(name, d.sym, d.dependencies) for name, d in program.definitions.items()]
    if program.relation is not None:
        rel = program.relation
        graph.add_node(RELATION_NODE, kind="relation", expr=rel.sym, text=rel.text,
                       line=rel.line, symbol=None)
        owners.append((RELATION_NODE, rel.sym, rel.names))
    for name, expr, deps in owners:
        for dep in sorted(deps, key=lambda n: program.names.index(n)):
            graph.add_edge(name, dep, partial=local_partial_of(expr, program.symbols[dep]))
    return graph


def _partial_cost(partial: sp.Expr) -> int:
    """Bytes an entry keeps alive: the partial and (about as large) the expression keyed on."""
    return 2 * BYTES_PER_NODE * node_count(partial, 100_000) + 256


#: Bytes the cache of local partials may keep alive (a count of 8,192 entries let it hold
#: hundreds of MB of large definitions).
PARTIAL_CACHE_BYTES = 16 * 2**20


@cached(LRUCache(maxsize=PARTIAL_CACHE_BYTES, getsizeof=_partial_cost), lock=threading.Lock())
def local_partial_of(expr: sp.Expr, symbol: sp.Symbol) -> sp.Expr:
    """∂expr/∂symbol, remembered: while someone types, most definitions do not change,
    and SymPy's ``diff`` costs milliseconds each (assumption queries on real symbols)."""
    return sp.diff(expr, symbol)


def _operation_graph(program: Program) -> nx.DiGraph:
    graph = nx.DiGraph()
    for name in program.inputs:
        graph.add_node(name, kind="input", label=name, text=name, owner=None, line=None,
                       sym=program.symbols[name], args=())
    for name in program.definitions:
        # Created first so that a definition may use a name defined further down.
        graph.add_node(name, kind="variable", sym=program.symbols[name], args=())
    builder = _OpBuilder(graph, program)
    for name, definition in program.definitions.items():
        builder.add_definition(name, definition.expr, definition.line)
    if program.relation is not None:
        rel = program.relation
        builder.add_relation(rel.lhs, rel.rhs, rel.line)
    return graph


class _OpBuilder:
    """Adds the operations of one definition (or of the relation) to the operation graph.

    Nodes get their op, arguments and source span; their SymPy forms and the symbolic
    partials on their edges are made on demand (:meth:`ChainGraph.operation_expr`,
    :meth:`ChainGraph.operation_partial`) because only the operations view shows them.
    """

    def __init__(self, graph: nx.DiGraph, program: Program):
        self.graph = graph
        self.program = program
        self.counter = 0

    def add_definition(self, name: str, expr: Expr, line: int) -> None:
        root = self.add_expr(expr, name, line)
        self.graph.add_node(name, kind="variable", op="id", label=name, text=name, owner=name,
                            line=line, sym=self.program.symbols[name], args=(root,))
        self._add_edges(name, (root,))

    def add_relation(self, lhs: Expr, rhs: Expr, line: int) -> None:
        left = self.add_expr(lhs, RELATION_NODE, line)
        right = self.add_expr(rhs, RELATION_NODE, line)
        diff_id = self._new_id(RELATION_NODE)
        self.graph.add_node(diff_id, kind="op", op="sub", label=OPS["sub"].symbol,
                            text="lhs − rhs", owner=RELATION_NODE, line=line, args=(left, right))
        self._add_edges(diff_id, (left, right))
        self.graph.add_node(RELATION_NODE, kind="variable", op="id", label="F", text="F",
                            owner=RELATION_NODE, line=line, sym=None, args=(diff_id,))
        self._add_edges(RELATION_NODE, (diff_id,))

    def _new_id(self, owner: str) -> str:
        self.counter += 1
        return f"{owner}:{self.counter}"

    def add_expr(self, expr: Expr, owner: str, line: int) -> str:
        return fold(expr, lambda node, args: self._add_node(node, args, owner))

    def _add_node(self, node: Expr, child_ids: list[str], owner: str) -> str:
        graph = self.graph
        if node.op == "name":
            return node.variable()  # inputs and defined names are shared nodes
        node_id = self._new_id(owner)
        common = dict(owner=owner, line=node.line, column=node.column, text=node.text)
        if node.op in ("num", "const"):
            sym = exact_constant(node)
            graph.add_node(node_id, kind="const", label=node.text, value=float(sym), sym=sym,
                           args=(), **common)
            return node_id
        graph.add_node(node_id, kind="op", op=node.op, label=OPS[node.op].symbol,
                       args=tuple(child_ids), **common)
        self._add_edges(node_id, child_ids)
        return node_id

    def _add_edges(self, parent: str, children) -> None:
        for index, child in enumerate(children):
            if self.graph.has_edge(parent, child):  # x*x: one edge, its partial summed over both uses
                data = self.graph.edges[parent, child]
                data["indices"] = data["indices"] + (index,)
            else:
                self.graph.add_edge(parent, child, indices=(index,))
