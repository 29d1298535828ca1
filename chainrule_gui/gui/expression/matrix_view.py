"""A matrix shown as numbers on a heatmap: one table cell per entry, coloured by value.

Colours diverge from white at 0 to blue (negative) and vermillion (positive), two
Okabe–Ito colours that stay distinct under every common colour-vision deficiency; the
scale is the largest |entry| of the matrix shown, so the strongest entry is fully coloured.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStyledItemDelegate,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from chainrule_gui.core.expressions.printing import fmt
from chainrule_gui.gui import theme
from chainrule_gui.gui.tables import cell, fit_table
from chainrule_gui.gui.typeset import latex_pixmap

NEGATIVE = QColor("#0072b2")  # Okabe–Ito blue
POSITIVE = QColor("#d55e00")  # Okabe–Ito vermillion
UNDEFINED = QColor("#dddddd")


def heat_color(value: float, scale: float, zero: QColor | None = None) -> QColor:
    """``zero`` (white by default; the table's base colour in a dark theme) at 0, fully blue
    at −scale, fully vermillion at +scale."""
    zero = QColor("#ffffff") if zero is None else zero
    if not math.isfinite(value):
        return UNDEFINED if zero.lightness() > 128 else QColor("#4a4a4a")
    t = 0.0 if scale <= 0 else max(-1.0, min(1.0, value / scale))
    end = POSITIVE if t > 0 else NEGATIVE
    a = abs(t) * 0.85  # never fully saturated, so the number stays readable
    return QColor(round(zero.red() + (end.red() - zero.red()) * a),
                  round(zero.green() + (end.green() - zero.green()) * a),
                  round(zero.blue() + (end.blue() - zero.blue()) * a))


def text_color(background: QColor) -> QColor:
    luminance = 0.299 * background.red() + 0.587 * background.green() + 0.114 * background.blue()
    return QColor("#000000") if luminance > 140 else QColor("#ffffff")


class _MarkDelegate(QStyledItemDelegate):
    """Frames the marked cell; a selection colour would hide the heat colour underneath."""

    def __init__(self, table: MatrixTable):
        super().__init__(table)
        self.table = table

    def paint(self, painter, option, index):
        super().paint(painter, option, index)
        if (index.row(), index.column()) == self.table.marked:
            painter.save()
            painter.setPen(QPen(QColor(theme.current().ink), 2))
            painter.drawRect(option.rect.adjusted(1, 1, -1, -1))
            painter.restore()


class MatrixTable(QTableWidget):
    """Rows and columns are named; ``entry_clicked(i, j)`` when a cell is clicked.

    ``marked`` is the (row, column) framed as chosen, or None.
    """

    entry_clicked = Signal(int, int)

    def __init__(self, object_name: str, parent=None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.marked: tuple[int, int] | None = None
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setCornerButtonEnabled(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setItemDelegate(_MarkDelegate(self))
        self.cellClicked.connect(self._on_click)
        self.matrix = np.zeros((0, 0))

    def _on_click(self, row: int, column: int) -> None:
        self.mark(row, column)
        self.entry_clicked.emit(row, column)

    def mark(self, row: int | None, column: int | None = None) -> None:
        self.marked = None if row is None else (row, column)
        self.viewport().update()

    def set_matrix(self, rows, cols, matrix, tooltips=None, digits: int = 5) -> None:
        """Show ``matrix`` (len(rows) × len(cols)); ``tooltips[i][j]`` adds text to a cell."""
        matrix = np.asarray(matrix, dtype=float).reshape(len(rows), len(cols))
        self.matrix = matrix
        if self.rowCount() != len(rows) or self.columnCount() != len(cols):
            self.marked = None
            self.setRowCount(len(rows))
            self.setColumnCount(len(cols))
        self.setVerticalHeaderLabels(list(rows))
        self.setHorizontalHeaderLabels(list(cols))
        finite = np.abs(matrix[np.isfinite(matrix)])
        scale = float(finite.max()) if finite.size else 0.0
        for i in range(len(rows)):
            for j in range(len(cols)):
                value = float(matrix[i, j])
                item = cell(self, i, j)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                background = heat_color(value, scale, QColor(theme.current().paper))
                item.setText(fmt(value, digits) if math.isfinite(value) else "—")
                item.setBackground(background)
                item.setForeground(text_color(background))
                tip = f"[{rows[i]}, {cols[j]}] = {fmt(value, 15)}"
                if tooltips is not None and tooltips[i][j]:
                    tip += "\n" + tooltips[i][j]
                item.setToolTip(tip)
        self._fit_to_contents()

    def _fit_to_contents(self) -> None:
        fit_table(self)


class MatrixPanel(QWidget):
    """A typeset title over a :class:`MatrixTable`."""

    def __init__(self, object_name: str, title_latex: str, tooltip: str, parent=None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setToolTip(tooltip)
        self.subtitle = QLabel()
        theme.style_sheet(self.subtitle, lambda t: f"color: {t.muted};")
        font = QFont(self.subtitle.font())
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.subtitle.setFont(font)
        self.table = MatrixTable(object_name)
        self.table.setToolTip(tooltip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.table)
        layout.addStretch(1)
        self.set_title(title_latex)

    def set_title(self, latex: str, plain: str | None = None) -> None:
        pixmap = latex_pixmap(latex, 13.0, theme.current().ink, self.devicePixelRatioF())
        if pixmap is None:
            self.title.setText(plain or latex)
        else:
            self.title.setPixmap(pixmap)
