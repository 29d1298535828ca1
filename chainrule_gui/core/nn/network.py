"""A multilayer perceptron whose parameters live in one flat array.

Layer l computes ``Z_l = A_{l−1} @ W_l + b_l`` and ``A_l = σ_l(Z_l)``: weights are
``in × out`` and a batch is a matrix of rows, as in the seed document's code.

All weights and biases are views into one contiguous vector ``params`` (layer by layer;
within a layer the rows of W, then b as a last row — the "augmented" matrix
``[W; b]`` of shape (in + 1) × out).  Two things follow: an optimizer updates the whole
network with a handful of NumPy calls instead of a handful per parameter, and a model file
is one array.  ``layer.W`` and ``layer.b`` are views, so writing to them writes the network.
"""

from __future__ import annotations

import numpy as np

from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.nn.activations import Activation, activation
from chainrule_gui.core.nn.initializers import initial_parameters
from chainrule_gui.core.nn.losses import Loss, loss_function
from chainrule_gui.core.nn.spec import NetworkSpec


class DenseLayer:
    """Layer ``index`` (0-based; the textbook's layer ``index + 1``)."""

    __slots__ = ("index", "fan_in", "fan_out", "activation", "frozen", "start", "stop",
                 "augmented", "W", "b")

    def __init__(self, index: int, fan_in: int, fan_out: int, act: Activation, frozen: bool,
                 start: int, params: np.ndarray):
        self.index = index
        self.fan_in = fan_in
        self.fan_out = fan_out
        self.activation = act
        self.frozen = frozen
        self.start = start
        self.stop = start + (fan_in + 1) * fan_out
        self.view(params)

    def view(self, params: np.ndarray) -> None:
        """Point W, b and the augmented matrix into ``params`` (the network's vector)."""
        self.augmented = params[self.start:self.stop].reshape(self.fan_in + 1, self.fan_out)
        self.W = self.augmented[:self.fan_in]
        self.b = self.augmented[self.fan_in]

    @property
    def number(self) -> int:
        """1-based, as in W1, b1, δ1."""
        return self.index + 1

    def __repr__(self) -> str:
        state = ", frozen" if self.frozen else ""
        return f"<layer {self.number}: {self.fan_in}→{self.fan_out} {self.activation.name}{state}>"


class Network:
    """The MLP of a :class:`NetworkSpec`, with its parameters."""

    def __init__(self, spec: NetworkSpec, params: np.ndarray | None = None):
        self.spec = spec.validated()
        self.sizes = self.spec.sizes
        self.loss: Loss = loss_function(self.spec.loss)
        count = self.spec.parameter_count
        if params is None:
            self.params = np.zeros(count)
        else:
            params = np.asarray(params, dtype=np.float64)
            if params.shape != (count,):
                raise ModelError(f"this network has {count} parameters, the values given have "
                                 f"{params.size}")
            self.params = np.array(params, dtype=np.float64)
        self.layers: list[DenseLayer] = []
        start = 0
        for index, (layer_spec, fan_in, fan_out) in enumerate(
                zip(self.spec.layers, self.sizes, self.sizes[1:])):
            layer = DenseLayer(index, fan_in, fan_out, activation(layer_spec.activation),
                               layer_spec.frozen, start, self.params)
            self.layers.append(layer)
            start = layer.stop
        self.frozen_version = 0
        # 1 on weights, 0 on biases: L2 decay applies to weights only.
        self.weight_mask = np.zeros(count)
        for layer in self.layers:
            self.weight_mask[layer.start:layer.stop - layer.fan_out] = 1.0

    @classmethod
    def initialized(cls, spec: NetworkSpec) -> Network:
        """Weights drawn by the spec's initializer from the spec's seed."""
        spec = spec.validated()
        net = cls(spec)
        pairs = initial_parameters(spec.init, spec.sizes, spec.seed, spec.init_scale)
        net.set_weights(pairs)
        return net

    # -- parameters -------------------------------------------------------------------
    def set_weights(self, pairs: list[tuple[np.ndarray, np.ndarray]]) -> None:
        """Set every layer's (W, b); W is in × out, b has ``out`` entries."""
        if len(pairs) != len(self.layers):
            raise ModelError(f"expected weights for {len(self.layers)} layers, got {len(pairs)}")
        for layer, (W, b) in zip(self.layers, pairs):
            W = np.asarray(W, dtype=np.float64)
            b = np.asarray(b, dtype=np.float64).reshape(-1)
            if W.shape != layer.W.shape or b.shape != layer.b.shape:
                raise ModelError(f"layer {layer.number} needs W of shape {layer.W.shape} and b of "
                                 f"{layer.b.shape[0]} values, not {W.shape} and {b.shape[0]}")
            layer.W[...] = W
            layer.b[...] = b

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Copies of (W, b) per layer."""
        return [(layer.W.copy(), layer.b.copy()) for layer in self.layers]

    def weight_views(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(W, b) per layer as views into ``params``: to read them without a copy."""
        return [(layer.W, layer.b) for layer in self.layers]

    def use_params(self, params: np.ndarray) -> None:
        """Take ``params`` itself as this network's parameters, without a copy: for a
        reader handed a private copy (the GUI, given each update's copy by the training
        thread), which from then on belongs to this network."""
        if params.shape != self.params.shape or params.dtype != self.params.dtype:
            raise ModelError(f"this network has {self.params.size} parameters, the values given have "
                             f"{params.size}")
        self.params = params
        for layer in self.layers:
            layer.view(params)

    def copy(self) -> Network:
        twin = Network(self.spec, self.params)
        for mine, theirs in zip(self.layers, twin.layers):
            twin.set_frozen(theirs.index, mine.frozen)
        return twin

    # -- frozen layers ------------------------------------------------------------------
    def set_frozen(self, index: int, frozen: bool) -> None:
        """Freeze or thaw a layer (always through here: buffers' plans key on ``frozen_version``)."""
        self.layers[index].frozen = bool(frozen)
        self.frozen_version += 1

    @property
    def lowest_trainable(self) -> int | None:
        """Index of the lowest layer that learns; backprop stops there.  None if all frozen."""
        for layer in self.layers:
            if not layer.frozen:
                return layer.index
        return None

    def trainable_runs(self) -> list[tuple[int, int]]:
        """(start, stop) ranges of ``params`` that learn: adjacent trainable layers merge."""
        runs: list[tuple[int, int]] = []
        for layer in self.layers:
            if layer.frozen:
                continue
            if runs and runs[-1][1] == layer.start:
                runs[-1] = (runs[-1][0], layer.stop)
            else:
                runs.append((layer.start, layer.stop))
        return runs

    # -- evaluation (allocating; for prediction, validation, plots) ------------------------
    def check_input(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ModelError(f"the network takes {self.sizes[0]} input feature(s) per row; the data "
                             f"has {X.shape[-1] if X.ndim else 0}")
        return X

    def forward_layers(self, X: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """(Z_l, A_l) for every layer, for a batch ``X`` of shape (n, input_size)."""
        a = self.check_input(X)
        out = []
        for layer in self.layers:
            z = a @ layer.W + layer.b
            a = layer.activation(z)
            out.append((z, a))
        return out

    def forward(self, X: np.ndarray) -> np.ndarray:
        """The network's output A_L, shape (n, output_size)."""
        return self.forward_layers(X)[-1][1]

    def loss_value(self, X: np.ndarray, Y: np.ndarray, l2: float = 0.0) -> float:
        """L on (X, Y), plus (λ/2)·Σ‖W‖² when ``l2`` = λ > 0."""
        z, a = self.forward_layers(X)[-1]
        value = self.loss.value(z, a, np.asarray(Y, dtype=np.float64))
        if l2:
            value += 0.5 * l2 * float(np.dot(self.params * self.weight_mask, self.params))
        return value

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        """What the output means as class probabilities (sigmoid of logits for bce)."""
        z, a = self.forward_layers(X)[-1]
        if self.loss.name == "bce" and self.layers[-1].activation.name == "identity":
            return 0.5 * (1.0 + np.tanh(0.5 * z))
        if self.loss.name == "softmax_ce" and self.layers[-1].activation.name == "identity":
            return activation("softmax")(z)
        return a

    def predict_classes(self, X: np.ndarray) -> np.ndarray:
        """Class labels (n,): argmax for several outputs, threshold ½ for one."""
        p = self.probabilities(X)
        if p.shape[1] == 1:
            return (p[:, 0] > 0.5).astype(int)
        return p.argmax(axis=1)

    def __repr__(self) -> str:
        return f"<Network {'-'.join(map(str, self.sizes))} {self.spec.loss}>"
