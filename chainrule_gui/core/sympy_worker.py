"""Slow SymPy work (``simplify``) in a child process that is killed when it takes too long.

``simplify`` can run for minutes on innocent-looking input, and Python threads cannot
be stopped, so the work goes to one warm child process.  On a timeout the child is
killed and a fresh one is started on the next call; the caller gets
:class:`SympyTimeout` and shows the unsimplified form instead.
"""

from __future__ import annotations

import atexit
import multiprocessing as mp
import sys
import threading
from typing import Any

#: Memory cap of the child process (bytes) where the platform supports it.
CHILD_MEMORY_LIMIT = 2 * 1024**3


class SympyTimeout(Exception):
    """The child did not answer within the time limit (it has been killed)."""


class SympyWorkFailed(Exception):
    """The child raised; the message names the exception."""


def _simplify(expr):
    import sympy

    return sympy.simplify(expr)


def _sleep(seconds):  # for tests: work that is too slow
    import time

    time.sleep(seconds)
    return seconds


TASKS = {"simplify": _simplify, "sleep": _sleep}


def _child_main(conn) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_LIMIT, CHILD_MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass
    import sympy  # noqa: F401 - warm the import before the first task arrives

    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        task, args = message
        try:
            conn.send(("ok", TASKS[task](*args)))
        except MemoryError:
            conn.send(("error", "ran out of memory"))
        except Exception as exc:  # noqa: BLE001 - reported to the parent as text
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


def _context():
    """``fork`` is fast, but only safe before Qt or other threads exist."""
    if sys.platform.startswith("linux"):
        if "PySide6" not in sys.modules and threading.active_count() == 1:
            return mp.get_context("fork")
        return mp.get_context("forkserver")
    return mp.get_context("spawn")


class SympyWorker:
    """One child process answering one request at a time."""

    def __init__(self) -> None:
        self._process = None
        self._conn = None
        self._lock = threading.Lock()

    def _ensure_started(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        ctx = _context()
        parent_conn, child_conn = ctx.Pipe()
        process = ctx.Process(target=_child_main, args=(child_conn,), daemon=True,
                              name="chainrule-sympy-worker")
        process.start()
        child_conn.close()
        self._process, self._conn = process, parent_conn

    def start(self) -> None:
        """Start the child now (it imports SymPy) so the first call is quick."""
        with self._lock:
            self._ensure_started()

    def call(self, task: str, *args: Any, timeout: float = 5.0) -> Any:
        with self._lock:
            self._ensure_started()
            try:
                self._conn.send((task, args))
                ready = self._conn.poll(timeout)
            except (BrokenPipeError, EOFError, OSError):
                self._kill()
                raise SympyWorkFailed("the SymPy worker stopped unexpectedly") from None
            if not ready:
                self._kill()
                raise SympyTimeout(f"{task} took longer than {timeout:g} s")
            try:
                status, payload = self._conn.recv()
            except (EOFError, OSError):
                self._kill()
                raise SympyWorkFailed("the SymPy worker stopped unexpectedly") from None
            if status != "ok":
                raise SympyWorkFailed(payload)
            return payload

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(timeout=5)
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.send(None)
                except OSError:
                    pass
            if self._process is not None:
                self._process.join(timeout=1)
            self._kill()


_default: SympyWorker | None = None
_default_lock = threading.Lock()


def default_worker() -> SympyWorker:
    global _default
    with _default_lock:
        if _default is None:
            _default = SympyWorker()
            atexit.register(_default.close)
        return _default


def simplify_bounded(expr, timeout: float = 5.0):
    """``sympy.simplify(expr)`` or ``None`` if it takes longer than ``timeout`` seconds."""
    try:
        return default_worker().call("simplify", expr, timeout=timeout)
    except (SympyTimeout, SympyWorkFailed):
        return None
