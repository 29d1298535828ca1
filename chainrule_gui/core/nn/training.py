"""Training as a generator of :class:`StepSnapshot` — any front end can pause between steps.

    trainer = Trainer(network, dataset, TrainConfig(optimizer="adam", lr=0.01))
    for snapshot in trainer.steps(1000):
        ...  # snapshot.loss now; snapshot.layers (rich) only while it is the latest

A step: next mini-batch (reshuffled every epoch from a seeded RNG), forward, backward,
L2 decay on weights, optimizer update.  A loss that is not finite stops training with a
:class:`TrainingFault` before any update, and the weights and optimizer state go back to the last
checkpoint (taken every ``CHECKPOINT_EVERY`` steps, and only of finite weights), so what is
left is always finite and usable.

A loss can also explode while every number stays finite (SGD on XOR at η = 50 climbs
0.7 → 35 → 137 and never overflows).  The trainer keeps a smoothed loss (debiased EMA,
weight ``SMOOTHING``: about the last hundred steps, so one bad example in a batch of one
is no alarm) and its low: the loss of all training rows when the watch starts, or the
smoothed loss once it has averaged ``WARM_UP`` steps, whichever is lower (a first batch's
loss alone may be luckily small; the rows are the first ``REFERENCE_ROWS`` at most).  When the smoothed loss rises
``EXPLODING_FACTOR`` times above that low (never measured against less than
``LOSS_FLOOR``, so a nearly perfect fit's noise is no alarm either), training stops with
the same kind of fault and the weights of the last checkpoint taken while the loss was
still near its low.

A diverging step makes NumPy warn (overflow, invalid value).  Front ends that report the
fault themselves run their loop inside ``np.errstate(over="ignore", invalid="ignore")``;
the core does not, because entering it costs about a microsecond per step.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from chainrule_gui.core.errors import ModelError
from chainrule_gui.core.nn.backprop import Backprop
from chainrule_gui.core.nn.datasets import Dataset
from chainrule_gui.core.nn.network import Network
from chainrule_gui.core.nn.optimizers import Optimizer, check_learning_rate
from chainrule_gui.core.nn.snapshot import StepSnapshot, TrainingFault

CHECKPOINT_EVERY = 100
SMOOTHING = 0.99
WARM_UP = 10  # steps the smoothed loss averages before it is judged
EXPLODING_FACTOR = 10.0  # the smoothed loss this many times its lowest: diverging
GOOD_FACTOR = 3.0  # a checkpoint is only taken while the smoothed loss is within this of its low
LOSS_FLOOR = 0.1
REFERENCE_ROWS = 2048  # the starting loss is measured on at most this many training rows
GATHER_ABOVE_BYTES = 2 * 2**20
MAX_BATCH = 1_000_000


@dataclass(frozen=True)
class TrainConfig:
    """How to train; ``hyper`` holds the optimizer's own settings (momentum, beta1, …)."""

    optimizer: str = "adam"
    lr: float = 0.01
    batch_size: int = 32
    l2: float = 0.0
    hyper: dict = field(default_factory=dict)


def check_batch_size(batch_size: int) -> int:
    whole = isinstance(batch_size, (int, np.integer)) and not isinstance(batch_size, bool)
    if not whole or not 1 <= batch_size <= MAX_BATCH:
        raise ModelError(f"the batch size must be a whole number from 1 to {MAX_BATCH}")
    return int(batch_size)


def check_l2(l2: float) -> float:
    l2 = float(l2)
    if not (math.isfinite(l2) and 0.0 <= l2 < 100.0):
        raise ModelError(f"L2 weight decay λ must be 0 or a small positive number (got {l2:g})")
    return l2


class Trainer:
    """Trains ``network`` in place on the training rows of ``dataset``."""

    def __init__(self, network: Network, dataset: Dataset, config: TrainConfig = TrainConfig()):
        self.network = network
        self.dataset = dataset
        self.config = config
        out_units = network.sizes[-1]
        if dataset.n_features != network.sizes[0]:
            raise ModelError(f"the data set has {dataset.n_features} input feature(s) but the network's "
                             f"input layer has {network.sizes[0]} unit(s); make them equal")
        targets = dataset.targets(network.loss.name, out_units)
        network.loss.check_targets(targets)
        self.X_train = dataset.X[dataset.train]
        self.Y_train = targets[dataset.train]
        self.X_val = dataset.X[dataset.validation]
        self.Y_val = targets[dataset.validation]
        rows = len(self.X_train)
        self.optimizer = Optimizer(config.optimizer, network.params.size, config.lr, **config.hyper)
        self.batch_size = check_batch_size(config.batch_size)
        self.l2 = check_l2(config.l2)
        self.backprop = Backprop(network, min(self.batch_size, rows))
        self.update = np.zeros_like(network.params)
        self._decay = np.zeros_like(network.params)
        # The rows with a ones column appended (the bias input).  A small data set is
        # permuted as a whole each epoch and batches are slices of it; a large one (wider
        # than the cache) is gathered batch by batch, so each batch is read from memory once
        # and the matrix products find it in the cache.
        self._rows = np.ones((rows, network.sizes[0] + 1))
        self._rows[:, :-1] = self.X_train
        self._gather = self._rows.nbytes > GATHER_ABOVE_BYTES
        if self._gather:
            self._inputs = np.ones((min(self.batch_size, rows), network.sizes[0] + 1))
            self._targets = np.empty((len(self._inputs), self.Y_train.shape[1]))
        else:
            self._inputs = self._rows.copy()
            self._targets = np.empty_like(self.Y_train)
        self._order = np.arange(rows)
        self._rng = np.random.default_rng(network.spec.seed + 1)
        self._cursor = rows
        self.step_count = 0
        self.epoch = 0
        self.last_snapshot: StepSnapshot | None = None
        self.fault: TrainingFault | None = None
        self._checkpoint = (0, network.params.copy(), self.optimizer.copy_state())
        self.refresh_frozen()
        self._restart_loss_watch()

    # -- live settings --------------------------------------------------------------------
    def set_learning_rate(self, lr: float) -> None:
        self.optimizer.lr = check_learning_rate(lr)

    def set_optimizer_settings(self, **hyper: float) -> None:
        self.optimizer.set(**hyper)

    def set_optimizer(self, name: str, lr: float | None = None, **hyper: float) -> None:
        """Switch optimizer between steps: the weights stay, the new optimizer starts fresh."""
        if name != self.optimizer.name:
            self.optimizer = Optimizer(name, self.network.params.size,
                                       self.optimizer.lr if lr is None else lr, **hyper)
        else:
            self.optimizer.set(lr=lr, **hyper)

    def set_batch_size(self, batch_size: int) -> None:
        self.batch_size = check_batch_size(batch_size)
        capacity = min(self.batch_size, len(self.X_train))
        if capacity > self.backprop.capacity:
            self.backprop = Backprop(self.network, capacity)
            self.last_snapshot = None  # its record lived in the old buffers
            if self._gather:
                self._inputs = np.ones((capacity, self._rows.shape[1]))
                self._targets = np.empty((capacity, self.Y_train.shape[1]))

    def set_l2(self, l2: float) -> None:
        self.l2 = check_l2(l2)
        self._refresh_frozen_penalty()
        self._restart_loss_watch()  # the penalty is part of the loss: its scale changed

    def _restart_loss_watch(self, lowest: float | None = None) -> None:
        """Watch the loss afresh; without ``lowest``, the next step measures the low on
        the training rows (there, on the training thread: a big network's forward pass
        over many rows must not hold up whoever builds the trainer)."""
        self._ema = 0.0
        self._ema_weight = 1.0  # SMOOTHING ** steps watched: the debiasing term
        self._watched = 0
        self.smoothed_loss = math.nan
        self._set_low(math.inf if lowest is None else lowest)
        self._low_pending = lowest is None

    def _set_low(self, low: float) -> None:
        self.lowest_smoothed_loss = low
        self._threshold = EXPLODING_FACTOR * max(low, LOSS_FLOOR)

    def _measure_low(self) -> None:
        self._low_pending = False
        rows = slice(0, REFERENCE_ROWS)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            low = self.network.loss_value(self.X_train[rows], self.Y_train[rows], self.l2)
        if math.isfinite(low) and low < self.lowest_smoothed_loss:
            self._set_low(low)

    @property
    def loss_low(self) -> float:
        """What a rising loss is measured against: its low, but never below LOSS_FLOOR."""
        return max(self.lowest_smoothed_loss, LOSS_FLOOR)

    @property
    def exploding_threshold(self) -> float:
        """The smoothed loss above which training counts as diverging."""
        return self._threshold

    def set_frozen(self, index: int, frozen: bool) -> None:
        self.network.set_frozen(index, frozen)
        self.refresh_frozen()

    def refresh_frozen(self) -> None:
        self._runs = self.network.trainable_runs()
        self._refresh_frozen_penalty()

    def _refresh_frozen_penalty(self) -> None:
        """(λ/2)·Σw² of the weights that do not learn: constant while they stay frozen, yet
        part of the loss, so that a step's loss is the loss evaluate() reports."""
        params, mask = self.network.params, self.network.weight_mask.copy()
        for a, b in self._runs:
            mask[a:b] = 0.0
        self._frozen_penalty = 0.5 * self.l2 * float(np.dot(params * mask, params)) if self.l2 else 0.0

    # -- stepping -------------------------------------------------------------------------
    def steps(self, limit: int | None = None) -> Iterator[StepSnapshot]:
        """Take up to ``limit`` steps (forever if None), yielding each; stops after a fault."""
        taken = 0
        while limit is None or taken < limit:
            snapshot = self.step()
            taken += 1
            yield snapshot
            if snapshot.fault is not None:
                return

    def step(self) -> StepSnapshot:
        rows = len(self._rows)
        if self._cursor >= rows:
            self._shuffle()
        start = self._cursor
        stop = min(start + self.batch_size, start + self.backprop.capacity, rows)
        self._cursor = stop
        if self._gather:
            n = stop - start
            order = self._order[start:stop]
            inputs, targets = self._inputs[:n], self._targets[:n]
            np.take(self._rows, order, axis=0, out=inputs, mode="clip")
            np.take(self.Y_train, order, axis=0, out=targets, mode="clip")
        else:
            inputs, targets = self._inputs[start:stop], self._targets[start:stop]
        backprop = self.backprop
        loss = backprop.loss_and_gradient(inputs, targets)
        params, grad, update = self.network.params, backprop.grad, self.update
        runs = self._runs
        if self.l2:
            decay, mask = self._decay, self.network.weight_mask
            for a, b in runs:
                np.multiply(params[a:b], mask[a:b], out=decay[a:b])
                np.multiply(decay[a:b], self.l2, out=decay[a:b])
                loss += 0.5 * float(np.dot(decay[a:b], params[a:b]))
                np.add(grad[a:b], decay[a:b], out=grad[a:b])
            loss += self._frozen_penalty
        if not math.isfinite(loss):
            return self._fail(loss, stop - start)
        if self._low_pending:  # the weights before this step's update
            self._measure_low()
        # Plain locals and one threshold kept up to date: this runs on every step.
        ema = self._ema = SMOOTHING * self._ema + (1.0 - SMOOTHING) * loss
        weight = self._ema_weight = self._ema_weight * SMOOTHING
        smoothed = self.smoothed_loss = ema / (1.0 - weight)
        self._watched += 1
        if self._watched >= WARM_UP:
            if smoothed > self._threshold:
                return self._fail(loss, stop - start, exploding=True)
            if smoothed < self.lowest_smoothed_loss:
                self._set_low(smoothed)
        optimizer = self.optimizer
        optimizer.begin_step()
        if len(runs) == 1:
            a, b = runs[0]
            optimizer.compute_update(a, b, grad, update)
            np.subtract(params[a:b], update[a:b], out=params[a:b])
        else:
            for a, b in runs:
                optimizer.compute_update(a, b, grad, update)
                np.subtract(params[a:b], update[a:b], out=params[a:b])
        self.step_count += 1
        epoch_end = self._cursor >= rows
        if epoch_end:
            self.epoch += 1
        if self.step_count % CHECKPOINT_EVERY == 0:
            self._save_checkpoint()
        snapshot = StepSnapshot(self, self.step_count, self.epoch, epoch_end, loss, stop - start)
        self.last_snapshot = snapshot
        return snapshot

    def _shuffle(self) -> None:
        self._order = self._rng.permutation(len(self._rows))
        if not self._gather:
            np.take(self._rows, self._order, axis=0, out=self._inputs, mode="clip")
            np.take(self.Y_train, self._order, axis=0, out=self._targets, mode="clip")
        self._cursor = 0

    def last_batch(self) -> tuple[np.ndarray, np.ndarray]:
        """Copies of the inputs and targets of the latest step's batch."""
        n = self.backprop.n
        inputs = self.backprop.inputs_ones
        return inputs[:n, :-1].copy(), self._targets_of_last(n)

    def _targets_of_last(self, n: int) -> np.ndarray:
        if self._gather:
            return self._targets[:n].copy()
        return self._targets[self._cursor - n:self._cursor].copy()

    def _save_checkpoint(self) -> None:
        # Only finite weights become a checkpoint.  A non-finite update is not checked for
        # on every step (a NumPy call per step is a tenth of a small net's step): weights it
        # spoils make the next loss non-finite, and that step restores this checkpoint.
        params = self.network.params
        if not math.isfinite(float(np.dot(params, params))):
            return
        if self.smoothed_loss > GOOD_FACTOR * self.loss_low:
            return  # already climbing: the last checkpoint is the better one to go back to
        step, saved, _ = self._checkpoint
        np.copyto(saved, params)
        self._checkpoint = (self.step_count, saved, self.optimizer.copy_state())

    def _fail(self, loss: float, rows: int, exploding: bool = False) -> StepSnapshot:
        restored, params, state = self._checkpoint
        np.copyto(self.network.params, params)
        self._refresh_frozen_penalty()
        try:
            self.optimizer.restore_state(state)
        except KeyError:  # the optimizer was switched since the checkpoint
            pass
        failing = self.step_count + 1
        if exploding:
            low = self.loss_low
            happened = (f"the loss is exploding: smoothed over the last steps it rose to "
                        f"{self.smoothed_loss:.4g}, {self.smoothed_loss / low:.0f} times its low of {low:.4g} "
                        f"(this step's loss {loss:.4g})")
        else:
            happened = "the loss became " + ("NaN (not a number)" if math.isnan(loss) else "infinite")
        message = (f"Training stopped at step {failing}: {happened}. The learning rate "
                   f"{self.optimizer.lr:g} is probably too high for this network. The weights are "
                   f"back to those after step {restored}, the last checkpoint. Lower the learning "
                   f"rate (e.g. to {self.optimizer.lr / 10:g}) or start again from fresh weights.")
        self.fault = TrainingFault(failing, loss, restored, message, "exploding" if exploding else "not_finite")
        # The weights are back where the loss was low: watch it afresh from there.
        self._restart_loss_watch(lowest=self.lowest_smoothed_loss)
        snapshot = StepSnapshot(self, self.step_count, self.epoch, False, loss, rows, self.fault)
        self.last_snapshot = None  # the buffers hold the failed step: no rich record
        return snapshot

    def check_weights(self) -> TrainingFault | None:
        """Make sure the weights are finite now (call before showing or saving them).

        An update that overflowed is only noticed at the next step's loss; this finds it at
        once, restores the last checkpoint and records the fault.
        """
        params = self.network.params
        if math.isfinite(float(np.dot(params, params))):
            return None
        with np.errstate(over="ignore", invalid="ignore"):
            self._fail(math.nan, 0)
        return self.fault

    def clear_fault(self) -> None:
        self.fault = None

    def layer_norms(self) -> tuple[list[float], list[float], list[float]]:
        """Cheap per-layer (‖∇W‖, ‖W‖, ‖ΔW‖/‖W‖) of the latest step, from the flat buffers.

        No copies, three dot products per layer — for sampling curves many times a second.
        ‖∇W‖ is NaN for a layer without a gradient (frozen, or below the lowest trainable
        one); the ratio here divides by the weights *after* the step (LayerRecord's by the
        weights before it).
        """
        params, grad, update = self.network.params, self.backprop.grad, self.update
        lowest = self.network.lowest_trainable
        grads, weights, ratios = [], [], []
        for layer in self.network.layers:
            w = slice(layer.start, layer.stop - layer.fan_out)
            weight = math.sqrt(float(np.dot(params[w], params[w])))
            weights.append(weight)
            if layer.frozen or lowest is None or layer.index < lowest:
                grads.append(math.nan)
                ratios.append(math.nan)
                continue
            grads.append(math.sqrt(float(np.dot(grad[w], grad[w]))))
            change = math.sqrt(float(np.dot(update[w], update[w])))
            ratios.append(change / weight if weight > 0 else math.nan)
        return grads, weights, ratios

    # -- evaluation -----------------------------------------------------------------------
    def evaluate(self) -> dict:
        """Loss (with the L2 penalty) and, for classification, accuracy on both splits."""
        net = self.network
        out = {"train_loss": net.loss_value(self.X_train, self.Y_train, self.l2),
               "validation_loss": (net.loss_value(self.X_val, self.Y_val, self.l2)
                                   if len(self.X_val) else None)}
        if self.dataset.labels is not None:
            labels = self.dataset.labels
            out["train_accuracy"] = float(np.mean(net.predict_classes(self.X_train)
                                                  == labels[self.dataset.train]))
            out["validation_accuracy"] = (float(np.mean(net.predict_classes(self.X_val)
                                                        == labels[self.dataset.validation]))
                                          if len(self.X_val) else None)
        return out

    @property
    def steps_per_epoch(self) -> int:
        return -(-len(self.X_train) // self.batch_size)
