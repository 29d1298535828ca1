"""Forward and backward passes over preallocated buffers: the chain rule, layer by layer.

For a batch of n rows (Z_l, A_l, δ_l all n × units_l):

    forward    Z_l = A_{l−1} W_l + b_l,   A_l = σ_l(Z_l)
    output     δ_L = ∇_A L ⊙ σ′_L(Z_L)                    (losses.py)
    backward   δ_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ σ′_l(Z_l)
    gradients  ∇W_l = A_{l−1}ᵀ δ_l,   ∇b_l = Σ_rows δ_l

Bias and weights are computed together: every A_{l−1} buffer carries a last column of
ones, so ``[A_{l−1}, 1] @ [W_l; b_l]`` is Z_l and ``[A_{l−1}, 1]ᵀ δ_l`` is ``[∇W_l; ∇b_l]``
in one matrix product each (``np.dot``) — which halves the number of NumPy calls, the cost that
dominates small networks.

Frozen layers get no gradient, and nothing is computed below the lowest trainable layer.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from chainrule_gui.core.nn.network import Network

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

#: One layer l of the backward pass, from the top down (built by :meth:`Backprop._plan`):
#: [A_{l−1}, 1]ᵀ (None for the first layer: the batch's inputs), δ_l, ∇[W_l; b_l] (None
#: when frozen); then, for every layer but the lowest trainable one, what carries δ down:
#: W_lᵀ, the buffer of its contiguous copy, δ_{l−1}, σ′ of layer l−1 and its Z, A,
#: scratch and mask buffers.
_BackwardStep = tuple[
    Floats | None, Floats, Floats | None,
    Floats | None, Floats | None, Floats | None, Callable[..., None] | None,
    Floats | None, Floats | None, Floats | None, Bools | None,
]


class Backprop:
    """Buffers for batches of up to ``capacity`` rows of one network.

    ``grad`` is a flat vector laid out like ``network.params``; ``grad_augmented[l]`` views
    it as ``[∇W_l; ∇b_l]``.  After :meth:`loss_and_gradient`, ``z``, ``a`` and ``delta``
    hold the batch's values (rows ``[:n]``) until the next call.
    """

    def __init__(self, network: Network, capacity: int):
        self.network = network
        self.capacity = int(capacity)
        self.n = 0
        self.grad = np.zeros_like(network.params)
        self.grad_augmented = [self.grad[layer.start:layer.stop].reshape(layer.augmented.shape)
                               for layer in network.layers]
        self.z: list[Floats] = []
        self.a: list[Floats] = []
        self.a_ones: list[Floats] = []  # [A_l, 1] of every layer below the output layer
        self.delta: list[Floats] = []
        self.scratch: list[Floats] = []
        self.mask: list[Bools] = []
        last = len(network.layers) - 1
        for layer in network.layers:
            units = layer.fan_out
            z = np.zeros((capacity, units))
            if layer.index == last:
                a = z if layer.activation.name == "identity" else np.zeros((capacity, units))
            else:
                ones = np.ones((capacity, units + 1))  # last column stays 1: the bias input
                a = ones[:, :units]
                self.a_ones.append(ones)
            self.z.append(z)
            self.a.append(a)
            self.delta.append(np.zeros((capacity, units)))
            self.scratch.append(np.zeros((capacity, units)))
            self.mask.append(np.zeros((capacity, units), dtype=bool))
        # the last batch's inputs with their ones column: none (zero rows) before the first
        self.inputs_ones: Floats = np.ones((0, network.sizes[0] + 1))
        self._plans: dict = {}
        self._transposed = [np.zeros((layer.fan_out, layer.fan_in)) for layer in network.layers]
        self._output_is_alias = self.a[last] is self.z[last]

    def loss_and_gradient(self, inputs_ones: np.ndarray, targets: np.ndarray) -> float:
        """The loss on one batch; fills ``grad`` (trainable layers only) and the buffers.

        ``inputs_ones`` is (n, input_size + 1) with a last column of ones; ``targets`` is
        (n, output_size).  n ≤ capacity.
        """
        n = inputs_ones.shape[0]
        self.n = n
        self.inputs_ones = inputs_ones
        key = (n, self.network.frozen_version)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._plan(n)
        forward, output, backward, first = plan
        dot, copyto = np.dot, np.copyto  # np.dot: half the call overhead of np.matmul here
        previous = inputs_ones
        for weights, z, activate, a, following in forward:
            dot(previous, weights, out=z)
            if activate is not None:
                activate(z, a)
            previous = following
        value_and_delta, z, a, act, delta, scratch, mask = output
        loss = value_and_delta(z, a, targets, act, delta, scratch, mask)
        for below_t, delta, grad, weights_t, transposed, back, scale, z, a, scratch, mask in backward:
            if grad is not None:
                dot(inputs_ones.T if below_t is None else below_t, delta, out=grad)
            if back is not None:
                # A contiguous copy of Wᵀ makes the product faster than the transposed view.
                copyto(transposed, weights_t)
                dot(delta, transposed, out=back)
                scale(back, z, a, scratch, mask)
        return loss

    def _plan(self, n: int):
        """Views of every buffer for batches of n rows, built once per n (and frozen set).

        Slicing ``[:n]`` and looking up attributes cost about as much as a small NumPy call;
        doing it once per batch size instead of once per step is a measurable share of a
        small network's step.
        """
        layers = self.network.layers
        last = len(layers) - 1
        forward = []
        for layer in layers:
            i = layer.index
            skip = i == last and self._output_is_alias
            following = self.a_ones[i][:n] if i < last else None
            forward.append((layer.augmented, self.z[i][:n], None if skip else layer.activation.forward,
                            self.a[i][:n], following))
        out = layers[last]
        output = (self.network.loss.value_and_delta, self.z[last][:n], self.a[last][:n], out.activation,
                  self.delta[last][:n], self.scratch[last][:n], self.mask[last][:n])
        backward: list[_BackwardStep] = []
        lowest = self.network.lowest_trainable
        if lowest is not None:
            for i in range(last, lowest - 1, -1):
                layer = layers[i]
                below_t = None if i == 0 else self.a_ones[i - 1][:n].T
                grad = None if layer.frozen else self.grad_augmented[i]
                if i > lowest:
                    before = layers[i - 1]
                    backward.append((below_t, self.delta[i][:n], grad, layer.W.T, self._transposed[i],
                                     self.delta[i - 1][:n],
                                     before.activation.scale_by_derivative, self.z[i - 1][:n],
                                     self.a[i - 1][:n], self.scratch[i - 1][:n], self.mask[i - 1][:n]))
                else:
                    backward.append((below_t, self.delta[i][:n], grad, None, None, None, None, None,
                                     None, None, None))
        return tuple(forward), output, tuple(backward), lowest

    def has_delta(self, index: int) -> bool:
        """Whether δ of layer ``index`` was computed in the last pass (not below the lowest trainable)."""
        lowest = self.network.lowest_trainable
        return lowest is not None and index >= lowest
