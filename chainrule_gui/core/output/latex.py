"""LaTeX of derivations: the tree's partials, the sum over paths, and the result.

Names go through SymPy's printer so ``theta`` becomes θ and ``w1`` becomes w₁.  The
output is an ``align*`` block that compiles with amsmath alone.
"""

from __future__ import annotations

import sympy as sp

from chainrule_gui.core.calculus.derivation import METHOD_TITLES, Derivation
from chainrule_gui.core.calculus.implicit import ImplicitDerivation
from chainrule_gui.core.calculus.second_order import SecondDerivation
from chainrule_gui.core.expressions.printing import to_latex
from chainrule_gui.core.graph.chain_graph import ChainGraph


def name_latex(name: str) -> str:
    if name == "_F":
        return "F"
    return sp.latex(sp.Symbol(name))


def partial_latex(parent: str, child: str, single: bool, order: int = 1) -> str:
    d = "d" if single else r"\partial "
    top = f"{d}^{{{order}}} {name_latex(parent)}" if order > 1 else f"{d}{name_latex(parent)}"
    bottom = f"{d}{name_latex(child)}^{{{order}}}" if order > 1 else f"{d}{name_latex(child)}"
    return rf"\frac{{{top}}}{{{bottom}}}"


def expr_latex(expr: sp.Expr) -> str:
    return to_latex(expr)


def number_latex(value: float | None) -> str:
    if value is None:
        return r"\text{—}"
    text = f"{value:.6g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def point_latex(point: dict[str, float]) -> str:
    return ",\\ ".join(f"{name_latex(k)} = {number_latex(v)}" for k, v in point.items())


def derivation_latex(graph: ChainGraph, d: Derivation, simplified: sp.Expr | None = None) -> str:
    var = graph.variables
    lines = [r"\begin{align*}"]
    for definition in graph.program.definitions.values():
        lines.append(rf"{name_latex(definition.name)} &= {expr_latex(definition.sym)} \\")
    edges = sorted({e for p in d.paths for e in p.edges}, key=lambda e: (graph.program.names.index(e[0])
                                                                      if e[0] in graph.program.names else 0))
    for parent, child in edges:
        symbol = partial_latex(parent, child, var.out_degree(parent) == 1)
        lines.append(rf"{symbol} &= {expr_latex(var.edges[parent, child]['partial'])} "
                     rf"= {number_latex(d.evaluation.partials[(parent, child)])} \\")
    total = partial_latex(d.of, d.wrt, True)
    if d.paths:
        sums = " + ".join(
            "".join(partial_latex(p, c, var.out_degree(p) == 1) for p, c in path.edges) for path in d.paths
        )
        values = " + ".join(
            r"\left(" + r"\right)\left(".join(number_latex(v) for v in path.factor_values) + r"\right)"
            for path in d.paths)
        if sums != total:  # a single one-edge path would only repeat the left side
            lines.append(rf"{total} &= {sums} \\")
        if not d.paths_complete:
            lines.append(rf"&\quad \text{{(first {len(d.paths)} of {d.path_count:,} paths)}} \\")
        lines.append(rf"&= {values} \\")
    best = simplified if simplified is not None else d.derivative_expr
    if best is not None:
        lines.append(rf"{total} &= {expr_latex(best)} \\")
    lines.append(rf"&\approx {number_latex(d.derivative)} \quad \text{{at }} {point_latex(d.point)}")
    lines.append(r"\end{align*}")
    checks = ", ".join(f"{METHOD_TITLES[k]} {number_latex(v)}" for k, v in d.methods.items() if v is not None)
    lines.append(f"% checks: {checks}; agree: {'yes' if d.agree else 'NO'}")
    lines += note_comments(d.notes)
    return "\n".join(lines) + "\n"


def note_comments(notes) -> list[str]:
    """The notes (why a check is not compared, …) as LaTeX comments: kept, never typeset."""
    return [f"% note: {' '.join(n.splitlines())}" for n in notes]


def second_latex(graph: ChainGraph, d: SecondDerivation) -> str:
    lhs = partial_latex(d.of, d.wrt, True, 2)
    lines = [r"\begin{align*}"]
    for definition in graph.program.definitions.values():
        lines.append(rf"{name_latex(definition.name)} &= {expr_latex(definition.sym)} \\")
    lines.append(rf"{lhs} &= " + " + ".join(f"({number_latex(t.value)})" for t in d.terms) + r" \\")
    if d.second_expr is not None:
        lines.append(rf"&= {expr_latex(d.second_expr)} \\")
    lines.append(rf"&\approx {number_latex(d.second)} \quad \text{{at }} {point_latex(d.point)}")
    lines.append(r"\end{align*}")
    lines += [f"% term: {t.label} = {t.value:.6g}" for t in d.terms]
    lines += note_comments(d.notes)
    return "\n".join(lines) + "\n"


def implicit_latex(d: ImplicitDerivation) -> str:
    x, y = name_latex(d.wrt), name_latex(d.of)
    fx, fy = d.partials["reverse"]
    arguments = ", ".join(name_latex(n) for n in d.point)  # every variable of F, not just the two
    diff = r"\partial " if len(d.point) > 2 else "d"  # a third variable is held fixed: a partial
    lines = [
        r"\begin{align*}",
        rf"F({arguments}) &= {expr_latex(d.F_expr)} = 0 \\",
        rf"\frac{{{diff}{y}}}{{{diff}{x}}} &= -\frac{{\partial F/\partial {x}}}{{\partial F/\partial {y}}}"
        rf" = -\frac{{{number_latex(fx)}}}{{{number_latex(fy)}}} \\",
    ]
    if d.derivative_expr is not None:
        lines.append(rf"&= {expr_latex(d.derivative_expr)} \\")
    lines.append(rf"&\approx {number_latex(d.derivative)} \quad \text{{at }} {point_latex(d.point)}")
    lines.append(r"\end{align*}")
    return "\n".join(lines) + "\n"


def latex_document(body: str, title: str = "Chain Rule Explorer") -> str:
    """A complete, compilable LaTeX document around derivation ``body`` (amsmath only)."""
    return (
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage[utf8]{inputenc}\n"
        f"\\title{{{title}}}\n\\date{{}}\n\\begin{{document}}\n\\maketitle\n"
        f"{body}\\end{{document}}\n"
    )
