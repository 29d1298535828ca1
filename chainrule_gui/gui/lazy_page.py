"""Tab pages created the first time they are shown.

A tab the person has not opened yet should cost nothing at start-up: the Network mode
and the Expression mode's Jacobian, second-order and implicit views import pyqtgraph and
build dozens of widgets.  A :class:`LazyPage` holds a factory instead, makes the widget
when the tab is first shown (after the first paint, during start-up) or when code asks
for it, and replays to it the newest snapshot and stale state it was handed meanwhile.

:class:`LazyTabWidget` lets callers keep thinking in terms of the real widgets:
``setCurrentWidget(view)``, ``indexOf(view)`` and ``currentWidget()`` accept and return
the page's content, not the page.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from chainrule_gui.gui import startup


class LazyPage(QWidget):
    created = Signal(QWidget)

    def __init__(self, factory: Callable[[], QWidget], name: str, parent=None):
        super().__init__(parent)
        self.setObjectName(f"{name}Page")
        self._factory = factory
        self.content: QWidget | None = None
        self._calls: dict[str, tuple] = {}
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._placeholder = QLabel("Loading…", alignment=Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setEnabled(False)
        self._box.addWidget(self._placeholder)

    def ensure(self) -> QWidget:
        """The page's widget, created now if it does not exist yet."""
        if self.content is None:
            content = self._factory()
            self.content = content
            self._placeholder.hide()
            self._box.addWidget(content)
            if self.isVisible():
                content.show()  # now, not queued: the replayed calls below may draw at once
            self._placeholder.deleteLater()
            calls, self._calls = self._calls, {}
            for method, args in calls.items():
                getattr(content, method)(*args)
            self.created.emit(content)
        return self.content

    def deliver(self, method: str, *args) -> None:
        """Call ``content.method(*args)`` now, or once the content exists (only the newest
        call of each method is kept; they are replayed in the order of their last call)."""
        if self.content is not None:
            getattr(self.content, method)(*args)
        else:
            self._calls.pop(method, None)
            self._calls[method] = args

    # The Expression mode's panel protocol.
    def show_snapshot(self, snapshot) -> None:
        self.deliver("show_snapshot", snapshot)

    def show_stale(self, stale: bool) -> None:
        self.deliver("show_stale", stale)

    def showEvent(self, event):  # noqa: N802 - Qt override
        super().showEvent(event)
        if self.content is None:
            startup.defer(self._create_if_shown)

    def _create_if_shown(self) -> None:
        if self.content is None and self.isVisible():
            self.ensure()


class LazyTabWidget(QTabWidget):
    """A tab widget whose pages may be :class:`LazyPage` objects (see the module docstring)."""

    def add_lazy_tab(self, factory: Callable[[], QWidget], name: str, title: str, tip: str = "") -> LazyPage:
        page = LazyPage(factory, name)
        index = self.addTab(page, title)
        if tip:
            self.setTabToolTip(index, tip)
        return page

    def page_of(self, widget: QWidget) -> QWidget:
        for index in range(self.count()):
            page = self.widget(index)
            if isinstance(page, LazyPage) and page.content is widget and widget is not None:
                return page
        return widget

    def setCurrentWidget(self, widget: QWidget) -> None:  # noqa: N802 - Qt name
        super().setCurrentWidget(self.page_of(widget))

    def indexOf(self, widget: QWidget) -> int:  # noqa: N802 - Qt name
        return super().indexOf(self.page_of(widget))

    def current_page(self) -> QWidget | None:
        """The current page itself (a LazyPage stays uncreated)."""
        return super().currentWidget()

    def currentWidget(self) -> QWidget | None:  # noqa: N802 - Qt name
        page = super().currentWidget()
        return page.ensure() if isinstance(page, LazyPage) else page
