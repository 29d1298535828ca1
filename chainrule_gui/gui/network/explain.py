"""Worked numbers for the diagram: a weight's gradient as a chain of factors, a neuron's
values, and the backprop equation of a layer with the current numbers.

All from one step's :class:`LayerRecord`s (rows = the batch, first example shown).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from chainrule_gui.core.nn.activations import activation
from chainrule_gui.gui import theme
from chainrule_gui.gui.typeset import latex_pixmap

FUSED = {"bce", "softmax_ce"}


def _f(value: float) -> str:
    return f"{value:.4g}"


def _sup(number: int) -> str:
    """Layer numbers as superscripts in parentheses, as in W⁽²⁾ (not a power)."""
    return "⁽" + str(number).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")) + "⁾"


def _weights_before(record) -> np.ndarray:
    """W as it was when the step's gradient was computed (the record holds W after it)."""
    return record.W + record.update[:-1] if record.update is not None else record.W


def upstream(records, layer: int, unit: int, example: int = 0) -> float:
    """(δ_{l+1} W_{l+1}ᵀ)_unit for one example: what flows back into unit ``unit``."""
    above = records[layer + 1]
    return float(above.delta[example] @ _weights_before(above)[unit])


def weight_tooltip(records, inputs, loss: str, l2: float, layer: int, row: int, column: int) -> str:
    """HTML: w, ∂L/∂w and the chain of factors behind it (first example of the batch)."""
    r = records[layer]
    L = r.number
    w_now = float(r.W[row, column])
    head = (f"<b>W{_sup(L)}[{row + 1}→{column + 1}]</b> = {_f(w_now)}"
            f"<br>from unit {row + 1} of {'the input' if layer == 0 else f'layer {layer}'} "
            f"to unit {column + 1} of {'the output' if layer == len(records) - 1 else f'layer {L}'}")
    if r.dW is None:
        why = "frozen: no gradient is computed for it" if r.frozen else "below the lowest trainable layer"
        return f"{head}<br><i>{why}</i>"
    a_prev = inputs if layer == 0 else records[layer - 1].a
    n = r.delta.shape[0]
    g = float(r.dW[row, column])
    a0 = float(a_prev[0, row]) if a_prev is not None and len(a_prev) else float("nan")
    d0 = float(r.delta[0, column])
    decay = " + λ·w" if l2 else ""
    lines = [head,
             f"∂L/∂w = <b>{_f(g)}</b> = Σ<sub>n</sub> a{_sup(L - 1)}<sub>{row + 1}</sub> · "
             f"δ{_sup(L)}<sub>{column + 1}</sub> over {n} example{'s' if n != 1 else ''}{decay}",
             f"example 1: a = {_f(a0)} × δ = {_f(d0)} → {_f(a0 * d0)}"]
    if layer == len(records) - 1:
        if loss in FUSED:
            lines.append(f"δ{_sup(L)}<sub>{column + 1}</sub> = (ŷ − y)/n from the loss "
                         "(σ′ folded into the cross-entropy)")
        else:
            sigma = activation(r.activation).derivative(r.z[:1], r.a[:1])[0, column]
            lines.append(f"δ{_sup(L)}<sub>{column + 1}</sub> = ∂L/∂a · σ′(z) = {_f(d0 / sigma if sigma else 0)}"
                         f" × {_f(sigma)}")
    else:
        up = upstream(records, layer, column)
        sigma = activation(r.activation).derivative(r.z[:1], r.a[:1])[0, column]
        lines.append(f"δ{_sup(L)}<sub>{column + 1}</sub> = (δ{_sup(L + 1)} W{_sup(L + 1)}ᵀ)"
                     f"<sub>{column + 1}</sub> · σ′(z) = {_f(up)} × {_f(sigma)}")
    if r.update is not None:
        change = -float(r.update[row, column])
        lines.append(f"last update: w ← w {'+' if change >= 0 else '−'} {_f(abs(change))}")
    return "<br>".join(lines)


def neuron_tooltip(records, inputs, layer: int, unit: int) -> str:
    if layer < 0:
        value = "" if inputs is None or not len(inputs) else f"<br>example 1: x = {_f(inputs[0, unit])}"
        return f"<b>input {unit + 1}</b>{value}"
    r = records[layer]
    text = (f"<b>unit {unit + 1} of layer {r.number}</b> ({r.activation})"
            f"<br>bias b = {_f(r.b[unit])}<br>example 1: z = {_f(r.z[0, unit])}, a = σ(z) = {_f(r.a[0, unit])}")
    if r.delta is not None:
        text += f"<br>δ = ∂L/∂z = {_f(r.delta[0, unit])}"
    return text


def _vector(values: np.ndarray, limit: int = 6) -> str:
    shown = ", ".join(_f(v) for v in values[:limit])
    more = f", … ({len(values) - limit} more)" if len(values) > limit else ""
    return f"[{shown}{more}]"


def _stack(pixmaps: list[QPixmap]) -> QPixmap:
    """The formulas one under the other (each line stays narrow enough for the panel)."""
    ratio = pixmaps[0].devicePixelRatio()
    width = max(p.width() for p in pixmaps)
    height = sum(p.height() for p in pixmaps) + int(6 * ratio)
    out = QPixmap(width, height)
    out.setDevicePixelRatio(ratio)
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    y = 0.0
    for p in pixmaps:
        painter.drawPixmap(0, int(y), p)
        y += p.height() / ratio + 6
    painter.end()
    return out


class EquationPanel(QWidget):
    """The clicked layer's backprop equation, with the current numbers."""

    def __init__(self):
        super().__init__()
        self.setObjectName("equationPanel")
        self.title = QLabel("<b>Click a layer</b> in the diagram to see its backprop equation "
                            "with the current numbers.")
        self.title.setWordWrap(True)
        self.formula = QLabel(objectName="equationFormula")
        self.formula.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self.formula.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.numbers = QLabel(objectName="equationNumbers")
        self.numbers.setWordWrap(True)
        self.numbers.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.numbers.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        box = QVBoxLayout(self)
        box.setContentsMargins(6, 4, 6, 4)
        box.addWidget(self.title)
        box.addWidget(self.formula)
        box.addWidget(self.numbers, 1)
        self.layer: int | None = None
        self._shown = None
        theme.follow(self, lambda _t: self.show_layer(*self._shown) if self._shown else None, now=False)

    def clear(self, layers: int) -> None:
        """A new network (a preset, Reset, Open): none of the numbers shown belong to it.
        A chosen layer stays chosen if the new network has it."""
        if self.layer is not None and self.layer >= layers:
            self.layer = None
        self._shown = None
        self.formula.clear()
        self.numbers.clear()
        if self.layer is None:
            self.title.setText("<b>Click a layer</b> in the diagram to see its backprop equation "
                               "with the current numbers.")
        else:
            self.title.setText(f"<b>Layer {self.layer + 1}</b>: press Step (F10) to see its backprop "
                               "equation with the numbers of a step of this network.")

    def show_layer(self, layer: int | None, records, loss: str, step: int | None = None) -> None:
        if records and layer is not None and layer >= len(records):
            self.clear(len(records))
            return
        self.layer = layer
        self._shown = (layer, records, loss, step)
        if layer is None or not records:
            return
        r = records[layer]
        L, last = r.number, len(records)
        kind = "output layer" if L == last else f"layer {L}"
        at = f" — step {step:,}" if step is not None else ""
        self.title.setText(f"<b>{kind.capitalize()}</b>: {r.W.shape[0]} → {r.W.shape[1]} units, "
                           f"{r.activation}{' — frozen' if r.frozen else ''}{at}")
        if L == last:
            delta = (rf"\delta^{{({L})}} = (\hat{{y}} - y)\,/\,n" if loss in FUSED
                     else rf"\delta^{{({L})}} = \nabla_a L \odot \sigma'(z^{{({L})}})")
        else:
            delta = rf"\delta^{{({L})}} = (\delta^{{({L + 1})}} W^{{({L + 1})T}}) \odot \sigma'(z^{{({L})}})"
        grads = (rf"\nabla W^{{({L})}} = a^{{({L - 1})T}} \delta^{{({L})}},"
                 rf"\quad \nabla b^{{({L})}} = \sum_n \delta^{{({L})}}")
        ink = theme.current().ink
        pixmaps = [latex_pixmap(text, 11.0, ink, self.devicePixelRatioF()) for text in (delta, grads)]
        if all(p is not None for p in pixmaps):
            self.formula.setPixmap(_stack(pixmaps))
        else:
            self.formula.setText(f"{delta}<br>{grads}")
        rows = [f"example 1 of {r.z.shape[0]}:",
                f"z = {_vector(r.z[0])}",
                f"σ′(z) = {_vector(activation(r.activation).derivative(r.z[:1], r.a[:1])[0])}"]
        if r.delta is None:
            rows.append("δ: not computed — nothing below the lowest trainable layer needs it")
        else:
            if L < last:
                rows.append(f"δ{_sup(L + 1)} W{_sup(L + 1)}ᵀ = "
                            f"{_vector(np.array([upstream(records, layer, j) for j in range(r.z.shape[1])]))}")
            rows.append(f"δ = {_vector(r.delta[0])}")
        if r.grad_norm is None:
            rows.append("frozen: no ∇W, no update")
        else:
            rows.append(f"‖∇W‖ = {_f(r.grad_norm)}, ‖∇b‖ = {_f(r.bias_grad_norm)}, ‖W‖ = {_f(r.weight_norm)}, "
                        f"‖ΔW‖/‖W‖ = {r.update_ratio:.2e}")
        self.numbers.setText("<br>".join(rows))
