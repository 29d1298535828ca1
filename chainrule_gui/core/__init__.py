"""The Qt-free core: parse definitions, build the chain-rule graphs, derive and check.

Packages, lowest first (ARCHITECTURE.md): ``language`` (text to checked definitions),
``graph`` (primitives, chain graph, paths, accumulation), ``calculus`` (the checked results),
``diagram`` (what a diagram draws), ``output`` (text, LaTeX, NumPy), ``explorer`` (the
Expression tab's state and its transitions), ``files``, ``nn``.

Typical use::

    from chainrule_gui.core import parse_program, build_chain_graph, derive
    graph = build_chain_graph(parse_program("z = x^2 + sin(x*y); x = t^2; y = e^t"))
    d = derive(graph, "z", "t", {"t": 1.0})
    d.derivative, d.paths, d.methods, d.agree

Names are imported lazily so that importing the package does not load SymPy.
"""

from __future__ import annotations

from chainrule_gui.core.exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "parse_program": "language.program",
    "Program": "language.program",
    "build_chain_graph": "graph.chain_graph",
    "ChainGraph": "graph.chain_graph",
    "derive": "calculus.derivation",
    "Derivation": "calculus.derivation",
    "derive_second": "calculus.second_order",
    "hessian": "calculus.second_order",
    "jacobian": "calculus.jacobian",
    "jvp_vjp": "calculus.jacobian",
    "implicit_derivative": "calculus.implicit",
    "layered_layout": "diagram.layers",
    "unfold_tree": "graph.tree",
    "ChainRuleError": "errors",
    "ParseError": "errors",
    "ChoiceError": "errors",
    "NumericError": "errors",
    "ModelError": "errors",
})
