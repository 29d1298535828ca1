"""Slow work off the GUI thread: the newest request wins, stale answers are dropped.

A :class:`Background` is one stream of requests — the controller's builds, a view's SymPy
check, the implicit curve.  ``submit(key, work)`` runs ``work(cancelled)`` on a worker
thread, and the answer comes back on the GUI thread through ``finished`` only if no newer
request (and no :meth:`Background.cancel`) was made meanwhile:

- a request superseded before its turn never runs (only the newest waiting one is kept);
- a stream runs one request at a time, so a new one waits for the running one;
- ``cancelled()`` turns true the moment a request is stale.  Work that waits for a SymPy
  child passes it on (``SympyWorker.call(..., cancelled=...)``, usually through
  :func:`after_grace`) so the stale child is killed instead of holding up the next request.

Threads come from one pool shared by every stream: a thread is started when a request is
ready and none is free, and ends after a while without work, so there are as many as
requests running at once (not one per stream, as there were up to seven per window).

Qt objects stay on the GUI thread.  A worker thread holds no QObject of its own (the
stream's state is plain Python and points to its :class:`Background` weakly) and never
drops the last reference to the work or its answer: finished requests are handed back
under a lock, after the thread has let go of them, and the GUI thread releases them.
Deleting a QObject off its thread crashed the application before (a segfault).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from chainrule_gui.core.errors import ChainRuleError

log = logging.getLogger(__name__)

#: A pool thread with nothing to do for this long ends.
IDLE_THREAD_S = 30.0
#: A SymPy child still working for a stale request is stopped once it has worked this long
#: (about what starting a fresh child costs), so the next request does not queue behind it
#: for up to its time limit; an answer about to arrive is not thrown away at once.
STALE_CHILD_GRACE_S = 1.0

Cancelled = Callable[[], bool]


@dataclass(frozen=True)
class JobResult:
    request: int
    key: Any  # what the caller said the work was for, to match it with what is on screen
    value: Any
    error: str | None  # a sentence for the user when the work failed


def after_grace(cancelled: Cancelled, grace_s: float = STALE_CHILD_GRACE_S) -> Cancelled:
    """``cancelled``, but only once the work has run ``grace_s`` seconds (counted from now):
    what to pass to ``SympyWorker.call`` (see STALE_CHILD_GRACE_S)."""
    started = time.monotonic()
    return lambda: cancelled() and time.monotonic() - started >= grace_s


class _Stream:
    """A :class:`Background`'s state, shared with the pool's threads (plain Python)."""

    __slots__ = ("name", "owner", "latest", "closed", "waiting", "running")

    def __init__(self, name: str, owner: Background):
        self.name = name
        self.owner = weakref.ref(owner)  # never keeps the QObject alive from a worker thread
        self.latest = 0  # the number of the newest request (or of a cancel)
        self.closed = False
        self.waiting: _Job | None = None  # the newest request not started yet
        self.running = False


class _Job:
    """One request: its work, and once run, its answer."""

    __slots__ = ("stream", "number", "key", "work", "value", "error")

    def __init__(self, stream: _Stream, number: int, key, work: Callable[[Cancelled], Any]):
        self.stream, self.number, self.key, self.work = stream, number, key, work
        self.value = self.error = None

    def cancelled(self) -> bool:
        return self.stream.closed or self.number != self.stream.latest

    def run(self) -> None:
        try:
            self.value = self.work(self.cancelled)
        except ChainRuleError as exc:
            self.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - our bug; say so instead of dying silently
            if self.cancelled():
                return  # stale (often stopped on purpose): nobody waits for it
            log.exception("background work failed (%s)", self.stream.name)
            self.error = f"internal error ({type(exc).__name__}: {exc})"


class _Relay(QObject):
    """Wakes the GUI thread when finished requests wait in the pool's outbox."""

    ready = Signal()

    def __init__(self, pool: _Pool, parent: QObject | None):
        super().__init__(parent)
        self._pool = pool
        self.ready.connect(self.deliver)  # queued: emitted from pool threads

    @Slot()
    def deliver(self) -> None:
        for job in self._pool.take_finished():
            owner = job.stream.owner()
            if owner is not None:
                owner._deliver(job)


class _Pool:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._ready: deque[_Stream] = deque()  # streams whose waiting request may start
        self._threads = 0
        self._busy = 0
        self._finished: list[_Job] = []
        self._relay: _Relay | None = None

    # -- GUI thread ------------------------------------------------------------------------
    def put(self, stream: _Stream, job: _Job | None) -> None:
        """Make ``job`` the stream's waiting request (None: none); the one it replaces is
        dropped here, on the GUI thread."""
        self._ensure_relay()
        with self._lock:
            replaced, stream.waiting = stream.waiting, job
            if job is not None and replaced is None and not stream.running:
                self._ready.append(stream)
                if self._threads - self._busy < len(self._ready):
                    self._threads += 1
                    threading.Thread(target=self._serve, name="chainrule-background", daemon=True).start()
                self._lock.notify_all()
        del replaced

    def wait_idle(self, stream: _Stream, timeout_s: float) -> None:
        with self._lock:
            if not self._lock.wait_for(lambda: stream.waiting is None and not stream.running, timeout_s):
                raise TimeoutError(f"background work ({stream.name}) still running after {timeout_s:g} s")

    def take_finished(self) -> list[_Job]:
        with self._lock:
            finished, self._finished = self._finished, []
        return finished

    def _ensure_relay(self) -> None:
        from shiboken6 import isValid

        if self._relay is None or not isValid(self._relay):
            # Owned by the application: it lives as long as any thread may emit from it.
            self._relay = _Relay(self, QCoreApplication.instance())

    # -- pool threads ----------------------------------------------------------------------
    def _serve(self) -> None:
        lock = self._lock
        while True:
            with lock:
                if not self._ready and not lock.wait_for(lambda: bool(self._ready), IDLE_THREAD_S):
                    self._threads -= 1
                    return
                stream = self._ready.popleft()
                if stream.running or stream.waiting is None:
                    continue  # queued twice (after a cancel), or its request was dropped
                job, stream.waiting = stream.waiting, None
                stream.running = True
                self._busy += 1
            if not job.cancelled():
                job.run()
            with lock:
                stream.running = False
                self._busy -= 1
                if stream.waiting is not None:
                    self._ready.append(stream)
                self._finished.append(job)  # released by the GUI thread, never by this one
                job = stream = None
                relay = self._relay
                lock.notify_all()
            try:
                relay.ready.emit()
            except RuntimeError:  # the application is gone
                pass
            relay = None


_POOL = _Pool()


class Background(QObject):
    """One stream of requests, newest wins (see the module's docstring).

    ``work`` is called as ``work(cancelled)`` on a pool thread and must not touch widgets;
    its return value arrives as ``JobResult.value``; a :class:`ChainRuleError` it raises
    as ``JobResult.error`` (its message), any other exception as an "internal error"
    sentence, logged."""

    finished = Signal(object)  # JobResult of the newest request only

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self._stream = _Stream(name, self)
        self._numbers = itertools.count(1)

    def submit(self, key: Any, work: Callable[[Cancelled], Any]) -> int:
        """Ask for ``work``; the number of this request (0 once shut down)."""
        stream = self._stream
        if stream.closed:
            return 0
        number = next(self._numbers)
        stream.latest = number
        _POOL.put(stream, _Job(stream, number, key, work))
        return number

    def cancel(self) -> None:
        """Forget every request made so far: the waiting one is dropped, the running one's
        ``cancelled()`` turns true and its answer will be dropped."""
        self._stream.latest = next(self._numbers)
        _POOL.put(self._stream, None)

    def is_latest(self, request: int) -> bool:
        """Whether ``request`` is still the newest (its answer would be shown)."""
        return request == self._stream.latest and not self._stream.closed

    def wait_idle(self, timeout_s: float = 30.0) -> None:
        """Block until this stream has nothing waiting or running (tests and scripts)."""
        _POOL.wait_idle(self._stream, timeout_s)

    def shutdown(self) -> None:
        self._stream.closed = True
        self.cancel()

    def _deliver(self, job: _Job) -> None:
        if self.is_latest(job.number):
            self.finished.emit(JobResult(job.number, job.key, job.value, job.error))


@dataclass(frozen=True)
class Staged:
    """What :class:`NumbersThenSymbolic` shows for the newest request."""

    key: Any
    value: Any  # the numbers, with the symbolic part merged in once it is known
    error: str | None  # why there are no numbers (a sentence)
    symbolic_pending: bool  # the symbolic part is still being computed
    symbolic_error: str | None = None  # why there is none (a sentence)


@dataclass(frozen=True)
class _Part:
    value: Any
    error: str | None


class NumbersThenSymbolic(QObject):
    """Numbers for each request at once, and a slow symbolic part once per structure.

    For a view whose numbers change with the point while SymPy's part (a symbolic
    Jacobian, second derivative, Hessian) depends only on the text and choices:
    ``request(key, structure, numbers, symbolic, merge)`` runs ``numbers(cancelled)``
    for ``key`` and, unless known for ``structure``, ``symbolic(cancelled)`` on its own
    stream; ``merge(numbers, part)`` joins them (cheap: nothing is computed twice).
    ``shown`` carries the numbers as soon as they are ready, then again merged."""

    shown = Signal(object)  # Staged, for the newest request only
    #: Symbolic parts kept (each text and choice has its own; a person goes back and forth).
    KEEP = 32

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self._numbers = Background(name, self)
        self._numbers.finished.connect(self._on_numbers)
        self._symbolic = Background(f"{name}-symbolic", self)
        self._symbolic.finished.connect(self._on_symbolic)
        self._parts: dict[Any, _Part] = {}
        self._asked = None  # the structure whose symbolic part is being computed
        self._request = None  # (key, structure, merge) of the newest request
        self._unmerged = None  # the newest request's numbers, while the symbolic part is not in them
        self._shown: Staged | None = None  # what was shown last for the newest request

    def request(self, key, structure, numbers: Callable[[Cancelled], Any], symbolic: Callable[[Cancelled], Any],
                merge: Callable[[Any, Any], Any]) -> None:
        if self._request is not None and self._request[0] == key:
            if self._shown is not None:  # asked again (a new theme): the same answer, again
                self.shown.emit(self._shown)
            return
        self._request, self._unmerged, self._shown = (key, structure, merge), None, None
        part = self._parts.get(structure)
        # Each answer says whether it is settled: merged, or with no symbolic part to come.
        if part is not None and part.error is None:
            self._numbers.submit(key, lambda cancelled: (merge(numbers(cancelled), part.value), True))
        else:
            self._numbers.submit(key, lambda cancelled: (numbers(cancelled), part is not None))
        if part is None and self._asked != structure:
            self._asked = structure
            self._symbolic.submit(structure, symbolic)

    @property
    def waiting(self) -> bool:
        """The numbers of the newest request are not shown yet."""
        return self._request is not None and self._shown is None

    def cancel(self) -> None:
        """Nothing to show any more (the view has a message instead)."""
        self._request = self._unmerged = self._shown = None
        self._numbers.cancel()

    def shutdown(self) -> None:
        self._numbers.shutdown()
        self._symbolic.shutdown()

    def _on_numbers(self, result: JobResult) -> None:
        key, structure, merge = self._request
        if result.error is not None:
            self._show(Staged(key, None, result.error, False))
            return
        value, settled = result.value
        part = self._parts.get(structure)
        failed = None if part is None else part.error
        # Pending until merged: the part may have come while these numbers were computed.
        self._show(Staged(key, value, None, not settled and failed is None, failed))
        if not settled:
            self._unmerged = value
            if part is not None and part.error is None:
                self._merge(part)

    def _on_symbolic(self, result: JobResult) -> None:
        self._asked = None
        if len(self._parts) >= self.KEEP:
            self._parts.clear()
        part = self._parts[result.key] = _Part(result.value, result.error)
        if self._request is None or self._request[1] != result.key or self._unmerged is None:
            return  # the numbers will take it in when they come (or are for something else)
        if part.error is None:
            self._merge(part)
        else:
            key = self._request[0]
            self._show(Staged(key, self._unmerged, None, False, part.error))

    def _show(self, staged: Staged) -> None:
        self._shown = staged
        self.shown.emit(staged)

    def _merge(self, part: _Part) -> None:
        key, _structure, merge = self._request
        value, self._unmerged = self._unmerged, None
        self._numbers.submit(key, lambda _cancelled: (merge(value, part.value), True))
