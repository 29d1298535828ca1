"""Optimizer comparison: the same network, seed, initial weights and batches, trained by
SGD, momentum, RMSprop and Adam side by side, one step each in turn.

Every runner trains its own copy of the network from identical weights; their data
order comes from the same seed, so the only difference is the update rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.nn.datasets import Dataset
from chainrule_gui.core.nn.network import Network
from chainrule_gui.core.nn.optimizers import OPTIMIZERS
from chainrule_gui.core.nn.training import TrainConfig, Trainer


@dataclass(frozen=True)
class RaceStep:
    """Losses after one step of every runner (None once a runner has diverged)."""

    step: int
    losses: dict[str, float | None]


class OptimizerRace:
    def __init__(self, network: Network, dataset: Dataset, config: TrainConfig,
                 optimizers: tuple[str, ...] = OPTIMIZERS,
                 learning_rates: dict[str, float] | None = None):
        if not optimizers:
            raise ModelError("choose at least one optimizer to compare")
        self.initial = network.params.copy()
        self.trainers: dict[str, Trainer] = {}
        for name in optimizers:
            lr = (learning_rates or {}).get(name, config.lr)
            own = replace(config, optimizer=name, lr=lr, hyper={})
            self.trainers[name] = Trainer(network.copy(), dataset, own)
        self.step_count = 0

    def steps(self, limit: int) -> Iterator[RaceStep]:
        for _ in range(limit):
            losses: dict[str, float | None] = {}
            for name, trainer in self.trainers.items():
                if trainer.fault is not None:
                    losses[name] = None
                    continue
                snapshot = trainer.step()
                losses[name] = None if snapshot.fault else snapshot.loss
            self.step_count += 1
            yield RaceStep(self.step_count, losses)

    def state_at(self, name: str, layer: int, row: int, column: int) -> dict[str, float]:
        """w, ∂L/∂w and the optimizer's state for weight (row, column) of ``layer`` (0-based).

        ``row`` = fan_in means the bias of unit ``column``.
        """
        trainer = self.trainers[name]
        index = parameter_index(trainer.network, layer, row, column)
        out = {"w": float(trainer.network.params[index]),
               "∂L/∂w": float(trainer.backprop.grad[index]),
               "update": float(trainer.update[index])}
        out.update(trainer.optimizer.state_at(index))
        return out


def parameter_index(network: Network, layer: int, row: int, column: int) -> int:
    """Position in ``network.params`` of W[row, column] (or b[column] when row = fan_in)."""
    if not 0 <= layer < len(network.layers):
        raise ModelError(f"there is no layer {layer + 1}")
    target = network.layers[layer]
    if not (0 <= row <= target.fan_in and 0 <= column < target.fan_out):
        raise ModelError(f"layer {layer + 1} has weights W[0..{target.fan_in - 1}, 0..{target.fan_out - 1}] "
                         "and biases")
    return target.start + row * target.fan_out + column

