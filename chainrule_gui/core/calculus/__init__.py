"""The checked results: first and second derivatives, Jacobians, implicit slopes — each by
several methods that must agree — finite differences, step-through frames, sampling for
plots, and bounded SymPy work in a child process.

Each checked result starts from a ``request`` (the choice, cuts and point, checked once)
and is judged by one ``agreement`` policy (one tolerance table, one judge)."""

from chainrule_gui.core.exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "derive": "derivation",
    "Derivation": "derivation",
    "derive_second": "second_order",
    "hessian": "second_order",
    "jacobian": "jacobian",
    "jvp_vjp": "jacobian",
    "implicit_derivative": "implicit",
    "error_study": "fd_study",
    "step_sequence": "stepthrough",
    "sample": "sampling",
    "SympyWorker": "sympy_worker",
})
