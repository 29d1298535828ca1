"""The tree diagram (``treeDiagram``): the chain rule drawn from the core's layout.

Three views of one snapshot: *tree* (unfolded, a shared name once per path), *graph* (the
DAG) and *operations* (every primitive).  Nodes show name and value; edges show their
local partial and its value.  Clicking an edge selects it (every path through it lights
up); a right click offers to cut it (stop-gradient).
"""

from __future__ import annotations

import networkx as nx
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QMenu,
)

from chainrule_gui.core.chain_graph import RELATION_NODE, derivative_symbol, display_name
from chainrule_gui.core.layout import layered_layout
from chainrule_gui.core.printing import to_text
from chainrule_gui.core.report import fmt
from chainrule_gui.core.tree import unfold_tree
from chainrule_gui.gui.expression.snapshot import ExplorerSnapshot

VIEWS = ("tree", "graph", "operations")
X_SPACING = 190.0
Y_SPACING = 120.0
HIGHLIGHT = QColor("#d55e00")  # Okabe–Ito vermillion: visible to colour-blind readers
EDGE = QColor("#7a7a7a")
CUT = QColor("#bbbbbb")


class EdgeItem(QGraphicsPathItem):
    def __init__(self, key, edge, points, label: str):
        super().__init__()
        self.key = key  # diagram-level id (tree edges are distinct per path)
        self.edge = edge  # (parent, child) in the variable graph, or None
        path = QPainterPath(points[0])
        for p in points[1:]:
            path.lineTo(p)
        self.setPath(path)
        self.setPen(QPen(EDGE, 1.6))
        self.setZValue(0)
        self.setAcceptHoverEvents(True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, edge is not None)
        mid = points[len(points) // 2 - 1] * 0.5 + points[len(points) // 2] * 0.5
        self.label = QGraphicsSimpleTextItem(label, self)
        font = QFont()
        font.setPointSizeF(8.5)
        self.label.setFont(font)
        self.label.setBrush(QBrush(QColor("#1f3a5f")))
        rect = self.label.boundingRect()
        self.label.setPos(mid.x() + 6, mid.y() - rect.height() / 2)
        self.setToolTip(label)

    def shape(self):  # a wider target than the thin line, so edges are easy to click
        from PySide6.QtGui import QPainterPathStroker

        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self.path())

    def set_state(self, highlighted: bool, cut: bool) -> None:
        color = HIGHLIGHT if highlighted else (CUT if cut else EDGE)
        pen = QPen(color, 3.0 if highlighted else 1.6)
        if cut:
            pen.setStyle(Qt.PenStyle.DashLine)
        self.setPen(pen)


class NodeItem(QGraphicsRectItem):
    def __init__(self, key, name: str, text: str, kind: str):
        super().__init__()
        self.key = key
        self.name = name
        self.text_item = QGraphicsSimpleTextItem(text, self)
        font = QFont()
        font.setPointSizeF(9.5)
        self.text_item.setFont(font)
        r = self.text_item.boundingRect()
        w, h = max(48.0, r.width() + 16), r.height() + 10
        self.setRect(-w / 2, -h / 2, w, h)
        self.text_item.setPos(-r.width() / 2, -r.height() / 2)
        fill = {"output": "#ffe7b3", "input": "#d7ebff", "relation": "#f3d9ff",
                "const": "#eeeeee", "op": "#ffffff"}.get(kind, "#f4f4f4")
        self.setBrush(QBrush(QColor(fill)))
        self.setPen(QPen(QColor("#444444"), 1.2))
        self.setZValue(1)
        self.setToolTip(text)


class TreeDiagram(QGraphicsView):
    """QGraphicsView named ``treeDiagram``; see the module docstring."""

    edge_selected = Signal(object)  # (parent, child) of the variable graph, or None
    cut_requested = Signal(object)  # (parent, child)
    view_changed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("treeDiagram")
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setToolTip("Wheel: zoom · drag: pan · click an edge: its paths · right-click an edge: cut it")
        self.view = "tree"
        self.snapshot: ExplorerSnapshot | None = None
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[object, EdgeItem] = {}
        self._highlighted: set[tuple[str, str]] = set()
        self._highlight_paths: list[tuple[str, ...]] = []
        self.scene().selectionChanged.connect(self._on_selection)

    # -- public -------------------------------------------------------------------------
    def set_view(self, view: str) -> None:
        if view not in VIEWS:
            raise ValueError(view)
        if view != self.view:
            self.view = view
            self.view_changed.emit(view)
            if self.snapshot is not None:
                self._rebuild(self.snapshot)

    def show_snapshot(self, snapshot: ExplorerSnapshot) -> None:
        self.snapshot = snapshot
        self._rebuild(snapshot)

    def show_stale(self, stale: bool) -> None:
        self.setEnabled(not stale)
        self.setForegroundBrush(QBrush(QColor(255, 255, 255, 140)) if stale else QBrush())

    def highlight_paths(self, paths: list[tuple[str, ...]]) -> None:
        """Light up the edges of the given variable-level paths."""
        self._highlight_paths = list(paths)
        self._apply_highlight()

    def fit(self) -> None:
        rect = self.scene().itemsBoundingRect().adjusted(-30, -30, 30, 30)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)

    # -- drawing ------------------------------------------------------------------------
    def _rebuild(self, snapshot: ExplorerSnapshot) -> None:
        scene = self.scene()
        scene.blockSignals(True)
        scene.clear()
        scene.blockSignals(False)
        self.nodes.clear()
        self.edges.clear()
        if snapshot.of is None:
            return
        if self.view == "operations":
            self._draw_operations(snapshot)
        else:
            self._draw_variables(snapshot, unfolded=self.view == "tree")
        self._apply_highlight()
        self.fit()

    def _values(self, snapshot):
        ev = snapshot.derivation.evaluation if snapshot.derivation else None
        return ev

    def _draw_variables(self, snapshot: ExplorerSnapshot, unfolded: bool) -> None:
        graph = snapshot.graph
        var = graph.variables
        root = RELATION_NODE if snapshot.is_implicit else snapshot.of
        if unfolded:
            drawn = unfold_tree(var, root)
            name_of = {n: d["name"] for n, d in drawn.nodes(data=True)}
            edge_of = {(u, v): d["edge"] for u, v, d in drawn.edges(data=True)}
        else:
            below = {root} | nx.descendants(var, root)
            drawn = var.subgraph(below)
            name_of = {n: n for n in drawn}
            edge_of = {(u, v): (u, v) for u, v in drawn.edges}
        inputs = [n for n in drawn if name_of[n] in graph.inputs]
        layout = layered_layout(drawn, inputs)
        ev = self._values(snapshot)
        d = snapshot.derivation
        for key, (x, y) in layout.positions.items():
            name = name_of[key]
            value = ev.values.get(name) if ev else None
            adjoint = d.adjoints.get(name) if d else None
            text = f"{display_name(name)} = {fmt(value, 4)}"
            if adjoint is not None and name != root:
                text += f"\n∂{display_name(root)}/∂{name} = {fmt(adjoint, 4)}"
            node = NodeItem(key, name, text, var.nodes[name]["kind"])
            node.setPos(x * X_SPACING, y * Y_SPACING)
            self.scene().addItem(node)
            self.nodes[key] = node
        for (u, v), edge in edge_of.items():
            parent, child = edge
            points = [QPointF(*_scaled(layout.positions[u]))]
            points += [QPointF(*_scaled(p)) for p in layout.edge_points.get((u, v), [])]
            points.append(QPointF(*_scaled(layout.positions[v])))
            symbol = derivative_symbol(parent, child, var.out_degree(parent) == 1)
            value = ev.partials.get(edge) if ev else None
            label = f"{symbol} = {to_text(var.edges[edge]['partial'])}\n= {fmt(value, 4)}"
            item = EdgeItem((u, v), edge, points, label)
            self.scene().addItem(item)
            self.edges[(u, v)] = item

    def _draw_operations(self, snapshot: ExplorerSnapshot) -> None:
        graph = snapshot.graph
        ops = graph.operations
        root = RELATION_NODE if snapshot.is_implicit else snapshot.of
        drawn = ops.subgraph({root} | nx.descendants(ops, root))
        layout = layered_layout(drawn, [n for n in drawn if ops.nodes[n]["kind"] == "input"])
        ev = self._values(snapshot)
        for key, (x, y) in layout.positions.items():
            data = ops.nodes[key]
            value = ev.op_values.get(key) if ev else None
            if data["kind"] == "op":
                text = f"{data['label']}\n{fmt(value, 4)}"
            else:
                text = f"{data['label']} = {fmt(value, 4)}"
            node = NodeItem(key, key, text, data["kind"])
            node.setPos(x * X_SPACING * 0.8, y * Y_SPACING * 0.8)
            self.scene().addItem(node)
            self.nodes[key] = node
        for u, v in drawn.edges:
            points = [self.nodes[u].pos()]
            points += [QPointF(px * X_SPACING * 0.8, py * Y_SPACING * 0.8)
                       for px, py in layout.edge_points.get((u, v), [])]
            points.append(self.nodes[v].pos())
            value = ev.op_partials.get((u, v)) if ev else None
            label = f"{to_text(graph.operation_partial(u, v))} = {fmt(value, 4)}"
            item = EdgeItem((u, v), None, points, label)
            self.scene().addItem(item)
            self.edges[(u, v)] = item

    # -- highlighting and interaction ---------------------------------------------------------
    def _apply_highlight(self) -> None:
        if self.snapshot is None:
            return
        lit = {e for p in self._highlight_paths for e in zip(p, p[1:])}
        for (u, v), item in self.edges.items():
            if self.view == "tree" and item.edge is not None:
                path = tuple(self.scene_path(v))
                on = any(path == p[: len(path)] for p in self._highlight_paths)
            else:
                on = item.edge in lit if item.edge else False
            item.set_state(on, item.edge in self.snapshot.cut if item.edge else False)

    def scene_path(self, tree_key: str) -> list[str]:
        return tree_key.split("/")

    def _on_selection(self) -> None:
        selected = [i for i in self.scene().selectedItems() if isinstance(i, EdgeItem)]
        self.edge_selected.emit(selected[0].edge if selected else None)

    def contextMenuEvent(self, event):  # noqa: N802 - Qt override
        item = self.itemAt(event.pos())
        while item is not None and not isinstance(item, EdgeItem):
            item = item.parentItem()
        if item is None or item.edge is None:
            return
        menu = QMenu(self)
        cut = item.edge in (self.snapshot.cut if self.snapshot else ())
        action = menu.addAction("Restore this edge" if cut else "Cut this edge (stop gradient)")
        if menu.exec(event.globalPos()) is action:
            self.cut_requested.emit(item.edge)

    def wheelEvent(self, event):  # noqa: N802 - Qt override
        factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
        self.scale(factor, factor)


def _scaled(p):
    return p[0] * X_SPACING, p[1] * Y_SPACING

