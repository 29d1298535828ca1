"""The training worker: one QObject in one QThread, driving the core's generator.

The GUI thread never touches a :class:`Trainer` after handing it over; it posts commands
— small dataclasses such as :class:`Load`, :class:`Run` or :class:`Step`, handled by type
— (thread-safe) and receives :class:`TrainingUpdate` objects — copies, at most ~30 a
second however fast training runs.  Between two steps the worker checks a flag for new
commands, so pause, step and live settings act within one step.  The network's output
over the decision plot's grid is computed only while that plot can be seen
(:class:`ShowDecision`).

After each update it sends while running, the worker waits (briefly) until the GUI says it
has drawn that update (:meth:`TrainingWorker.drawn`).  PySide releases the GIL around
every call into Qt, and a Python thread that busily trains takes it back each time, so a
repaint made of hundreds of such calls would wait up to the 5 ms switch interval at each
one — seconds per frame.  Waiting for the GUI instead costs the worker only the drawing
time; the interval between updates grows when drawing is slow, so training keeps at
least ~80 % of its headless speed (measured in tests/benchmarks/bench_gui_training.py).

The worker runs NumPy with one BLAS thread: with the GUI busy on the other core, two BLAS
threads were measured to collapse throughput 3–60×.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import singledispatchmethod

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from chainrule_gui.core.errors import ChainRuleError
from chainrule_gui.core.nn.compare import OptimizerRace
from chainrule_gui.core.nn.diagnosis import Diagnosis, diagnose, diagnose_fault
from chainrule_gui.core.nn.snapshot import LayerRecord, TrainingFault
from chainrule_gui.core.nn.training import Trainer

log = logging.getLogger(__name__)
EMIT_INTERVAL = 1 / 30  # seconds between updates while running (at least)
GUI_SHARE = 0.10  # the GUI's drawing may take this share of the time; slower → fewer updates
ACK_TIMEOUT = 0.25  # never wait longer than this for the GUI (hidden, or very busy)
EVALUATE_INTERVAL = 0.2  # validation loss and accuracy: five times a second is plenty
NORM_INTERVAL = 0.01  # per-layer norms are sampled this often (a few µs each time)
MAX_EXAMPLE_ROWS = 8  # the first rows of a batch, for the diagram's worked examples


# -- commands (posted from the GUI thread, taken between two steps) ---------------------------
@dataclass(frozen=True, eq=False)
class Load:
    """Train ``trainer`` from now on (a new network, number ``generation``), paused;
    ``grid_inputs``: the decision plot's points (rows of inputs), ``grid_shape`` their grid."""

    trainer: Trainer
    generation: int
    grid_inputs: np.ndarray | None
    grid_shape: tuple[int, int]


@dataclass(frozen=True)
class Run:
    """Train continuously."""


@dataclass(frozen=True)
class Pause:
    """Stop between two steps and report every number."""


@dataclass(frozen=True)
class Step:
    """Take ``count`` steps, then pause and report every number."""

    count: int = 1


@dataclass(frozen=True, eq=False)
class Apply:
    """A live setting: ``change(trainer)`` between two steps (a bad one is reported)."""

    change: Callable[[Trainer], None]


@dataclass(frozen=True)
class SetSpeed:
    steps_per_second: float | None  # None: as fast as possible


@dataclass(frozen=True, eq=False)
class Race:
    """Race the optimizers of ``race`` for ``steps`` steps (training pauses), reporting the
    state of the weight ``watch`` = (layer, row, column)."""

    race: OptimizerRace
    steps: int
    watch: tuple[int, int, int]


@dataclass(frozen=True)
class Watch:
    weight: tuple[int, int, int]


@dataclass(frozen=True)
class StopRace:
    """End the optimizer comparison now."""


@dataclass(frozen=True)
class ShowDecision:
    """Whether the decision plot can be seen: its grid is computed only then (72×72
    forward passes per update), and at once when it comes into view while paused."""

    visible: bool


@dataclass(frozen=True)
class Quit:
    """End the worker's loop (the thread then finishes)."""


@dataclass(frozen=True, eq=False)
class TrainingUpdate:
    """What the GUI learns from the worker.  Arrays are the worker's copies."""

    generation: int
    step: int
    epoch: int
    steps: np.ndarray  # step numbers of the losses since the previous update
    losses: np.ndarray
    running: bool
    records: tuple[LayerRecord, ...] | None = None
    batch_inputs: np.ndarray | None = None  # the inputs of the step the records describe
    params: np.ndarray | None = None
    evaluation: dict | None = None
    #: network output on the decision grid (rows × cols × outputs); None while the plot is hidden
    grid: np.ndarray | None = None
    norm_steps: np.ndarray | None = None  # steps at which per-layer norms were sampled
    norms: dict | None = None  # "grad_norm"/"weight_norm"/"update_ratio" → samples × layers
    diagnoses: tuple[Diagnosis, ...] = ()
    fault: TrainingFault | None = None
    steps_per_second: float = 0.0
    error: str | None = None
    #: How many commands the worker had taken when it made this update: an update made
    #: before the GUI's latest Start cannot say that training has stopped.
    commands_taken: int = 0
    #: This update's place in the order the worker sent them (1, 2, …): what the GUI
    #: acknowledges with :meth:`TrainingWorker.drawn`.
    number: int = 0


@dataclass(frozen=True, eq=False)
class RaceUpdate:
    """Progress of an optimizer comparison: new losses per optimizer, and states."""

    steps: np.ndarray
    losses: dict[str, np.ndarray]
    states: dict[str, dict[str, float]] = field(default_factory=dict)
    done: bool = False


class TrainingWorker(QObject):
    update = Signal(object)  # TrainingUpdate
    race_update = Signal(object)  # RaceUpdate
    stopped = Signal()

    def __init__(self):
        super().__init__()
        self._commands: queue.SimpleQueue = queue.SimpleQueue()
        self._has_commands = False
        self._trainer: Trainer | None = None
        self._generation = 0
        self._running = False
        self._quit = False
        self._speed: float | None = None  # steps per second; None = as fast as possible
        self._grid_inputs: np.ndarray | None = None
        self._grid_shape: tuple[int, int] = (0, 0)
        self._decision_visible = False
        self._race = None
        self._race_left = 0
        self._watch: tuple[int, int, int] | None = None
        self._steps: list[int] = []
        self._losses: list[float] = []
        self._norm_steps: list[int] = []
        self._norms: list[tuple] = []
        self._last_norm = 0.0
        self._last_emit = 0.0
        self._last_evaluation = 0.0
        self._evaluation: dict | None = None
        self._rate_mark = (0.0, 0)
        self.steps_per_second = 0.0
        self._sent = 0  # updates sent (worker thread) ...
        self._drawn = 0  # ... and the newest one the GUI has drawn
        self._drawn_changed = threading.Condition()
        self._posted = 0  # commands queued (GUI thread) ...
        self._posted_lock = threading.Lock()
        self._taken = 0  # ... and taken off the queue (worker thread), in the same order
        self._interval = EMIT_INTERVAL

    # -- called from the GUI thread --------------------------------------------------------
    def post(self, command) -> int:
        """Queue a command; its number in the order commands are taken (1, 2, …)."""
        with self._posted_lock:
            self._posted += 1
            self._commands.put(command)
            number = self._posted
        self._has_commands = True
        return number

    def drawn(self, update: TrainingUpdate) -> None:
        """The GUI has drawn ``update`` (or dropped it): a worker waiting for it goes on."""
        with self._drawn_changed:
            self._drawn = max(self._drawn, update.number)
            self._drawn_changed.notify_all()

    # -- the loop -------------------------------------------------------------------------
    @Slot()
    def run(self) -> None:
        try:
            from threadpoolctl import threadpool_limits

            limits = threadpool_limits(1)
        except Exception:  # noqa: BLE001 - without threadpoolctl we still train
            limits = None
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                self._loop()
        finally:
            if limits is not None:
                limits.restore_original_limits()
            self.stopped.emit()

    def _loop(self) -> None:
        while not self._quit:
            try:
                busy = self._running or self._race_left > 0
                self._drain(block=not busy)
                if self._quit:
                    return
                if self._race_left > 0:
                    self._race_burst()
                elif self._running and self._trainer is not None:
                    self._train_burst()
            except Exception as exc:  # noqa: BLE001 - our bug; the worker must live on
                # A traceback is always our bug: log it (the log file; stderr when there is
                # none), tell the user, keep the thread.
                log.exception("the training thread caught an exception")
                self._running = False
                self._race_left = 0
                self.update.emit(self._bare_update(
                    error=f"internal error in the training thread ({exc.__class__.__name__}: {exc}); "
                          "training paused — please report this"))

    def _drain(self, block: bool, timeout: float | None = None) -> None:
        try:
            if block:
                self._take(self._commands.get(timeout=timeout))
            while True:
                self._take(self._commands.get_nowait())
        except queue.Empty:
            pass
        self._has_commands = not self._commands.empty()

    def _take(self, command) -> None:
        self._taken += 1
        self._handle(command)

    # -- the commands, by type ----------------------------------------------------------------
    @singledispatchmethod
    def _handle(self, command) -> None:
        raise TypeError(f"not a training command: {command!r}")

    @_handle.register
    def _quit_now(self, command: Quit) -> None:
        self._quit = True

    @_handle.register
    def _load(self, command: Load) -> None:
        self._trainer, self._generation = command.trainer, command.generation
        self._grid_inputs, self._grid_shape = command.grid_inputs, command.grid_shape
        self._running = False
        self._forget_unsent()
        self._evaluation = None
        self._emit(force_rich=True, evaluate=True)

    @_handle.register
    def _run(self, command: Run) -> None:
        if self._trainer is not None:
            self._trainer.clear_fault()
            self._running = True
            self._rate_mark = (time.perf_counter(), self._trainer.step_count)

    @_handle.register
    def _pause(self, command: Pause) -> None:
        if self._running:
            self._running = False
            self._emit(force_rich=True, evaluate=True)

    @_handle.register
    def _step(self, command: Step) -> None:
        if self._trainer is not None:
            self._running = False
            self._trainer.clear_fault()
            for _ in range(command.count):
                if not self._one_step():
                    break
            self._emit(force_rich=True, evaluate=True)

    @_handle.register
    def _apply(self, command: Apply) -> None:
        if self._trainer is None:
            return
        try:
            command.change(self._trainer)
        except ChainRuleError as exc:
            self.update.emit(self._bare_update(error=str(exc)))
        else:
            if not self._running:
                self._emit(force_rich=True, evaluate=True)

    @_handle.register
    def _set_speed(self, command: SetSpeed) -> None:
        self._speed = command.steps_per_second

    @_handle.register
    def _start_race(self, command: Race) -> None:
        self._race, self._race_left, self._watch = command.race, command.steps, command.watch
        self._running = False

    @_handle.register
    def _watch_weight(self, command: Watch) -> None:
        self._watch = command.weight

    @_handle.register
    def _stop_race(self, command: StopRace) -> None:
        self._race_left = 0

    @_handle.register
    def _show_decision(self, command: ShowDecision) -> None:
        came_into_view = command.visible and not self._decision_visible
        self._decision_visible = command.visible
        if came_into_view and not self._running:
            self._emit()  # its grid now; while running, the next update brings it

    # -- training -------------------------------------------------------------------------
    def _one_step(self) -> bool:
        snapshot = self._trainer.step()
        if snapshot.fault is not None:
            self._running = False
            return False
        self._steps.append(snapshot.step)
        self._losses.append(snapshot.loss)
        self._sample_norms(snapshot.step, force=True)
        return True

    def _sample_norms(self, step: int, force: bool = False) -> None:
        now = time.perf_counter()
        if force or now - self._last_norm >= NORM_INTERVAL:
            self._last_norm = now
            self._norm_steps.append(step)
            self._norms.append(self._trainer.layer_norms())

    def _train_burst(self) -> None:
        trainer = self._trainer
        deadline = time.perf_counter() + self._interval
        if self._speed is None:
            step, steps, losses = trainer.step, self._steps, self._losses
            while not self._has_commands:
                snapshot = step()
                if snapshot.fault is not None:
                    self._running = False
                    break
                steps.append(snapshot.step)
                losses.append(snapshot.loss)
                if len(steps) % 16 == 0:
                    now = time.perf_counter()
                    if now - self._last_norm >= NORM_INTERVAL:
                        self._sample_norms(snapshot.step, force=True)
                    if now >= deadline:
                        break
        else:
            interval = 1.0 / self._speed
            while self._running and time.perf_counter() < deadline and not self._has_commands:
                started = time.perf_counter()
                if not self._one_step():
                    break
                rest = interval - (time.perf_counter() - started)
                if rest > 0:
                    self._drain(block=True, timeout=rest)  # sleeps, yet wakes for commands
                    if self._quit:
                        return
        fault = trainer.fault or trainer.check_weights()
        if fault is not None:
            self._running = False
        now = time.perf_counter()
        if now - self._last_emit >= self._interval or not self._running:
            sent = self._emit(force_rich=True, evaluate=now - self._last_evaluation >= EVALUATE_INTERVAL
                              or not self._running)
            waited = time.perf_counter()
            self._wait_drawn(sent)
            drawing = time.perf_counter() - waited
            self._interval = max(EMIT_INTERVAL, drawing * (1 - GUI_SHARE) / GUI_SHARE)

    def _wait_drawn(self, number: int) -> None:
        """Until the GUI has drawn update ``number`` (at most ACK_TIMEOUT: hidden, or very busy)."""
        with self._drawn_changed:
            self._drawn_changed.wait_for(lambda: self._drawn >= number, ACK_TIMEOUT)

    def _emit(self, force_rich: bool = False, evaluate: bool = False) -> int:
        """Send an update of the trainer's state; its number (0: nothing to send)."""
        trainer = self._trainer
        if trainer is None:
            return 0
        now = time.perf_counter()
        mark_time, mark_step = self._rate_mark
        if now - mark_time >= 0.5:
            self.steps_per_second = (trainer.step_count - mark_step) / (now - mark_time)
            self._rate_mark = (now, trainer.step_count)
        records, diagnoses, inputs = None, (), None
        snapshot = trainer.last_snapshot
        if force_rich and snapshot is not None and snapshot.is_current:
            records = snapshot.layers
            inputs = trainer.last_batch()[0][:MAX_EXAMPLE_ROWS]
            diagnoses = tuple(diagnose(records, trainer.optimizer.lr, snapshot.loss,
                                         trainer.smoothed_loss, trainer.loss_low))
        elif trainer.fault is not None:
            diagnoses = (diagnose_fault(trainer.fault, trainer.optimizer.lr),)
        if evaluate:
            self._evaluation = trainer.evaluate()
            self._last_evaluation = now
        grid = None
        if self._grid_inputs is not None and self._decision_visible:
            rows, cols = self._grid_shape
            grid = trainer.network.probabilities(self._grid_inputs).reshape(rows, cols, -1)
        norm_steps, norms = None, None
        if self._norms:
            norm_steps = np.asarray(self._norm_steps, dtype=float)
            stacked = np.asarray(self._norms, dtype=float)  # samples × 3 × layers
            norms = {"grad_norm": stacked[:, 0], "weight_norm": stacked[:, 1],
                     "update_ratio": stacked[:, 2]}
        update = TrainingUpdate(
            generation=self._generation, step=trainer.step_count, epoch=trainer.epoch,
            steps=np.asarray(self._steps, dtype=float), losses=np.asarray(self._losses, dtype=float),
            running=self._running, records=records, batch_inputs=inputs, params=trainer.network.params.copy(),
            evaluation=dict(self._evaluation) if evaluate and self._evaluation else None,
            grid=grid, norm_steps=norm_steps, norms=norms, diagnoses=diagnoses, fault=trainer.fault,
            steps_per_second=self.steps_per_second if self._running else 0.0, commands_taken=self._taken,
            number=self._next_number())
        self._forget_unsent()
        self._last_emit = now
        self.update.emit(update)
        return update.number

    def _forget_unsent(self) -> None:
        """Drop the losses and norms gathered since the last update."""
        self._steps.clear()
        self._losses.clear()
        self._norm_steps.clear()
        self._norms.clear()

    def _next_number(self) -> int:
        self._sent += 1
        return self._sent

    def _bare_update(self, error: str) -> TrainingUpdate:
        trainer = self._trainer
        empty = np.zeros(0)
        self._forget_unsent()  # an error update carries no losses: drop what is half-sent
        return TrainingUpdate(self._generation, trainer.step_count if trainer else 0,
                              trainer.epoch if trainer else 0, empty, empty, self._running, error=error,
                              commands_taken=self._taken, number=self._next_number())

    # -- optimizer comparison -----------------------------------------------------------
    def _race_burst(self) -> None:
        race = self._race
        deadline = time.perf_counter() + EMIT_INTERVAL
        steps: list[int] = []
        losses: dict[str, list[float]] = {name: [] for name in race.trainers}
        for result in race.steps(self._race_left):
            self._race_left -= 1
            steps.append(result.step)
            for name, value in result.losses.items():
                losses[name].append(math.nan if value is None else value)
            if self._has_commands or time.perf_counter() >= deadline:
                break
        states = {}
        if self._watch is not None:
            layer, row, column = self._watch
            try:
                states = {name: race.state_at(name, layer, row, column) for name in race.trainers}
            except ChainRuleError:
                states = {}
        self.race_update.emit(RaceUpdate(np.asarray(steps, dtype=float),
                                         {k: np.asarray(v) for k, v in losses.items()}, states,
                                         done=self._race_left == 0))
