"""The Expression mode: editor and point on the left, the diagram in the middle, paths and
results on the right, plots and further views below.  This module only composes panels
and wires their signals; each panel draws from :class:`ExplorerSnapshot`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from chainrule_gui.core.errors import ParseError
from chainrule_gui.core.examples import Example
from chainrule_gui.core.paths import iter_paths
from chainrule_gui.core.session import Session
from chainrule_gui.gui.expression.controller import ExpressionController
from chainrule_gui.gui.expression.diagram import VIEWS, TreeDiagram
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
    edited = Signal()  # text, point, choices or cuts changed (the document may be modified)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("expressionMode")
        self.controller = ExpressionController(self)
        self.editor = ExpressionEditor()
        self.error_strip = QLabel(objectName="errorStrip")
        self.error_strip.setWordWrap(True)
        self.error_strip.setStyleSheet("color: #b00020;")
        self.status = QLabel(objectName="expressionStatus")
        self.example_note = QLabel(objectName="exampleNote")
        self.example_note.setWordWrap(True)
        self.example_note.setStyleSheet("background: #eef5fb; border: 1px solid #b8d4ea; border-radius: 4px;"
                                        " padding: 6px;")
        self.example_note.hide()
        self._loading = False
        self.inputs = InputsPanel()
        self.diagram = TreeDiagram()
        self.path_list = PathList()
        self.result_panel = ResultPanel()
        self.function_plot = FunctionPlot()
        self.bottom_tabs = QTabWidget(objectName="expressionViews")
        self.bottom_tabs.addTab(self.function_plot, "Plot")
        self.panels = [self.inputs, self.diagram, self.path_list, self.result_panel, self.function_plot]
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
        return bar

    def _layout(self) -> None:
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(QLabel("<b>Definitions</b>"))
        left_box.addWidget(self.editor, 2)
        left_box.addWidget(self.example_note)
        left_box.addWidget(self.error_strip)
        inputs_scroll = QScrollArea(objectName="inputsScroll")
        inputs_scroll.setWidgetResizable(True)
        inputs_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        inputs_scroll.setWidget(self.inputs)
        left_box.addWidget(inputs_scroll, 3)
        center = QSplitter(Qt.Orientation.Vertical)
        center.addWidget(self.diagram)
        center.addWidget(self.bottom_tabs)
        center.setSizes([520, 260])
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.path_list)
        # A long formula scrolls inside its column instead of widening the column.
        result_scroll = QScrollArea(objectName="resultScroll")
        result_scroll.setWidgetResizable(True)
        result_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        result_scroll.setWidget(self.result_panel)
        right.addWidget(result_scroll)
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
        self.editor.textChanged.connect(self._on_text_edited)
        c.snapshot_ready.connect(self._on_snapshot)
        c.parse_error.connect(self._on_parse_error)
        c.busy_changed.connect(lambda busy: self.status.setText("computing…" if busy else ""))
        c.simplified_ready.connect(self.result_panel.show_simplified)
        self.inputs.output_chosen.connect(c.set_output)
        self.inputs.input_chosen.connect(c.set_input)
        self.inputs.value_changed.connect(c.set_value)
        self.inputs.range_changed.connect(c.set_range)
        for signal in (self.inputs.output_chosen, self.inputs.input_chosen, self.inputs.value_changed,
                       self.inputs.range_changed, self.diagram.cut_requested):
            signal.connect(lambda *_: self.edited.emit())
        self.path_list.path_selected.connect(self._on_path_selected)
        self.path_list.path_hovered.connect(self._on_path_hovered)
        self.diagram.edge_selected.connect(self._on_edge_selected)
        self.diagram.cut_requested.connect(c.toggle_cut)
        self.diagram.view_changed.connect(self._on_view_changed)

    # -- public -----------------------------------------------------------------------------
    def set_text(self, text: str, immediate: bool = True) -> None:
        """Replace the definitions (undoable in the editor) and recompute."""
        self._replace_editor_text(text)
        self.controller.set_text(text, immediate=immediate)

    def _replace_editor_text(self, text: str) -> None:
        self._loading = True
        try:
            cursor = self.editor.textCursor()
            cursor.beginEditBlock()
            cursor.select(cursor.SelectionType.Document)
            cursor.insertText(text)
            cursor.endEditBlock()
        finally:
            self._loading = False

    def _on_text_edited(self) -> None:
        if self._loading:
            return
        self.controller.set_text(self.editor.toPlainText())
        self.edited.emit()

    def load_example(self, example: Example) -> None:
        self.apply_session(Session(text=example.text, of=example.of, wrt=example.wrt,
                                   point=dict(example.point), ranges=dict(example.ranges)))
        self.example_note.setText(f"<b>{example.title}</b> — {example.explanation}")
        self.example_note.show()

    def apply_session(self, session: Session) -> None:
        """Show ``session``: text (undoable), choices, point, ranges, cuts and view."""
        self.example_note.hide()
        self._replace_editor_text(session.text)
        if session.diagram != self.diagram.view:
            self.diagram.set_view(session.diagram)
        self.controller.load_state(session.text, session.of, session.wrt, session.point, session.ranges,
                                   session.cut, session.max_paths)
        self.edited.emit()

    def current_session(self) -> Session:
        """The explorer's state as a session (what File ▸ Save writes)."""
        c = self.controller
        snapshot = c.snapshot
        names = set(snapshot.program.inputs) if snapshot is not None else set(c.point)
        return Session(
            text=self.editor.toPlainText(), of=c.of, wrt=c.wrt,
            point={k: v for k, v in c.point.items() if k in names},
            ranges={k: v for k, v in c.ranges.items() if k in names},
            cut=tuple(sorted(c.cut)), max_paths=c.max_paths, diagram=self.diagram.view,
        )

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
