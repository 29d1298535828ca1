"""Export a network as a stand-alone NumPy script that reproduces its outputs.

The script holds the weights as exact decimal literals (``repr`` round-trips a float64),
the activations it needs, ``forward(X)`` and, run directly, prints the output for an
example input.  It imports nothing but NumPy.
"""

from __future__ import annotations

import numpy as np

from chainrule_gui import __version__
from chainrule_gui.core.nn.network import Network

_DEFINITIONS = {
    "identity": "def identity(z):\n    return z\n",
    "relu": "def relu(z):\n    return np.maximum(z, 0.0)\n",
    "leaky_relu": "def leaky_relu(z):\n    return np.where(z > 0, z, 0.01 * z)\n",
    "sigmoid": "def sigmoid(z):\n    return 0.5 * (1.0 + np.tanh(0.5 * z))\n",
    "tanh": "def tanh(z):\n    return np.tanh(z)\n",
    "softmax": ("def softmax(z):\n    e = np.exp(z - z.max(axis=1, keepdims=True))\n"
                "    return e / e.sum(axis=1, keepdims=True)\n"),
}


def _literal(array: np.ndarray) -> str:
    if array.ndim == 1:
        return "[" + ", ".join(repr(float(v)) for v in array) + "]"
    rows = ",\n    ".join(_literal(row) for row in array)
    return "[\n    " + rows + ",\n]"


def numpy_script(network: Network, example: np.ndarray | None = None) -> str:
    """The text of a runnable script; ``example`` is the input it prints the output for."""
    if example is None:
        example = np.zeros((1, network.sizes[0]))
    example = np.asarray(example, dtype=float).reshape(-1, network.sizes[0])
    used = sorted({layer.activation.name for layer in network.layers})
    out = [f'"""A {"-".join(map(str, network.sizes))} network exported by Chain Rule Explorer '
           f'{__version__}.',
           "",
           "Weights are in x out and batches are rows: Z = X @ W + b, A = activation(Z).",
           f"Loss used in training: {network.loss.label}.",
           '"""', "", "import numpy as np", ""]
    out += [_DEFINITIONS[name] for name in used]
    out.append("")
    for layer in network.layers:
        out.append(f"W{layer.number} = np.array({_literal(layer.W)})")
        out.append(f"b{layer.number} = np.array({_literal(layer.b)})")
    out.append("")
    out.append("LAYERS = [")
    for layer in network.layers:
        out.append(f"    (W{layer.number}, b{layer.number}, {layer.activation.name}),")
    out.append("]")
    out.append("")
    out.append("def forward(X):\n    \"\"\"The output for a batch X of shape (n, "
               f"{network.sizes[0]}).\"\"\"\n    A = np.asarray(X, dtype=float)\n"
               "    for W, b, activation in LAYERS:\n        A = activation(A @ W + b)\n    return A\n")
    if network.loss.name == "bce" and network.layers[-1].activation.name == "identity":
        out.append("def probability(X):\n    \"\"\"P(class 1): the output is a logit.\"\"\"\n"
                   "    return 0.5 * (1.0 + np.tanh(0.5 * forward(X)))\n")
    out.append("")
    out.append('if __name__ == "__main__":')
    out.append(f"    X = np.array({_literal(example)})")
    out.append("    np.set_printoptions(precision=17)")
    out.append("    print(forward(X).tolist())")
    return "\n".join(out) + "\n"
