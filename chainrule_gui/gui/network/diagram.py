"""``networkDiagram``: neurons and weights; line width by |w|, colour by sign.

While training, a toggle draws the gradient instead (width by |∂L/∂w|, colour by its
sign).  Clicking a layer selects it (its backprop equation is shown elsewhere); hovering
a weight shows w, ∂L/∂w and the chain of factors that produced it.  Frozen layers are
grey and dashed.  Large layers show their first neurons and a "+N more" note, so a
784-input network stays drawable.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from chainrule_gui.gui import theme

MAX_SHOWN = 10
COLUMN_GAP = 170.0
ROW_GAP = 44.0
RADIUS = 13.0
POSITIVE = QColor("#0072b2")  # Okabe–Ito blue (sky blue on a dark background)
POSITIVE_ON_DARK = QColor("#56b4e9")
NEGATIVE = QColor("#d55e00")  # Okabe–Ito vermillion
FROZEN = QColor("#a0a0a0")
HEADER_POINTS = 8.5
SHORT = {"identity": "linear", "leaky_relu": "leaky", "sigmoid": "sigm"}


class WeightItem(QGraphicsLineItem):
    def __init__(self, layer: int, row: int, column: int, start: QPointF, end: QPointF,
                 describe: Callable[[int, int, int], str]):
        super().__init__(start.x(), start.y(), end.x(), end.y())
        self.key = (layer, row, column)
        self._describe = describe
        self.setAcceptHoverEvents(True)
        self.setZValue(-1)

    def shape(self) -> QPainterPath:  # a wider target than the drawn line, for hovering
        path = QPainterPath(self.line().p1())
        path.lineTo(self.line().p2())
        stroker = QPainterPathStroker()
        stroker.setWidth(7)
        return stroker.createStroke(path)

    def hoverEnterEvent(self, event):  # noqa: N802 - Qt override
        self.setToolTip(self._describe(*self.key))
        pen = self.pen()
        self._pen = QPen(pen)
        pen.setWidthF(pen.widthF() + 2)
        self.setPen(pen)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event):  # noqa: N802 - Qt override
        if getattr(self, "_pen", None) is not None:
            self.setPen(self._pen)
            self._pen = None
        super().hoverLeaveEvent(event)


class NeuronItem(QGraphicsEllipseItem):
    def __init__(self, layer: int, unit: int, center: QPointF, describe: Callable[[int, int], str]):
        super().__init__(center.x() - RADIUS, center.y() - RADIUS, 2 * RADIUS, 2 * RADIUS)
        self.key = (layer, unit)
        self._describe = describe
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def hoverEnterEvent(self, event):  # noqa: N802 - Qt override
        self.setToolTip(self._describe(*self.key))
        super().hoverEnterEvent(event)


class LayerBand(QGraphicsRectItem):
    """The clickable column behind a layer."""

    def __init__(self, layer: int, rect: QRectF):
        super().__init__(rect)
        self.layer = layer
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        self.setZValue(-5)
        self.setCursor(Qt.CursorShape.PointingHandCursor)


class NetworkDiagram(QGraphicsView):
    layer_clicked = Signal(int)  # 0-based layer (the input is −1)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("networkDiagram")
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setToolTip("")
        self.weights: dict[tuple[int, int, int], WeightItem] = {}
        self.neurons: dict[tuple[int, int], NeuronItem] = {}
        self.bands: list[LayerBand] = []
        self.headers: list[QGraphicsSimpleTextItem] = []
        self.frozen: list[bool] = []
        self.color_by_gradient = False
        self.selected: int | None = None
        self.describe_weight: Callable[[int, int, int], str] = lambda *k: ""
        self.describe_neuron: Callable[[int, int], str] = lambda *k: ""
        self._shown: list[list[int]] = []
        self._more: list[QGraphicsSimpleTextItem] = []
        self._last_weights = None
        self.caption = None
        theme.follow(self, self._restyle)

    # -- structure --------------------------------------------------------------------------
    def set_network(self, network) -> None:
        scene = self.scene()
        scene.clear()
        self.weights, self.neurons, self.bands, self.headers, self._more = {}, {}, [], [], []
        sizes = network.sizes
        self.frozen = [layer.frozen for layer in network.layers]
        self._shown = [list(range(min(n, MAX_SHOWN))) for n in sizes]
        tallest = max(len(s) for s in self._shown)
        centers: list[list[QPointF]] = []
        for column, shown in enumerate(self._shown):
            x = column * COLUMN_GAP
            top = (tallest - len(shown)) * ROW_GAP / 2
            centers.append([QPointF(x, top + r * ROW_GAP) for r in range(len(shown))])
        height = max(tallest * ROW_GAP, ROW_GAP)
        for column in range(len(sizes)):
            rect = QRectF(column * COLUMN_GAP - COLUMN_GAP / 2 + 8, -110, COLUMN_GAP - 16, height + 140)
            band = LayerBand(column - 1, rect)
            scene.addItem(band)
            self.bands.append(band)
            font = QFont()
            font.setPointSizeF(HEADER_POINTS)
            header = scene.addSimpleText(self._header(network, column), font)
            # Labels keep their size however far the view zooms out to fit a wide network.
            header.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            self.headers.append(header)
            hidden = sizes[column] - len(self._shown[column])
            if hidden > 0:
                more = scene.addSimpleText(f"+{hidden} more")
                more.setBrush(QColor(theme.current().muted))
                self._more.append(more)
                more.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
                last = centers[column][-1]
                more.setPos(last.x() - RADIUS, last.y() + RADIUS + 4)
        for layer in range(len(sizes) - 1):
            for i, a in enumerate(centers[layer]):
                for j, b in enumerate(centers[layer + 1]):
                    item = WeightItem(layer, i, j, a, b, self.describe_weight)
                    scene.addItem(item)
                    self.weights[(layer, i, j)] = item
        for column, points in enumerate(centers):
            for unit, center in enumerate(points):
                item = NeuronItem(column - 1, unit, center, self.describe_neuron)
                scene.addItem(item)
                self.neurons[(column - 1, unit)] = item
        self.caption = scene.addSimpleText("")
        self.caption.setBrush(QColor(theme.current().muted))
        self.caption.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.caption.setPos(-COLUMN_GAP / 2 + 10, height + 8)
        self._caption()
        self._style_structure()
        self.show_weights(network.weight_views())
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-20, -20, 20, 20))
        self.fit()

    def _caption(self) -> None:
        what = "∂L/∂w" if self.color_by_gradient else "w"
        self.caption.setText(f"blue: {what} > 0   orange: {what} < 0   width ∝ |{what}|\n"
                             "click a layer for its backprop equation; hover a weight for its gradient")

    def _header(self, network, column: int) -> str:
        if column == 0:
            return f"input\n{network.sizes[0]}"
        layer = network.layers[column - 1]
        name = "output" if column == len(network.sizes) - 1 else f"layer {column}"
        frozen = "\n❄ frozen" if layer.frozen else ""
        return f"{name}\n{layer.fan_out} {SHORT.get(layer.activation.name, layer.activation.name)}{frozen}"

    def _place_headers(self) -> None:
        """Centre each header over its column, above the top neuron (the text ignores zoom,
        so its size in scene units is its size in pixels over the scale)."""
        scale = self.transform().m11() or 1.0
        top = min((item.rect().top() for item in self.neurons.values()), default=0.0)
        for column, header in enumerate(self.headers):
            box = header.boundingRect()
            header.setPos(column * COLUMN_GAP - box.width() / scale / 2, top - 6 / scale - box.height() / scale)

    def set_frozen(self, frozen: list[bool], network) -> None:
        self.frozen = list(frozen)
        for column, header in enumerate(self.headers):
            header.setText(self._header(network, column))
        self._place_headers()
        self._style_structure()

    def _restyle(self, t: theme.Theme) -> None:
        """The theme's background, neurons, texts, and the weights' colours again."""
        self.setBackgroundBrush(QColor(t.paper))
        self._style_structure()
        for item in self._more + ([self.caption] if self.caption is not None else []):
            item.setBrush(QColor(t.muted))
        if self._last_weights is not None:
            self.show_weights(*self._last_weights)

    def _style_structure(self) -> None:
        t = theme.current()
        for (layer, _unit), item in self.neurons.items():
            frozen = layer >= 0 and self.frozen[layer]
            item.setBrush(QColor(t.neuron_frozen if frozen else t.neuron_fill))
            item.setPen(QPen(FROZEN if frozen else QColor(t.neuron_border), 1.6,
                             Qt.PenStyle.DashLine if frozen else Qt.PenStyle.SolidLine))
        for band in self.bands:
            band.setBrush(QBrush(QColor(t.selected_bg)) if band.layer == self.selected and band.layer >= 0
                          else QBrush(Qt.BrushStyle.NoBrush))
        for column, header in enumerate(self.headers):
            frozen = column > 0 and self.frozen[column - 1]
            header.setBrush(FROZEN if frozen else QColor(t.ink))

    # -- values -----------------------------------------------------------------------------
    def set_color_by_gradient(self, on: bool) -> None:
        self.color_by_gradient = on
        if self.headers:
            self._caption()

    def show_weights(self, pairs, grads=None) -> None:
        """Pens from the weights [(W, b), ...] or, in gradient mode, from ∂L/∂W."""
        self._last_weights = (pairs, grads)
        positive = POSITIVE_ON_DARK if theme.current().dark else POSITIVE
        use_grad = self.color_by_gradient and grads is not None
        matrices = [g for g in grads] if use_grad else [W for W, _ in pairs]
        shown = [m[np.ix_(self._shown[i], self._shown[i + 1])] if m is not None else None
                 for i, m in enumerate(matrices)]
        finite = [np.abs(m[np.isfinite(m)]) for m in shown if m is not None and m.size]
        peak = max((float(m.max()) for m in finite if m.size), default=0.0) or 1.0
        for (layer, i, j), item in self.weights.items():
            m = shown[layer]
            frozen = self.frozen[layer]
            if m is None:  # no gradient in a frozen layer
                pen = QPen(FROZEN, 0.8, Qt.PenStyle.DashLine)
            else:
                value = float(m[i, j])
                width = 0.4 + 5.6 * min(abs(value) / peak, 1.0) if np.isfinite(value) else 0.4
                color = QColor(positive if value >= 0 else NEGATIVE)
                if frozen:
                    color = QColor(FROZEN)
                color.setAlpha(110 + int(145 * min(abs(value) / peak, 1.0)) if np.isfinite(value) else 60)
                pen = QPen(color, width, Qt.PenStyle.DashLine if frozen else Qt.PenStyle.SolidLine)
            if getattr(item, "_pen", None) is not None:  # hovered: keep it highlighted
                item._pen = pen
                pen = QPen(pen)
                pen.setWidthF(pen.widthF() + 2)
            item.setPen(pen)

    def select_layer(self, layer: int | None) -> None:
        self.selected = layer
        self._style_structure()

    def fit(self) -> None:
        self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self._place_headers()

    # -- events -----------------------------------------------------------------------------
    def mousePressEvent(self, event):  # noqa: N802 - Qt override
        for item in self.items(event.position().toPoint()):
            if isinstance(item, (NeuronItem, LayerBand)):
                layer = item.key[0] if isinstance(item, NeuronItem) else item.layer
                if layer >= 0:
                    self.select_layer(layer)
                    self.layer_clicked.emit(layer)
                return
        super().mousePressEvent(event)

    def resizeEvent(self, event):  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.fit()
