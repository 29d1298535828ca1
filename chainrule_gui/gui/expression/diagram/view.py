"""The tree diagram (``treeDiagram``): the chain rule drawn from the core's layout.

Three views of one snapshot — *tree* (unfolded: a shared name once per path), *graph*
(the DAG) and *operations* (every primitive).  Nodes show name, expression, value and
∂out/∂node; every edge its local partial, typeset, and its value, or either alone.
Clicking an edge lights up every path through it; right-clicking cuts it
(stop-gradient).  Wheel, +/− zoom, drag pans, Ctrl+0 fits.  A new structure is built
once; moving the point only rewrites numbers in place.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QPainter
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QMenu, QToolTip

from chainrule_gui.core.diagram.model import (
    TREE_BUDGET,
    VIEWS,
    DiagramNumbers,
    build_diagram,
    diagram_numbers,
    fault_marks,
    partial_numbers,
)
from chainrule_gui.core.errors import NumericError
from chainrule_gui.core.explorer.state import structure_key
from chainrule_gui.core.graph.chain_graph import RELATION_NODE, derivative_symbol
from chainrule_gui.gui import startup, theme
from chainrule_gui.gui.expression.diagram import export
from chainrule_gui.gui.expression.diagram.actions import LABEL_MODE_TITLES, make_actions
from chainrule_gui.gui.expression.diagram.drawing import LABEL_MODES, Drawing, FrameView, number
from chainrule_gui.gui.expression.diagram.items import EdgeItem, EdgeLabelItem, NodeItem
from chainrule_gui.gui.expression.diagram.overlays import Overlays
from chainrule_gui.gui.expression.diagram.typesetter import Typesetter, warm_up_in_background
from chainrule_gui.gui.expression.snapshot import ExplorerSnapshot
from chainrule_gui.gui.expression.stale import StaleVeil

MIN_SCALE, MAX_SCALE = 0.04, 6.0
MAX_FIT_SCALE = 1.4
#: A new drawing opens at least this large (text stays readable); Ctrl+0 shows it all.
MIN_READABLE_SCALE = 0.7
#: Kept free above the output for the selected path's product (so hovering never refits).
CALLOUT_ROOM = 56.0
#: Drawings up to this many boxes are laid out again once their labels are typeset.
RELAYOUT_MAX_ITEMS = 400
ZOOM_STEP = 1.2


class TreeDiagram(QGraphicsView):
    """QGraphicsView named ``treeDiagram``; see the module docstring."""

    #: Keys the diagram answers itself (keyPressEvent), for the shortcut sheet.
    KEY_HELP = (("+", "Zoom in (over the diagram)"), ("−", "Zoom out (over the diagram)"),
                ("0, Home", "Fit the whole diagram (over the diagram)"),
                ("Arrow keys", "Pan the diagram"))

    edge_selected = Signal(object)  # (parent, child) of the variable graph, or None
    cut_requested = Signal(object)  # (parent, child)
    restore_cuts_requested = Signal()
    view_changed = Signal(str)
    label_mode_changed = Signal(str)
    drawing_changed = Signal()  # a new drawing (structure, view, folds) is on screen

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("treeDiagram")
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                            | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        theme.follow(self, self._restyle)
        # Panning is by dragging (and the arrow keys): scrollbars would only take room.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setToolTip("Wheel or +/−: zoom · drag: pan · Ctrl+0: fit · click an edge: its paths · "
                        "right-click an edge: cut it")
        self.typesetter = Typesetter(self)
        self.typesetter.visible_rect = self.visible_scene_rect
        self.typesetter.idle.connect(self._on_typeset)
        self.view = "tree"
        self.label_mode = "both"
        self.snapshot: ExplorerSnapshot | None = None
        self.drawing: Drawing | None = None
        self.numbers: DiagramNumbers | None = None
        self._key = None
        self._text = None
        self._collapsed: set[str] = set()
        self._expanded: set[str] = set()
        self._paths: list[tuple[str, ...]] = []
        self._frame: FrameView | None = None
        self._fit_pending = True
        self._auto_fitted = False  # the zoom is the last fit's, not the person's
        self._partial_view = False  # a big drawing opened at a readable size, not all in view
        self._placeholder = None
        make_actions(self)
        self.overlays = Overlays(self, self.restore_cuts_action,
                                 covers=lambda item: isinstance(item, (NodeItem, EdgeLabelItem)))
        for bar in (self.horizontalScrollBar(), self.verticalScrollBar()):
            bar.valueChanged.connect(self._place_partial_hint)  # what lies under it changes
        self.banner, self.banner_label = self.overlays.banner, self.overlays.banner_label
        self.stale_veil = StaleVeil(self)  # over the banner too: it is the last good text's
        self.scene().selectionChanged.connect(self._on_selection)
        startup.defer(lambda: warm_up_in_background(self))  # not while the window is still opening

    # -- what tests and other panels read --------------------------------------------------
    @property
    def nodes(self) -> dict[str, NodeItem]:
        return self.drawing.nodes if self.drawing else {}

    @property
    def edges(self) -> dict[tuple[str, str], EdgeItem]:
        return self.drawing.edges if self.drawing else {}

    @property
    def labels(self) -> dict[tuple[str, str], EdgeLabelItem]:
        return self.drawing.labels if self.drawing else {}

    @property
    def model(self):
        return self.drawing.model if self.drawing else None

    def settings(self) -> dict:
        """Display preferences worth saving in a session."""
        return {"view": self.view, "labels": self.label_mode}

    def apply_settings(self, settings: dict) -> None:
        if settings.get("view") in VIEWS:
            self.set_view(settings["view"])
        if settings.get("labels") in LABEL_MODES:
            self.set_label_mode(settings["labels"])

    # -- public -------------------------------------------------------------------------------
    def set_view(self, view: str) -> None:
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}; the views are {', '.join(VIEWS)}")
        if view == self.view:
            return
        self.view = view
        self._frame = None
        self.view_changed.emit(view)
        if self.snapshot is not None:
            self._rebuild(fit=True)

    def set_label_mode(self, mode: str) -> None:
        if mode not in LABEL_MODES:
            raise ValueError(f"unknown label mode {mode!r}; the modes are {', '.join(LABEL_MODES)}")
        for action in self.label_actions.actions():
            action.setChecked(action.data() == mode)
        self.label_button.setText(LABEL_MODE_TITLES[mode])
        if mode == self.label_mode:
            return
        self.label_mode = mode
        self.label_mode_changed.emit(mode)
        if self.snapshot is not None:
            self._rebuild(fit=False)

    def cycle_label_mode(self) -> None:
        self.set_label_mode(LABEL_MODES[(LABEL_MODES.index(self.label_mode) + 1) % len(LABEL_MODES)])

    def show_snapshot(self, snapshot: ExplorerSnapshot) -> None:
        """Draw ``snapshot``: rebuild for a new structure, rewrite numbers otherwise."""
        self.snapshot = snapshot
        if snapshot.text != self._text:
            self._text = snapshot.text
            self._collapsed.clear()
            self._expanded.clear()
            self._fit_pending = True
        if self.drawing is not None and self._structure_key(snapshot) == self._key:
            self._update_numbers()
            return
        first_of_text = self._fit_pending or self.model is None or self.model.root != snapshot.of
        self._rebuild(fit=first_of_text)

    def show_stale(self, stale: bool) -> None:
        """Grey the diagram while the text does not parse; the last good drawing stays."""
        self.setEnabled(not stale)
        self.stale_veil.set_stale(stale)

    def _restyle(self, t: theme.Theme) -> None:
        """A new theme: its background, and the drawing again in its colours."""
        self.setBackgroundBrush(QBrush(QColor(t.canvas)))
        if getattr(self, "snapshot", None) is not None:
            self._rebuild(fit=False)

    def highlight_paths(self, paths: list[tuple[str, ...]]) -> None:
        """Light up variable-level paths (output first); one path also shows its product."""
        self._paths = [tuple(p) for p in paths]
        self._apply_highlight()

    def show_frame(self, frame: FrameView | None) -> None:
        """Show a step of the step-through (None: the finished picture)."""
        self._frame = frame
        if self.drawing is None:
            return
        self.drawing.apply_numbers(self.numbers, frame)
        if frame is not None and frame.active_node is not None:
            keys = self.drawing.model.keys_of(frame.active_node)
            if keys:
                self.ensureVisible(self.drawing.nodes[keys[0]], 40, 40)

    def fit(self) -> None:
        """The whole diagram in view (Ctrl+0), however small that makes it."""
        self._fit(readable=False)

    def _fit(self, readable: bool) -> None:
        """Fit the drawing; with ``readable``, never below a scale where text can be read —
        a big drawing then opens on its output (top centre) and the rest is a pan away."""
        if self.drawing is None:
            return
        if not self.isVisible() or self.viewport().width() < 50:
            self._fit_pending = True  # fitted when shown, once the viewport has its size
            return
        self._fit_pending = False
        self._auto_fitted = True
        content = self._content_rect()
        self.fitInView(content, Qt.AspectRatioMode.KeepAspectRatio)
        scale = self.transform().m11()
        target = min(scale, MAX_FIT_SCALE)
        if readable:
            target = max(target, MIN_READABLE_SCALE)
        if target != scale:
            self.resetTransform()
            self.scale(target, target)
            self.centerOn(content.center())
        partial = target > scale
        self._set_partial_view(partial)
        if partial:  # does not fit: show the output, the rest staying inside the drawing
            root = self.drawing.nodes.get(self.drawing.model.root)
            anchor = root.sceneBoundingRect().center() if root is not None else content.center()
            half_w = self.viewport().width() / target / 2.0
            half_h = self.viewport().height() / target / 2.0
            self.centerOn(_clamped(anchor.x(), content.left() + half_w, content.right() - half_w),
                          _clamped(anchor.y(), content.top() + half_h, content.bottom() - half_h))

    def zoom_by(self, factor: float) -> None:
        self._auto_fitted = False
        self._set_partial_view(False)
        current = self.transform().m11()
        target = min(MAX_SCALE, max(MIN_SCALE, current * factor))
        self.scale(target / current, target / current)

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def visible_scene_rect(self) -> QRectF:
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def unfold(self, key: str) -> None:
        """Unfold one more level of the tree below ``key``."""
        self._collapsed.discard(key)
        self._expanded.add(key)
        self._rebuild(fit=False)

    def fold(self, key: str) -> None:
        """Fold the tree's branch below ``key`` into one "⋯" node."""
        self._expanded.discard(key)
        self._collapsed.add(key)
        self._rebuild(fit=False)

    def export_png(self, path: str | Path):
        self.typesetter.flush()
        return export.export_png(self.scene(), path)

    def export_svg(self, path: str | Path):
        self.typesetter.flush()
        return export.export_svg(self.scene(), path)

    # -- building -------------------------------------------------------------------------------
    def _structure_key(self, snapshot: ExplorerSnapshot):
        return (structure_key(snapshot), self.view, self.label_mode, frozenset(self._collapsed),
                frozenset(self._expanded))

    def derivation(self):
        """The derivation drawn: the snapshot's, or ∂F/∂(input) for an implicit equation."""
        s = self.snapshot
        if s is None:
            return None
        if s.derivation is not None:
            return s.derivation
        return s.implicit.F_wrt if s.implicit is not None else None

    def _rebuild(self, fit: bool) -> None:
        snapshot = self.snapshot
        self.typesetter.clear()
        scene = self.scene()
        scene.blockSignals(True)
        scene.clear()
        scene.blockSignals(False)
        self.drawing = None
        self._placeholder = None
        self._key = self._structure_key(snapshot)
        model = build_diagram(snapshot.graph, snapshot.of, snapshot.wrt, self.view, snapshot.cut,
                              self._collapsed, self._expanded)
        if model is None:
            self._placeholder = scene.addSimpleText("Define an output, e.g. z = x^2 + sin(x*y)")
            self._update_banner()
            self.drawing_changed.emit()
            return
        self.drawing = Drawing(scene, model, self.label_mode, self.typesetter)
        self.numbers = self._compute_numbers()
        self.drawing.apply_numbers(self.numbers, self._frame)
        self._apply_fault()
        self._apply_highlight()
        scene.setSceneRect(self._content_rect().adjusted(-400, -300, 400, 300))
        self._update_banner()
        if fit or self._fit_pending:
            self._fit(readable=True)
        self.drawing_changed.emit()

    def toolbar_actions(self) -> list[QAction]:
        """Actions for the mode's toolbar (the label button is a widget: ``label_button``)."""
        return [self.zoom_in_action, self.zoom_out_action, self.restore_cuts_action]

    def _update_banner(self) -> None:
        snapshot, d = self.snapshot, self.derivation()
        lines = []
        cut = snapshot.cut if snapshot else frozenset()
        self.restore_cuts_action.setEnabled(bool(cut))
        if cut and d is not None:
            total = d.path_count + d.removed_path_count
            lines.append(f"✂ {len(cut)} cut edge{'s' if len(cut) > 1 else ''}: {d.removed_path_count:,} of "
                         f"{total:,} path{'s' if total != 1 else ''} removed (faded) · "
                         f"d{d.of}/d{d.wrt} is now {number(d.derivative)}")
        fault = self.numeric_fault()
        if fault is not None:
            lines.append(self._fault_line(fault))
        model = self.model
        if model is not None and model.truncated:
            lines.append(f"The tree is folded beyond {TREE_BUDGET} nodes: click a ⋯ node to unfold "
                         "a branch, or use the Graph view")
        self.overlays.show_banner(lines, restore=bool(cut))

    def _fault_line(self, fault: NumericError) -> str:
        """The banner's sentence: what cannot be computed where; the mark says why."""
        where = ", ".join(f"{k} = {number(v)}" for k, v in fault.evaluation.point.items())
        marks = self.drawing.fault_marks if self.drawing is not None else None
        if marks is None or not (marks.nodes or marks.edges):
            return f"⚠ At {where}: {fault}"  # the place is not drawn: the whole message
        if fault.is_slope_fault:
            symbols = sorted(derivative_symbol(p, c, self.snapshot.graph.variables.out_degree(p) == 1)
                             for p, c in fault.edges)
            what = f"the local derivative {', '.join(symbols)}" if symbols else "a local derivative"
        elif self.drawing.model.level == "operations" and fault.node:
            what = fault.node  # the operation itself, e.g. log(x - 3)
        else:
            what = "F" if fault.owner == RELATION_NODE else fault.owner or "a value"
        return f"⚠ At {where}, {what} cannot be computed (marked; hover it for why)."

    def _place_partial_hint(self, *_) -> None:
        self.overlays.place_hint()

    def _set_partial_view(self, partial: bool) -> None:
        self._partial_view = partial
        self.overlays.set_partial(partial)

    def _on_typeset(self) -> None:
        """Every label is typeset: place them again with their true sizes (small drawings)."""
        drawing = self.drawing
        if drawing is None or not drawing.placed_by_estimate:
            return  # laid out with true sizes already (every label came from the cache)
        drawing.placed_by_estimate = False
        if drawing.item_count > RELAYOUT_MAX_ITEMS:
            return  # too big to lay out twice; the typeset labels are fitted into their room
        drawing.relayout()
        self.scene().setSceneRect(self._content_rect().adjusted(-400, -300, 400, 300))
        self._apply_highlight()
        if self._auto_fitted or self._fit_pending:
            self._fit(readable=True)

    def _content_rect(self) -> QRectF:
        """The drawing, its margins and room above the output for a path's product."""
        rect = self.scene().itemsBoundingRect()
        if self.drawing is not None and self.drawing.callout is None:
            rect = rect.adjusted(0, -CALLOUT_ROOM, 0, 0)
        return rect.adjusted(-24, -24, 24, 24)

    def numeric_fault(self) -> NumericError | None:
        """The snapshot's numeric fault, when it knows what could still be computed."""
        error = self.snapshot.error if self.snapshot is not None else None
        if isinstance(error, NumericError) and error.evaluation is not None and self.derivation() is None:
            return error
        return None

    def _apply_fault(self) -> None:
        fault = self.numeric_fault()
        self.drawing.apply_fault(fault_marks(self.drawing.model, fault) if fault is not None else None)

    def _compute_numbers(self) -> DiagramNumbers | None:
        d = self.derivation()
        if self.drawing is None:
            return None
        if d is None:
            fault = self.numeric_fault()  # show what could be computed, mark where it failed
            return partial_numbers(self.drawing.model, fault.evaluation) if fault is not None else None
        model = self.drawing.model
        variables = model.level == "variables"
        return diagram_numbers(model, self.snapshot.graph, d.evaluation,
                               d.adjoints if variables else None, d.tangents if variables else None,
                               self.snapshot.cut)

    def _update_numbers(self) -> None:
        self.numbers = self._compute_numbers()
        self.drawing.apply_numbers(self.numbers, self._frame)
        self._apply_fault()
        self._apply_highlight()
        self._update_banner()

    def _apply_highlight(self) -> None:
        if self.drawing is None:
            return
        self.drawing.apply_highlight(self._paths)
        self.drawing.show_callout(self._callout_rows())

    def _callout_rows(self):
        d = self.derivation()
        if len(self._paths) != 1 or d is None:
            return None
        term = next((p for p in d.paths if p.nodes == self._paths[0]), None)
        if term is None:
            return None
        factors = " · ".join(term.factor_names)
        values = " × ".join(f"({number(v)})" if v < 0 else number(v) for v in term.factor_values)
        return [(f"Path {' → '.join(term.nodes)}", True),
                (f"{factors} = {values} = {number(term.product)}", False)]

    # -- banner: cuts and folds -------------------------------------------------------------
    # -- interaction ----------------------------------------------------------------------------
    def _item_at(self, pos, kind):
        item = self.itemAt(pos)
        while item is not None and not isinstance(item, kind):
            item = item.parentItem()
        return item

    def _edge_at(self, pos) -> EdgeItem | None:
        item = self.itemAt(pos)
        if isinstance(item, EdgeLabelItem):
            return item.edge_item
        return item if isinstance(item, EdgeItem) else None

    def _on_selection(self) -> None:
        selected = [i for i in self.scene().selectedItems() if isinstance(i, EdgeItem)]
        edge = None
        if selected:
            drawn = selected[0].drawn
            edge = drawn.edge or (next(iter(drawn.var_edges)) if len(drawn.var_edges) == 1 else None)
        self.edge_selected.emit(edge)

    def viewportEvent(self, event):  # noqa: N802 - tooltips are written when asked for
        if event.type() == QEvent.Type.ToolTip and self.drawing is not None:
            item = self.itemAt(event.pos())
            while item is not None and not isinstance(item, (NodeItem, EdgeItem, EdgeLabelItem)):
                item = item.parentItem()
            text = self.drawing.tooltip_for(item) if item is not None else None
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
                return True
        return super().viewportEvent(event)

    def mousePressEvent(self, event):  # noqa: N802 - Qt override
        node = self._item_at(event.position().toPoint(), NodeItem)
        if node is not None and node.drawn.kind == "more" and event.button() == Qt.MouseButton.LeftButton:
            QTimer.singleShot(0, lambda key=node.drawn.parent_key: self.unfold(key))
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):  # noqa: N802 - Qt override
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._auto_fitted = False  # panned by hand: keep it
        super().mouseMoveEvent(event)

    def mouseDoubleClickEvent(self, event):  # noqa: N802 - Qt override
        node = self._item_at(event.position().toPoint(), NodeItem)
        if node is not None and self.view == "tree" and node.drawn.kind != "more":
            self._toggle_fold(node.key)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def _toggle_fold(self, key: str) -> None:
        model = self.model
        has_children = model is not None and any(u == key for u, _ in model.edges)
        more = model is not None and (key + "/⋯") in model.nodes
        if has_children and not more:
            self.fold(key)
        elif more or key in self._collapsed:
            self.unfold(key)

    def contextMenuEvent(self, event):  # noqa: N802 - Qt override
        menu = QMenu(self)
        edge = self._edge_at(event.pos())
        cut = self.snapshot.cut if self.snapshot else frozenset()
        if edge is not None and edge.edge is not None:
            is_cut = edge.edge in cut
            parent, child = edge.edge
            action = menu.addAction(f"Restore the edge {parent} → {child}" if is_cut
                                    else f"Cut the edge {parent} → {child} (stop gradient)")
            action.triggered.connect(lambda _=False, e=edge.edge: self.cut_requested.emit(e))
        node = self._item_at(event.pos(), NodeItem)
        if node is not None and self.view == "tree" and node.drawn.kind != "more":
            folded = (node.key + "/⋯") in self.model.nodes
            action = menu.addAction("Unfold this branch" if folded else "Fold this branch")
            action.triggered.connect(lambda _=False, k=node.key: self._toggle_fold(k))
        menu.addAction(self.restore_cuts_action)
        menu.addSeparator()
        fit = menu.addAction("Fit to View")
        fit.triggered.connect(self.fit)
        menu.addActions([self.zoom_in_action, self.zoom_out_action])
        labels = menu.addMenu("Edge Labels")
        labels.addActions(self.label_actions.actions())
        menu.addSeparator()
        menu.addActions(self.export_actions)
        menu.exec(event.globalPos())

    def keyPressEvent(self, event):  # noqa: N802 - Qt override
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_out()
        elif key in (Qt.Key.Key_0, Qt.Key.Key_Home):
            self.fit()
        else:
            super().keyPressEvent(event)

    def wheelEvent(self, event):  # noqa: N802 - Qt override
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(ZOOM_STEP ** steps)

    def resizeEvent(self, event):  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.overlays.place()
        if self.drawing is not None and self.isVisible() and (self._fit_pending or self._auto_fitted):
            self._fit(readable=True)  # the zoom is still the automatic one: follow the new size

    def showEvent(self, event):  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._fit_pending and self.drawing is not None:
            QTimer.singleShot(0, lambda: self._fit(readable=True))


def _clamped(value: float, low: float, high: float) -> float:
    """``value`` within [low, high]; the middle when the range is empty (it all fits)."""
    if low > high:
        return (low + high) / 2.0
    return min(max(value, low), high)
