"""The first-run hint (``firstRunHint``): a note under the Examples menu, shown once.

A newcomer facing an editor and a diagram may not know where to start; the worked
examples are the quickest way in.  The note sits just below the menu's title in the menu
bar, says so, and offers to open the menu.  It is remembered in QSettings the moment it
is shown, so it never comes back by itself (Help ▸ Show the Welcome Hint brings it back).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMenu, QPushButton, QToolButton, QWidget

from chainrule_gui.gui import stored_settings

SETTINGS_KEY = "hints/examplesHintShown"


class ExamplesHint(QFrame):
    """A small dismissible note pointing at ``menu`` in ``window``'s menu bar."""

    def __init__(self, window: QWidget, menu: QMenu):
        super().__init__(window)
        self.setObjectName("firstRunHint")
        self._window = window
        self._menu = menu
        # Tool-tip colours: a note that stands out in a light and in a dark theme alike.
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.setFrameShape(QFrame.Shape.Box)
        text = QLabel("<b>New here?</b> The <b>Examples</b> menu has worked examples with notes on "
                      "what to look at; or type your own definitions on the left. F1 opens the guide.",
                      objectName="firstRunHintText")
        text.setWordWrap(True)
        text.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.open_button = QPushButton("Show the Examples", objectName="firstRunOpenExamples")
        self.open_button.setToolTip("Open the Examples menu")
        self.open_button.clicked.connect(self.open_examples)
        self.close_button = QToolButton(objectName="firstRunDismiss", text="✕")
        self.close_button.setToolTip("Dismiss this note (it is shown only once)")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.dismiss)
        # One row, so it covers as little of the window as it can.
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 4, 6)
        layout.addWidget(text, 1)
        layout.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.setFixedWidth(680)
        self.hide()
        window.installEventFilter(self)

    @staticmethod
    def seen() -> bool:
        return stored_settings.read_flag(SETTINGS_KEY)

    def show_once(self) -> bool:
        """Show the note unless it has been shown before; True if shown now."""
        if self.seen():
            return False
        self.show_now()
        return True

    def show_now(self) -> None:
        QSettings().setValue(SETTINGS_KEY, True)
        self.resize(self.width(), self.layout().totalHeightForWidth(self.width()))
        self.place()
        self.show()
        self.raise_()

    def place(self) -> None:
        """Just below the Examples menu's title, inside the window."""
        bar = self._window.menuBar()
        title = bar.actionGeometry(self._menu.menuAction())
        anchor = bar.mapTo(self._window, QPoint(title.left(), title.bottom() + 4))
        x = min(max(4, anchor.x()), max(4, self._window.width() - self.width() - 4))
        self.move(x, anchor.y())

    def open_examples(self) -> None:
        self.dismiss()
        bar = self._window.menuBar()
        bar.setActiveAction(self._menu.menuAction())

    def dismiss(self) -> None:
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self._window and event.type() == QEvent.Type.Resize and self.isVisible():
            self.place()
        return False
