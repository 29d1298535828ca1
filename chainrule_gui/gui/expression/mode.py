"""The Expression mode: editor and point on the left, the diagram in the middle, paths and
results on the right, plots and further views below.  This module only composes panels
and wires their signals; each panel draws from :class:`ExplorerSnapshot`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from chainrule_gui.core.errors import ParseError
from chainrule_gui.core.paths import iter_paths
from chainrule_gui.gui.expression.controller import ExpressionController
from chainrule_gui.gui.expression.diagram import VIEWS, StepThroughBar, TreeDiagram
from chainrule_gui.gui.expression.editor import ExpressionEditor
from chainrule_gui.gui.expression.function_plot import FunctionPlot
from chainrule_gui.gui.expression.inputs_panel import InputsPanel
from chainrule_gui.gui.expression.path_list import PathList
from chainrule_gui.gui.expression.result_panel import ResultPanel
from chainrule_gui.gui.expression.snapshot import ExplorerSnapshot

DEFAULT_TEXT = "z = x^2 + sin(x*y)\nx = t^2\ny = e^t"
MAX_HIGHLIGHTED_PATHS = 500


class ExpressionMode(QWidget):
    snapshot_shown = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("expressionMode")
        self.controller = ExpressionController(self)
        self.editor = ExpressionEditor()
        self.error_strip = QLabel(objectName="errorStrip")
        self.error_strip.setWordWrap(True)
        self.error_strip.setStyleSheet("color: #b00020;")
        self.status = QLabel(objectName="expressionStatus")
        self.inputs = InputsPanel()
        self.diagram = TreeDiagram()
        self.path_list = PathList()
        self.result_panel = ResultPanel()
        self.function_plot = FunctionPlot()
        self.bottom_tabs = QTabWidget(objectName="expressionViews")
        self.bottom_tabs.addTab(self.function_plot, "Plot")
        self.panels = [self.inputs, self.diagram, self.path_list, self.result_panel, self.function_plot]
        # -- diagram extras (diagram branch): step-through bar under the diagram --
        self.step_bar = StepThroughBar(self.diagram)
        self.panels.append(self.step_bar)
        # -- end diagram extras --
        self.toolbar = self._make_toolbar()
        self._layout()
        self._wire()

    # -- composition ---------------------------------------------------------------------
    def _make_toolbar(self) -> QToolBar:
        bar = QToolBar("Diagram", self)
        bar.setObjectName("diagramToolbar")
        self.view_actions = QActionGroup(self)
        for index, view in enumerate(VIEWS):
            action = QAction(view.capitalize(), self, checkable=True)
            action.setObjectName(f"view_{view}")
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.setToolTip({
                "tree": "The textbook tree diagram: a shared name appears once per path (Ctrl+1)",
                "graph": "The dependency graph: each name once, shared names shared (Ctrl+2)",
                "operations": "Every primitive operation, like micrograd or torchviz (Ctrl+3)",
            }[view])
            action.setChecked(view == self.diagram.view)
            action.triggered.connect(lambda _=False, v=view: self.diagram.set_view(v))
            self.view_actions.addAction(action)
            bar.addAction(action)
        bar.addSeparator()
        self.fit_action = QAction("Fit", self, shortcut=QKeySequence("Ctrl+0"))
        self.fit_action.setToolTip("Fit the whole diagram in view (Ctrl+0)")
        self.fit_action.triggered.connect(self.diagram.fit)
        bar.addAction(self.fit_action)
        # -- diagram extras (diagram branch): zoom, edge-label mode, restore cuts --
        bar.addActions(self.diagram.toolbar_actions())
        bar.addWidget(self.diagram.label_button)
        # -- end diagram extras --
        return bar

    def _layout(self) -> None:
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(QLabel("<b>Definitions</b>"))
        left_box.addWidget(self.editor, 2)
        left_box.addWidget(self.error_strip)
        left_box.addWidget(self.inputs, 3)
        center = QSplitter(Qt.Orientation.Vertical)
        # -- diagram extras (diagram branch): the step-through bar sits under the diagram --
        diagram_box = QWidget()
        diagram_layout = QVBoxLayout(diagram_box)
        diagram_layout.setContentsMargins(0, 0, 0, 0)
        diagram_layout.setSpacing(0)
        diagram_layout.addWidget(self.diagram, 1)
        diagram_layout.addWidget(self.step_bar)
        center.addWidget(diagram_box)
        # -- end diagram extras --
        center.addWidget(self.bottom_tabs)
        center.setSizes([520, 260])
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.path_list)
        right.addWidget(self.result_panel)
        right.setSizes([300, 420])
        self.splitter = QSplitter(Qt.Orientation.Horizontal, objectName="expressionSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(center)
        self.splitter.addWidget(right)
        self.splitter.setSizes([300, 640, 360])
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.status)

    def _wire(self) -> None:
        c = self.controller
        self.editor.textChanged.connect(lambda: c.set_text(self.editor.toPlainText()))
        c.snapshot_ready.connect(self._on_snapshot)
        c.parse_error.connect(self._on_parse_error)
        c.busy_changed.connect(lambda busy: self.status.setText("computing…" if busy else ""))
        c.simplified_ready.connect(self.result_panel.show_simplified)
        self.inputs.output_chosen.connect(c.set_output)
        self.inputs.input_chosen.connect(c.set_input)
        self.inputs.value_changed.connect(c.set_value)
        self.inputs.range_changed.connect(c.set_range)
        self.path_list.path_selected.connect(self._on_path_selected)
        self.path_list.path_hovered.connect(self._on_path_hovered)
        self.diagram.edge_selected.connect(self._on_edge_selected)
        self.diagram.cut_requested.connect(c.toggle_cut)
        self.diagram.view_changed.connect(self._on_view_changed)
        # -- diagram extras (diagram branch) --
        self.diagram.restore_cuts_requested.connect(lambda: c.set_cut(()))
        # -- end diagram extras --

    # -- public -----------------------------------------------------------------------------
    def set_text(self, text: str, immediate: bool = True) -> None:
        """Replace the definitions (undoable in the editor) and recompute."""
        cursor = self.editor.textCursor()
        cursor.beginEditBlock()
        cursor.select(cursor.SelectionType.Document)
        cursor.insertText(text)
        cursor.endEditBlock()
        self.controller.set_text(text, immediate=immediate)

    @property
    def snapshot(self) -> ExplorerSnapshot | None:
        return self.controller.snapshot

    def shutdown(self) -> None:
        self.controller.shutdown()

    # -- reactions ------------------------------------------------------------------------
    def _on_snapshot(self, snapshot: ExplorerSnapshot) -> None:
        program = snapshot.program
        self.editor.set_known_names(set(program.definitions), set(program.inputs))
        for panel in self.panels:
            panel.show_stale(False)
            panel.show_snapshot(snapshot)
        if snapshot.error is not None and snapshot.derivation is None and snapshot.implicit is None:
            self.error_strip.setText(str(snapshot.error))
        elif not self.editor.extraSelections():
            self.error_strip.setText("")
        self.snapshot_shown.emit(snapshot)

    def _on_parse_error(self, error: ParseError | None) -> None:
        self.editor.show_error(error)
        if error is None:
            self.error_strip.setText("")
            return
        self.error_strip.setText(f"Line {error.line}, column {error.column}: {error.message}")
        for panel in self.panels:
            if panel is not self.inputs:
                panel.show_stale(True)  # the last good result stays, greyed

    def _on_path_selected(self, path) -> None:
        self.diagram.highlight_paths([path] if path else [])

    def _on_path_hovered(self, path) -> None:
        if not self.path_list.view.selectionModel().hasSelection():
            self.diagram.highlight_paths([path] if path else [])

    def _on_edge_selected(self, edge) -> None:
        snapshot = self.snapshot
        if edge is None or snapshot is None or snapshot.derivation is None:
            self.diagram.highlight_paths([])
            return
        d = snapshot.derivation
        paths = []
        for path in iter_paths(snapshot.graph.variables, d.of, d.wrt):
            if tuple(edge) in set(zip(path, path[1:])):
                paths.append(path)
                if len(paths) >= MAX_HIGHLIGHTED_PATHS:
                    break
        self.diagram.highlight_paths(paths)
        self.path_list.select_paths_through(edge)

    def _on_view_changed(self, view: str) -> None:
        for action in self.view_actions.actions():
            action.setChecked(action.objectName() == f"view_{view}")
