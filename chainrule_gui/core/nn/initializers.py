"""Weight initializers.  Weights are ``in × out``; biases start at zero (except ``randn``).

- ``he``: N(0, 2/fan_in) — keeps the variance of ReLU activations from layer to layer.
- ``xavier`` (Glorot normal): N(0, 2/(fan_in + fan_out)) — the same for tanh/sigmoid.
- ``normal``: N(0, scale²) — the plain ``randn`` of textbooks, scaled.
- ``randn``: what the seed document's code does — ``np.random.seed(seed)``, then
  ``np.random.randn`` for W1, b1, W2, b2, … in that order (biases drawn too), times scale.
"""

from __future__ import annotations

import math

import numpy as np

from chainrule_gui.core.errors import ModelError

INITIALIZERS = ("he", "xavier", "normal", "randn")
LABELS = {"he": "He (ReLU)", "xavier": "Xavier/Glorot (tanh, sigmoid)", "normal": "scaled normal",
          "randn": "legacy np.random.randn (seed document)"}
_ALIASES = {"glorot": "xavier", "kaiming": "he", "scaled_normal": "normal"}


def init_name(name: str) -> str:
    key = str(name).strip().lower()
    key = _ALIASES.get(key, key)
    if key not in INITIALIZERS:
        raise ModelError(f"unknown initializer {name!r}; choose one of {', '.join(INITIALIZERS)}")
    return key


def init_std(name: str, fan_in: int, fan_out: int, scale: float = 1.0) -> float:
    """The standard deviation of the normal distribution weights are drawn from."""
    name = init_name(name)
    if name == "he":
        return math.sqrt(2.0 / fan_in)
    if name == "xavier":
        return math.sqrt(2.0 / (fan_in + fan_out))
    return float(scale)  # normal and randn


def initial_parameters(name: str, sizes: tuple[int, ...], seed: int,
                       scale: float = 1.0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W, b) for each layer of a network with unit counts ``sizes`` (input first).

    W is ``fan_in × fan_out``, b is ``(fan_out,)``.  Deterministic in ``seed``.
    """
    name = init_name(name)
    pairs = []
    if name == "randn":
        legacy = np.random.RandomState(seed)  # the same stream as np.random.seed(seed)
        for fan_in, fan_out in zip(sizes, sizes[1:]):
            W = legacy.randn(fan_in, fan_out) * scale
            b = legacy.randn(1, fan_out)[0] * scale
            pairs.append((W, b))
        return pairs
    rng = np.random.default_rng(seed)
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        W = rng.standard_normal((fan_in, fan_out)) * init_std(name, fan_in, fan_out, scale)
        pairs.append((W, np.zeros(fan_out)))
    return pairs
