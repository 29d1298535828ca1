"""The Expression mode: editor and point on the left, the diagram in the middle, paths and
results on the right, plots and further views below.  This module only composes panels
and wires their signals; each panel draws from :class:`ExplorerSnapshot`.
"""

from __future__ import annotations

import sys
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QScrollArea,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from chainrule_gui.core.errors import ParseError
from chainrule_gui.core.examples import Example
from chainrule_gui.core.files.session import Session
from chainrule_gui.gui import theme
from chainrule_gui.gui.collector import note_activity
from chainrule_gui.gui.expression.controller import ExpressionController
from chainrule_gui.gui.expression.diagram import VIEWS, StepThroughBar, TreeDiagram
from chainrule_gui.gui.expression.editor import ExpressionEditor
from chainrule_gui.gui.expression.inputs_panel import InputsPanel
from chainrule_gui.gui.expression.path_list import PathList
from chainrule_gui.gui.expression.result_panel import ResultPanel
from chainrule_gui.gui.expression.snapshot import ExplorerSnapshot
from chainrule_gui.gui.lazy_page import LazyPage, LazyTabWidget

DEFAULT_TEXT = "z = x^2 + sin(x*y)\nx = t^2\ny = e^t"


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
        self.error_strip.setTextFormat(Qt.TextFormat.PlainText)  # messages quote what was typed or opened
        theme.style_sheet(self.error_strip, lambda t: f"color: {t.error};")
        self.status = QLabel(objectName="expressionStatus")
        self.example_note = QLabel(objectName="exampleNote")
        self.example_note.setWordWrap(True)
        theme.style_sheet(self.example_note, lambda t: f"background: {t.note_bg}; color: {t.ink}; border: 1px "
                                                       f"solid {t.note_border}; border-radius: 4px; padding: 6px;")
        self.example_note.hide()
        self._example_text: str | None = None  # the loaded example's text, while its note applies
        self._loading = False
        self._last_text = ""
        self.inputs = InputsPanel()
        self.diagram = TreeDiagram()
        self.path_list = PathList()
        self.result_panel = ResultPanel()
        self.bottom_tabs = LazyTabWidget(objectName="expressionViews")
        self.panels = [self.inputs, self.diagram, self.path_list, self.result_panel]
        self._add_views()
        # The step-through bar under the diagram.
        self.step_bar = StepThroughBar(self.diagram)
        self.panels.append(self.step_bar)
        self.toolbar = self._make_toolbar()
        self._layout()
        self._wire()
        self._wire_views()

    # -- bottom views: plot, Jacobian, second order, implicit -------------------------------------
    # Each is a lazy page: made when its tab is first shown (after the first paint, at
    # start-up), since they import pyqtgraph and build many widgets.
    VIEW_TABS = (  # page name (the view's object name), title, tip, shortcut key
        ("functionPlotPanel", "Plot", "The output and its derivative against the chosen input", "P"),
        ("jacobianView", "Jacobian", "J_h = J_f · J_g for several outputs or inputs; JVP and VJP", "J"),
        ("secondOrderView", "Second order", "f''(g)·g'² + f'(g)·g'' term by term, and the Hessian", "H"),
        ("implicitView", "Implicit", "The curve of an equation such as x^2 + y^2 = 1, with its tangent", "I"),
    )
    ACTION_TITLES = {"functionPlotPanel": "Plot", "jacobianView": "Jacobian",
                     "secondOrderView": "Second order and Hessian", "implicitView": "Implicit curve"}

    def _add_views(self) -> None:
        factories = {"functionPlotPanel": self._make_function_plot, "jacobianView": self._make_jacobian_view,
                     "secondOrderView": self._make_second_order_view, "implicitView": self._make_implicit_view}
        self.view_pages: dict[str, LazyPage] = {}
        # One action per tab (for the View menu too): Ctrl+Shift+P, J, H, I.
        self.view_tab_actions = []
        for name, title, tip, key in self.VIEW_TABS:
            page = self.bottom_tabs.add_lazy_tab(factories[name], name, title, f"{tip} (Ctrl+Shift+{key})")
            self.view_pages[name] = page
            action = QAction(f"Show {self.ACTION_TITLES[name]}", self, shortcut=QKeySequence(f"Ctrl+Shift+{key}"))
            action.setObjectName(f"showTab_{name}")
            action.setToolTip(f"Bring the {self.ACTION_TITLES[name]} tab forward (Ctrl+Shift+{key})")
            action.triggered.connect(lambda _=False, p=page: self.bottom_tabs.setCurrentWidget(p))
            self.addAction(action)
            self.view_tab_actions.append(action)
        self.views = list(self.view_pages.values())
        self.panels += self.views
        self._was_implicit = False

    def _make_function_plot(self):
        from chainrule_gui.gui.expression.function_plot import FunctionPlotPanel

        return FunctionPlotPanel()

    def _make_jacobian_view(self):
        from chainrule_gui.gui.expression.jacobian_view import JacobianView

        view = JacobianView()
        view.entry_chosen.connect(self._on_jacobian_entry)
        view.paths_highlighted.connect(self._on_jacobian_paths)
        return view

    def _make_second_order_view(self):
        from chainrule_gui.gui.expression.second_order_view import SecondOrderView

        return SecondOrderView()

    def _make_implicit_view(self):
        from chainrule_gui.gui.expression.implicit_view import ImplicitView

        view = ImplicitView()
        view.point_moved.connect(self.controller.set_point)
        return view

    # The views themselves (made on first use).
    @property
    def function_plot_panel(self):
        return self.view_pages["functionPlotPanel"].ensure()

    @property
    def function_plot(self):
        return self.function_plot_panel.plot

    @property
    def jacobian_view(self):
        return self.view_pages["jacobianView"].ensure()

    @property
    def second_order_view(self):
        return self.view_pages["secondOrderView"].ensure()

    @property
    def implicit_view(self):
        return self.view_pages["implicitView"].ensure()

    def _wire_views(self) -> None:
        self._awaited_choice = None
        self._awaited_paths: list = []
        self.snapshot_shown.connect(self._bring_implicit_forward)

    def _bring_implicit_forward(self, snapshot: ExplorerSnapshot) -> None:
        """An equation brings the Implicit tab forward; leaving equations goes back to the plot."""
        implicit_page, plot_page = self.view_pages["implicitView"], self.view_pages["functionPlotPanel"]
        if snapshot.is_implicit and not self._was_implicit:
            self.bottom_tabs.setCurrentWidget(implicit_page)
        elif not snapshot.is_implicit and self._was_implicit and self.bottom_tabs.current_page() is implicit_page:
            self.bottom_tabs.setCurrentWidget(plot_page)
        self._was_implicit = snapshot.is_implicit
        if self._awaited_choice == (snapshot.of, snapshot.wrt):
            self.diagram.highlight_paths(self._awaited_paths)
            self._awaited_choice, self._awaited_paths = None, []

    def _on_jacobian_entry(self, output: str, input_: str) -> None:
        """Clicking J_h[output, input] shows d(output)/d(input) everywhere, so its paths are visible."""
        snapshot = self.snapshot
        if snapshot is None or (snapshot.of, snapshot.wrt) == (output, input_):
            self._awaited_choice = None
            return
        self._awaited_choice = (output, input_)
        self.controller.set_output(output)
        self.controller.set_input(input_)

    def _on_jacobian_paths(self, paths: list) -> None:
        if self._awaited_choice is not None:
            self._awaited_paths = paths  # highlighted once the diagram shows that output
        else:
            self.diagram.highlight_paths(paths)

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
        # Diagram: zoom, edge-label mode, restore cuts.
        bar.addActions(self.diagram.toolbar_actions())
        bar.addWidget(self.diagram.label_button)
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
        # The step-through bar sits under the diagram.
        diagram_box = QWidget()
        diagram_layout = QVBoxLayout(diagram_box)
        diagram_layout.setContentsMargins(0, 0, 0, 0)
        diagram_layout.setSpacing(0)
        diagram_layout.addWidget(self.diagram, 1)
        diagram_layout.addWidget(self.step_bar)
        center.addWidget(diagram_box)
        center.addWidget(self.bottom_tabs)
        center.setSizes([520, 260])
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.path_list)
        right.addWidget(self.result_panel)  # it scrolls a long formula inside itself
        right.setSizes([190, 530])
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
        self.edited.connect(note_activity)  # a full cycle collection waits for a pause in editing
        self.editor.textChanged.connect(self._on_text_edited)
        c.snapshot_ready.connect(self._on_snapshot)
        c.parse_error.connect(self._on_parse_error)
        c.internal_error.connect(self._on_internal_error)
        c.busy_changed.connect(lambda busy: self.status.setText("computing…" if busy else ""))
        c.simplified_ready.connect(self.result_panel.show_simplified)
        self.inputs.output_chosen.connect(c.set_output)
        self.inputs.input_chosen.connect(c.set_input)
        self.inputs.value_changed.connect(c.set_value)
        self.inputs.range_changed.connect(c.set_range)
        for signal in (self.inputs.output_chosen, self.inputs.input_chosen, self.inputs.value_changed,
                       self.inputs.range_changed, self.diagram.cut_requested, self.diagram.view_changed,
                       self.diagram.label_mode_changed):
            signal.connect(lambda *_: self.edited.emit())
        self.path_list.path_selected.connect(self._on_path_selected)
        self.path_list.path_hovered.connect(self._on_path_hovered)
        self.diagram.edge_selected.connect(self._on_edge_selected)
        self.diagram.cut_requested.connect(c.toggle_cut)
        self.diagram.view_changed.connect(self._on_view_changed)
        self.diagram.restore_cuts_requested.connect(lambda: c.set_cut(()))
        c.set_view_settings(self.diagram.view, self.diagram.label_mode)
        self.diagram.view_changed.connect(lambda view: c.set_view_settings(diagram=view))
        self.diagram.label_mode_changed.connect(lambda labels: c.set_view_settings(labels=labels))

    # -- public -----------------------------------------------------------------------------
    def set_text(self, text: str, immediate: bool = True) -> None:
        """Replace the definitions (undoable in the editor) and recompute."""
        text = self._replace_editor_text(text)
        self._show_example_note_if_current(text)
        self.controller.set_text(text, immediate=immediate)

    def _replace_editor_text(self, text: str) -> str:
        """Put ``text`` in the editor; the text as the editor holds it (its line breaks are
        "\n"), which is what the explorer's state holds too."""
        self._loading = True
        try:
            cursor = self.editor.textCursor()
            cursor.beginEditBlock()
            cursor.select(cursor.SelectionType.Document)
            cursor.insertText(text)
            cursor.endEditBlock()
        finally:
            self._loading = False
        self._last_text = self.editor.toPlainText()
        return self._last_text

    def _on_text_edited(self) -> None:
        # QSyntaxHighlighter.rehighlight() (new names to colour) also emits textChanged
        # with the text unchanged: that is not an edit, and must not rebuild or mark the
        # document modified.
        text = self.editor.toPlainText()
        if self._loading or text == self._last_text:
            return
        self._last_text = text
        self._show_example_note_if_current(text)
        self.controller.set_text(text)
        self.edited.emit()

    def _show_example_note_if_current(self, text: str) -> None:
        """The example's note explains that example's text: it goes once the text differs, and
        comes back if undo (or typing) makes it that text again."""
        self.example_note.setVisible(self._example_text is not None and text == self._example_text)

    def load_example(self, example: Example) -> None:
        self.apply_session(Session(text=example.text, of=example.of, wrt=example.wrt,
                                   point=dict(example.point), ranges=dict(example.ranges)))
        self.example_note.setText(f"<b>{example.title}</b> — {example.explanation}")
        self._example_text = example.text
        self.example_note.show()

    def apply_session(self, session: Session) -> None:
        """Show ``session``: text (undoable), choices, point, ranges, cuts and view."""
        self.example_note.hide()
        self._example_text = None
        text = self._replace_editor_text(session.text)
        self.diagram.apply_settings({"view": session.diagram, "labels": session.labels})
        self.controller.load_state(replace(session.to_state(), text=text))
        self.edited.emit()

    def current_session(self) -> Session:
        """The explorer's state as a session (what File ▸ Save writes)."""
        return Session.from_state(self.controller.state)

    @property
    def snapshot(self) -> ExplorerSnapshot | None:
        return self.controller.snapshot

    def shutdown(self) -> None:
        self.controller.shutdown()
        for name in ("jacobianView", "secondOrderView", "implicitView"):
            view = self.view_pages[name].content
            if view is not None:
                view.shutdown()

    # -- reactions ------------------------------------------------------------------------
    def _on_snapshot(self, snapshot: ExplorerSnapshot) -> None:
        program = snapshot.program
        self.editor.set_known_names(set(program.definitions), set(program.inputs))
        for panel in self.panels:
            try:
                panel.show_stale(False)
                panel.show_snapshot(snapshot)
            except Exception:  # noqa: BLE001 - one view's bug must not leave the others stale
                sys.excepthook(*sys.exc_info())  # logged and shown by the error reporter
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

    def _on_internal_error(self, message: str) -> None:
        """A bug of ours while building: said in the strip, the last good result greyed."""
        self.error_strip.setText(message)
        for panel in self.panels:
            if panel is not self.inputs:
                panel.show_stale(True)

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
        # The derivation's paths (those the path list shows, and those a cut removed).
        d, edge = snapshot.derivation, tuple(edge)
        self.diagram.highlight_paths([p.nodes for p in (*d.paths, *d.removed_paths) if edge in p.edges])
        self.path_list.select_paths_through(edge)

    def _on_view_changed(self, view: str) -> None:
        for action in self.view_actions.actions():
            action.setChecked(action.objectName() == f"view_{view}")
