"""One drawing: the items of a :class:`DiagramModel` placed by the core's sized layout.

Built once per structure (text, output, input, cut, view, label mode, folds); after
that only numbers, highlights and step-through states change, in place — a slider drag
never rebuilds the scene.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QGraphicsScene

from chainrule_gui.core.diagram.model import DiagramModel, DiagramNumbers, DrawnEdge, DrawnNode, FaultMarks
from chainrule_gui.core.diagram.placement import DiagramLayout, diagram_layout
from chainrule_gui.core.expressions.printing import fmt
from chainrule_gui.core.graph.chain_graph import display_name
from chainrule_gui.gui import theme
from chainrule_gui.gui.expression.diagram.blocks import Block, Run, math_point_size, plain_math
from chainrule_gui.gui.expression.diagram.items import (
    CalloutItem,
    EdgeItem,
    EdgeLabelItem,
    FaultNoteItem,
    NodeItem,
)
from chainrule_gui.gui.expression.diagram.typesetter import Typesetter

LABEL_MODES = ("both", "symbolic", "numeric")
NUMBER_ROOM = "= −0.0000"  # the width kept for a number that changes while sliders move
ONE_ROW_FORMULA = 16  # formulas up to this many characters share their row with the value
CALLOUT_GAP = 16.0
FAULT_NOTE_GAP = 10.0
UNDEFINED = "—"  # a number that does not exist at this point (not one still unknown: "?")


def number(value: float | None) -> str:
    """4 significant digits with a real minus sign; "?" when not known yet."""
    if value is None:
        return "?"
    return fmt(value, 4).replace("-", "−")


def _font(point_size: float, bold: bool = False, italic: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(point_size)
    font.setBold(bold)
    font.setItalic(italic)
    return font


@dataclass(frozen=True)
class FrameView:
    """What the step-through shows now: ``numbers`` known so far for sweep ``kind``."""

    kind: str  # forward_pass, backward, forward_mode
    numbers: dict
    active_node: str | None = None
    active_edge: tuple[str, str] | None = None


class Drawing:
    """Items of one model in ``scene``; ``nodes``/``edges``/``labels`` are keyed by drawn keys."""

    def __init__(self, scene: QGraphicsScene, model: DiagramModel, label_mode: str, typesetter: Typesetter):
        started = time.perf_counter()
        self.scene = scene
        self.model = model
        self.label_mode = label_mode
        self.typesetter = typesetter
        # The theme's colours, fixed for this drawing (a theme change draws anew).
        t = theme.current()
        self.ink, self.muted = QColor(t.ink), QColor(t.muted)
        self.adjoint_ink, self.tangent_ink, self.value_ink = (QColor(t.adjoint_ink), QColor(t.tangent_ink),
                                                              QColor(t.value_ink))
        self.math_color = t.ink
        self.head_font = _font(9.5, bold=True)
        self.text_font = _font(9.5)
        self.small_font = _font(8.5)
        self.label_font = _font(9.0)
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[tuple[str, str], EdgeItem] = {}
        self.labels: dict[tuple[str, str], EdgeLabelItem] = {}
        self.callout: CalloutItem | None = None
        self.numbers: DiagramNumbers | None = None
        self.fault_marks: FaultMarks | None = None
        self.fault_note: FaultNoteItem | None = None
        self._math_requests: list[tuple[str, float, Run, object]] = []
        blocks = {key: self._node_block(drawn) for key, drawn in model.nodes.items()}
        edge_blocks = {key: self._edge_block(drawn) for key, drawn in model.edges.items()}
        node_sizes, label_sizes = _sizes(blocks, edge_blocks)
        laid_out = time.perf_counter()
        self.layout: DiagramLayout = diagram_layout(model.graph(), node_sizes, label_sizes, model.bottom)
        self.layout_ms = (time.perf_counter() - laid_out) * 1000.0
        for key, drawn in model.nodes.items():
            block, value_run, second_run = blocks[key]
            item = NodeItem(drawn, block, value_run, second_run, node_sizes[key])
            item.setPos(*self.layout.nodes[key])
            scene.addItem(item)
            self.nodes[key] = item
        for key, drawn in model.edges.items():
            item = EdgeItem(drawn)
            item.set_route(self._route(key))
            scene.addItem(item)
            self.edges[key] = item
            if edge_blocks[key] is not None:
                block, value_run = edge_blocks[key]
                label = EdgeLabelItem(item, block, value_run, label_sizes[key])
                label.setPos(*self.layout.labels[key])
                scene.addItem(label)
                self.labels[key] = label
        self.placed_by_estimate = self.estimated
        self.relayout_ms = 0.0
        self._request_typesetting()
        self.build_ms = (time.perf_counter() - started) * 1000.0

    # -- building -------------------------------------------------------------------------
    def _node_block(self, drawn: DrawnNode):
        if drawn.kind == "more":
            return Block([[Run(drawn.head, _font(9.0, italic=True), self.muted)]]), None, None
        head = Run(drawn.head, self.head_font, self.ink)
        first = [head]
        if drawn.kind == "op" or (self.model.level == "operations" and drawn.expr_text):
            first.append(Run(plain_math(drawn.expr_text or ""), self.small_font, self.muted))
        elif drawn.expr_latex is not None:
            first.append(self._math(f"= {drawn.expr_text}", f"= {drawn.expr_latex}", self.text_font))
        if drawn.kind == "const":
            return Block([first]), None, None
        value = Run(NUMBER_ROOM, self.text_font, self.ink, reserve=NUMBER_ROOM)
        second = Run("", self.small_font, self.adjoint_ink, reserve=self._second_room(drawn))
        if self.model.level == "operations":  # many small boxes: value and gradient share a row
            return Block([first, [value, second]]), value, second
        return Block([first, [value], [second]]), value, second

    def _edge_block(self, drawn: DrawnEdge):
        if drawn.partial_text is None:
            return None
        symbol = drawn.symbol
        rows: list[list[Run]] = []
        value = None
        formula = None
        constant = _is_number(drawn.partial_text)
        # a bare number without a name (an operation edge's 1) is shown as its value alone
        if self.label_mode == "symbolic" or (self.label_mode == "both" and not (constant and not symbol)):
            if symbol:
                formula = self._math(f"{symbol} = {drawn.partial_text}",
                                     f"{drawn.symbol_latex} = {drawn.partial_latex}", self.label_font)
            else:
                formula = self._math(drawn.partial_text, drawn.partial_latex, self.label_font)
            rows.append([formula])
        if self.label_mode == "numeric" or (self.label_mode == "both" and not (constant and formula)):
            # a constant partial with its formula shown ("dz/dt = 2") needs no "= 2" after it
            prefix = self._value_prefix(drawn, formula is not None)
            room = prefix + NUMBER_ROOM[2:]
            value = Run(room, self.label_font, self.value_ink, reserve=room)
            if formula is not None and len(formula.text) <= ONE_ROW_FORMULA:
                rows[-1].append(value)  # "dx/dt = 2t = 2" reads as one chain
            else:
                rows.append([value])
        block = Block(rows)
        return block, value

    def _value_prefix(self, drawn: DrawnEdge, after_formula: bool) -> str:
        """"= " after a formula, "∂z/∂x = " alone; an operation edge's bare weight needs none."""
        if after_formula:
            return "= "
        return f"{drawn.symbol} = " if drawn.symbol else ""

    def _math(self, text: str, latex: str, font: QFont) -> Run:
        run = Run(text, font, self.ink, latex=latex)
        size = math_point_size(font)
        known, pixmap = self.typesetter.cached(latex, size, self.math_color)
        if known and pixmap is not None:
            run.pixmap, run.typeset = pixmap, True
        elif not known:
            self._math_requests.append((latex, size, run, None))
        return run

    def _request_typesetting(self) -> None:
        runs_by_item = {}
        for item in list(self.nodes.values()) + list(self.labels.values()):
            for row in item.block.rows:
                for run in row:
                    runs_by_item[id(run)] = item
        for latex, size, run, _ in self._math_requests:
            item = runs_by_item.get(id(run))
            if item is None:
                continue

            def deliver(pixmap, run=run, item=item):
                if pixmap is not None:
                    run.pixmap, run.typeset = pixmap, True
                    item.update()

            self.typesetter.request(latex, size, self.math_color, deliver, item.sceneBoundingRect)
        self._math_requests.clear()

    @property
    def estimated(self) -> bool:
        """Whether some label was placed by an estimate of its typeset size."""
        return any(item.block.estimated for item in list(self.nodes.values()) + list(self.labels.values()))

    @property
    def item_count(self) -> int:
        return len(self.nodes) + len(self.labels)

    def relayout(self) -> None:
        """Place everything again with the true sizes of the labels typeset since."""
        started = time.perf_counter()
        for item in list(self.nodes.values()) + list(self.labels.values()):
            item.block.measure()
        blocks = {k: (item.block,) for k, item in self.nodes.items()}
        edge_blocks = {k: (item.block,) for k, item in self.labels.items()}
        node_sizes, label_sizes = _sizes(blocks, edge_blocks)
        self.layout = diagram_layout(self.model.graph(), node_sizes, label_sizes, self.model.bottom)
        for key, item in self.nodes.items():
            item.resize(node_sizes[key])
            item.setPos(*self.layout.nodes[key])
        for key, label in self.labels.items():
            label.resize(label_sizes[key])
            label.setPos(*self.layout.labels[key])
        for key, item in self.edges.items():
            item.set_route(self._route(key))
        self._place_fault_note()
        self.relayout_ms = (time.perf_counter() - started) * 1000.0

    def _route(self, key) -> list[QPointF]:
        u, v = key
        top = self.nodes[u]
        bottom = self.nodes[v]
        start = top.pos() + QPointF(0, top.rect().bottom())
        end = bottom.pos() + QPointF(0, bottom.rect().top())
        return [start] + [QPointF(x, y) for x, y in self.layout.routes[key]] + [end]

    # -- numbers ----------------------------------------------------------------------------
    def _adjoint_text(self, drawn: DrawnNode, value: float | None) -> str:
        if self.model.level == "operations" and drawn.kind == "op":
            return f"grad {number(value)}"
        return f"∂{display_name(self.model.root)}/∂{display_name(drawn.name)} = {number(value)}"

    def _second_room(self, drawn: DrawnNode) -> str:
        """The longer of the adjoint and tangent texts with a long number: room for both."""
        long_number = "−0.0000"
        adjoint = self._adjoint_text(drawn, None).replace("?", long_number)
        tangent = self._tangent_text(drawn, None).replace("?", long_number)
        return max(adjoint, tangent, key=len)

    def _tangent_text(self, drawn: DrawnNode, value: float | None) -> str:
        if self.model.wrt is None:
            return ""
        if self.model.level == "operations" and drawn.kind == "op":
            return f"tangent {number(value)}"
        return f"d{display_name(drawn.name)}/d{self.model.wrt} = {number(value)}"

    def apply_numbers(self, numbers: DiagramNumbers | None, frame: FrameView | None = None) -> None:
        """Write values, adjoints (or the step-through's numbers so far) and edge values.

        Numbers that are not ``complete`` (a fault at the point) show what could be
        computed; every other value and partial is "—", and there are no adjoints.
        """
        partial = numbers is not None and not numbers.complete
        for item in self.nodes.values():
            drawn = item.drawn
            if item.value_run is None:
                continue
            value = numbers.values.get(drawn.name) if numbers else None
            adjoint = numbers.adjoints.get(drawn.name) if numbers else None
            # no numbers at all (the point is outside the domain): say nothing rather than "?"
            second, color = (self._adjoint_text(drawn, adjoint) if numbers and not partial else ""), self.adjoint_ink
            if frame is not None:
                known = _frame_number(frame, drawn)
                if frame.kind == "forward_pass":
                    value = known
                    second = ""
                elif frame.kind == "backward":
                    second = self._adjoint_text(drawn, known)
                else:
                    second, color = self._tangent_text(drawn, known), self.tangent_ink
            shown = UNDEFINED if partial and value is None else number(value)
            item.set_numbers(f"= {shown}" if numbers or frame else "= —", second, color)
            item.set_state(active=frame is not None and frame.active_node in (drawn.name, *drawn.aliases))
        for label in self.labels.values():
            drawn = label.edge_item.drawn
            value = numbers.partials.get(drawn.level_edge) if numbers and drawn.level_edge else None
            if frame is not None and frame.kind == "forward_pass" and drawn.level_edge is not None:
                value = value if drawn.level_edge[0] in frame.numbers else None
            has_formula = any(run.latex is not None for row in label.block.rows for run in row)
            shown = UNDEFINED if partial and value is None else number(value)
            label.set_value(self._value_prefix(drawn, has_formula) + shown)
        for item in self.edges.values():
            item.set_state(active=frame is not None and frame.active_edge is not None
                           and item.drawn.level_edge == tuple(frame.active_edge))
        self.numbers = numbers

    def apply_fault(self, marks: FaultMarks | None) -> None:
        """Mark the boxes and lines where a value or slope cannot be computed (None: clear)."""
        self.fault_marks = marks
        node_keys = set(marks.nodes) if marks else set()
        edge_keys = set(marks.edges) if marks else set()
        for key, item in self.nodes.items():
            item.set_state(fault=key in node_keys)
        for key, item in self.edges.items():
            item.set_state(fault=key in edge_keys)
        if self.fault_note is not None:
            self.scene.removeItem(self.fault_note)
            self.fault_note = None
        if marks and (marks.nodes or marks.edges):
            self.fault_note = FaultNoteItem("⚠ " + marks.reason)
            self.fault_note.setToolTip(marks.message)
            self.scene.addItem(self.fault_note)
            self._place_fault_note()

    def _place_fault_note(self) -> None:
        """Beside the first marked box (or edge label), on the side away from the middle of
        the drawing, where the neighbours it could cover are fewer."""
        marks, note = self.fault_marks, self.fault_note
        if note is None or marks is None:
            return
        if marks.nodes:
            rect = self.nodes[marks.nodes[0]].sceneBoundingRect()
        else:
            key = marks.edges[0]
            label = self.labels.get(key)
            rect = label.sceneBoundingRect() if label is not None else self.edges[key].sceneBoundingRect()
        items = [*self.nodes.values(), *self.labels.values()]
        middle = sum(i.sceneBoundingRect().center().x() for i in items) / max(1, len(items))
        if rect.center().x() < middle - 1.0:
            note.setPos(rect.left() - FAULT_NOTE_GAP - note.rect().width(), rect.center().y())
        else:
            note.setPos(rect.right() + FAULT_NOTE_GAP, rect.center().y())

    def tooltip_for(self, item) -> str | None:
        """The tooltip of a node, edge or label, written when asked (hovering), not on every step."""
        if isinstance(item, NodeItem):
            return self._node_tooltip(item, self.numbers)
        if isinstance(item, EdgeLabelItem):
            item = item.edge_item
        if isinstance(item, EdgeItem):
            return self._edge_tooltip(item.drawn, self.numbers)
        return None

    def _node_tooltip(self, item: NodeItem, numbers: DiagramNumbers | None) -> str:
        drawn = item.drawn
        if drawn.kind == "more":
            return f"{drawn.hidden:,} tree nodes are folded here. Click to unfold one more level."
        lines = [drawn.detail]
        if self.fault_marks is not None and item.key in self.fault_marks.nodes:
            lines.append(f"⚠ cannot be computed at this point: {self.fault_marks.message}")
        elif numbers is not None and not numbers.complete and drawn.name not in numbers.values:
            lines.append("no value at this point: it depends on something that cannot be computed")
        if numbers is not None and drawn.name in numbers.values:
            lines.append(f"value: {fmt(numbers.values[drawn.name], 10)}")
            if drawn.name in numbers.adjoints:
                root = display_name(self.model.root)
                lines.append(f"∂{root}/∂({display_name(drawn.name) if drawn.kind != 'op' else 'this'}) = "
                             f"{fmt(numbers.adjoints[drawn.name], 10)}  (adjoint, from the backward pass)")
        if self.model.view == "tree" and drawn.kind != "more":
            lines.append("Double-click to fold or unfold the branch below.")
        return "\n".join(lines)

    def _edge_tooltip(self, drawn: DrawnEdge, numbers: DiagramNumbers | None) -> str:
        if drawn.level_edge is None:
            return "Folded branch: click the ⋯ node to unfold it"
        lines = [drawn.detail]
        if self.fault_marks is not None and drawn.key in self.fault_marks.edges:
            lines.append(f"⚠ cannot be computed at this point: {self.fault_marks.message}")
        if numbers is not None and drawn.level_edge in numbers.partials:
            lines.append(f"at the point: {fmt(numbers.partials[drawn.level_edge], 10)}")
        if drawn.cut:
            lines.append("✂ cut (stop-gradient): no derivative flows through this edge. "
                         "Right-click to restore it.")
        elif drawn.vanished:
            lines.append("Every path through here runs through a cut edge: it no longer counts.")
        if drawn.edge is not None and not drawn.cut:
            lines.append("Click: every path through this edge · right-click: cut it")
        return "\n".join(lines)

    # -- highlighting -------------------------------------------------------------------------
    def apply_highlight(self, paths: list[tuple[str, ...]]) -> None:
        model = self.model
        lit_var = {e for p in paths for e in zip(p, p[1:])}
        lit_nodes: set[str] = set()
        # A path of d(out)/d(in) starts at the tree's root; a factor's (∂u/∂x, clicked in the
        # Jacobian) starts lower down, and lights every branch it continues.
        rooted = [p for p in paths if p[:1] == (model.root,)]
        lower = [p for p in paths if p[:1] != (model.root,)]
        for key, item in self.edges.items():
            drawn = item.drawn
            if model.view == "tree":
                branch = drawn.path
                on = bool(branch) and (any(p[: len(branch)] == branch for p in rooted)
                                       or any(_continues(branch, p) for p in lower))
            elif model.view == "graph":
                on = drawn.level_edge in lit_var
            else:
                on = bool(drawn.var_edges & lit_var)
            item.set_state(highlighted=on)
            if on:
                lit_nodes.update(key)
        for key, item in self.nodes.items():
            item.set_state(highlighted=key in lit_nodes)

    def show_callout(self, text_rows: list[tuple[str, bool]] | None) -> None:
        """A note above the output (a path's factors and product), or none."""
        if self.callout is not None:
            self.scene.removeItem(self.callout)
            self.callout = None
        if not text_rows or self.model.root not in self.nodes:
            return
        rows = [[Run(text, self.head_font if bold else self.text_font, self.ink)] for text, bold in text_rows]
        self.callout = CalloutItem(Block(rows))
        root = self.nodes[self.model.root]
        height = self.callout.block.height
        self.callout.setPos(root.pos() + QPointF(0, root.rect().top() - CALLOUT_GAP - height / 2.0))
        self.scene.addItem(self.callout)

    def math_runs(self) -> list[Run]:
        runs = []
        for item in list(self.nodes.values()) + list(self.labels.values()):
            runs.extend(r for row in item.block.rows for r in row if r.latex is not None)
        return runs


def _sizes(node_blocks: dict, edge_blocks: dict):
    """Box sizes for the layout: nodes at least 40 wide; edges without a label get none."""
    node_sizes = {k: (max(b[0].width, 40.0), b[0].height) for k, b in node_blocks.items()}
    label_sizes = {k: (b[0].width, b[0].height) for k, b in edge_blocks.items() if b is not None}
    return node_sizes, label_sizes


def _frame_number(frame: FrameView, drawn: DrawnNode) -> float | None:
    """The step-through's number for a box (a merged box answers for its operation too)."""
    for name in (drawn.name, *drawn.aliases):
        if name in frame.numbers:
            return frame.numbers[name]
    return None


def _is_number(text: str | None) -> bool:
    """A local partial that is a plain number (an operation edge's 1 or −1): its value says it all."""
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def _continues(branch: tuple[str, ...], path: tuple[str, ...]) -> bool:
    """Whether the tree edge at the end of ``branch`` (names from the root to the edge's
    child) lies on ``path``, which starts somewhere along the branch."""
    for start in range(len(branch) - 1):
        if branch[start] == path[0]:
            return branch[start:] == path[: len(branch) - start]
    return False
