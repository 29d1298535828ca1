"""Vanishing and exploding gradients, stalled and oversized updates — said in plain words.

Backprop multiplies the gradient by Wᵀ and σ′ once per layer on its way down, so in a
deep net it can shrink (σ′ ≤ ¼ for sigmoid) or grow geometrically.  The signs checked
here, on one step's per-layer record:

- vanishing: the lowest trainable layer's ‖∇W‖ is two orders of magnitude below the top
  layer's (ratio < 1e-2);
- exploding: it is two orders of magnitude above (ratio > 1e2);
- stalled: every trainable layer's ‖ΔW‖/‖W‖ is below 1e-5 (a healthy step is near 1e-3);
- oversized: some layer's ‖ΔW‖/‖W‖ is above 0.1 — each step rewrites a tenth of it;
- dead ReLUs: over half of a ReLU layer's units output 0 for the whole batch;
- exploding loss: the smoothed loss has risen ``RISING_LOSS`` times above its low.  Then
  the learning rate is the cause, and tiny lower-layer gradients are its symptom (the
  units saturate), so no vanishing-gradient advice is given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from chainrule_gui.core.nn.snapshot import LayerRecord, TrainingFault

VANISHING_RATIO = 1e-2
EXPLODING_RATIO = 1e2
STALLED_UPDATE = 1e-5
OVERSIZED_UPDATE = 1e-1
DEAD_FRACTION = 0.5
CONVERGED_LOSS = 1e-3
RISING_LOSS = 3.0  # the trainer stops at 10× (training.EXPLODING_FACTOR); this warns first


@dataclass(frozen=True)
class Diagnosis:
    kind: str  # vanishing, exploding, stalled, oversized, dead_relu
    message: str
    advice: str

    def __str__(self) -> str:
        return f"{self.message} {self.advice}"


def _orders(ratio: float) -> str:
    if ratio <= 0:
        return "vanishingly small"
    exponent = f"{math.log10(ratio):+.0f}".replace("+", "⁺").replace("-", "⁻")
    return "10" + exponent.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def diagnose(records: tuple[LayerRecord, ...], learning_rate: float | None = None,
             loss: float | None = None, smoothed: float | None = None,
             lowest: float | None = None) -> list[Diagnosis]:
    """What looks wrong in one step's record (empty when nothing does).

    With ``loss`` given, tiny updates at a loss below ``CONVERGED_LOSS`` are convergence,
    not a stall, and are not reported.  With the trainer's ``smoothed`` loss and its
    ``lowest``, a loss climbing by RISING_LOSS or more is reported as exploding.
    """
    found: list[Diagnosis] = []
    trained = [r for r in records if r.grad_norm is not None]
    rising = _exploding_loss(learning_rate, smoothed, lowest)
    if rising is not None:
        found.append(rising)
    elif len(trained) >= 2:
        gradients = _gradient_ratio(trained[0], trained[-1], records)
        if gradients is not None:
            found.append(gradients)
    ratios = [r.update_ratio for r in trained if math.isfinite(r.update_ratio)]
    converged = loss is not None and loss < CONVERGED_LOSS
    if ratios and max(ratios) < STALLED_UPDATE and not converged:
        found.append(Diagnosis(
            "stalled",
            f"Updates are tiny: each step changes the weights by at most {max(ratios):.1e} of their "
            "size (about 1e-3 is healthy).",
            "Raise the learning rate, or use ReLU with He initialization so gradients reach "
            "the lower layers."))
    big = [r for r in trained if math.isfinite(r.update_ratio) and r.update_ratio > OVERSIZED_UPDATE]
    if big:
        worst = max(big, key=lambda r: r.update_ratio)
        lr = f" (now {learning_rate:g})" if learning_rate else ""
        found.append(Diagnosis(
            "oversized",
            f"Updates are large: layer {worst.number} changes by {worst.update_ratio:.0%} of its "
            "weights in one step.",
            f"Lower the learning rate{lr}; training may oscillate or diverge."))
    for r in records[:-1]:
        if r.activation == "relu" and r.a.size and r.a.shape[0] > 1:
            dead = float(np.mean(np.all(r.a <= 0, axis=0)))
            if dead > DEAD_FRACTION:
                found.append(Diagnosis(
                    "dead_relu",
                    f"{dead:.0%} of layer {r.number}'s ReLU units output 0 for every example in the "
                    "batch: they get no gradient and cannot recover.",
                    "Lower the learning rate, use He initialization, or try leaky ReLU."))
                break
    return found


def _exploding_loss(learning_rate: float | None, smoothed: float | None,
                    lowest: float | None) -> Diagnosis | None:
    """The smoothed loss has climbed RISING_LOSS times above its low, if it has."""
    if smoothed is None or lowest is None:
        return None
    if not (math.isfinite(smoothed) and 0 < lowest < math.inf and smoothed > RISING_LOSS * lowest):
        return None
    lr = f" (now {learning_rate:g})" if learning_rate else ""
    return Diagnosis(
        "exploding",
        f"Exploding loss: smoothed over the last steps it is {smoothed:.3g}, {smoothed / lowest:.0f} times "
        f"its low of {lowest:.3g}; each update overshoots.",
        f"Lower the learning rate{lr}, e.g. to a tenth.")


def _gradient_ratio(low: LayerRecord, top: LayerRecord,
                    records: tuple[LayerRecord, ...]) -> Diagnosis | None:
    """Vanishing or exploding gradients: the lowest trainable layer's ‖∇W‖ against the top's."""
    low_norm, top_norm = low.grad_norm, top.grad_norm
    if low_norm is None or top_norm is None:  # a frozen layer has no gradient to compare
        return None
    if not (top_norm > 0 and math.isfinite(low_norm)):
        return None
    ratio = low_norm / top_norm
    if ratio < VANISHING_RATIO:
        saturating = {r.activation for r in records[:-1]} & {"sigmoid", "tanh"}
        return Diagnosis(
            "vanishing",
            f"Vanishing gradients: layer {low.number}'s gradient is {_orders(ratio)} of layer "
            f"{top.number}'s ({low_norm:.2g} vs {top_norm:.2g}); the lower layers "
            "barely learn.",
            "Try ReLU with He initialization, fewer layers, or a larger initial scale"
            + (f" ({' and '.join(sorted(saturating))} "
               f"{'shrinks' if len(saturating) == 1 else 'shrink'} the gradient by σ′ at every "
               "layer)." if saturating else "."))
    if ratio > EXPLODING_RATIO:
        return Diagnosis(
            "exploding",
            f"Exploding gradients: layer {low.number}'s gradient is {_orders(ratio)} times layer "
            f"{top.number}'s ({low_norm:.2g} vs {top_norm:.2g}).",
            "Lower the learning rate, use Xavier or He initialization instead of large "
            "random weights, or add L2 weight decay.")
    return None


def diagnose_fault(fault: TrainingFault, learning_rate: float | None = None) -> Diagnosis:
    """What stopped training, for the same strip as the other diagnoses: the record of the
    failed step is gone (its weights were restored), so the gradients cannot be judged."""
    lr = f" (now {learning_rate:g})" if learning_rate else ""
    if fault.kind == "exploding":
        message = f"Exploding loss: training stopped at step {fault.step} as the loss climbed by orders of magnitude."
    else:
        message = f"Diverged: the loss stopped being a finite number at step {fault.step}."
    return Diagnosis("exploding", message, f"Lower the learning rate{lr}, e.g. to a tenth.")
