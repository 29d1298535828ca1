"""What a network is, as plain immutable data: layer sizes, activations, loss, initializer.

A :class:`NetworkSpec` is what the editor builds, what a model file stores and what the
command line parses from ``--layers 2,8,8,1 --activation tanh --loss bce``.  Building
weights from it is :mod:`chainrule_gui.core.nn.network`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.nn.activations import HIDDEN_ACTIVATIONS, activation
from chainrule_gui.core.nn.initializers import init_name
from chainrule_gui.core.nn.losses import loss_function

MAX_UNITS = 4096
MAX_LAYERS = 32
#: Weights and biases a network may have: what a model file holds (8 bytes each, 240 MB,
#: under model_file.MAX_MODEL_BYTES with its description), so every network that can be
#: built can be saved and opened again.  4,096 units × 32 layers would be 537 million.
MAX_PARAMETERS = 30_000_000
DEFAULT_OUTPUT_ACTIVATION = {"mse": "identity", "bce": "identity", "softmax_ce": "softmax"}


@dataclass(frozen=True)
class LayerSpec:
    """One dense layer: ``units`` neurons, activation σ, and whether it is frozen."""

    units: int
    activation: str = "tanh"
    frozen: bool = False


@dataclass(frozen=True)
class NetworkSpec:
    """A multilayer perceptron.  ``layers`` excludes the input; the last one is the output."""

    input_size: int
    layers: tuple[LayerSpec, ...]
    loss: str = "mse"
    init: str = "xavier"
    init_scale: float = 1.0
    seed: int = 0
    name: str = field(default="", compare=False)

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.input_size, *(layer.units for layer in self.layers))

    @property
    def parameter_count(self) -> int:
        s = self.sizes
        return sum((a + 1) * b for a, b in zip(s, s[1:]))

    def validated(self) -> NetworkSpec:
        """This spec with names normalized, or ModelError saying what to change."""
        if isinstance(self.input_size, bool) or not isinstance(self.input_size, int) or self.input_size < 1:
            raise ModelError("the input layer needs at least 1 unit")
        if not self.layers:
            raise ModelError("a network needs at least one layer after the input (the output layer)")
        if len(self.layers) > MAX_LAYERS:
            raise ModelError(f"at most {MAX_LAYERS} layers, please (this one has {len(self.layers)})")
        for size in self.sizes:
            if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_UNITS:
                raise ModelError(f"layer sizes must be whole numbers from 1 to {MAX_UNITS}, not {size!r}")
        if self.parameter_count > MAX_PARAMETERS:
            raise ModelError(f"this network has {self.parameter_count:,} weights and biases; at most "
                             f"{MAX_PARAMETERS:,} fit in a model file: use fewer or smaller layers")
        loss = loss_function(self.loss)
        layers = []
        for index, layer in enumerate(self.layers):
            act = activation(layer.activation)
            is_output = index == len(self.layers) - 1
            if not is_output and act.name not in HIDDEN_ACTIVATIONS:
                raise ModelError(f"layer {index + 1}: {act.name} belongs on the output layer only; "
                                 f"hidden layers take {', '.join(HIDDEN_ACTIVATIONS)}")
            layers.append(replace(layer, activation=act.name, frozen=bool(layer.frozen)))
        loss.check_output(activation(layers[-1].activation))
        if loss.name == "softmax_ce" and layers[-1].units < 2:
            raise ModelError("softmax cross-entropy needs one output unit per class (at least 2); "
                             "for two classes with one output use binary cross-entropy (bce)")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or not 0 <= self.seed < 2**32:
            raise ModelError(f"the seed must be a whole number from 0 to {2**32 - 1}")
        if not (0 < float(self.init_scale) < 1e6):
            raise ModelError("the initial weight scale must be a positive number")
        return replace(self, layers=tuple(layers), loss=loss.name, init=init_name(self.init),
                       init_scale=float(self.init_scale))

    def with_frozen(self, index: int, frozen: bool) -> NetworkSpec:
        layers = list(self.layers)
        layers[index] = replace(layers[index], frozen=frozen)
        return replace(self, layers=tuple(layers))


def parse_sizes(text: str) -> tuple[int, ...]:
    """``"2,8,8,1"`` → (2, 8, 8, 1): input size first, output size last."""
    parts = [p.strip() for p in str(text).replace(" ", ",").split(",") if p.strip()]
    if len(parts) < 2:
        raise ModelError(f"--layers needs at least an input and an output size, e.g. 2,8,1 (got {text!r})")
    sizes = []
    for part in parts:
        # ASCII digits only: str.isdigit() is true for '²', which int() refuses.
        if not (part.isascii() and part.isdigit()) or not 1 <= int(part) <= MAX_UNITS:
            raise ModelError(f"layer size {part!r} is not a whole number from 1 to {MAX_UNITS} "
                             f"(in --layers {text})")
        sizes.append(int(part))
    return tuple(sizes)


def spec_from_sizes(sizes: tuple[int, ...], hidden_activation: str = "tanh", loss: str = "mse",
                    output_activation: str | None = None, init: str | None = None,
                    seed: int = 0, frozen: tuple[int, ...] = (), init_scale: float = 1.0) -> NetworkSpec:
    """A spec with one hidden activation for all hidden layers (the command line's shape).

    ``init`` defaults to He for ReLU-family activations and Xavier otherwise;
    ``output_activation`` to what the loss expects (identity logits, softmax for
    softmax cross-entropy).  ``frozen`` lists 1-based layer numbers.
    """
    loss_name = loss_function(loss).name
    hidden = activation(hidden_activation).name
    out_act = activation(output_activation).name if output_activation else DEFAULT_OUTPUT_ACTIVATION[loss_name]
    if init is None:
        init = "he" if hidden in ("relu", "leaky_relu") else "xavier"
    count = len(sizes) - 1
    for number in frozen:
        if not 1 <= number <= count:
            raise ModelError(f"cannot freeze layer {number}: the network has layers 1 to {count}")
    layers = tuple(LayerSpec(units, hidden if i < count - 1 else out_act, frozen=(i + 1) in frozen)
                   for i, units in enumerate(sizes[1:]))
    return NetworkSpec(sizes[0], layers, loss=loss_name, init=init, init_scale=init_scale,
                       seed=seed).validated()
