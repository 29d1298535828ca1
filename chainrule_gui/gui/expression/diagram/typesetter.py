"""Typesetting labels without freezing the window.

A new label costs a few milliseconds of mathtext (more for the very first one), so a
diagram is first painted with plain text and the typeset pixmaps are swapped in a few
at a time from a zero-interval timer: visible labels first, the event loop running in
between.  Labels seen before come from the cache at once.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from cachetools import LRUCache
from PySide6.QtCore import QObject, QRectF, QTimer, Signal
from PySide6.QtGui import QPixmap

from chainrule_gui.gui import startup
from chainrule_gui.gui.background import Background
from chainrule_gui.gui.typeset import display_fractions, image_bytes, latex_pixmap, warm_up

#: Milliseconds of typesetting per turn of the event loop.
SLICE_MS = 12.0
#: Labels are rendered at this many device pixels per scene pixel, so they stay sharp
#: when zoomed in and in 2× exports.
RENDER_SCALE = 2.0
#: Typeset edge and node labels kept, by bytes (at RENDER_SCALE a label is tens of kB).
PIXMAP_CACHE_BYTES = 32 * 2**20


@dataclass
class _Job:
    latex: str
    point_size: float
    color: str
    deliver: Callable[[QPixmap | None], None]
    where: Callable[[], QRectF]


class Typesetter(QObject):
    """A queue of labels to typeset; ``idle`` is emitted when the queue runs dry."""

    idle = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._jobs: list[_Job] = []
        # Bounded by bytes (see typeset.IMAGE_CACHE_BYTES): least recently used labels go first.
        self._cache: LRUCache = LRUCache(maxsize=PIXMAP_CACHE_BYTES, getsizeof=image_bytes)
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self._work)
        self.visible_rect: Callable[[], QRectF] | None = None
        self.rendered = 0  # labels typeset (not from the cache): for benchmarks
        self._sorted_for: QRectF | None = None  # the visible area the queue was last sorted for
        self._kick_queued = False

    @property
    def pending(self) -> int:
        return len(self._jobs)

    def cached(self, latex: str, point_size: float, color: str) -> tuple[bool, QPixmap | None]:
        key = (latex, point_size, color)
        return (key in self._cache, self._cache.get(key))

    def request(self, latex: str, point_size: float, color: str,
                deliver: Callable[[QPixmap | None], None], where: Callable[[], QRectF]) -> None:
        """Typeset ``latex`` soon and hand the pixmap (None: not typesettable) to ``deliver``."""
        known, pixmap = self.cached(latex, point_size, color)
        if known:
            deliver(pixmap)
            return
        self._jobs.append(_Job(latex, point_size, color, deliver, where))
        self._sorted_for = None
        if startup.in_progress():  # plain-text labels first; mathtext after the first paint
            if not self._kick_queued:
                self._kick_queued = True
                startup.defer(self._kick)
        else:
            self._timer.start()

    def _kick(self) -> None:
        self._kick_queued = False
        if self._jobs:
            self._timer.start()

    def clear(self) -> None:
        """Drop every queued label (the items they were for are gone)."""
        self._jobs.clear()
        self._timer.stop()

    def flush(self) -> None:
        """Typeset everything queued now (before an export)."""
        while self._jobs:
            self._run(self._jobs.pop(0))
        self._timer.stop()

    def _work(self) -> None:
        if self.visible_rect is not None and len(self._jobs) > 1:
            visible = self.visible_rect()
            if visible != self._sorted_for:  # the person panned or zoomed: visible labels first
                self._jobs.sort(key=lambda job: not visible.intersects(job.where()))
                self._sorted_for = visible
        deadline = time.perf_counter() + SLICE_MS / 1000.0
        while self._jobs and time.perf_counter() < deadline:
            self._run(self._jobs.pop(0))
        if self._jobs:
            self._timer.start()
        else:
            self.idle.emit()

    def _run(self, job: _Job) -> None:
        key = (job.latex, job.point_size, job.color)
        known, pixmap = self.cached(job.latex, job.point_size, job.color)
        if not known:
            pixmap = latex_pixmap(label_latex(job.latex), job.point_size, job.color, RENDER_SCALE)
            self.rendered += 1
            try:
                self._cache[key] = pixmap
            except ValueError:  # larger than the whole cache: delivered, not kept
                pass
        job.deliver(pixmap)


_OPERATOR = re.compile(r"(?<=[\w})]) \\(sin|cos|tan|asin|acos|atan|sinh|cosh|tanh|log|exp|operatorname|mathrm)\b")


def label_latex(latex: str) -> str:
    """SymPy's LaTeX as labels typeset it: readable fractions, a thin space before a function
    name that follows a factor (mathtext would print ``y cos(x)`` as ``ycos(x)``)."""
    return display_fractions(_OPERATOR.sub(r"\\,\\\1", latex))


_warmed = False


def warm_up_in_background(owner: QObject) -> None:
    """Load matplotlib's mathtext and its fonts off the GUI thread while the window opens
    (once per process; ``owner`` holds the request, see gui/background.py)."""
    global _warmed
    if _warmed:
        return
    _warmed = True
    Background("mathtext-warm-up", owner).submit(None, lambda _cancelled: warm_up())
