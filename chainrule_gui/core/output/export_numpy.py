"""Export the gradient as a standalone NumPy module (``.py``) that reproduces the numbers.

The module evaluates the definitions in order, computes each edge's local partial, and
accumulates adjoints from the output down (reverse mode), so it stays linear in the
number of edges however many paths there are.  Run it to print the value, the gradient
and a finite-difference check at the point it was exported from.

Code is printed from SymPy objects the safe parser built; names that are not usable as
Python identifiers in the module (keywords, ``np``, helper names) are renamed.
"""

from __future__ import annotations

import keyword
import unicodedata

import networkx as nx
import sympy as sp
from sympy.printing.numpy import NumPyPrinter

from chainrule_gui import __version__
from chainrule_gui.core.expressions.ops import OPS
from chainrule_gui.core.graph.chain_graph import ChainGraph

#: The definitions the module carries for primitives NumPy lacks (σ, relu, softplus).
_HELPERS = {spec.name: spec.numpy_helper for spec in OPS.values() if spec.numpy_helper}
_RESERVED = {"np", "numpy", "value", "gradient", "heaviside", "main",
             "math", "print", "float", "abs", "dict", "zip", "range", "self"} | set(_HELPERS)


class _Printer(NumPyPrinter):
    def _print_Function(self, expr):  # SymPy's own functions have printers of their own
        name = expr.func.__name__
        if name not in _HELPERS:
            return super()._print_Function(expr)
        return f"{name}({', '.join(self._print(a) for a in expr.args)})"

    def _module_format(self, fqn, register=True):  # print numpy.sin as np.sin
        return super()._module_format(fqn, register).replace("numpy.", "np.")


def _python_form(name: str) -> str:
    """How Python reads an identifier: NFKC-normalised, so ｘ is x and ﬁ is fi."""
    return unicodedata.normalize("NFKC", name)


def _safe_names(names) -> dict[str, str]:
    """A Python identifier for each name, no two the same *as Python reads them* (``ｘ`` and
    ``x`` are one variable to Python); names that already read as themselves keep them first."""
    names = list(names)
    taken = {_python_form(n) for n in names}
    used: set[str] = set()
    mapping = {}
    for name in sorted(names, key=lambda n: _python_form(n) != n):  # stable sort: else as given
        safe = name
        while (keyword.iskeyword(_python_form(safe)) or _python_form(safe) in _RESERVED
               or not safe.isidentifier() or _python_form(safe) in used
               or (safe != name and _python_form(safe) in taken)):
            safe = safe + "_"
        mapping[name] = safe
        used.add(_python_form(safe))
    return {name: mapping[name] for name in names}


def gradient_module(graph: ChainGraph, of: str, point: dict[str, float]) -> str:
    """Python source of a module with ``value(...)`` and ``gradient(...)`` for output ``of``."""
    program = graph.program
    var = graph.variables
    names = _safe_names(list(program.definitions) + list(program.inputs))
    used = set(nx.descendants(var, of)) | {of}
    inputs = [n for n in program.inputs if n in used]
    order = [n for n in program.order if n in used]
    rename = {program.symbols[n]: sp.Symbol(names[n], real=True) for n in names}
    printer = _Printer()

    def code(expr) -> str:
        return printer.doprint(expr.xreplace(rename))

    partial_names = _safe_names([f"d{p}_d{c}" for p, c in var.edges if p in used] + list(names.values()))
    args = ", ".join(names[n] for n in inputs)
    helpers = [h for fn, h in _HELPERS.items()
               if any(d.sym.has(sp.Function(fn)) or _has_function(d.sym, fn) or
                      any(_has_function(var.edges[e]["partial"], fn) for e in var.out_edges(d.name))
                      for d in program.definitions.values())]
    lines = [
        f'"""The gradient of {of} by the chain rule, exported by Chain Rule Explorer {__version__}.',
        "",
        "Definitions:",
        *[f"    {d.name} = {d.expr.text}" for d in program.definitions.values() if d.name in used],
        '"""',
        "",
        "import numpy as np",
        "",
        *[h + "\n" for h in helpers],
        "",
        f"def value({args}):",
        f'    """{of} at the given inputs (NumPy arrays work too)."""',
    ]
    lines += [f"    {names[n]} = {code(program.definitions[n].sym)}" for n in order]
    lines += [f"    return {names[of]}", "", ""]
    lines += [
        f"def gradient({args}):",
        f'    """∂{of}/∂({", ".join(inputs)}) by reverse accumulation over the dependency graph."""',
    ]
    lines += [f"    {names[n]} = {code(program.definitions[n].sym)}" for n in order]
    lines.append("    # local partial on every edge")
    for p, c in var.edges:
        if p in used:
            lines.append(f"    {partial_names[f'd{p}_d{c}']} = {code(var.edges[p, c]['partial'])}")
    lines.append(f"    # adjoints: how much {of} changes per unit change of each name")
    adjoint = _safe_names([f"adj_{n}" for n in list(names)] + list(names.values()) + list(partial_names.values()))
    for node in nx.topological_sort(var.subgraph(used)):
        if node == of:
            lines.append(f"    {adjoint[f'adj_{node}']} = 1.0")
            continue
        terms = [f"{adjoint[f'adj_{p}']} * {partial_names[f'd{p}_d{node}']}" for p in var.predecessors(node)
                 if p in used]
        lines.append(f"    {adjoint[f'adj_{node}']} = {' + '.join(terms) if terms else '0.0'}")
    result = ", ".join(adjoint[f"adj_{n}"] for n in inputs)
    lines += [f"    return {result}", "", ""]
    at = ", ".join(f"{names[n]}={point[n]!r}" for n in inputs)
    lines += [
        'if __name__ == "__main__":',
        f"    point = dict({at})",
        "    grad = gradient(**point)",
        "    grads = grad if isinstance(grad, tuple) else (grad,)",
        f'    print("{of} =", float(value(**point)))',
        "    for (name, x), g in zip(point.items(), grads):",
        "        h = 6e-6 * max(1.0, abs(x))",
        "        fd = (value(**{**point, name: x + h}) - value(**{**point, name: x - h})) / (2 * h)",
        f'        print(f"d{of}/d{{name}} = {{float(g)!r}}   (finite difference: {{float(fd)!r}})")',
        "",
    ]
    return "\n".join(lines)


def _has_function(expr: sp.Expr, name: str) -> bool:
    return any(getattr(f.func, "__name__", "") == name for f in expr.atoms(sp.Function))
