"""The chain-rule graph: variable and operation DAGs with a local partial on every edge, paths
(counted, listed lazily), forward/reverse accumulation, the unfolded tree, choosing output/input."""

from chainrule_gui.core.exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "ChainGraph": "chain_graph",
    "PointEvaluation": "chain_graph",
    "build_chain_graph": "chain_graph",
    "count_paths": "paths",
    "iter_paths": "paths",
    "reverse_sweep": "accumulate",
    "forward_sweep": "accumulate",
    "unfold_tree": "tree",
    "Choice": "choices",
    "choose_output_input": "choices",
})
