"""The diagram as a file: PNG (rendered at 2× for crispness) and SVG.

Both render the whole scene — not just what is scrolled into view — on the diagram's
background (white, or dark in the dark theme: the drawing's colours are made for it), with
every label typeset first.  In the SVG, names and numbers stay text (searchable,
selectable) and typeset formulas are embedded images.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene

from chainrule_gui.core.files.atomic import atomic_write_bytes
from chainrule_gui.gui import theme

MARGIN = 24.0
PNG_SCALE = 2.0


class ExportError(Exception):
    """The file could not be written; the message says why."""


def scene_area(scene: QGraphicsScene) -> QRectF:
    return scene.itemsBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def export_png(scene: QGraphicsScene, path: str | Path, scale: float = PNG_SCALE) -> QSize:
    """Write ``scene`` to ``path`` as PNG at ``scale`` pixels per scene unit; returns the size."""
    area = scene_area(scene)
    if area.isEmpty():
        raise ExportError("there is no diagram to export yet: type a definition first")
    size = QSize(max(1, round(area.width() * scale)), max(1, round(area.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.fill(QColor(theme.current().paper))
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                           | QPainter.RenderHint.SmoothPixmapTransform)
    scene.render(painter, QRectF(0, 0, size.width(), size.height()), area,
                 Qt.AspectRatioMode.IgnoreAspectRatio)
    painter.end()
    # Set after painting: a painter sizes fonts by the image's DPI, and the scene is scaled already.
    image.setDotsPerMeterX(round(3780 * scale))  # 96 dpi × scale: viewers show it at 1:1
    image.setDotsPerMeterY(round(3780 * scale))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise ExportError(f"could not encode the diagram as PNG ({size.width()} × {size.height()} pixels)")
    _write(path, bytes(buffer.data()))
    return size


def _write(path: str | Path, data: bytes) -> None:
    """Atomically, like every file the app writes: the old file stays whole until then."""
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise ExportError(f"could not write {path}: {exc.strerror or exc}; check that the folder "
                          "exists and is writable") from None


def export_svg(scene: QGraphicsScene, path: str | Path, title: str = "Chain rule diagram") -> QSize:
    """Write ``scene`` to ``path`` as SVG (one scene unit = one SVG pixel)."""
    from PySide6.QtSvg import QSvgGenerator

    area = scene_area(scene)
    if area.isEmpty():
        raise ExportError("there is no diagram to export yet: type a definition first")
    size = QSize(max(1, round(area.width())), max(1, round(area.height())))
    generator = QSvgGenerator()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
    generator.setTitle(title)
    generator.setDescription("Exported from Chain Rule Explorer")
    painter = QPainter()
    if not painter.begin(generator):
        raise ExportError("could not start drawing the SVG")
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    painter.fillRect(QRectF(0, 0, size.width(), size.height()), QColor(theme.current().paper))
    scene.render(painter, QRectF(0, 0, size.width(), size.height()), area,
                 Qt.AspectRatioMode.IgnoreAspectRatio)
    painter.end()
    _write(path, bytes(buffer.data()))
    return size
