"""Notes on top of the diagram: the banner (cuts, folds) and the corner note (partial view).

The banner sits in a margin above the viewport, so it never covers the drawing.  The
corner note floats over the viewport instead: if it took room, it could itself decide
whether the drawing fits.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QGraphicsView, QHBoxLayout, QLabel, QToolButton

from chainrule_gui.gui import theme


class Overlays:
    """The banner with an optional Restore-cuts button, and the corner note, of ``view``."""

    def __init__(self, view: QGraphicsView, restore_action: QAction, covers=lambda item: False):
        self.view = view
        self.covers = covers  # whether the corner note would hide this item (a box, a label)
        self.banner = QFrame(view)
        self.banner.setObjectName("diagramBanner")
        theme.style_sheet(self.banner, lambda t: f"#diagramBanner {{ background: {t.banner_bg}; "
                                                 "border: 1px solid #D55E00; border-radius: 4px; }"
                                                 f"#diagramBannerText {{ color: {t.ink}; }}")
        box = QHBoxLayout(self.banner)
        box.setContentsMargins(8, 3, 4, 3)
        self.banner_label = QLabel(objectName="diagramBannerText")
        self.banner_label.setWordWrap(True)  # a long line (a fault's message) wraps inside the view
        box.addWidget(self.banner_label, 1)
        self.restore_button = QToolButton(objectName="restoreCutsButton")
        self.restore_button.setDefaultAction(restore_action)
        box.addWidget(self.restore_button)
        self.banner.hide()
        self.partial_hint = QLabel("Part of the diagram is outside the view · drag to pan · "
                                   "Ctrl+0 shows all of it", view.viewport())
        self.partial_hint.setObjectName("diagramPartialHint")
        theme.style_sheet(self.partial_hint, lambda t: "#diagramPartialHint { background: "
                          f"{'rgba(40, 40, 40, 225)' if t.dark else 'rgba(255, 255, 255, 220)'}; color: {t.muted}; "
                          f"border: 1px solid {t.quiet_border}; border-radius: 3px; padding: 1px 4px; }}")
        self.partial_hint.hide()

    def show_banner(self, lines: list[str], restore: bool) -> None:
        """Show ``lines`` (none: hide the banner), with the Restore-cuts button if ``restore``."""
        self.banner_label.setText("\n".join(lines))
        self.restore_button.setVisible(restore)
        self.banner.setVisible(bool(lines))
        self.place()

    def set_partial(self, partial: bool) -> None:
        self.partial_hint.setVisible(partial)
        self.place()

    def place(self) -> None:
        """Put both where they belong after a resize."""
        view = self.view
        if self.banner.isVisible():
            frame = view.frameWidth()
            width = view.width() - 2 * frame - 4
            height = self.banner.heightForWidth(width)
            if height <= 0:
                height = self.banner.sizeHint().height()
            self.banner.setGeometry(frame + 2, frame + 2, width, height)
            view.setViewportMargins(0, self.banner.height() + 4, 0, 0)
        else:
            view.setViewportMargins(0, 0, 0, 0)
        self.place_hint()

    def place_hint(self) -> None:
        if self.partial_hint.isVisible():
            self.partial_hint.adjustSize()
            self.partial_hint.move(self._free_corner())

    def _free_corner(self) -> QPoint:
        """Bottom right, unless a box or label lies there and another corner is clear: the
        note must not hide the part of the drawing that is in view."""
        area, size = self.view.viewport().rect(), self.partial_hint.size()
        left, right = area.left() + 6, area.right() - size.width() - 6
        top, bottom = area.top() + 6, area.bottom() - size.height() - 6
        corners = [QPoint(right, bottom), QPoint(left, bottom), QPoint(right, top), QPoint(left, top)]
        covered = [sum(1 for item in self.view.items(QRect(corner, size)) if self.covers(item))
                   for corner in corners]
        return corners[covered.index(min(covered))]  # the first with the fewest under it
