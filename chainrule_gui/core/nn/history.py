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


def debiased_ema(values: np.ndarray, weight: float) -> np.ndarray:
    """TensorBoard's smoothing of ``values``; NaN/inf entries are skipped (stay NaN)."""
    values = np.asarray(values, dtype=float)
    if weight <= 0 or values.size == 0:
        return values.copy()
    weight = min(float(weight), 0.9999)
    out = np.full(values.shape, np.nan)
    finite = np.isfinite(values)
    y = values[finite]
    # Closed form per chunk: m_t = w^(t+1) m_{-1} + (1−w) Σ_{k≤t} w^(t−k) y_k.  Chunks keep
    # w^(−k) far from overflow.
    chunk = max(1, min(4096, int(200 / -math.log10(weight))))
    smoothed = np.empty_like(y)
    m = 0.0
    for start in range(0, len(y), chunk):
        part = y[start:start + chunk]
        k = np.arange(len(part))
        powers = weight ** k
        acc = np.cumsum(part / powers) * powers * (1 - weight)
        smoothed[start:start + len(part)] = weight ** (k + 1) * m + acc
        m = smoothed[start + len(part) - 1]
    count = np.arange(1, len(y) + 1)
    out[finite] = smoothed / (1 - weight ** count)
    return out


class TrainingLog:
    """Per-step loss plus sampled rows (validation loss, accuracy, per-layer norms)."""

    def __init__(self, layer_count: int):
        self.layer_count = layer_count
        self.loss = Series()
        self.validation = Series()
        self.rows: list[dict] = []

    def add_losses(self, steps, losses) -> None:
        self.loss.extend(steps, losses)

    def add_row(self, row: dict) -> None:
        self.rows.append(row)
        if row.get("validation_loss") is not None:
            self.validation.append(row["step"], row["validation_loss"])

    def columns(self) -> list[str]:
        per_layer = [f"{name}_{i + 1}" for name in ("grad_norm", "weight_norm", "update_ratio")
                     for i in range(self.layer_count)]
        return ["step", "epoch", "loss", "validation_loss", "train_accuracy",
                "validation_accuracy", *per_layer]

    def to_csv(self) -> str:
        """One line per step; the sampled columns are filled on the steps they were taken."""
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
