"""The explorer model: the Expression tab's immutable state and the pure transition of each intent."""

from chainrule_gui.core.exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "ExplorerState": "state",
    "StructureKey": "state",
    "structure_key": "state",
    "opened": "transitions",
    "edit_text": "transitions",
    "choose_output": "transitions",
    "choose_input": "transitions",
    "set_value": "transitions",
    "set_values": "transitions",
    "set_range": "transitions",
    "toggle_cut": "transitions",
    "set_cut": "transitions",
    "set_max_paths": "transitions",
    "set_view": "transitions",
    "adopt_reading": "transitions",
    "Reading": "reading",
    "read_text": "reading",
    "Evaluation": "evaluation",
    "evaluate": "evaluation",
    "SymbolicCache": "symbolic",
})
