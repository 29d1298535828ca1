"""The chain-rule graph: primitive operations, the dependency graph with a local partial on
every edge, paths (counted, listed lazily), forward/reverse accumulation and evaluation."""

from chainrule_gui.core.exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "OPS": "ops",
    "OpSpec": "ops",
    "op_spec": "ops",
    "ChainGraph": "chain_graph",
    "PointEvaluation": "chain_graph",
    "build_chain_graph": "chain_graph",
    "count_paths": "paths",
    "iter_paths": "paths",
    "reverse_sweep": "accumulate",
    "forward_sweep": "accumulate",
    "unfold_tree": "tree",
    "evaluate": "numeric",
    "evaluate_array": "numeric_array",
    "Choice": "choices",
    "choose_output_input": "choices",
})
