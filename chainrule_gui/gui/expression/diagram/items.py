"""The pieces of the diagram: node boxes, edge lines, edge labels and the path callout.

Items keep their footprint from the layout; state changes (highlight, cut, a step of
the step-through) only change how they are painted.  Zoomed far out, text turns into
names only (level of detail), since 4-pixel text is noise.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem

from chainrule_gui.core.diagram.model import DrawnEdge, DrawnNode
from chainrule_gui.gui import theme
from chainrule_gui.gui.expression.diagram.blocks import Block, Run

# Okabe–Ito, the colour-blind-safe palette used across the app (in both themes): paths,
# the clicked edge, the step-through's current step.  Ink, fills and greys come from the
# theme (gui/theme.py) when an item is painted.
ORANGE = QColor("#E69F00")
SKY = QColor("#56B4E9")
GREEN = QColor("#009E73")
BLUE = QColor("#0072B2")
VERMILLION = QColor("#D55E00")
PURPLE = QColor("#CC79A7")
FAULT_WIDTH = 3.4  # a value or slope that cannot be computed at the point: vermillion, thick, tinted
#: Below this many device pixels per scene pixel, only names are drawn.
DETAIL_LOD = 0.5


def _lod(painter: QPainter, option: QStyleOptionGraphicsItem) -> float:
    return option.levelOfDetailFromTransform(painter.worldTransform())


class _Marked:
    """What a node or an edge is marked as: on a lit path, the step-through's current item,
    failing at the point.  ``_mark`` says whether anything changed (a rebuild sets every
    item's marks several times, mostly to what they were)."""

    highlighted = False
    active = False
    fault = False

    def _mark(self, highlighted: bool | None, active: bool | None, fault: bool | None) -> bool:
        changed = False
        if highlighted is not None and highlighted != self.highlighted:
            self.highlighted, changed = highlighted, True
        if active is not None and active != self.active:
            self.active, changed = active, True
        if fault is not None and fault != self.fault:
            self.fault, changed = fault, True
        return changed


class _CentredBox(QGraphicsItem):
    """An item whose box of a given size is centred on its position (nodes, edge labels)."""

    def __init__(self, size: tuple[float, float]):
        super().__init__()
        self._rect = QRectF()
        self.resize(size)

    def rect(self) -> QRectF:
        return QRectF(self._rect)

    def resize(self, size: tuple[float, float]) -> None:
        self.prepareGeometryChange()
        w, h = size
        self._rect = QRectF(-w / 2.0, -h / 2.0, w, h)


class NodeItem(_Marked, _CentredBox):
    """A box: bold name, the expression (typeset), its value, then ∂out/∂node."""

    def __init__(self, drawn: DrawnNode, block: Block, value_run: Run | None, second_run: Run | None,
                 size: tuple[float, float]):
        super().__init__(size)
        self.drawn = drawn
        self.key = drawn.key
        self.name = drawn.name
        self.block = block
        self.value_run = value_run
        self.second_run = second_run
        self.setZValue(2)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor if drawn.kind == "more"
                       else Qt.CursorShape.ArrowCursor)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._rect.adjusted(-3, -3, 3, 3)

    def set_state(self, highlighted: bool | None = None, active: bool | None = None,
                  fault: bool | None = None) -> None:
        if self._mark(highlighted, active, fault):
            self.update()

    def set_numbers(self, value_text: str | None, second_text: str | None,
                    second_color: QColor | None = None) -> None:
        """New numbers in the reserved room (slider drags, step-through)."""
        if self.value_run is not None and value_text is not None:
            self.value_run.text = value_text
        if self.second_run is not None and second_text is not None:
            self.second_run.text = second_text
            if second_color is not None:
                self.second_run.color = second_color
        self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        kind = self.drawn.kind
        t = theme.current()
        pen = QPen(QColor(t.node_border), 1.1)
        if kind == "more":
            pen.setStyle(Qt.PenStyle.DashLine)
        if self.highlighted:
            pen = QPen(VERMILLION, 2.6)
        if self.fault:  # its value cannot be computed here
            pen = QPen(VERMILLION, FAULT_WIDTH)
        if self.active:
            pen = QPen(PURPLE, 3.2)
        painter.setPen(pen)
        painter.setBrush(QBrush(QColor(t.fault_fill if self.fault else t.fills.get(kind, t.fills["intermediate"]))))
        painter.drawRoundedRect(self._rect, 6, 6)
        if _lod(painter, option) < DETAIL_LOD:
            _paint_name_only(painter, self._rect, self.drawn.head if kind != "more" else "⋯")
            return
        self.block.paint(painter, self._rect)


def _paint_name_only(painter: QPainter, rect: QRectF, name: str) -> None:
    """Zoomed out: the name, as large as the box allows."""
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(6, int(min(rect.height() * 0.6, rect.width() / max(1, len(name)) * 1.4))))
    painter.setFont(font)
    painter.setPen(QColor(theme.current().ink))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, name)


class EdgeItem(_Marked, QGraphicsPathItem):
    """The line of one edge; dashed with a scissors mark when cut, faded when its paths vanished."""

    def __init__(self, drawn: DrawnEdge):
        super().__init__()
        self.drawn = drawn
        self.key = drawn.key
        self.edge = drawn.edge  # the variable-graph edge it can cut, or None
        self.label: EdgeLabelItem | None = None
        self.setZValue(0)
        self.setAcceptHoverEvents(True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, drawn.level_edge is not None)
        self._apply_pen()

    def set_route(self, points: list[QPointF]) -> None:
        path = QPainterPath(points[0])
        for p in points[1:]:
            path.lineTo(p)
        self.setPath(path)

    def set_state(self, highlighted: bool | None = None, active: bool | None = None,
                  fault: bool | None = None) -> None:
        if self._mark(highlighted, active, fault):
            self._apply_pen()
            if self.label is not None:
                self.label.update()

    def _apply_pen(self) -> None:
        d = self.drawn
        if self.active:
            pen = QPen(PURPLE, 4.0)
        elif self.isSelected():  # the edge clicked; the paths through it are vermillion
            pen = QPen(BLUE, 3.6)
        elif self.highlighted:
            pen = QPen(VERMILLION, 3.2)
        elif self.fault:  # its local partial cannot be computed here (an infinite slope)
            pen = QPen(VERMILLION, FAULT_WIDTH, Qt.PenStyle.DotLine)
        elif d.cut:  # the cut itself stands out; what it took away fades
            pen = QPen(VERMILLION, 1.6)
        elif d.vanished:
            pen = QPen(theme.current().qcolor("faded"), 1.6)
        elif d.level_edge is None:  # into a "⋯" node
            pen = QPen(QColor(theme.current().edge), 1.2, Qt.PenStyle.DotLine)
        else:
            pen = QPen(QColor(theme.current().edge), 1.6)
        if d.cut:
            pen.setStyle(Qt.PenStyle.DashLine)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self.setPen(pen)

    def itemChange(self, change, value):  # noqa: N802 - Qt override
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self._apply_pen()
            if self.label is not None:
                self.label.update()
        return super().itemChange(change, value)

    def shape(self) -> QPainterPath:  # a wider target than the thin line: easy to click
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self.path())

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        # QGraphicsPathItem's own strokes shape() for wide pens: too slow for 1000 edges.
        # The control points bound a polyline; the margin holds the pen and the scissors.
        return self.path().controlPointRect().adjusted(-12, -12, 12, 12)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setPen(self.pen())
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        if self.drawn.cut and self.label is None:  # a labelled edge carries the mark on its label
            path = self.path()
            first, second = path.elementAt(0), path.elementAt(1)
            _paint_scissors(painter, QPointF((first.x + second.x) / 2.0, (first.y + second.y) / 2.0))


def _paint_scissors(painter: QPainter, at: QPointF) -> None:
    """A small scissors mark (drawn, not a glyph: not every font has ✂)."""
    painter.save()
    painter.translate(at)
    painter.setPen(QPen(VERMILLION, 1.6))
    painter.setBrush(QBrush(QColor(theme.current().label_bg)))
    painter.drawEllipse(QPointF(-4.5, 5.5), 3.0, 3.0)
    painter.drawEllipse(QPointF(4.5, 5.5), 3.0, 3.0)
    painter.drawLine(QPointF(-2.8, 3.0), QPointF(5.5, -7.5))
    painter.drawLine(QPointF(2.8, 3.0), QPointF(-5.5, -7.5))
    painter.restore()


class EdgeLabelItem(_CentredBox):
    """The label of an edge: its local partial (typeset) and its value at the point.

    A separate item drawn above every line (a label belongs on top), which acts for its
    edge: a click on it selects the edge, and it shares the edge's tooltip.
    """

    def __init__(self, edge: EdgeItem, block: Block, value_run: Run | None, size: tuple[float, float]):
        super().__init__(size)
        self.edge_item = edge
        edge.label = self
        self.block = block
        self.value_run = value_run
        self.setZValue(1)
        self.setAcceptHoverEvents(True)

    def boundingRect(self) -> QRectF:  # noqa: N802 - room for a scissors mark on the border
        return self._rect.adjusted(-2, -10, 2, 2)

    def set_value(self, text: str) -> None:
        if self.value_run is not None:
            self.value_run.text = text
            self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        edge = self.edge_item
        faded = edge.drawn.vanished or edge.drawn.cut
        if _lod(painter, option) < DETAIL_LOD:
            return  # zoomed out: the line alone says enough
        border = (PURPLE if edge.active else BLUE if edge.isSelected()
                  else VERMILLION if edge.highlighted or edge.fault else None)
        painter.setPen(QPen(border, 2.4 if edge.fault else 1.6) if border is not None else Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(theme.current().fault_fill if edge.fault else theme.current().label_bg)))
        painter.drawRoundedRect(self._rect, 4, 4)
        if edge.drawn.cut:
            painter.setPen(QPen(VERMILLION, 1.2, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(self._rect, 4, 4)
        painter.save()
        if faded:
            painter.setOpacity(0.45)
        self.block.paint(painter, self._rect)
        painter.restore()
        if edge.drawn.cut:  # on the label's top border, where the line comes in
            _paint_scissors(painter, QPointF(self._rect.left() + 12, self._rect.top()))

    def mousePressEvent(self, event):  # noqa: N802 - a click on the label selects its edge
        if event.button() == Qt.MouseButton.LeftButton and self.edge_item.flags() & \
                QGraphicsItem.GraphicsItemFlag.ItemIsSelectable:
            scene = self.scene()
            if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                scene.clearSelection()
            self.edge_item.setSelected(True)
            event.accept()
            return
        super().mousePressEvent(event)


class CalloutItem(QGraphicsItem):
    """A note above the output: the selected path's factors and their product."""

    def __init__(self, block: Block):
        super().__init__()
        self.block = block
        self._rect = QRectF(-block.width / 2.0, -block.height / 2.0, block.width, block.height)
        self.setZValue(3)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._rect.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setPen(QPen(VERMILLION, 1.6))
        painter.setBrush(QBrush(QColor(theme.current().callout_bg)))
        painter.drawRoundedRect(self._rect, 6, 6)
        self.block.paint(painter, self._rect)


class FaultNoteItem(QGraphicsItem):
    """"⚠ why" next to the box or edge where a value or slope cannot be computed.

    Wrapped to a fixed width so a long reason grows downwards, not across the drawing.
    """

    WIDTH = 230.0
    PAD = 5.0

    def __init__(self, text: str):
        super().__init__()
        self.text = text
        self.font = QFont()
        self.font.setPointSizeF(8.5)
        metrics = QFontMetricsF(self.font)
        bounds = metrics.boundingRect(QRectF(0, 0, self.WIDTH, 1000.0),
                                      int(Qt.TextFlag.TextWordWrap), text)
        w, h = bounds.width() + 2 * self.PAD, bounds.height() + 2 * self.PAD
        self._rect = QRectF(0, -h / 2.0, w, h)
        self.setZValue(4)

    def rect(self) -> QRectF:
        return QRectF(self._rect)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._rect.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        t = theme.current()
        painter.setPen(QPen(VERMILLION, 1.4))
        painter.setBrush(QBrush(QColor(t.callout_bg)))
        painter.drawRoundedRect(self._rect, 4, 4)
        painter.setFont(self.font)
        painter.setPen(QColor(t.fault_ink))  # dark vermillion on the pale fill (light vermillion on dark)
        painter.drawText(self._rect.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD),
                         int(Qt.TextFlag.TextWordWrap), self.text)
