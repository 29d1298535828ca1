"""The mark of a stale panel (``staleVeil``): a wash over it and a label saying what it is.

While the definitions do not read, every panel keeps the last good result so the person
can still compare against it — but nothing of it may pass for the answer to what is typed
now.  Disabling a widget does not show that: a badge's style sheet keeps its colours, a
plot draws as before and a typeset formula is a picture.  So a stale panel is covered by
a translucent wash in the theme's ``overlay`` colour, with a label in its top-right corner,
until the next good snapshot.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QWidget

from chainrule_gui.gui import theme

STALE_TEXT = "Last good result — fix the text to update"
STALE_TIP = ("The definitions do not read (the message under the editor says where). This panel still "
             "shows the result of the last text that did; it updates as soon as the text reads again.")


class StaleVeil(QWidget):
    """Covers ``host`` while it is stale; ``set_stale`` shows or hides it."""

    def __init__(self, host: QWidget, text: str = STALE_TEXT):
        super().__init__(host)
        self.setObjectName("staleVeil")
        # The host is disabled while stale: the veil only shows, it takes no clicks.
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.label = QLabel(text, self, objectName="staleLabel")
        self.label.setToolTip(STALE_TIP)
        theme.style_sheet(self.label, lambda t: f"#staleLabel {{ background: {t.warn_bg}; color: {t.ink}; "
                                                f"border: 1px solid {t.warn_border}; border-radius: 3px; "
                                                "padding: 1px 6px; }")
        self.setToolTip(STALE_TIP)
        host.installEventFilter(self)
        self.hide()

    @property
    def stale(self) -> bool:
        return not self.isHidden()

    def set_stale(self, stale: bool) -> None:
        if stale:
            self._place()
            self.show()
            self.raise_()  # above children made since (a lazily made plot, the diagram's banner)
        else:
            self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize and not self.isHidden():
            self._place()
        return False

    def _place(self) -> None:
        host = self.parentWidget()
        self.setGeometry(host.rect())
        hint = self.label.sizeHint()
        width = min(hint.width(), max(0, host.width() - 8))
        self.label.setGeometry(max(4, host.width() - width - 4), 4, width, hint.height())

    def paintEvent(self, event):  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), theme.current().qcolor("overlay"))
