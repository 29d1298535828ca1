"""Results as documents: the LaTeX derivation, the NumPy script export and the command-line report."""

from chainrule_gui.core.exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "derivation_latex": "latex",
    "latex_document": "latex",
    "gradient_module": "export_numpy",
})
