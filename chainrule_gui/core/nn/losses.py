"""Losses L(z_L, a_L, y) and the output delta δ_L = ∂L/∂z_L that starts backpropagation.

Conventions (batch of ``n`` rows, ``k`` outputs):

- ``mse``: L = ½·mean((a − y)²) over all n·k entries, so ∇_a L = (a − y)/(n·k) and
  δ_L = ∇_a L ⊙ σ′(z_L).  With one sample and one output this is the seed's ½(ŷ − y)².
- ``bce``: binary cross-entropy *from logits*: L = mean(softplus(z) − y·z), computed from
  the output pre-activation z_L whether the output layer is identity (it outputs logits)
  or sigmoid (it outputs p = σ(z)) — the model is the same.  δ_L = (σ(z) − y)/(n·k).
- ``softmax_ce``: softmax cross-entropy, L = mean over rows of −Σ_j y_j log softmax(z)_j,
  from z_L (output identity: logits, or softmax: probabilities).  δ_L = (softmax(z) − y)/n.

The two cross-entropies fold σ′ into δ_L: that is both the textbook simplification and
the numerically stable form (no log of a rounded-off 0).
"""

from __future__ import annotations

import numpy as np

from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.nn.activations import Activation


class Loss:
    name = ""
    label = ""
    latex = ""
    #: output activations this loss accepts; None means any
    outputs: tuple[str, ...] | None = None

    def value_and_delta(self, z: np.ndarray, a: np.ndarray, y: np.ndarray, act: Activation,
                        delta: np.ndarray, scratch: np.ndarray, mask: np.ndarray) -> float:
        """Return L and write δ_L = ∂L/∂z_L into ``delta`` (all arrays (n, k))."""
        raise NotImplementedError

    def value(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
        """L alone, allocating (evaluation on a validation set)."""
        raise NotImplementedError

    def check_targets(self, y: np.ndarray) -> None:
        """Raise ModelError if ``y`` cannot be a target of this loss."""

    def check_output(self, act: Activation) -> None:
        if self.outputs is not None and act.name not in self.outputs:
            raise ModelError(
                f"{self.label} needs an output layer with activation "
                f"{' or '.join(self.outputs)}, not {act.name}: it works from the output's "
                "pre-activation z (the logits)")


class MeanSquaredError(Loss):
    name, label = "mse", "mean squared error (½·mean)"
    latex = r"L = \frac{1}{2nk}\sum (a - y)^2"

    def value_and_delta(self, z, a, y, act, delta, scratch, mask):
        np.subtract(a, y, out=delta)
        flat = delta.reshape(-1)
        loss = 0.5 * float(np.dot(flat, flat)) / flat.size
        np.multiply(delta, 1.0 / flat.size, out=delta)
        act.scale_by_derivative(delta, z, a, scratch, mask)
        return loss

    def value(self, z, a, y):
        return 0.5 * float(np.mean((a - y) ** 2))


class BinaryCrossEntropy(Loss):
    name, label = "bce", "binary cross-entropy (from logits)"
    latex = r"L = \frac{1}{nk}\sum \mathrm{softplus}(z) - y\,z"
    outputs = ("identity", "sigmoid")

    def value_and_delta(self, z, a, y, act, delta, scratch, mask):
        count = z.size
        np.logaddexp(0.0, z, out=scratch)  # softplus(z), stable for any z
        loss = (float(scratch.sum()) - float(np.dot(y.reshape(-1), z.reshape(-1)))) / count
        if act.name == "sigmoid":
            np.subtract(a, y, out=delta)
        else:  # identity output: a = z are logits
            np.multiply(z, 0.5, out=delta)
            np.tanh(delta, out=delta)
            np.multiply(delta, 0.5, out=delta)
            np.add(delta, 0.5, out=delta)
            np.subtract(delta, y, out=delta)
        np.multiply(delta, 1.0 / count, out=delta)
        return loss

    def value(self, z, a, y):
        return float(np.mean(np.logaddexp(0.0, z) - y * z))

    def check_targets(self, y):
        if y.size and (np.nanmin(y) < 0 or np.nanmax(y) > 1):
            raise ModelError("binary cross-entropy needs targets between 0 and 1 (class labels 0/1)")


class SoftmaxCrossEntropy(Loss):
    name, label = "softmax_ce", "softmax cross-entropy"
    latex = r"L = -\frac{1}{n}\sum_i \sum_j y_{ij} \log \mathrm{softmax}(z_i)_j"
    outputs = ("identity", "softmax")

    def value_and_delta(self, z, a, y, act, delta, scratch, mask):
        n = z.shape[0]
        shift = z.max(axis=1, keepdims=True)
        np.subtract(z, shift, out=scratch)
        np.exp(scratch, out=scratch)
        total = scratch.sum(axis=1, keepdims=True)
        # log Σ e^z = shift + log Σ e^(z − shift); L = mean(logsumexp − Σ y z) (rows of y sum to 1)
        loss = (float(shift.sum()) + float(np.log(total).sum())
                - float(np.dot(y.reshape(-1), z.reshape(-1)))) / n
        np.divide(scratch, total, out=delta)
        np.subtract(delta, y, out=delta)
        np.multiply(delta, 1.0 / n, out=delta)
        return loss

    def value(self, z, a, y):
        shift = z.max(axis=1, keepdims=True)
        log_total = shift[:, 0] + np.log(np.exp(z - shift).sum(axis=1))
        return float(np.mean(log_total - (y * z).sum(axis=1)))

    def check_targets(self, y):
        if y.size and (np.nanmin(y) < 0 or not np.allclose(y.sum(axis=1), 1.0)):
            raise ModelError("softmax cross-entropy needs one-hot targets (one column per class, "
                             "a single 1 in each row)")


LOSSES: dict[str, Loss] = {loss.name: loss for loss in
                           (MeanSquaredError(), BinaryCrossEntropy(), SoftmaxCrossEntropy())}
_ALIASES = {"mean_squared_error": "mse", "squared": "mse", "binary_cross_entropy": "bce",
            "cross_entropy": "softmax_ce", "ce": "softmax_ce", "softmax": "softmax_ce",
            "softmax-ce": "softmax_ce", "crossentropy": "softmax_ce"}


def loss_function(name: str) -> Loss:
    key = str(name).strip().lower()
    key = _ALIASES.get(key, key)
    try:
        return LOSSES[key]
    except KeyError:
        raise ModelError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None
