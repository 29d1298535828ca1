"""What one training step leaves behind.

A :class:`StepSnapshot` carries the cheap facts (step, epoch, loss) at once.  The rich
per-layer record — Z, A, δ, ∇W, ∇b, norms, update/weight ratios — is read from the
trainer's buffers the first time ``layers`` is asked for, and only while the snapshot is
the trainer's latest (the buffers are reused by the next step).  That is how training
runs at full speed while a view still sees every number of the step it shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from chainrule_gui.core.errors import ModelError


@dataclass(frozen=True, eq=False)
class LayerRecord:
    """Layer ``index`` (0-based) after one step.  Arrays are copies, rows = batch.

    ``delta`` is None below the lowest trainable layer (nothing is computed there);
    ``dW``/``db``/``grad_norm`` are None for a frozen layer.  ``W`` and ``b`` are the
    weights *after* the step; ``update`` is what was subtracted from [W; b].
    """

    index: int
    activation: str
    frozen: bool
    z: np.ndarray
    a: np.ndarray
    delta: np.ndarray | None
    dW: np.ndarray | None
    db: np.ndarray | None
    W: np.ndarray
    b: np.ndarray
    update: np.ndarray | None
    grad_norm: float | None
    bias_grad_norm: float | None
    weight_norm: float
    update_norm: float
    update_ratio: float  # ‖ΔW‖ / ‖W before the step‖

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass(frozen=True)
class TrainingFault:
    """Training stopped: the loss stopped being finite (``not_finite``), or it rose by
    orders of magnitude while staying finite (``exploding``)."""

    step: int
    loss: float
    restored_step: int
    message: str
    kind: str = "not_finite"


class StepSnapshot:
    """One training step.  ``loss`` includes the L2 penalty when λ > 0."""

    __slots__ = ("step", "epoch", "epoch_end", "loss", "batch_rows", "fault", "_trainer", "_layers")

    def __init__(self, trainer, step: int, epoch: int, epoch_end: bool, loss: float,
                 batch_rows: int, fault: TrainingFault | None = None):
        self.step = step
        self.epoch = epoch
        self.epoch_end = epoch_end
        self.loss = loss
        self.batch_rows = batch_rows
        self.fault = fault
        self._trainer = trainer
        self._layers: tuple[LayerRecord, ...] | None = None

    @property
    def is_current(self) -> bool:
        return self._trainer.last_snapshot is self

    @property
    def layers(self) -> tuple[LayerRecord, ...]:
        if self._layers is None:
            if not self.is_current:
                raise ModelError(f"the record of step {self.step} is gone: the trainer has taken "
                                 "another step (ask for a snapshot's layers before the next step)")
            self._layers = _records(self._trainer)
        return self._layers

    @property
    def grad_norms(self) -> list[float | None]:
        return [record.grad_norm for record in self.layers]

    def __repr__(self) -> str:
        return f"<step {self.step} epoch {self.epoch} loss {self.loss:.6g}>"


def _records(trainer) -> tuple[LayerRecord, ...]:
    bp = trainer.backprop
    network = trainer.network
    n = bp.n
    records = []
    for layer in network.layers:
        i = layer.index
        has_delta = bp.has_delta(i)
        trained = not layer.frozen and has_delta
        update = trainer.update[layer.start:layer.stop].reshape(layer.augmented.shape) if trained else None
        grad = bp.grad_augmented[i] if trained else None
        W_before = layer.W + update[:layer.fan_in] if update is not None else layer.W
        weight_norm_before = float(np.linalg.norm(W_before))
        update_norm = float(np.linalg.norm(update[:layer.fan_in])) if update is not None else 0.0
        records.append(LayerRecord(
            index=i, activation=layer.activation.name, frozen=layer.frozen,
            z=bp.z[i][:n].copy(), a=bp.a[i][:n].copy(),
            delta=bp.delta[i][:n].copy() if has_delta else None,
            dW=grad[:layer.fan_in].copy() if grad is not None else None,
            db=grad[layer.fan_in].copy() if grad is not None else None,
            W=layer.W.copy(), b=layer.b.copy(),
            update=update.copy() if update is not None else None,
            grad_norm=float(np.linalg.norm(grad[:layer.fan_in])) if grad is not None else None,
            bias_grad_norm=float(np.linalg.norm(grad[layer.fan_in])) if grad is not None else None,
            weight_norm=float(np.linalg.norm(layer.W)),
            update_norm=update_norm,
            update_ratio=_ratio(update_norm, weight_norm_before),
        ))
    return tuple(records)


def _ratio(update_norm: float, weight_norm: float) -> float:
    if weight_norm > 0:
        return update_norm / weight_norm
    return math.inf if update_norm else 0.0
