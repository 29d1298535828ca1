"""Views that draw only while they are visible.

A bottom tab that is not showing should not redo its work on every slider move.  A lazy
view keeps the newest snapshot and draws it when it becomes visible, remembering whether
any snapshot it skipped changed the structure (then it must rebuild, not just renumber).
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from chainrule_gui.gui import theme
from chainrule_gui.gui.expression.snapshot import ExplorerSnapshot
from chainrule_gui.gui.expression.stale import StaleVeil


class LazyView(QWidget):
    """Subclasses implement ``render(snapshot, rebuild)``; callers use ``show_snapshot``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.snapshot: ExplorerSnapshot | None = None
        self._pending: ExplorerSnapshot | None = None
        self._rebuild_pending = True
        self.renders = 0  # how often render ran: tests check hidden views stay idle
        self.stale_veil = StaleVeil(self)
        theme.follow(self, lambda _t: self.rerender(), now=False)  # colours are chosen while drawing

    def show_snapshot(self, snapshot: ExplorerSnapshot) -> None:
        self._pending = snapshot
        self._rebuild_pending = self._rebuild_pending or snapshot.structure_changed
        if self.isVisible():
            self.flush()

    def show_stale(self, stale: bool) -> None:
        self.setEnabled(not stale)
        self.stale_veil.set_stale(stale)

    def flush(self) -> None:
        """Draw the newest snapshot now if one is waiting."""
        if self._pending is None:
            return
        snapshot, rebuild = self._pending, self._rebuild_pending
        self._pending, self._rebuild_pending = None, False
        self.snapshot = snapshot
        self.renders += 1
        self.render_snapshot(snapshot, rebuild)

    def rerender(self) -> None:
        """Draw the current snapshot again (after a change of the view's own options)."""
        if self._pending is None and self.snapshot is not None:
            self._pending = self.snapshot
        self._rebuild_pending = True
        if self.isVisible():
            self.flush()

    def showEvent(self, event):  # noqa: N802 - Qt override
        super().showEvent(event)
        self.flush()

    def render_snapshot(self, snapshot: ExplorerSnapshot, rebuild: bool) -> None:
        raise NotImplementedError

    @property
    def computing(self) -> bool:
        """The numbers of the snapshot drawn last are still being computed (off the GUI thread)."""
        return False
