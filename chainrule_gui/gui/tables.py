"""Small QTableWidget helpers shared by the result panel and the matrix views (Qt only:
the result panel is part of the first view, which must not wait for NumPy)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem


def cell(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    """The item at (row, column), created there if the table has none yet (tables are
    refilled in place on every redraw, not rebuilt)."""
    item = table.item(row, column)
    if item is None:
        item = QTableWidgetItem()
        table.setItem(row, column, item)
    return item


def fit_table(table: QTableWidget) -> None:
    """Make ``table`` exactly as large as its cells: no blank band, no scroll bars of its own."""
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.resizeColumnsToContents()
    table.resizeRowsToContents()
    frame = 2 * table.frameWidth()
    vertical = table.verticalHeader()
    width = (vertical.width() if vertical.isVisible() else 0) + sum(
        table.columnWidth(c) for c in range(table.columnCount()))
    height = table.horizontalHeader().height() + sum(table.rowHeight(r) for r in range(table.rowCount()))
    if table.columnCount() == 0:
        width = 0
    table.setFixedSize(width + frame, height + frame)
