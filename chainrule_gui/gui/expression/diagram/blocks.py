"""Text blocks with a fixed footprint: rows of plain text and typeset runs.

The layout reserves each block's size once, so nothing can grow into a neighbour later:
a typeset pixmap that arrives afterwards, or a number that changes while a slider
moves, is drawn *into* its reserved room — shrunk if it would not fit, never spilling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPixmap

PAD_X = 7.0
PAD_Y = 4.0
RUN_SPACING = 4.0
ROW_SPACING = 1.0
#: Logical DPI Qt sizes fonts with; mathtext's points are pixels at 72 dpi.
QT_DPI = 96.0


def math_point_size(font: QFont) -> float:
    """The mathtext size that matches ``font`` on screen."""
    return font.pointSizeF() * QT_DPI / 72.0


def plain_math(text: str) -> str:
    """SymPy's text made friendlier while the typeset form is on its way."""
    return text.replace("**", "^").replace("*", "·")


@dataclass
class Run:
    """A piece of one row: plain text, or typeset math with ``text`` as its stand-in.

    ``reserve`` is a text whose width is kept free even when ``text`` is shorter (for
    numbers that change as sliders move).
    """

    text: str
    font: QFont
    color: QColor
    latex: str | None = None
    reserve: str = ""
    pixmap: QPixmap | None = None
    width: float = 0.0
    height: float = 0.0
    typeset: bool = field(default=False)  # the pixmap has arrived

    def measure(self) -> None:
        if self.pixmap is not None:  # typeset already (from the cache): its true size
            size = self.pixmap.deviceIndependentSize()
            self.width, self.height = size.width(), size.height()
            return
        metrics = QFontMetricsF(self.font)
        if self.latex is not None:
            self.width, self.height = _estimate_math(self.latex, self.text, metrics)
            return
        width = metrics.horizontalAdvance(self.text)
        if self.reserve:
            width = max(width, metrics.horizontalAdvance(self.reserve))
        self.width, self.height = width, metrics.height()


def _estimate_math(latex: str, text: str, metrics: QFontMetricsF) -> tuple[float, float]:
    """Room for typeset math before it is typeset: from the plain text, fractions stacked."""
    width = metrics.horizontalAdvance(plain_math(text)) * 0.92
    top_level_fraction = re.search(r"\\frac", _strip_scripts(latex)) is not None
    height = metrics.height() * (2.3 if top_level_fraction else 1.35)
    if top_level_fraction:
        width *= 0.75  # numerator over denominator: narrower than a/b
    return width, height


def _strip_scripts(latex: str) -> str:
    """``latex`` without exponent and subscript groups (their fractions are folded to a slash)."""
    out, depth, skip = [], 0, False
    i = 0
    while i < len(latex):
        c = latex[i]
        if c in "^_" and i + 1 < len(latex) and latex[i + 1] == "{" and not skip:
            skip, depth = True, 0
        if skip:
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    skip = False
        else:
            out.append(c)
        i += 1
    return "".join(out)


class Block:
    """Rows of runs, each row centred; measured once, then painted into that room."""

    def __init__(self, rows: list[list[Run]]):
        self.rows = [row for row in rows if row]
        self.measure()

    @property
    def estimated(self) -> bool:
        """Whether some typeset run still has only an estimate of its size."""
        return any(run.latex is not None and not run.typeset for row in self.rows for run in row)

    def measure(self) -> None:
        """Sizes from the runs as they are now (true sizes for typeset runs)."""
        for row in self.rows:
            for run in row:
                run.measure()
        self.row_heights = [max(r.height for r in row) for row in self.rows]
        self.row_widths = [sum(r.width for r in row) + RUN_SPACING * (len(row) - 1) for row in self.rows]
        self.width = (max(self.row_widths) if self.rows else 0.0) + 2 * PAD_X
        self.height = sum(self.row_heights) + ROW_SPACING * max(0, len(self.rows) - 1) + 2 * PAD_Y

    def paint(self, painter: QPainter, rect: QRectF) -> None:
        for run, room in zip(self._runs(), self.run_rects(rect), strict=True):
            _paint_run(painter, run, room)

    def _runs(self) -> list[Run]:
        return [run for row in self.rows for run in row]

    def run_rects(self, rect: QRectF) -> list[QRectF]:
        """Where each run is painted: rows centred by what they hold now, within their room."""
        rects = []
        y = rect.top() + (rect.height() - (self.height - 2 * PAD_Y)) / 2.0
        for row, height in zip(self.rows, self.row_heights, strict=True):
            widths = [min(run.width, _natural_width(run)) for run in row]
            x = rect.left() + (rect.width() - sum(widths) - RUN_SPACING * (len(row) - 1)) / 2.0
            for width in widths:
                rects.append(QRectF(x, y, width, height))
                x += width + RUN_SPACING
            y += height + ROW_SPACING
        return rects


def _natural_width(run: Run) -> float:
    """How wide a run is with what it holds now (its room is an upper bound)."""
    if run.pixmap is not None:
        return run.pixmap.deviceIndependentSize().width()
    text = plain_math(run.text) if run.latex is not None else run.text
    return QFontMetricsF(run.font).horizontalAdvance(text) + 1.0


def _paint_run(painter: QPainter, run: Run, room: QRectF) -> None:
    if run.pixmap is not None:
        size = run.pixmap.deviceIndependentSize()
        scale = min(1.0, room.width() / max(size.width(), 1.0), room.height() / max(size.height(), 1.0))
        w, h = size.width() * scale, size.height() * scale
        left = room.left() + (room.width() - w) / 2.0
        target = QRectF(left, room.top() + (room.height() - h) / 2.0, w, h)
        painter.drawPixmap(target, run.pixmap, QRectF(run.pixmap.rect()))
        return
    painter.setFont(run.font)
    painter.setPen(run.color)
    text = plain_math(run.text) if run.latex is not None else run.text
    width = QFontMetricsF(run.font).horizontalAdvance(text)
    if width <= room.width() + 0.5:
        painter.drawText(room, Qt.AlignmentFlag.AlignCenter, text)
        return
    painter.save()  # too wide for its room: squeeze it rather than overlap a neighbour
    painter.translate(room.left(), room.top())
    painter.scale(room.width() / width, 1.0)
    painter.drawText(QRectF(0, 0, width, room.height()), Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()

