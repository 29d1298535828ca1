"""Ready-made networks: the seed documents' two, exactly, and a few classic lessons.

- ``seed-2-2-1``: the first seed's code.  X = [[1, 2]], y = [[10]], a 2-2-1 network with
  ReLU hidden units and a linear output, MSE = ½·mean, and weights drawn with
  ``np.random.seed(42)`` then ``np.random.randn`` for W1 (2×2), b1 (1×2), W2 (2×1),
  b2 (1×1) in that order.
- ``seed-sigmoid-1-1-1``: the one-neuron sigmoid chain of the second seed: x = 1,
  W1 = 0.5, b1 = 0.1, W2 = 1.5, b2 = 0.2, y_true = 0.8, loss ½(ŷ − y)².
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.nn.datasets import Dataset, generate, single_example
from chainrule_gui.core.nn.network import Network
from chainrule_gui.core.nn.spec import LayerSpec, NetworkSpec
from chainrule_gui.core.nn.training import TrainConfig


@dataclass(frozen=True)
class DataRecipe:
    """How a preset's data is made: a generated set, or one fixed example."""

    name: str
    samples: int = 200
    noise: float = 0.1
    validation_fraction: float = 0.2
    classes: int = 2
    seed: int = 0
    x: tuple[float, ...] = ()
    y: tuple[float, ...] = ()

    def build(self) -> Dataset:
        if self.x:
            return single_example(self.name, list(self.x), list(self.y))
        return generate(self.name, self.samples, self.noise, self.validation_fraction, self.seed,
                        self.classes)


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    description: str
    spec: NetworkSpec
    data: DataRecipe
    config: TrainConfig
    weights: tuple = field(default=(), compare=False)  # explicit (W, b) per layer, if any

    def build(self) -> tuple[Network, Dataset, TrainConfig]:
        network = Network.initialized(self.spec)
        if self.weights:
            network.set_weights([(np.array(W, dtype=float), np.array(b, dtype=float))
                                 for W, b in self.weights])
        return network, self.data.build(), self.config


PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("seed-2-2-1", "Seed: 2-2-1 ReLU regression",
           "The first seed's manual backprop: input [1, 2], target 10, weights from "
           "np.random.seed(42).",
           NetworkSpec(2, (LayerSpec(2, "relu"), LayerSpec(1, "identity")), loss="mse", init="randn",
                       seed=42, name="seed-2-2-1"),
           DataRecipe("seed 2-2-1", x=(1.0, 2.0), y=(10.0,)),
           TrainConfig("sgd", 0.01, 1)),
    Preset("seed-sigmoid-1-1-1", "Seed: one-neuron sigmoid chain",
           "x = 1, W1 = 0.5, b1 = 0.1, W2 = 1.5, b2 = 0.2, target 0.8, loss ½(ŷ − y)².",
           NetworkSpec(1, (LayerSpec(1, "sigmoid"), LayerSpec(1, "sigmoid")), loss="mse",
                       init="normal", seed=0, name="seed-sigmoid-1-1-1"),
           DataRecipe("seed sigmoid chain", x=(1.0,), y=(0.8,)),
           TrainConfig("sgd", 0.5, 1),
           weights=(([[0.5]], [0.1]), ([[1.5]], [0.2]))),
    Preset("xor-tanh", "XOR with a small tanh net",
           "The problem a single neuron cannot solve: 2-4-1 tanh, binary cross-entropy, Adam.",
           NetworkSpec(2, (LayerSpec(4, "tanh"), LayerSpec(1, "identity")), loss="bce", init="xavier",
                       seed=0, name="xor-tanh"),
           DataRecipe("xor", 200, 0.05), TrainConfig("adam", 0.03, 16)),
    Preset("spiral-relu", "Three-arm spiral, ReLU, softmax",
           "2-32-32-3 ReLU with He initialization and softmax cross-entropy.",
           NetworkSpec(2, (LayerSpec(32, "relu"), LayerSpec(32, "relu"), LayerSpec(3, "softmax")),
                       loss="softmax_ce", init="he", seed=0, name="spiral-relu"),
           DataRecipe("spiral", 600, 0.02, classes=3), TrainConfig("adam", 0.01, 32)),
    Preset("vanishing-sigmoid", "Vanishing gradients: deep sigmoid net",
           "Six sigmoid layers with small random weights: the first layers' gradients are "
           "orders of magnitude smaller than the last's.  Compare with ReLU and He init.",
           NetworkSpec(2, tuple(LayerSpec(8, "sigmoid") for _ in range(6)) + (LayerSpec(1, "identity"),),
                       loss="bce", init="normal", init_scale=0.5, seed=0, name="vanishing-sigmoid"),
           DataRecipe("circles", 300, 0.05), TrainConfig("sgd", 0.5, 32)),
    Preset("sine-regression", "Fit a sine curve",
           "1-16-16-1 tanh regression of y = sin(x) with noise, MSE, Adam.",
           NetworkSpec(1, (LayerSpec(16, "tanh"), LayerSpec(16, "tanh"), LayerSpec(1, "identity")),
                       loss="mse", init="xavier", seed=0, name="sine-regression"),
           DataRecipe("sine", 200, 0.1), TrainConfig("adam", 0.01, 32)),
)}


def get_preset(name: str) -> Preset:
    try:
        return PRESETS[str(name).strip().lower()]
    except KeyError:
        raise ModelError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None
