"""Activation functions σ with their local derivatives σ′, written for preallocated buffers.

Each activation knows two things, as micrograd's operations do: its value ``a = σ(z)``
and how to multiply an upstream gradient by its local derivative,
``δ = g ⊙ σ′(z)`` (or, for softmax, by its Jacobian: ``δ = a ⊙ (g − Σ_j g_j a_j)``).

Arrays are batches in rows, ``z`` of shape (batch, units).  ``forward`` and
``scale_by_derivative`` write into given buffers and allocate nothing, because small
networks are bound by per-call overhead, not arithmetic.
"""

from __future__ import annotations

import numpy as np

from chainrule_gui.core.errors import ModelError

LEAKY_SLOPE = 0.01


class Activation:
    """Base class: ``name``, a LaTeX form of σ and σ′, and the two buffer operations."""

    name = ""
    label = ""
    latex = ""
    derivative_latex = ""
    elementwise = True  # softmax is the exception: its Jacobian is not diagonal

    def forward(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def scale_by_derivative(self, g: np.ndarray, z: np.ndarray, a: np.ndarray,
                            scratch: np.ndarray, mask: np.ndarray) -> None:
        """In place: ``g ← g ⊙ σ′(z)``.  ``scratch`` (float) and ``mask`` (bool) match z."""
        raise NotImplementedError

    def derivative(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """σ′(z) as a new array (for display; the diagonal of the Jacobian for softmax)."""
        scratch = np.empty_like(z)
        g = np.ones_like(z)
        self.scale_by_derivative(g, z, a, scratch, np.empty(z.shape, dtype=bool))
        return g

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.forward(z, np.empty_like(z))

    def __repr__(self) -> str:
        return f"<activation {self.name}>"


class Identity(Activation):
    name, label = "identity", "identity (linear)"
    latex, derivative_latex = r"\sigma(z) = z", r"\sigma'(z) = 1"

    def forward(self, z, out):
        np.copyto(out, z)
        return out

    def scale_by_derivative(self, g, z, a, scratch, mask):
        return None


class ReLU(Activation):
    name, label = "relu", "ReLU"
    latex, derivative_latex = r"\sigma(z) = \max(0, z)", r"\sigma'(z) = [z > 0]"

    def forward(self, z, out):
        return np.maximum(z, 0.0, out=out)

    def scale_by_derivative(self, g, z, a, scratch, mask):
        # σ′ = [z > 0] as floats (a float × bool product is several times slower).  At z = 0
        # exactly we take σ′ = 0, as PyTorch does; gradcheck flags such kinks.
        np.greater(z, 0.0, out=scratch)
        np.multiply(g, scratch, out=g)


class LeakyReLU(Activation):
    name, label = "leaky_relu", "leaky ReLU"
    latex = rf"\sigma(z) = \max({LEAKY_SLOPE:g}\,z, z)"
    derivative_latex = rf"\sigma'(z) = 1 \;(z>0),\; {LEAKY_SLOPE:g}\;(z \leq 0)"

    def forward(self, z, out):
        np.multiply(z, LEAKY_SLOPE, out=out)
        return np.maximum(z, out, out=out)

    def scale_by_derivative(self, g, z, a, scratch, mask):
        np.less_equal(z, 0.0, out=mask)
        np.multiply(g, LEAKY_SLOPE, out=scratch)
        np.copyto(g, scratch, where=mask)


class Sigmoid(Activation):
    name, label = "sigmoid", "sigmoid"
    latex = r"\sigma(z) = \frac{1}{1 + e^{-z}}"
    derivative_latex = r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z))"

    def forward(self, z, out):
        # σ(z) = ½(1 + tanh(z/2)): no overflow warning for large |z|, unlike 1/(1+e^{-z}).
        np.multiply(z, 0.5, out=out)
        np.tanh(out, out=out)
        np.multiply(out, 0.5, out=out)
        return np.add(out, 0.5, out=out)

    def scale_by_derivative(self, g, z, a, scratch, mask):
        np.subtract(1.0, a, out=scratch)
        np.multiply(scratch, a, out=scratch)
        np.multiply(g, scratch, out=g)


class Tanh(Activation):
    name, label = "tanh", "tanh"
    latex, derivative_latex = r"\sigma(z) = \tanh z", r"\sigma'(z) = 1 - \tanh^2 z"

    def forward(self, z, out):
        return np.tanh(z, out=out)

    def scale_by_derivative(self, g, z, a, scratch, mask):
        np.multiply(a, a, out=scratch)
        np.subtract(1.0, scratch, out=scratch)
        np.multiply(g, scratch, out=g)


class Softmax(Activation):
    """Row-wise softmax, for an output layer.  Its Jacobian is ``diag(a) − a aᵀ`` per row."""

    name, label = "softmax", "softmax (output)"
    latex = r"\sigma(z)_j = \frac{e^{z_j}}{\sum_k e^{z_k}}"
    derivative_latex = r"\frac{\partial \sigma_j}{\partial z_k} = \sigma_j(\delta_{jk} - \sigma_k)"
    elementwise = False

    def forward(self, z, out):
        np.subtract(z, z.max(axis=1, keepdims=True), out=out)  # shift: no overflow
        np.exp(out, out=out)
        return np.divide(out, out.sum(axis=1, keepdims=True), out=out)

    def scale_by_derivative(self, g, z, a, scratch, mask):
        # Jacobian-vector product: δ = a ⊙ (g − (g·a) 1ᵀ), row by row.
        np.multiply(g, a, out=scratch)
        inner = scratch.sum(axis=1, keepdims=True)
        np.subtract(g, inner, out=g)
        np.multiply(g, a, out=g)

    def derivative(self, z, a):
        return a * (1.0 - a)


ACTIVATIONS: dict[str, Activation] = {
    act.name: act for act in (Identity(), ReLU(), LeakyReLU(), Sigmoid(), Tanh(), Softmax())
}
HIDDEN_ACTIVATIONS = ("identity", "relu", "leaky_relu", "sigmoid", "tanh")
_ALIASES = {"linear": "identity", "none": "identity", "leaky": "leaky_relu", "leakyrelu": "leaky_relu",
            "leaky-relu": "leaky_relu", "logistic": "sigmoid"}


def activation(name: str) -> Activation:
    """The activation called ``name`` (case-insensitive; ``linear`` means identity)."""
    key = str(name).strip().lower()
    key = _ALIASES.get(key, key)
    try:
        return ACTIVATIONS[key]
    except KeyError:
        raise ModelError(f"unknown activation {name!r}; choose one of "
                         f"{', '.join(ACTIVATIONS)}") from None
