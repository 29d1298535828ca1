"""A training run's history: every step's loss, sampled per-layer records, CSV export,
and TensorBoard's debiased exponential smoothing.

Debiased EMA with weight w (0 ≤ w < 1):  m_t = w·m_{t−1} + (1 − w)·y_t,  m_0 = 0, shown as
m_t / (1 − wᵗ) — without the division the curve would start near 0 and climb.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np


class Series:
    """An append-only (x, y) series in arrays that double when full (O(1) amortized)."""

    def __init__(self, capacity: int = 1024):
        self._x = np.empty(capacity)
        self._y = np.empty(capacity)
        self.size = 0

    def extend(self, xs, ys) -> None:
        xs = np.asarray(xs, dtype=float)
        ys = np.asarray(ys, dtype=float)
        needed = self.size + len(xs)
        if needed > len(self._x):
            capacity = max(needed, 2 * len(self._x))
            self._x = np.resize(self._x, capacity)
            self._y = np.resize(self._y, capacity)
        self._x[self.size:needed] = xs
        self._y[self.size:needed] = ys
        self.size = needed

    def append(self, x: float, y: float) -> None:
        self.extend([x], [y])

    @property
    def x(self) -> np.ndarray:
        return self._x[:self.size]

    @property
    def y(self) -> np.ndarray:
        return self._y[:self.size]

    def clear(self) -> None:
        self.size = 0


class PeakSeries:
    """A long (x, y) series reduced for drawing: at most ``limit`` blocks, each keeping the
    lowest and highest y of its steps (peak decimation, as pyqtgraph's 'peak' mode, but
    incremental: an update costs O(new points), not O(all points)).

    ``xy()`` gives two points per block (its min then its max), so spikes stay visible.
    """

    def __init__(self, limit: int = 4096):
        self.limit = limit
        self.clear()

    def clear(self) -> None:
        self.block = 1
        self._x = Series()
        self._lo = Series()
        self._hi = Series()
        self._pending: list[tuple[float, float]] = []

    def extend(self, xs, ys) -> None:
        xs = np.asarray(xs, dtype=float)
        ys = np.asarray(ys, dtype=float)
        if self._pending:
            px, py = zip(*self._pending)
            xs = np.concatenate([px, xs])
            ys = np.concatenate([py, ys])
            self._pending = []
        whole = (len(xs) // self.block) * self.block
        if whole:
            bx = xs[:whole:self.block]
            by = ys[:whole].reshape(-1, self.block)
            lo = np.fmin.reduce(by, axis=1)  # ignores NaN; all-NaN blocks stay NaN, no warning
            hi = np.fmax.reduce(by, axis=1)
            self._x.extend(bx, bx)
            self._lo.extend(bx, lo)
            self._hi.extend(bx, hi)
        self._pending = list(zip(xs[whole:], ys[whole:]))
        while self._x.size > self.limit:
            self._merge()

    def _merge(self) -> None:
        n = self._x.size // 2 * 2
        x, lo, hi = self._x.y[:n:2].copy(), self._lo.y[:n], self._hi.y[:n]
        with np.errstate(invalid="ignore"):
            lo = np.fmin(lo[0::2], lo[1::2])
            hi = np.fmax(hi[0::2], hi[1::2])
        rest = [(a, b, c) for a, b, c in zip(self._x.y[n:], self._lo.y[n:], self._hi.y[n:])]
        for series in (self._x, self._lo, self._hi):
            series.clear()
        self._x.extend(x, x)
        self._lo.extend(x, lo)
        self._hi.extend(x, hi)
        for a, b, c in rest:  # an odd last block stays as it was
            self._x.append(a, a)
            self._lo.append(a, b)
            self._hi.append(a, c)
        self.block *= 2

    def xy(self) -> tuple[np.ndarray, np.ndarray]:
        if self.block == 1:  # not reduced yet: every point once
            x, y = self._x.y.copy(), self._lo.y.copy()
        else:
            x = np.repeat(self._x.y, 2)
            y = np.empty(x.size)
            y[0::2] = self._lo.y
            y[1::2] = self._hi.y
        if self._pending:
            px, py = zip(*self._pending)
            x = np.concatenate([x, px])
            y = np.concatenate([y, py])
        return x, y


def debiased_ema(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's smoothing of ``values``; NaN/inf entries are skipped (stay NaN)."""
    return ema_extend(values, weight, (0.0, 0))[0]


def ema_extend(values: np.ndarray, weight: float, state: tuple[float, int]) -> tuple[np.ndarray, tuple[float, int]]:
    """Continue a debiased EMA over new ``values`` from ``state`` = (m, count).

    Returns the smoothed values (NaN where the input was not finite) and the new state, so
    a live plot smooths only what is new.  Vectorized: within chunks the recurrence has
    the closed form m_t = w^(t+1) m_{-1} + (1−w) Σ_{k≤t} w^(t−k) y_k; chunks keep w^(−k)
    far from overflow.
    """
    values = np.asarray(values, dtype=float)
    m, count = state
    if weight <= 0 or values.size == 0:
        return values.copy(), state
    weight = min(float(weight), 0.9999)
    out = np.full(values.shape, np.nan)
    finite = np.isfinite(values)
    y = values[finite]
    chunk = max(1, min(4096, int(200 / -math.log10(weight))))
    smoothed = np.empty_like(y)
    for start in range(0, len(y), chunk):
        part = y[start:start + chunk]
        k = np.arange(len(part))
        powers = weight ** k
        with np.errstate(over="ignore", invalid="ignore"):
            acc = np.cumsum(part / powers) * powers * (1 - weight)
            block = weight ** (k + 1) * m + acc
        if not np.isfinite(block).all():
            # Losses near the top of the float range (a run about to diverge) overflow the
            # closed form's y/w^k; the plain recurrence never leaves the range of its inputs.
            block = np.empty_like(part)
            for i, value in enumerate(part):
                m = weight * m + (1 - weight) * value
                block[i] = m
        smoothed[start:start + len(part)] = block
        m = float(smoothed[start + len(part) - 1])
    counts = np.arange(count + 1, count + len(y) + 1)
    out[finite] = smoothed / (1 - weight ** counts)
    return out, (m, count + len(y))


class TrainingLog:
    """Per-step loss plus sampled rows (validation loss, accuracy, per-layer norms).

    ``loss`` holds step k's mini-batch loss, measured in step k's forward pass: on the
    weights *before* its update, i.e. after k − 1 updates.  ``train`` and ``validation``
    hold the loss of all training (validation) rows measured on the weights after the
    row's step.  For a full batch, step k + 1's loss equals ``train`` at step k.
    """

    def __init__(self, layer_count: int):
        self.layer_count = layer_count
        self.loss = Series()
        self.train = Series()
        self.validation = Series()
        self.rows: list[dict] = []

    def add_losses(self, steps, losses) -> None:
        self.loss.extend(steps, losses)

    def add_row(self, row: dict) -> None:
        self.rows.append(row)
        if row.get("train_loss") is not None:
            self.train.append(row["step"], row["train_loss"])
        if row.get("validation_loss") is not None:
            self.validation.append(row["step"], row["validation_loss"])

    def columns(self) -> list[str]:
        per_layer = [f"{name}_{i + 1}" for name in ("grad_norm", "weight_norm", "update_ratio")
                     for i in range(self.layer_count)]
        return ["step", "epoch", "loss", "train_loss", "validation_loss", "train_accuracy",
                "validation_accuracy", *per_layer]

    def to_csv(self) -> str:
        """One line per step; the sampled columns are filled on the steps they were taken.

        ``loss`` is the step's mini-batch loss (before its update); ``train_loss`` and
        ``validation_loss`` are of all rows after the step — the Network tab's status line."""
        columns = self.columns()
        sampled = {row["step"]: row for row in self.rows}
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for step, loss in zip(self.loss.x.astype(int), self.loss.y):
            row = sampled.get(int(step), {})
            writer.writerow([int(step), _cell(row.get("epoch")), repr(float(loss)),
                             *(_cell(row.get(c)) for c in columns[3:])])
        return buffer.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)
