"""The Network mode's controller: settings in, trainer to the worker, updates out.

It owns the single training QThread and its worker, the training log, and the current
:class:`Settings`.  It drives the worker with typed commands (``worker.py``).  Live
settings go to the worker as small functions applied to the trainer between two steps;
anything else needs :meth:`reset` (the Network mode calls it at once).  While ``blocked``
says why the editor's settings cannot build a network, Start and Step do nothing: they would
train a network the editor no longer shows.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal

from chainrule_gui.core.errors import ChainRuleError
from chainrule_gui.core.nn.compare import OptimizerRace
from chainrule_gui.core.nn.history import TrainingLog
from chainrule_gui.core.nn.network import Network
from chainrule_gui.core.nn.training import Trainer
from chainrule_gui.gui.network.settings import Settings
from chainrule_gui.gui.network.worker import (
    Apply,
    Load,
    Pause,
    Quit,
    Race,
    Run,
    SetSpeed,
    ShowDecision,
    Step,
    StopRace,
    TrainingUpdate,
    TrainingWorker,
    Watch,
)

GRID_SIZE = 72  # decision-plot resolution: 72×72 forward passes per update
GRID_MARGIN = 0.15


class NetworkController(QObject):
    updated = Signal(object)  # TrainingUpdate, of the current generation only
    network_built = Signal(object)  # (Settings, Network, Dataset): a reset happened
    running_changed = Signal(bool)
    error = Signal(str)
    race_updated = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("trainingThread")
        self.worker = TrainingWorker()
        self.worker.moveToThread(self._thread)
        self._thread.started.connect(self.worker.run)
        self.worker.update.connect(self._on_update)
        self.worker.race_update.connect(self.race_updated)
        self._thread.start()
        self.generation = 0
        self.settings: Settings | None = None  # what the editor shows
        self.trained: Settings | None = None  # what the network in training was built from
        self.network: Network | None = None  # the GUI thread's own copy, for display and files
        self.dataset = None
        self.log = TrainingLog(0)
        self.latest: TrainingUpdate | None = None
        self.running = False
        self._started_by = 0  # the worker's number of the latest Start command
        self.grid_axes: tuple[np.ndarray, np.ndarray] | None = None
        self.blocked: str | None = None  # why the settings shown cannot be trained (None: they can)
        self._closed = False

    # -- intents ----------------------------------------------------------------------------
    def set_settings(self, settings: Settings) -> list[str]:
        """The editor changed: apply what can be applied live; return what needs a new
        network (empty when nothing does)."""
        previous, self.settings = self.settings, settings
        if self.trained is None:
            return []
        reasons = settings.needs_reset_against(self.trained)
        if previous is None:
            return reasons
        live = _live_change(settings, self.trained)
        if live is None:
            return reasons
        self.worker.post(Apply(live))
        trained = replace(self.trained, optimizer=settings.optimizer, lr=settings.lr,
                          hyper=dict(settings.hyper), batch_size=settings.batch_size, l2=settings.l2)
        frozen = [layer.frozen for layer in settings.spec.layers]
        if len(frozen) == len(trained.spec.layers):
            layers = tuple(replace(layer, frozen=f) for layer, f in zip(trained.spec.layers, frozen))
            trained = replace(trained, spec=replace(trained.spec, layers=layers))
            if self.network is not None:
                for index, flag in enumerate(frozen):
                    self.network.set_frozen(index, flag)
        self.trained = trained
        return reasons

    def reset(self, initial_params: np.ndarray | None = None) -> bool:
        """Build the network and data from the current settings and hand them to the worker."""
        settings = self.settings
        if settings is None:
            return False
        try:
            dataset = settings.data.build()
            network = Network.initialized(settings.spec)
            params = initial_params if initial_params is not None else settings.initial_vector()
            if params is not None:
                network.params[...] = params
            trainer = Trainer(network, dataset, settings.config())
        except ChainRuleError as exc:
            self.error.emit(str(exc))
            return False
        self.generation += 1
        self.blocked = None
        self.trained = settings
        self.network = network.copy()
        self.dataset = dataset
        self.log = TrainingLog(len(network.layers))
        self.latest = None
        grid_inputs, shape = self._grid(dataset)
        self.running = False
        self.running_changed.emit(False)
        self.network_built.emit((settings, self.network, dataset))
        self.worker.post(Load(trainer, self.generation, grid_inputs, shape))
        return True

    def _refuse_if_blocked(self) -> bool:
        if self.blocked:
            self.error.emit(self.blocked)
            return True
        return False

    def start(self) -> None:
        if self._refuse_if_blocked() or (self.trained is None and not self.reset()):
            return
        self.running = True
        self.running_changed.emit(True)
        self._started_by = self.worker.post(Run())

    def pause(self) -> None:
        self.running = False
        self.running_changed.emit(False)
        self.worker.post(Pause())

    def step(self, count: int = 1) -> None:
        if self._refuse_if_blocked() or (self.trained is None and not self.reset()):
            return
        if self.running:
            self.running = False
            self.running_changed.emit(False)
        self.worker.post(Step(count))

    def set_speed(self, steps_per_second: float | None) -> None:
        self.worker.post(SetSpeed(steps_per_second))

    def show_decision(self, visible: bool) -> None:
        """Whether the decision plot can be seen (its grid is computed only then)."""
        self.worker.post(ShowDecision(visible))

    def compare_optimizers(self, steps: int, learning_rates: dict[str, float],
                           watch: tuple[int, int, int]) -> bool:
        """Race the four optimizers from the network's *initial* weights (training pauses)."""
        settings = self.trained or self.settings
        if settings is None:
            return False
        try:
            network = Network.initialized(settings.spec)
            initial = settings.initial_vector()
            if initial is not None:
                network.params[...] = initial
            race = OptimizerRace(network, settings.data.build(), settings.config(),
                                 tuple(learning_rates), learning_rates)
        except ChainRuleError as exc:
            self.error.emit(str(exc))
            return False
        self.pause()
        self.worker.post(Race(race, steps, watch))
        return True

    def watch_weight(self, watch: tuple[int, int, int]) -> None:
        self.worker.post(Watch(watch))

    def stop_race(self) -> None:
        self.worker.post(StopRace())

    def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.worker.post(Quit())
        self._thread.quit()
        self._thread.wait(10_000)

    # -- from the worker --------------------------------------------------------------------
    def _on_update(self, update: TrainingUpdate) -> None:
        if update.generation != self.generation:
            self.worker.drawn(update)
            return  # from a network replaced since
        if update.error:
            self.error.emit(update.error)
        self.latest = update
        if update.steps.size:
            self.log.add_losses(update.steps, update.losses)
        if update.params is not None and self.network is not None:
            self.network.use_params(update.params)  # the worker's copy: the only one made
        if update.evaluation is not None or update.records is not None:
            self.log.add_row(_log_row(update))
        # An update the worker made before it took the latest Start (the paused state after
        # a load, still queued when Start was clicked) must not switch the buttons back.
        if self.running and not update.running and update.commands_taken >= self._started_by:
            self.running = False
            self.running_changed.emit(False)
        try:
            self.updated.emit(update)
            if update.running:
                # Paint what changed now, while the worker waits (see worker.py): the scene
                # updates and paint requests pyqtgraph posts would otherwise be handled
                # later, against a training thread holding the GIL.
                for _ in range(8):  # until a round finds nothing more to do
                    started = time.perf_counter()
                    QCoreApplication.sendPostedEvents()
                    if time.perf_counter() - started < 0.0005:
                        break
        finally:
            self.worker.drawn(update)

    # -- helpers -----------------------------------------------------------------------------
    def _grid(self, dataset):
        if dataset.n_features != 2:
            self.grid_axes = None
            if dataset.n_features == 1:
                lo, hi = _bounds(dataset.X[:, 0])
                xs = np.linspace(lo, hi, 200)
                self.grid_axes = (xs, np.zeros(1))
                return xs.reshape(-1, 1), (1, xs.size)
            return None, (0, 0)
        (x0, x1), (y0, y1) = _bounds(dataset.X[:, 0]), _bounds(dataset.X[:, 1])
        xs, ys = np.linspace(x0, x1, GRID_SIZE), np.linspace(y0, y1, GRID_SIZE)
        self.grid_axes = (xs, ys)
        gx, gy = np.meshgrid(xs, ys)  # rows follow y, columns follow x
        return np.column_stack([gx.ravel(), gy.ravel()]), (GRID_SIZE, GRID_SIZE)


def _bounds(values: np.ndarray) -> tuple[float, float]:
    lo, hi = float(values.min()), float(values.max())
    span = hi - lo or 1.0
    return lo - GRID_MARGIN * span, hi + GRID_MARGIN * span


def _live_change(settings: Settings, trained: Settings):
    """A function applying the live differences to a trainer, or None if there are none."""
    changes = []
    if settings.optimizer != trained.optimizer:
        changes.append(lambda t, s=settings: t.set_optimizer(s.optimizer, s.lr, **s.hyper))
    elif settings.lr != trained.lr or settings.hyper != trained.hyper:
        changes.append(lambda t, s=settings: t.set_optimizer(s.optimizer, s.lr, **s.hyper))
    if settings.batch_size != trained.batch_size:
        changes.append(lambda t, b=settings.batch_size: t.set_batch_size(b))
    if settings.l2 != trained.l2:
        changes.append(lambda t, l2=settings.l2: t.set_l2(l2))
    new_frozen = [layer.frozen for layer in settings.spec.layers]
    old_frozen = [layer.frozen for layer in trained.spec.layers]
    if len(new_frozen) == len(old_frozen) and new_frozen != old_frozen:
        for index, (new, old) in enumerate(zip(new_frozen, old_frozen)):
            if new != old:
                changes.append(lambda t, i=index, f=new: t.set_frozen(i, f))
    if not changes:
        return None

    def apply(trainer):
        for change in changes:
            change(trainer)

    return apply


def _log_row(update: TrainingUpdate) -> dict:
    row = {"step": update.step, "epoch": update.epoch}
    if update.evaluation:
        row.update({k: v for k, v in update.evaluation.items()})
    if update.records:
        for r in update.records:
            row[f"grad_norm_{r.number}"] = r.grad_norm
            row[f"weight_norm_{r.number}"] = r.weight_norm
            row[f"update_ratio_{r.number}"] = r.update_ratio
    return row
