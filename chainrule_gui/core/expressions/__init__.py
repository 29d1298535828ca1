"""SymPy expressions as the program uses them: the primitive registry, evaluating expressions
at a point or on arrays, and printing them (text, LaTeX, short labels) through caches bounded
by the memory they keep alive."""

from chainrule_gui.core.exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "OPS": "ops",
    "OpSpec": "ops",
    "Fault": "ops",
    "evaluate": "numeric",
    "evaluate_array": "numeric_array",
    "to_text": "printing",
    "to_latex": "printing",
    "node_count": "printing",
    "short_form": "elide",
    "full_text": "elide",
})
