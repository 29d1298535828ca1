"""A one-line label that ends in "…" when its text does not fit, never cut mid-word.

A plain QLabel that is allowed to shrink below its text (size policy Ignored, so a long
status cannot widen the window) clips the text at the widget's edge: right-aligned it
loses the *start* ("mber (in the definition of z, line 1)").  This label shows as much
as fits from the start and a "…", and its tooltip keeps the whole text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent=None, objectName: str = ""):  # noqa: N803 - Qt style
        super().__init__(parent)
        if objectName:
            self.setObjectName(objectName)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._full = ""
        self._tooltip = ""
        self.setText(text)

    def full_text(self) -> str:
        return self._full

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        self._full = text or ""
        self._elide()

    def text(self) -> str:  # noqa: D401 - the whole text, as callers and tests expect
        return self._full

    def shown_text(self) -> str:
        """What is on screen (possibly elided)."""
        return super().text()

    def set_detail(self, detail: str) -> None:
        """A tooltip with more than the text itself (the text is used when empty)."""
        self._tooltip = detail
        self._elide()

    def resizeEvent(self, event):  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(0, self.contentsRect().width())
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width) \
            if width else self._full
        super().setText(shown)
        self.setToolTip(self._tooltip or (self._full if shown != self._full else ""))
