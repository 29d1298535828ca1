"""Optimizers that turn a gradient g into an update u, applied as ``w ← w − u``.

All state is flat, laid out like ``Network.params``, and every rule works on a
``[start:stop]`` range so a whole run of trainable layers updates in a few NumPy calls.

- ``sgd``:       u = η g
- ``momentum``:  b ← μ b + g;  u = η b   (PyTorch's form and letter: b, the velocity; v is Adam's)
- ``rmsprop``:   s ← ρ s + (1 − ρ) g²;  u = η g / (√s + ε)
- ``adam``:      m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;
                 m̂ = m / (1 − β₁ᵗ);  v̂ = v / (1 − β₂ᵗ);  u = η m̂ / (√v̂ + ε)

Hyperparameters can change between steps (the GUI's live controls); the state is kept.
"""

from __future__ import annotations

import math

import numpy as np

from chainrule_gui.core.errors import ModelError

OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
LABELS = {"sgd": "SGD", "momentum": "momentum", "rmsprop": "RMSprop", "adam": "Adam"}
DEFAULTS = {
    "sgd": {},
    "momentum": {"momentum": 0.9},
    "rmsprop": {"rho": 0.9, "eps": 1e-8},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}
HYPER_LABELS = {"momentum": "momentum μ", "rho": "decay ρ", "beta1": "β₁", "beta2": "β₂", "eps": "ε"}


def check_learning_rate(lr: float) -> float:
    lr = float(lr)
    if not (math.isfinite(lr) and 0.0 < lr <= 1e4):
        raise ModelError(f"the learning rate must be a positive number (got {lr:g}); try 0.01")
    return lr


def _check_hyper(name: str, value: float) -> float:
    value = float(value)
    if name == "eps":
        if not (math.isfinite(value) and 0.0 < value < 1.0):
            raise ModelError(f"ε must be a small positive number such as 1e-8 (got {value:g})")
    elif not (math.isfinite(value) and 0.0 <= value < 1.0):
        raise ModelError(f"{HYPER_LABELS.get(name, name)} must be at least 0 and below 1 (got {value:g})")
    return value


class Optimizer:
    """One optimizer with its hyperparameters and per-parameter state."""

    def __init__(self, name: str, size: int, lr: float = 0.01, **hyper: float):
        key = str(name).strip().lower()
        if key not in OPTIMIZERS:
            raise ModelError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
        self.name = key
        self.size = size
        self.lr = check_learning_rate(lr)
        self.hyper = dict(DEFAULTS[key])
        self.set(**hyper)
        self.t = 0
        self.state: dict[str, np.ndarray] = {}
        if key == "momentum":
            self.state["velocity"] = np.zeros(size)
        elif key == "rmsprop":
            self.state["s"] = np.zeros(size)
        elif key == "adam":
            self.state["m"] = np.zeros(size)
            self.state["v"] = np.zeros(size)
        # rmsprop and adam work in this buffer; the others need none (an empty one)
        self._scratch = np.zeros(size if key in ("rmsprop", "adam") else 0)

    def set(self, lr: float | None = None, **hyper: float) -> None:
        """Change hyperparameters between steps; unknown names are ignored only if None."""
        if lr is not None:
            self.lr = check_learning_rate(lr)
        for name, value in hyper.items():
            if value is None:
                continue
            if name not in DEFAULTS[self.name]:
                raise ModelError(f"{LABELS[self.name]} has no setting {name!r}; it takes "
                                 f"{', '.join(DEFAULTS[self.name]) or 'only a learning rate'}")
            self.hyper[name] = _check_hyper(name, value)

    def begin_step(self) -> None:
        self.t += 1

    def compute_update(self, start: int, stop: int, grad: np.ndarray, update: np.ndarray) -> None:
        """Write u for ``params[start:stop]`` into ``update[start:stop]``."""
        g = grad[start:stop]
        u = update[start:stop]
        lr = self.lr
        if self.name == "sgd":
            np.multiply(g, lr, out=u)
        elif self.name == "momentum":
            v = self.state["velocity"][start:stop]
            np.multiply(v, self.hyper["momentum"], out=v)
            np.add(v, g, out=v)
            np.multiply(v, lr, out=u)
        elif self.name == "rmsprop":
            rho, eps = self.hyper["rho"], self.hyper["eps"]
            s = self.state["s"][start:stop]
            tmp = self._scratch[start:stop]
            np.multiply(s, rho, out=s)
            np.multiply(g, g, out=tmp)
            np.multiply(tmp, 1.0 - rho, out=tmp)
            np.add(s, tmp, out=s)
            np.sqrt(s, out=u)
            np.add(u, eps, out=u)
            np.divide(g, u, out=u)
            np.multiply(u, lr, out=u)
        else:
            b1, b2, eps = self.hyper["beta1"], self.hyper["beta2"], self.hyper["eps"]
            m = self.state["m"][start:stop]
            v = self.state["v"][start:stop]
            tmp = self._scratch[start:stop]
            np.multiply(m, b1, out=m)
            np.multiply(g, 1.0 - b1, out=tmp)
            np.add(m, tmp, out=m)
            np.multiply(v, b2, out=v)
            np.multiply(g, g, out=tmp)
            np.multiply(tmp, 1.0 - b2, out=tmp)
            np.add(v, tmp, out=v)
            # √v̂ + ε = √v / √(1 − β₂ᵗ) + ε;  u = η/(1 − β₁ᵗ) · m / (√v̂ + ε)
            np.sqrt(v, out=u)
            np.multiply(u, 1.0 / math.sqrt(1.0 - b2 ** self.t), out=u)
            np.add(u, eps, out=u)
            np.divide(m, u, out=u)
            np.multiply(u, lr / (1.0 - b1 ** self.t), out=u)

    def state_at(self, index: int) -> dict[str, float]:
        """The optimizer's state for parameter ``index`` of the flat vector, by name."""
        out: dict[str, float] = {}
        if self.name == "momentum":
            out["velocity b"] = float(self.state["velocity"][index])
        elif self.name == "rmsprop":
            out["mean square s"] = float(self.state["s"][index])
        elif self.name == "adam":
            m = float(self.state["m"][index])
            v = float(self.state["v"][index])
            t = max(self.t, 1)
            out["m"] = m
            out["v"] = v
            out["m̂"] = m / (1.0 - self.hyper["beta1"] ** t)
            out["v̂"] = v / (1.0 - self.hyper["beta2"] ** t)
        return out

    def copy_state(self) -> dict:
        return {"t": self.t, **{k: v.copy() for k, v in self.state.items()}}

    def restore_state(self, saved: dict) -> None:
        self.t = saved["t"]
        for key, value in saved.items():
            if key != "t":
                self.state[key][...] = value

    def describe(self) -> str:
        extras = ", ".join(f"{HYPER_LABELS[k]} = {v:g}" for k, v in self.hyper.items())
        return f"{LABELS[self.name]} (η = {self.lr:g}{', ' + extras if extras else ''})"
