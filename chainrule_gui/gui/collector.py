"""Python's cycle collector runs on the GUI thread only.

CPython runs a cycle collection in whichever thread happens to allocate past the threshold.
When that is a worker thread (the build thread deep in SymPy, the trainer) and the garbage
holds Qt objects the GUI thread made (a closed window's menus and actions, plot items), their
C++ destructors run on the worker: ``QObject::~QObject`` takes Qt's signal–slot mutex and then
waits for the GIL to ask Python about an override, while the GUI thread holds the GIL and
waits for that mutex.  Both wait forever.  Seen here as a frozen test run (2 of ~10 full runs;
the native stacks: ``gc_collect_main`` → ``QObject::~QObject`` → ``Sbk_GetPyOverride`` →
``GilState::acquire`` on ``chainrule-build``, ``runDeletionInMainThread`` →
``QObject::~QObject`` → ``QBasicMutex::lockInternal`` on the GUI thread).

So automatic collection is switched off once the application exists, and a timer on the GUI
thread collects instead, generation by generation with CPython's own thresholds
(pyqtgraph's ``GarbageCollector`` does the same; importing pyqtgraph for it would cost the
cold start a fifth of a second).  Reference counting, which frees almost everything, is
untouched; only cycles wait for the next tick.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer

#: How often the GUI thread looks at the allocation counts.  What a collection costs is
#: mostly freeing what it finds, so the pause grows with what was allocated since the last
#: tick: at 500 ms a busy build or a closed window left ~100k objects for one collection
#: (up to 0.39 s in the GUI test run); at 100 ms the longest was 0.24 s and the ten longest
#: a third shorter.  Looking costs one ``gc.get_count()``.
INTERVAL_MS = 100

#: A full collection walks every object made since start-up: 0.3–0.46 s once the caches have
#: filled (tests/benchmarks/bench_edit_memory.py), a stall a person typing feels.  So it waits
#: while the person edits, until they pause this long ...
IDLE_BEFORE_FULL_S = 1.0
#: ... or until what waits for it is this many times what CPython would let wait (and at
#: least this many objects: after start-up's freeze the oldest generation is nearly empty).
MAX_FULL_DEFERRAL = 4
MIN_FULL_DEFERRAL_OBJECTS = 100_000

_installed: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    def __init__(self, interval_ms: int = INTERVAL_MS, parent: QObject | None = None):
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        self.collections = 0
        # CPython's guard on full collections, kept: the oldest generation is walked only
        # when what was promoted into it since the last full collection exceeds a quarter of
        # what it held then.  Without it a full walk of a big heap (0.5 s in the test run)
        # came every minute, and the GUI thread stalled for it while training.
        self.long_lived_total: int | None = None  # counted when first needed (costs a walk)
        self.long_lived_pending = 0
        self.last_activity = float("-inf")  # time.monotonic() of the last edit (note_activity)
        # A full collection made elsewhere (gc.collect(), freeze_long_lived) restarts the
        # count as one made here does; the oldest generation is recounted when next needed.
        self._on_gc = self._note_collection
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_if_due)
        self.start()

    def collect_if_due(self) -> None:
        """What CPython would have done by now, done here, with its thresholds and its rule
        for when the oldest generation is worth a full walk."""
        counts = gc.get_count()
        t0, t1, t2 = self.threshold
        if counts[2] > t2:
            if self.long_lived_total is None:
                self.long_lived_total = len(gc.get_objects(generation=2))
            due = self.long_lived_total / 4
            editing = time.monotonic() - self.last_activity < IDLE_BEFORE_FULL_S
            limit = max(MAX_FULL_DEFERRAL * due, MIN_FULL_DEFERRAL_OBJECTS)
            if self.long_lived_pending > due and (not editing or self.long_lived_pending > limit):
                gc.collect(2)  # _note_collection restarts the count
                self.collections += 1
                self.long_lived_total = len(gc.get_objects(generation=2))
                return
        if counts[1] > t1:
            # What survives moves to the oldest generation: what was young less what was found
            # unreachable (counting all that was young made full collections come far too often).
            young = len(gc.get_objects(generation=0)) + len(gc.get_objects(generation=1))
            self.long_lived_pending += max(0, young - gc.collect(1))
            self.collections += 1
        elif counts[0] > t0:
            gc.collect(0)
            self.collections += 1

    def _note_collection(self, phase: str, info: dict) -> None:
        # may run on any thread, inside the collector: only plain assignments here
        if phase == "stop" and info["generation"] == 2:
            self.long_lived_pending = 0
            self.long_lived_total = None

    def start(self) -> None:
        gc.disable()
        if self._on_gc not in gc.callbacks:
            gc.callbacks.append(self._on_gc)
        self._timer.start()

    def stop(self) -> None:
        """Back to CPython's own collection (tests that end the GUI part of a run)."""
        self._timer.stop()
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        gc.enable()


def collect_on_gui_thread(parent: QObject) -> GuiThreadCollector:
    """Install the collector once (call it on the GUI thread, with the application as parent)."""
    global _installed
    if _installed is None:
        _installed = GuiThreadCollector(parent=parent)
    elif gc.isenabled():  # stopped earlier: switch it back on
        _installed.start()
    return _installed


def note_activity() -> None:
    """The person is editing (a keystroke, a slider step): a full collection waits for a pause."""
    if _installed is not None:
        _installed.last_activity = time.monotonic()


def freeze_long_lived() -> None:
    """Once start-up is over: what exists now (SymPy, Qt's wrappers, the window) lives as
    long as the program, so it leaves the collector's sight (``gc.freeze``).  A full
    collection then walks only what was made since: about 100 ms of a pause on the GUI
    thread every minute or so becomes well under a millisecond."""
    gc.collect()
    gc.freeze()
    if _installed is not None:  # the oldest generation is empty now
        _installed.long_lived_total, _installed.long_lived_pending = 0, 0


def installed() -> GuiThreadCollector | None:
    return _installed
