"""Plain-text and JSON renderings of derivations, for the command line and for export.

Views of the GUI draw the same result objects; this module only formats them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import sympy as sp

from chainrule_gui.core.calculus.agreement import agree
from chainrule_gui.core.calculus.derivation import METHOD_NAMES, METHOD_TITLES, Derivation
from chainrule_gui.core.expressions.printing import fmt, to_text
from chainrule_gui.core.graph.chain_graph import ChainGraph, derivative_symbol, display_name
from chainrule_gui.core.graph.tree import unfold_tree

if TYPE_CHECKING:  # annotations only: importing them would load NumPy for every fmt() user
    from chainrule_gui.core.calculus.implicit import ImplicitDerivation
    from chainrule_gui.core.calculus.jacobian import JacobianResult
    from chainrule_gui.core.calculus.second_order import HessianResult, SecondDerivation

MAX_TREE_LINES = 60


def expr_text(expr: sp.Expr | None) -> str:
    return "—" if expr is None else to_text(expr)


def finite_or_none(value):
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def point_text(point: dict[str, float]) -> str:
    return ", ".join(f"{k} = {fmt(v, 10)}" for k, v in point.items())


# -- plain text --------------------------------------------------------------------------
def definitions_text(graph: ChainGraph, values: dict[str, float]) -> list[str]:
    program = graph.program
    rows = [(f"{d.name} = {d.expr.text}", values.get(d.name)) for d in program.definitions.values()]
    rows += [(f"{n} (input)", values.get(n)) for n in program.inputs]
    width = max(len(r[0]) for r in rows)
    return [f"  {label.ljust(width)}   = {fmt(v)}" for label, v in rows]


def tree_text(graph: ChainGraph, derivation: Derivation) -> list[str]:
    """The unfolded tree with each edge's local partial, drawn with box characters."""
    var = graph.variables
    ev = derivation.evaluation
    tree = unfold_tree(var, derivation.of, max_nodes=MAX_TREE_LINES // 2)
    lines: list[str] = []
    root = derivation.of

    def label(name: str) -> str:
        return f"{display_name(name)} = {fmt(ev.values.get(name))}"

    lines.append(label(root))

    def walk(node_id: str, prefix: str) -> None:
        children = list(tree.successors(node_id))
        hidden = tree.nodes[node_id]["hidden"]
        for i, child_id in enumerate(children):
            last = i == len(children) - 1 and not hidden
            branch, cont = ("└─ ", "   ") if last else ("├─ ", "│  ")
            parent, child = tree.edges[node_id, child_id]["edge"]
            symbol = derivative_symbol(parent, child, var.out_degree(parent) == 1)
            cut = "  ✂ cut" if (parent, child) in derivation.cut else ""
            lines.append(f"{prefix}{branch}{symbol} = {expr_text(var.edges[parent, child]['partial'])}"
                         f" = {fmt(ev.partials[(parent, child)])}{cut}")
            lines.append(f"{prefix}{cont}{label(child)}")
            walk(child_id, prefix + cont)
        if hidden:
            lines.append(f"{prefix}└─ … {hidden:,} more nodes below, not shown")

    walk(tree_root_id(tree), "")
    return lines


def tree_root_id(tree) -> str:
    return next(n for n in tree if tree.in_degree(n) == 0)


def derivation_text(graph: ChainGraph, d: Derivation, simplified: sp.Expr | None = None) -> str:
    out = [f"d{d.of}/d{d.wrt} at {point_text(d.point)}", "", "Definitions"]
    out += definitions_text(graph, d.evaluation.values)
    out += ["", "Tree (each edge carries its local partial and its value here)"]
    out += ["  " + line for line in tree_text(graph, d)]
    out += ["", f"Paths from {d.of} to {d.wrt}: {d.path_count:,}"]
    for i, path in enumerate(d.paths, 1):
        chain = " → ".join(path.nodes)
        factors = " · ".join(path.factor_names)
        numbers = " · ".join(f"({fmt(v)})" for v in path.factor_values)
        out.append(f"  {i}. {chain}   {factors} = {numbers} = {fmt(path.product)}")
    if not d.paths_complete:
        out.append(f"  … {d.path_count - len(d.paths):,} more paths not listed (the total below is still exact)")
    if d.methods["paths"] is not None:
        out.append(f"  sum of the path products = {fmt(d.methods['paths'], 12)}")
    if d.cut:
        cuts = ", ".join(f"{p} → {c}" for p, c in sorted(d.cut))
        out.append(f"  cut (stop-gradient): {cuts}; {d.removed_path_count:,} path(s) removed")
    out.append("")
    out.append(f"d{d.of}/d{d.wrt} = {expr_text(d.derivative_expr)}")
    if simplified is not None and simplified != d.derivative_expr:
        out.append(f"{' ' * len(f'd{d.of}/d{d.wrt}')} = {expr_text(simplified)}   (simplified)")
    out.append(f"{' ' * len(f'd{d.of}/d{d.wrt}')} = {fmt(d.derivative, 15)}")
    out += ["", *methods_table(d.methods, d.agreement)]
    out += [""] + [f"note: {n}" for n in d.notes]
    return "\n".join(line.rstrip() for line in out).rstrip() + "\n"


#: How a method's mark (:mod:`~chainrule_gui.core.calculus.agreement`) reads in text.
CHECK_MARKS = {True: "✓ agrees", False: "✗ DISAGREES", None: "not compared"}


def check_lines(agreement: dict) -> list[str]:
    """Each method's mark, for results whose values are matrices."""
    return ["Checks"] + [f"  {name:<20} {CHECK_MARKS[ok]}" for name, ok in agreement.items()]


def methods_table(methods: dict, agreement: dict, titles: dict | None = None) -> list[str]:
    titles = titles or METHOD_TITLES
    lines = ["Checks"]
    for name in methods:
        mark = CHECK_MARKS[agreement.get(name)]
        lines.append(f"  {titles.get(name, name):<20} {fmt(methods[name], 15):>24}   {mark}")
    ok = agree(agreement)
    compared = sum(v is True for v in agreement.values())
    lines.append(f"  {'All' if ok else 'NOT all'} compared methods agree ({compared} of {len(methods)} compared).")
    return lines


def second_text(graph: ChainGraph, d: SecondDerivation) -> str:
    out = [f"d²{d.of}/d{d.wrt}² at {point_text(d.point)}", "", "Definitions"]
    out += definitions_text(graph, graph.evaluate(d.point).values)
    out += ["", "Second-order chain rule: Σ ∂²f/∂u∂v · u′v′ + Σ ∂f/∂u · u″"]
    for term in d.terms:
        out.append(f"  {term.label} = {fmt(term.value)}   (outer {expr_text(term.outer)} = {fmt(term.outer_value)})")
    out.append(f"  sum = {fmt(d.methods['paths'], 12)}")
    for u, (d1, d2) in d.inner.items():
        if u != d.wrt and u not in graph.inputs:  # another input does not move: "dy/dx = 0" says nothing
            out.append(f"  where d{u}/d{d.wrt} = {fmt(d1)}, d²{u}/d{d.wrt}² = {fmt(d2)}")
    out += ["", f"d{d.of}/d{d.wrt} = {fmt(d.first, 12)}",
            f"d²{d.of}/d{d.wrt}² = {expr_text(d.second_expr)}",
            f"{' ' * len(f'd²{d.of}/d{d.wrt}²')} = {fmt(d.second, 15)}", ""]
    titles = dict(METHOD_TITLES, paths="chain-rule terms", reverse="forward-over-reverse",
                  forward="Taylor (fwd-over-fwd)")
    out += methods_table(d.methods, d.agreement, titles)
    out += [""] + [f"note: {n}" for n in d.notes]
    return "\n".join(out).rstrip() + "\n"


def matrix_lines(title: str, rows: list[str], cols: list[str], matrix) -> list[str]:
    width = max([10] + [len(c) for c in cols])
    head = " " * 8 + "".join(f"{c:>{width + 2}}" for c in cols)
    lines = [title, head]
    for r, row in zip(rows, matrix, strict=True):
        lines.append(f"  {r:<6}" + "".join(f"{fmt(float(v)):>{width + 2}}" for v in row))
    return lines


def jacobian_text(j: JacobianResult) -> str:
    out = [f"Jacobian of ({', '.join(j.outputs)}) with respect to ({', '.join(j.inputs)}) "
           f"at {point_text(j.point)}", f"through the intermediates ({', '.join(j.via)})", ""]
    out += matrix_lines("J_f = ∂(outputs)/∂(intermediates)", list(j.outputs), list(j.via), j.J_f) + [""]
    out += matrix_lines("J_g = d(intermediates)/d(inputs)", list(j.via), list(j.inputs), j.J_g) + [""]
    out += matrix_lines("J_h = J_f · J_g", list(j.outputs), list(j.inputs), j.J_h) + [""]
    out += check_lines(j.agreement)
    out += [""] + [f"note: {n}" for n in j.notes]
    return "\n".join(out).rstrip() + "\n"


def hessian_text(h: HessianResult) -> str:
    out = [f"Hessian of {h.of} with respect to ({', '.join(h.wrt)}) at {point_text(h.point)}", ""]
    out += matrix_lines("H", list(h.wrt), list(h.wrt), h.matrix)
    out += ["", f"symmetric: {'yes' if h.symmetric else 'NO'}", *check_lines(h.agreement)]
    out += [""] + [f"note: {n}" for n in h.notes]
    return "\n".join(out).rstrip() + "\n"


def implicit_text(d: ImplicitDerivation) -> str:
    x, y = d.wrt, d.of
    fixed = implicit_held_fixed(d)
    # With a third variable held fixed the slope is a partial derivative of y(x, …).
    dy_dx = f"∂{y}/∂{x}" if fixed else f"d{y}/d{x}"
    arguments = ", ".join(f"{y}({x})" if n == y else n for n in d.point)
    out = [f"{dy_dx} on the {'surface' if fixed else 'curve'} F = {expr_text(d.F_expr)} = 0 "
           f"at {point_text(d.point)}", "",
           f"Differentiate F({arguments}) = 0" + (f", holding {', '.join(fixed)} fixed" if fixed else "")
           + f":  ∂F/∂{x} + ∂F/∂{y} · {dy_dx} = 0,  so  {dy_dx} = −(∂F/∂{x}) / (∂F/∂{y})", ""]
    fx, fy = d.partials["reverse"]
    out.append(f"  ∂F/∂{x} = {fmt(fx, 12)},  ∂F/∂{y} = {fmt(fy, 12)}")
    out.append(f"  {dy_dx} = {expr_text(d.derivative_expr)} = {fmt(d.derivative, 15)}")
    out += ["", *methods_table(d.methods, d.agreement)]
    out += [""] + [f"note: {n}" for n in d.notes]
    return "\n".join(out).rstrip() + "\n"


def implicit_held_fixed(d: ImplicitDerivation) -> list[str]:
    """The equation's other variables, which stay put while ``wrt`` moves along the curve."""
    return [n for n in d.point if n not in (d.of, d.wrt)]


# -- JSON --------------------------------------------------------------------------------
def path_json(path) -> dict:
    return {
        "nodes": list(path.nodes),
        "factors": [to_text(f) for f in path.factors],
        "factor_names": list(path.factor_names),
        "factor_values": [finite_or_none(v) for v in path.factor_values],
        "product": finite_or_none(path.product),
    }


def derivation_json(d: Derivation, simplified: sp.Expr | None = None) -> dict:
    best = simplified if simplified is not None else d.derivative_expr
    return {
        "of": d.of,
        "wrt": d.wrt,
        "at": dict(d.point),
        "value": finite_or_none(d.value),
        "derivative": finite_or_none(d.derivative),
        "derivative_expr": None if best is None else to_text(best),
        "derivative_expr_unsimplified": None if d.derivative_expr is None else to_text(d.derivative_expr),
        "paths": [path_json(p) for p in d.paths],
        "path_count": d.path_count,
        "paths_complete": d.paths_complete,
        "methods": {k: finite_or_none(d.methods[k]) for k in METHOD_NAMES},
        "agreement": dict(d.agreement),
        "agree": d.agree,
        "cut": [list(e) for e in sorted(d.cut)],
        "notes": list(d.notes),
    }


def matrix_json(m) -> list[list[float | None]] | None:
    if m is None:
        return None
    return [[finite_or_none(v) for v in row] for row in m]
