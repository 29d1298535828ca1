"""What the Expression-mode widget tests share: type definitions and wait for the answer."""

from PySide6.QtWidgets import QTableView


def show(qtbot, mode, text, tab=None):
    """Type ``text`` into the Expression mode and wait until a snapshot of exactly that text is
    on screen; optionally bring a bottom tab (a view widget) to the front and wait until it
    shows that snapshot's numbers.  The snapshot."""
    before = mode.snapshot.revision if mode.snapshot else 0
    mode.set_text(text)
    qtbot.waitUntil(lambda: mode.snapshot is not None and mode.snapshot.revision > before
                    and mode.snapshot.text == text, timeout=10000)
    if tab is not None:
        mode.bottom_tabs.setCurrentWidget(tab)
        drawn(qtbot, mode, tab)
    return mode.snapshot


def drawn(qtbot, mode, view):
    """Wait until ``view`` shows the numbers of the mode's newest snapshot: they are computed
    off the GUI thread, and a person sees them appear a moment after the snapshot."""
    qtbot.waitUntil(lambda: view.snapshot is mode.snapshot and not view.computing, timeout=10000)


def path_rows(mode):
    """The path list's cells, row by row, as displayed."""
    view = mode.findChild(QTableView, "pathList")
    model = view.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]
