"""Results as text: plain and Unicode printing, short labels, LaTeX, the NumPy script export
and the command-line report."""

from chainrule_gui.core.exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "to_text": "printing",
    "to_latex": "printing",
    "short_form": "elide",
    "derivation_latex": "latex",
    "latex_document": "latex",
    "gradient_module": "export_numpy",
})
