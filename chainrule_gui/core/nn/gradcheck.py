"""Gradient check: backpropagation against central differences, every parameter.

For each parameter θ_k, the fourth-order central difference (five-point stencil)

    ĝ_k = [8 (L(θ + h e_k) − L(θ − h e_k)) − (L(θ + 2h e_k) − L(θ − 2h e_k))] / 12h,

with h = 1e-3 in float64.  Its truncation error is O(h⁴) and its rounding error about
1e-16·|L|/h, so it resolves gradients a thousand times smaller than the loss; the plain
two-point difference with h = 1e-5 missed 1e-6 on deep sigmoid nets in our trials.

The error of one entry is ``|g − ĝ| / max(|g|, |ĝ|, 1e-3·max|g|_layer, 1e-12)``: relative,
except that an entry a thousand times smaller than the layer's largest gradient is
measured against that scale.  A layer passes when its largest error is below 1e-6.

ReLU and leaky ReLU have a kink at z = 0, where no derivative exists and a central
difference straddling it is meaningless.  When nudging a parameter by ±h or ±2h flips the sign
of any ReLU pre-activation, that entry is flagged as a *kink*, reported, and left out of
the layer's maximum — honestly, not silently.

The batch is :func:`check_batch`'s: the first ``DEFAULT_ROWS`` training rows of the data
set, the same for the ``gradcheck`` command and the Network tab's Gradient check button,
so the two print the same numbers for the same network.  A check costs four forward
passes per parameter; ``progress(done, total)`` is called as it goes and may return
False to stop it (:class:`GradCheckCancelled`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.nn.backprop import Backprop
from chainrule_gui.core.nn.network import Network

STEP = 1e-3
TOLERANCE = 1e-6
KINKED = ("relu", "leaky_relu")
DEFAULT_ROWS = 8
MAX_ROWS = 4096
PROGRESS_EVERY = 64  # parameters between two progress calls


class GradCheckCancelled(Exception):
    """The progress callback asked the check to stop."""


def check_batch(network: Network, dataset, rows: int = DEFAULT_ROWS) -> tuple[np.ndarray, np.ndarray]:
    """(X, Y): the first ``rows`` training rows of ``dataset``, targets encoded for the
    network's loss — or ModelError saying what does not fit."""
    if not 1 <= rows <= MAX_ROWS:
        raise ModelError(f"the gradient check's batch must be from 1 to {MAX_ROWS} rows")
    if dataset.n_features != network.sizes[0]:
        raise ModelError(f"the data set has {dataset.n_features} input feature(s) but the network's "
                         f"input layer has {network.sizes[0]}")
    targets = dataset.targets(network.loss.name, network.sizes[-1])
    chosen = dataset.train[:rows]
    return dataset.X[chosen], targets[chosen]


@dataclass(frozen=True, eq=False)
class LayerCheck:
    index: int
    dW: np.ndarray
    db: np.ndarray
    numeric_dW: np.ndarray
    numeric_db: np.ndarray
    max_rel_error: float
    kinks: int  # entries whose ±h nudge crossed a ReLU kink (left out of max_rel_error)
    kink_mask: np.ndarray  # (in + 1) × out, True where a kink was crossed; last row = bias

    @property
    def passed(self) -> bool:
        return self.max_rel_error < TOLERANCE

    def to_json(self) -> dict:
        return {"layer": self.index + 1, "dW": self.dW.tolist(), "db": self.db.tolist(),
                "numeric_dW": self.numeric_dW.tolist(), "numeric_db": self.numeric_db.tolist(),
                "max_rel_error": self.max_rel_error, "kinks": self.kinks, "passed": self.passed}


@dataclass(frozen=True, eq=False)
class GradCheck:
    loss: float
    layers: tuple[LayerCheck, ...]
    step: float = STEP
    tolerance: float = TOLERANCE

    @property
    def passed(self) -> bool:
        return all(layer.passed for layer in self.layers)

    @property
    def kinks(self) -> int:
        return sum(layer.kinks for layer in self.layers)

    def to_json(self) -> dict:
        return {"loss": self.loss, "step": self.step, "tolerance": self.tolerance,
                "passed": self.passed, "kinks": self.kinks,
                "layers": [layer.to_json() for layer in self.layers]}


def gradient_check(network: Network, X: np.ndarray, Y: np.ndarray, l2: float = 0.0,
                   step: float = STEP, progress: Callable[[int, int], bool] | None = None) -> GradCheck:
    """Check every parameter of ``network`` (frozen layers too) on the batch (X, Y)."""
    net = network.copy()
    for layer in net.layers:
        net.set_frozen(layer.index, False)
    X = net.check_input(X)
    Y = np.asarray(Y, dtype=np.float64).reshape(len(X), -1)
    inputs = np.ones((len(X), X.shape[1] + 1))
    inputs[:, :-1] = X
    backprop = Backprop(net, len(X))
    loss = backprop.loss_and_gradient(inputs, Y)
    analytic = backprop.grad.copy()
    if l2:
        analytic += l2 * net.weight_mask * net.params
        loss += 0.5 * l2 * float(np.dot(net.weight_mask * net.params, net.params))
    numeric = np.zeros_like(analytic)
    kinked = np.zeros(analytic.shape, dtype=bool)
    watch = [i for i, layer in enumerate(net.layers) if layer.activation.name in KINKED]
    base_signs = _signs(net, X, watch)
    params = net.params
    for k in range(params.size):
        if progress is not None and k % PROGRESS_EVERY == 0 and progress(k, params.size) is False:
            raise GradCheckCancelled(f"stopped after {k} of {params.size} parameters")
        saved = params[k]
        values = []
        crossed = False
        for offset in (step, -step, 2 * step, -2 * step):
            params[k] = saved + offset
            values.append(net.loss_value(X, Y, l2))
            crossed = crossed or (bool(watch) and _signs(net, X, watch) != base_signs)
        params[k] = saved
        numeric[k] = (8 * (values[0] - values[1]) - (values[2] - values[3])) / (12 * step)
        kinked[k] = crossed
    layers = []
    for layer in net.layers:
        sl = slice(layer.start, layer.stop)
        g, n, kink = analytic[sl], numeric[sl], kinked[sl]
        scale = max(1e-3 * float(np.max(np.abs(g), initial=0.0)), 1e-12)
        errors = np.abs(g - n) / np.maximum(np.maximum(np.abs(g), np.abs(n)), scale)
        errors[kink] = 0.0
        shape = layer.augmented.shape
        layers.append(LayerCheck(
            layer.index, g.reshape(shape)[:-1].copy(), g.reshape(shape)[-1].copy(),
            n.reshape(shape)[:-1].copy(), n.reshape(shape)[-1].copy(),
            float(errors.max(initial=0.0)), int(kink.sum()), kink.reshape(shape).copy()))
    if progress is not None:
        progress(params.size, params.size)
    return GradCheck(float(loss), tuple(layers), step)


def _signs(net: Network, X: np.ndarray, watch: list[int]) -> list[bytes]:
    """The on/off pattern of every ReLU unit on the batch: changes when a kink is crossed."""
    z_a = net.forward_layers(X)
    return [np.packbits(z_a[i][0] > 0).tobytes() for i in watch]
