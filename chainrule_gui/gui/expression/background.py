"""Slow work for a view on a background thread, newest request wins.

SymPy's symbolic Jacobian or second derivative can take a moment; the view shows numbers
at once and asks for the symbolic part here.  Each request gets a number; an answer to
anything but the newest request is dropped, and a request that was superseded before
its turn never runs.
"""

from __future__ import annotations

import itertools
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from chainrule_gui.core.errors import ChainRuleError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobResult:
    request: int
    key: Any  # what the caller said the work was for, to match it with what is on screen
    value: Any
    error: str | None  # a sentence for the user when the work failed


class BackgroundJob(QObject):
    finished = Signal(object)  # JobResult of the newest request only
    _done = Signal(object)  # from the worker thread; queued to the GUI thread

    def __init__(self, name: str, parent: QObject | None = None):
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"chainrule-{name}")
        self._requests = itertools.count(1)
        self._latest = 0
        self._closed = False
        self._done.connect(self._deliver)

    def submit(self, key: Any, fn, *args, **kwargs) -> int:
        if self._closed:
            return 0
        request = next(self._requests)
        self._latest = request
        self._executor.submit(self._run, request, key, fn, args, kwargs)
        return request

    def cancel(self) -> None:
        """Forget every request made so far (their answers will be dropped)."""
        self._latest = next(self._requests)

    def wait_idle(self, timeout_s: float = 30.0) -> None:
        """Block until queued work is done (tests and scripts)."""
        self._executor.submit(lambda: None).result(timeout=timeout_s)

    def shutdown(self) -> None:
        self._closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _run(self, request: int, key, fn, args, kwargs) -> None:
        if request != self._latest or self._closed:
            return
        try:
            result = JobResult(request, key, fn(*args, **kwargs), None)
        except ChainRuleError as exc:
            result = JobResult(request, key, None, str(exc))
        except Exception as exc:  # noqa: BLE001 - our bug; say so instead of dying silently
            log.exception("background work failed")
            result = JobResult(request, key, None, f"internal error ({type(exc).__name__}: {exc})")
        if not self._closed:
            self._done.emit(result)

    def _deliver(self, result: JobResult) -> None:
        if result.request == self._latest and not self._closed:
            self.finished.emit(result)
