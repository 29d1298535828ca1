"""The Qt-free core: parse definitions, build the chain-rule graphs, derive and check.

Typical use::

    from chainrule_gui.core import parse_program, build_chain_graph, derive
    graph = build_chain_graph(parse_program("z = x^2 + sin(x*y); x = t^2; y = e^t"))
    d = derive(graph, "z", "t", {"t": 1.0})
    d.derivative, d.paths, d.methods, d.agree

Names are imported lazily so that importing the package does not load SymPy.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "parse_program": "program",
    "Program": "program",
    "build_chain_graph": "chain_graph",
    "ChainGraph": "chain_graph",
    "derive": "derivation",
    "Derivation": "derivation",
    "derive_second": "second_order",
    "hessian": "second_order",
    "jacobian": "jacobian",
    "jvp_vjp": "jacobian",
    "implicit_derivative": "implicit",
    "layered_layout": "layout",
    "unfold_tree": "tree",
    "ChainRuleError": "errors",
    "ParseError": "errors",
    "ChoiceError": "errors",
    "NumericError": "errors",
    "ModelError": "errors",
}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'chainrule_gui.core' has no attribute {name!r}")
    return getattr(importlib.import_module(f"chainrule_gui.core.{module}"), name)


__all__ = sorted(_EXPORTS)
