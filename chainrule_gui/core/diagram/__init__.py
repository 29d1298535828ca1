"""What a diagram draws and where: the layered layout, label slots, and the model of nodes,
edges and numbers a view paints (no Qt)."""

from chainrule_gui.core.exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "layered_layout": "layers",
    "diagram_layout": "placement",
    "DiagramLayout": "placement",
    "build_diagram": "model",
    "DiagramModel": "model",
    "diagram_numbers": "model",
})
