"""Data sets: generated and seeded (no downloads), split into training and validation.

Generators (2-D unless noted; ``noise`` is the standard deviation of Gaussian jitter
added to the inputs, or to the target for regression):

- ``xor``: points away from the axes, class 1 where x₁·x₂ > 0.
- ``circles``: an inner disc (class 1) inside a ring (class 0).
- ``moons``: two interleaved half circles.
- ``spiral``: ``classes`` arms winding around the origin.
- ``blobs``: ``classes`` Gaussian clusters on a circle.
- ``sine`` (1-D regression): y = sin(x) on [−3, 3].
- ``linear`` (2-D regression): y = 1.5 x₁ − 2 x₂ + 0.5.

A classification set keeps integer ``labels``; :meth:`Dataset.targets` encodes them for a
loss (0/1 column for one output, one-hot for several).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from chainrule_gui.core.errors import ModelError

CLASSIFICATION = ("xor", "circles", "moons", "spiral", "blobs")
REGRESSION = ("sine", "linear")
GENERATED = CLASSIFICATION + REGRESSION
LABELS = {"xor": "XOR", "circles": "two circles", "moons": "two moons", "spiral": "spiral",
          "blobs": "Gaussian blobs", "sine": "sine (1-D regression)",
          "linear": "linear regression with noise"}
MAX_SAMPLES = 200_000
MAX_CLASSES = 50


@dataclass(frozen=True, eq=False)
class Dataset:
    """Inputs ``X`` (N × d) and either class ``labels`` (N,) or regression ``values`` (N × k).

    ``train`` and ``validation`` are index arrays into the rows.
    """

    name: str
    X: np.ndarray
    labels: np.ndarray | None = None
    values: np.ndarray | None = None
    train: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    validation: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    feature_names: tuple[str, ...] = ()
    target_name: str = "y"
    class_names: tuple[str, ...] = ()
    description: str = ""

    @property
    def task(self) -> str:
        return "classification" if self.labels is not None else "regression"

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    @property
    def n_classes(self) -> int:
        return len(self.class_names) if self.labels is not None else 0

    @property
    def regression_values(self) -> np.ndarray:
        """The targets of a regression set (one without class labels)."""
        if self.values is None:
            raise ModelError(f"{self.name} has neither class labels nor target values")
        return self.values

    @property
    def target_width(self) -> int:
        """Output units a network needs (for bce/mse on two classes: 1)."""
        if self.labels is None:
            return self.regression_values.shape[1]
        return 1 if self.n_classes == 2 else self.n_classes

    def targets(self, loss: str, output_units: int) -> np.ndarray:
        """Targets (N × output_units) encoded for ``loss``, or ModelError saying what fits."""
        if self.labels is None:
            if loss != "mse":
                raise ModelError(f"{self.name} is a regression data set: use the mse loss")
            values = self.regression_values
            if output_units != values.shape[1]:
                raise ModelError(f"{self.name} has {values.shape[1]} target column(s); give the "
                                 f"output layer {values.shape[1]} unit(s), not {output_units}")
            return values
        k = self.n_classes
        if loss == "softmax_ce" or (output_units == k and k > 2) or (output_units == 2 and k == 2):
            if output_units != k:
                raise ModelError(f"{self.name} has {k} classes: softmax cross-entropy needs {k} output "
                                 f"units, not {output_units}")
            return np.eye(k)[self.labels]
        if output_units == 1 and k == 2:
            return self.labels.reshape(-1, 1).astype(np.float64)
        raise ModelError(f"{self.name} has {k} classes: use {k} output units with softmax "
                         f"cross-entropy" + (" (or 1 with bce)" if k == 2 else "")
                         + f", not {output_units}")

def split_indices(count: int, validation_fraction: float, rng: np.random.Generator):
    """Shuffled (train, validation) indices; at least one training row."""
    if not (0.0 <= validation_fraction < 1.0) or math.isnan(validation_fraction):
        raise ModelError("the validation share must be at least 0 and below 1 (e.g. 0.2 for 20 %)")
    order = rng.permutation(count)
    n_val = min(int(round(count * validation_fraction)), count - 1)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def generate(name: str, samples: int = 200, noise: float = 0.1, validation_fraction: float = 0.2,
             seed: int = 0, classes: int = 2) -> Dataset:
    """A generated data set; the same arguments always give the same numbers."""
    key = str(name).strip().lower()
    if key not in GENERATED:
        raise ModelError(f"unknown data set {name!r}; choose one of {', '.join(GENERATED)} "
                         "or import a CSV file")
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or not 4 <= samples <= MAX_SAMPLES:
        raise ModelError(f"the number of samples must be a whole number from 4 to {MAX_SAMPLES}")
    noise = float(noise)
    if not (0.0 <= noise <= 10.0):
        raise ModelError("noise must be between 0 and 10 (a standard deviation)")
    if key in ("spiral", "blobs"):
        if not 2 <= classes <= MAX_CLASSES:
            raise ModelError(f"{key} needs 2 to {MAX_CLASSES} classes")
    else:
        classes = 2
    rng = np.random.default_rng(seed)
    samples = int(samples)
    values = None
    if key == "xor":
        X = rng.uniform(0.1, 1.0, (samples, 2)) * rng.choice([-1.0, 1.0], (samples, 2))
        labels = (X[:, 0] * X[:, 1] > 0).astype(int)
    elif key == "circles":
        labels = (np.arange(samples) % 2).astype(int)
        radius = np.where(labels == 1, rng.uniform(0.0, 0.5, samples), rng.uniform(0.7, 1.0, samples))
        angle = rng.uniform(0, 2 * math.pi, samples)
        X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    elif key == "moons":
        labels = (np.arange(samples) % 2).astype(int)
        t = rng.uniform(0, math.pi, samples)
        X = np.where(labels[:, None] == 0,
                     np.column_stack([np.cos(t), np.sin(t)]),
                     np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]))
        X = (X - [0.5, 0.25]) / 1.2
    elif key == "spiral":
        labels = (np.arange(samples) % classes).astype(int)
        r = rng.uniform(0.05, 1.0, samples)
        angle = 1.75 * 2 * math.pi * r / 1.0 + labels * 2 * math.pi / classes
        X = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    elif key == "blobs":
        labels = (np.arange(samples) % classes).astype(int)
        centers = np.column_stack([np.cos(2 * math.pi * np.arange(classes) / classes),
                                   np.sin(2 * math.pi * np.arange(classes) / classes)]) * 0.7
        X = centers[labels] + rng.normal(0, 0.2, (samples, 2))
    elif key == "sine":
        X = rng.uniform(-3.0, 3.0, (samples, 1))
        values = np.sin(X) + rng.normal(0, noise, (samples, 1))
        labels = None
    else:
        X = rng.uniform(-1.0, 1.0, (samples, 2))
        values = (1.5 * X[:, :1] - 2.0 * X[:, 1:] + 0.5) + rng.normal(0, noise, (samples, 1))
        labels = None
    if labels is not None and noise:
        X = X + rng.normal(0, noise, X.shape)
    train, validation = split_indices(samples, validation_fraction, rng)
    names = ("x",) if X.shape[1] == 1 else ("x₁", "x₂")
    class_names = tuple(str(c) for c in range(classes)) if labels is not None else ()
    return Dataset(key, X.astype(np.float64), labels, values, train, validation, names, "y",
                   class_names, f"{LABELS[key]}, {samples} samples, noise {noise:g}")


def single_example(name: str, x: list[float], y: list[float]) -> Dataset:
    """A one-row regression set such as the seed's X = [[1, 2]], y = [[10]]."""
    X = np.asarray([x], dtype=np.float64)
    values = np.asarray([y], dtype=np.float64)
    names = tuple(f"x{i + 1}" for i in range(X.shape[1]))
    return Dataset(name, X, None, values, np.arange(1), np.zeros(0, dtype=int), names, "y", (),
                   f"one example: x = {x}, y = {y}")
