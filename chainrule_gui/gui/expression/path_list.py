"""The path list (``pathList``): one row per path from the output down to the input.

Each row shows the chain of names, its factors and their product; the total sits below
the view (a label), so the view itself holds paths and nothing else.  Hovering or
selecting a row announces the path so the diagram can light it up.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from chainrule_gui.core.calculus.derivation import Derivation, PathTerm
from chainrule_gui.core.errors import NumericError
from chainrule_gui.core.explorer.state import structure_key
from chainrule_gui.core.expressions.printing import fmt, to_text
from chainrule_gui.core.graph.chain_graph import display_name
from chainrule_gui.gui.expression.snapshot import ExplorerSnapshot
from chainrule_gui.gui.expression.stale import StaleVeil

COLUMNS = ("Path", "Factors", "Values", "Product")


#: Rows the columns are sized from (paths are alike in length; Qt reads them all by default).
CONTENTS_PRECISION_ROWS = 40

#: The invalid index, Qt's name for "the table itself": the default parent of the row and column counts.
ROOT = QModelIndex()


class PathModel(QAbstractTableModel):
    """One row per path term (of one derivative, or of ∂F/∂x then ∂F/∂y on a curve)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.paths: tuple[PathTerm, ...] = ()

    def set_paths(self, paths: tuple[PathTerm, ...]) -> None:
        self.beginResetModel()
        self.paths = tuple(paths)
        self.endResetModel()

    def update_numbers(self, paths: tuple[PathTerm, ...]) -> None:
        """Same paths, new point: refresh the numbers without resetting the selection."""
        self.paths = tuple(paths)
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 2), self.index(self.rowCount() - 1, 3))

    def rowCount(self, parent=ROOT):  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.paths)

    def columnCount(self, parent=ROOT):  # noqa: N802
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if orientation == Qt.Orientation.Horizontal else str(section + 1)
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.paths):
            return None
        path = self.paths[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return " → ".join(display_name(n) for n in path.nodes)
            if column == 1:
                return " · ".join(path.factor_names)
            if column == 2:
                return " · ".join(fmt(v, 4) for v in path.factor_values)
            return fmt(path.product, 6)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(f"{name} = {to_text(expr)} = {fmt(v)}"
                             for name, expr, v in zip(path.factor_names, path.factors, path.factor_values))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class PathList(QWidget):
    """The table of paths plus the total beneath it."""

    path_selected = Signal(object)  # tuple of names, or None
    path_hovered = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = PathModel(self)
        self.view = QTableView(objectName="pathList")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setMouseTracking(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Sized from the first rows, not all of them: with 200 rows Qt asked the model for
        # every cell on each redraw (3,300 calls on deep-diamonds).
        self.view.horizontalHeader().setResizeContentsPrecision(CONTENTS_PRECISION_ROWS)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setToolTip("Every path from the output to the input; hover or select to see it in the diagram "
                             "(click below the rows or press Esc to clear the selection)")
        self.total = QLabel(objectName="pathTotal")
        self.total.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        layout.addWidget(self.total)
        self.view.selectionModel().selectionChanged.connect(self._on_selection)
        # ``entered`` says which row the pointer came onto, never that it left the rows: the
        # viewport's own events say that (onto empty space below them, or out of the list).
        self.view.entered.connect(lambda index: self._hover(index.row()))
        self.view.viewport().installEventFilter(self)
        self.view.installEventFilter(self)  # Esc
        self._hovered: int | None = None
        self._structure_key = None
        self.stale_veil = StaleVeil(self)

    def show_snapshot(self, snapshot: ExplorerSnapshot) -> None:
        d, implicit = snapshot.derivation, snapshot.implicit
        total = ""
        if implicit is not None:  # on a curve: the paths of ∂F/∂x, then those of ∂F/∂y
            paths = tuple(p for part in (implicit.F_wrt, implicit.F_of) if part is not None for p in part.paths)
            total = implicit_total_text(implicit)
        elif d is not None:
            paths, total = d.paths, total_text(d)
        else:
            paths, total = fault_paths(snapshot)
        key = (structure_key(snapshot), snapshot.max_paths)
        if key == self._structure_key and [p.nodes for p in self.model.paths] == [p.nodes for p in paths]:
            self.model.update_numbers(paths)
        else:
            self._structure_key = key
            self._hovered = None  # other rows now: the pointer's row is announced afresh
            self.model.set_paths(paths)
        self.total.setText(total)

    def show_stale(self, stale: bool) -> None:
        self.setEnabled(not stale)  # the total too: it is the last good text's
        self.stale_veil.set_stale(stale)

    def select_paths_through(self, edge) -> None:
        """Select the rows of every listed path that uses ``edge`` (or clear)."""
        selection = self.view.selectionModel()
        selection.clearSelection()
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        if edge is not None:
            for row, path in enumerate(self.model.paths):
                if tuple(edge) in path.edges:
                    self.view.selectRow(row)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

    def eventFilter(self, watched, event):  # noqa: N802 - Qt override
        kind = event.type()
        if watched is self.view:
            # A selected row holds the diagram's highlight; without a way back, hovering
            # would never show a path again.
            if kind == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Escape \
                    and self.view.selectionModel().hasSelection():
                self.view.clearSelection()
                return True
            return super().eventFilter(watched, event)
        if kind == QEvent.Type.Leave:
            self._hover(None)
        elif kind in (QEvent.Type.MouseMove, QEvent.Type.MouseButtonPress) \
                and not self.view.indexAt(event.position().toPoint()).isValid():
            self._hover(None)
            if kind == QEvent.Type.MouseButtonPress:
                self.view.clearSelection()  # a click below the rows lets go of the selected one
        return super().eventFilter(watched, event)

    def _hover(self, row: int | None) -> None:
        """Announce the path under the pointer (None: no row), once per change."""
        if row == self._hovered:
            return
        self._hovered = row
        self.path_hovered.emit(self._path(row) if row is not None else None)

    def _path(self, row: int):
        paths = self.model.paths
        return paths[row].nodes if 0 <= row < len(paths) else None

    def _on_selection(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        self.path_selected.emit(self._path(rows[0].row()) if len(rows) == 1 else None)


def fault_paths(snapshot: ExplorerSnapshot) -> tuple[tuple[PathTerm, ...], str]:
    """At a point where something cannot be computed: the paths still exist; list them with
    the factors known there (— where one is not; the core's ``derive`` put them in the error)
    and say why there is no total."""
    error = snapshot.error
    if not isinstance(error, NumericError) or snapshot.is_implicit:
        return (), ""
    paths, count = error.paths, error.path_count
    lhs = f"d{snapshot.of}/d{snapshot.wrt}"
    if count == 0:
        return paths, ""
    listed = f"{count:,} path{'s' if count != 1 else ''}" + (f" (the first {len(paths):,} listed)"
                                                               if len(paths) < count else "")
    undefined = any(p.product is None for p in paths)
    return paths, (f"{listed}; at this point {error.reason}"
                   + (", so the factors marked — cannot be computed, and neither can " if undefined
                      else ", so neither can ") + lhs + ".")


def total_text(d: Derivation | None) -> str:
    if d is None:
        return ""
    lhs = f"d{d.of}/d{d.wrt}"
    if d.path_count == 0:
        return f"No path leads from {d.of} to {d.wrt}: {lhs} = 0"
    if d.paths_complete:
        plural = "s" if d.path_count > 1 else ""
        return f"Sum of {d.path_count} path product{plural}: {lhs} = {fmt(d.methods['paths'], 10)}"
    return (f"Showing the first {len(d.paths):,} of {d.path_count:,} paths. The total is still exact "
            f"(from accumulation): {lhs} = {fmt(d.derivative, 10)}")


def implicit_total_text(implicit) -> str:
    """The two path sums on a curve and the quotient they make."""
    fx, fy = implicit.F_wrt, implicit.F_of
    y, x = implicit.of, implicit.wrt
    if fx is None or fy is None:
        return f"d{y}/d{x} = {fmt(implicit.derivative, 10)}"

    def part(d) -> str:
        return f"∂F/∂{d.wrt} = {fmt(d.derivative, 6)} ({d.path_count} path{'s' if d.path_count != 1 else ''})"

    return f"{part(fx)}, {part(fy)}; d{y}/d{x} = −(∂F/∂{x})/(∂F/∂{y}) = {fmt(implicit.derivative, 10)}"
