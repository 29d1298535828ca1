"""What the Network editor describes: data, network and training settings, as plain values.

Comparing two :class:`Settings` tells the controller what changed: training settings
(optimizer, learning rate, batch size, L2, frozen layers) apply live; data, architecture
and initialisation need a new network, which the Network mode builds at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from chainrule_gui.core.nn.csv_import import load_csv
from chainrule_gui.core.nn.datasets import Dataset, generate
from chainrule_gui.core.nn.spec import NetworkSpec
from chainrule_gui.core.nn.training import TrainConfig


@dataclass(frozen=True)
class DataSettings:
    name: str = "circles"
    samples: int = 300
    noise: float = 0.1
    validation: float = 0.2
    classes: int = 2
    seed: int = 0
    csv_path: str = ""
    target: str = ""
    x: tuple[float, ...] = ()  # a one-example preset (the seeds)
    y: tuple[float, ...] = ()

    def build(self) -> Dataset:
        if self.x:
            from chainrule_gui.core.nn.datasets import single_example

            return single_example(self.name, list(self.x), list(self.y))
        if self.csv_path:
            return load_csv(self.csv_path, target=self.target or None, validation_fraction=self.validation,
                            seed=self.seed)
        return generate(self.name, self.samples, self.noise, self.validation, self.seed, self.classes)


@dataclass(frozen=True)
class Settings:
    data: DataSettings
    spec: NetworkSpec
    optimizer: str = "adam"
    lr: float = 0.01
    hyper: dict = field(default_factory=dict)
    batch_size: int = 32
    l2: float = 0.0
    initial_params: tuple | None = None  # exact starting weights (a seed preset, an opened model)

    def config(self) -> TrainConfig:
        return TrainConfig(self.optimizer, self.lr, self.batch_size, self.l2, dict(self.hyper))

    def architecture(self) -> NetworkSpec:
        """The spec without frozen flags (those change live)."""
        return replace(self.spec, layers=tuple(replace(layer, frozen=False) for layer in self.spec.layers), name="")

    def needs_reset_against(self, running: Settings | None) -> list[str]:
        """What differs from the network being trained in a way only a reset can apply."""
        if running is None:
            return ["a network"]
        reasons = []
        if self.data != running.data:
            reasons.append("the data")
        mine, theirs = self.architecture(), running.architecture()
        if mine != theirs:
            drawn = ("init", "init_scale", "seed")  # how the weights are drawn, not the network
            if replace(mine, **{k: 0 for k in drawn}) != replace(theirs, **{k: 0 for k in drawn}):
                reasons.append("the architecture")
            if any(getattr(mine, k) != getattr(theirs, k) for k in drawn):
                reasons.append("the initialisation")
        if self.initial_params != running.initial_params and self.initial_params is not None:
            reasons.append("the starting weights")
        return reasons

    def initial_vector(self) -> np.ndarray | None:
        return None if self.initial_params is None else np.array(self.initial_params, dtype=float)
