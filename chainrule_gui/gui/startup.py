"""Start-up order: the first diagram on screen before anything the first view does not need.

A cold start spends most of its time importing (PySide6, SymPy, networkx, pyqtgraph,
matplotlib).  The first view needs only Qt and the core; so while the application starts,
work such as creating plots (pyqtgraph), typesetting labels (matplotlib) or starting the
SymPy worker process is *deferred*: :func:`defer` queues it and :func:`finish` runs it
once the diagram has been painted.  Outside a start-up (tests, scripts, any time after
the first paint) :func:`defer` runs its callback at once, so code never has to care.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer

log = logging.getLogger(__name__)

#: Deferred work runs at the latest this long after start-up began, painted or not (a
#: minimized window never paints).
DEADLINE_MS = 4000

_queue: list[Callable[[], None]] | None = None


def begin() -> None:
    """From now until :func:`finish`, :func:`defer` queues instead of running."""
    global _queue
    if _queue is None:
        _queue = []
        QTimer.singleShot(DEADLINE_MS, finish)


def in_progress() -> bool:
    return _queue is not None


def defer(callback: Callable[[], None]) -> None:
    """Run ``callback`` after the first paint (now, if start-up is over)."""
    if _queue is None:
        callback()
    else:
        _queue.append(callback)


def finish(then: Callable[[], None] | None = None) -> None:
    """Run the deferred work in the order it was queued, one piece per turn of the event
    loop (keys and paints get through in between), then ``then``; later :func:`defer`
    calls run at once."""
    global _queue
    queued, _queue = _queue, None
    for callback in (queued or []) + ([then] if then is not None else []):
        QTimer.singleShot(0, lambda callback=callback: _run(callback))


def _run(callback: Callable[[], None]) -> None:
    try:
        callback()
    except RuntimeError as exc:  # the widget it was for has been deleted meanwhile
        log.debug("deferred start-up work skipped: %s", exc)


class FirstPaint(QObject):
    """Calls ``done(seconds)`` once ``diagram`` has painted a drawing (or its placeholder
    after a result arrived), measured from ``started`` (a ``time.perf_counter()`` value)."""

    def __init__(self, diagram, done: Callable[[float], None], started: float):
        super().__init__(diagram)
        self._diagram = diagram
        self._done = done
        self._started = started
        self._fired = False
        diagram.viewport().installEventFilter(self)

    def eventFilter(self, watched, event):  # noqa: N802 - Qt override
        if not self._fired and event.type() == QEvent.Type.Paint and self._diagram.snapshot is not None:
            self._fired = True
            elapsed = time.perf_counter() - self._started
            watched.removeEventFilter(self)
            # After this paint event has been handled: the pixels are on screen then.
            QTimer.singleShot(0, lambda: self._done(elapsed))
        return False
