"""Render the application icon (resources/icons/chainrule-gui.svg) to PNG sizes.

    python packaging/make_icons.py [OUTPUT_DIR]

Writes OUTPUT_DIR/hicolor/<n>x<n>/apps/chainrule-gui.png for the freedesktop icon theme
and chainrule-gui.ico for Windows (default OUTPUT_DIR: packaging/build/icons).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ROOT = Path(__file__).resolve().parent.parent


def make_icons(output: Path) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841
    renderer = QSvgRenderer(str(ROOT / "resources" / "icons" / "chainrule-gui.svg"))
    if not renderer.isValid():
        raise SystemExit("error: the SVG icon cannot be read")
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = output / "hicolor" / f"{size}x{size}" / "apps" / "chainrule-gui.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):
            raise SystemExit(f"error: cannot write {target}")
        written.append(target)
        if size == 256:
            image.save(str(output / "chainrule-gui.ico"), "ICO")
    return written


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "packaging" / "build" / "icons"
    for path in make_icons(out):
        print(path)
