"""Slow SymPy work (``simplify``, large ``diff``) in child processes killed when too slow.

``simplify`` can run for minutes on innocent-looking input, and Python threads cannot be
stopped, so the work goes to one warm child process: a fresh interpreter running
``python -I -c …child_main()`` (not ``multiprocessing``, which would
re-import the parent's main script and, in a GUI, fork a process holding Qt).  Requests
and answers are pickled over the child's stdin and stdout.  On a timeout the child is
killed and a fresh one starts on the next call; the caller gets :class:`SympyTimeout`
and shows the unsimplified form instead.
"""

from __future__ import annotations

import atexit
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

#: Memory cap of the child process (bytes) where the platform supports it.
CHILD_MEMORY_LIMIT = 2 * 1024**3
_HEADER = struct.Struct("!Q")


class SympyTimeout(Exception):
    """The child did not answer within the time limit (it has been killed)."""


class SympyWorkFailed(Exception):
    """The child raised or died; the message says what happened."""


class SympyCancelled(Exception):
    """The caller no longer wanted the answer (``cancelled()`` said so); the child has been
    killed so the next call does not wait behind it."""


#: How often a waiting call asks its ``cancelled`` predicate.
CANCEL_POLL_S = 0.1


def _simplify(expr):
    import sympy

    return sympy.simplify(expr)


def _diff(expr, symbol, order):
    import sympy

    return sympy.diff(expr, symbol, order)


def _sleep(seconds):  # for tests: work that is too slow
    import time

    time.sleep(seconds)
    return seconds


TASKS: dict[str, Callable[..., Any]] = {"simplify": _simplify, "diff": _diff, "sleep": _sleep}


def _write(stream, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read(stream):
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)  # noqa: S301 - our own child process, not user data


def child_main() -> None:
    """The child's loop: read a request, answer it, until stdin closes."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_LIMIT, CHILD_MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass
    import sympy  # noqa: F401 - warm the import before the first task arrives

    import chainrule_gui.core.expressions.sympy_functions  # noqa: F401 - so pickles of σ, relu, … load

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # stray prints must not corrupt the channel
    while True:
        try:
            message = _read(stdin)
        except EOFError:
            return
        if message is None:
            return
        task, args = message
        try:
            _write(stdout, ("ok", TASKS[task](*args)))
        except MemoryError:
            _write(stdout, ("error", "ran out of memory"))
        except Exception as exc:  # noqa: BLE001 - reported to the parent as text
            _write(stdout, ("error", f"{type(exc).__name__}: {exc}"))


#: The child's start: ``-I`` (isolated) leaves the working directory, the user's site folder
#: and ``PYTHON*`` variables out of its import path, so a ``sympy.py`` lying next to the
#: user's files is never imported (``python -m`` would put that folder first); the parent's
#: own import path, passed as arguments, is put back instead.
_CHILD_START = ("import sys; sys.path[:0] = sys.argv[1:]; del sys.argv[1:]; "
                "from chainrule_gui.core.calculus.sympy_worker import child_main; child_main()")


def _child_path() -> list[str]:
    """Where the parent found its packages (this package's folder first), without the
    working directory, which a parent started as ``python -m`` or ``-c`` has on its path."""
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    here = os.getcwd()
    path = [package_root]
    for entry in sys.path:
        if entry and os.path.abspath(entry) != here and entry not in path:
            path.append(entry)
    return path


class SympyWorker:
    """One child process answering one request at a time (thread-safe)."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._answers: queue.Queue = queue.Queue()
        self._lock = threading.Lock()

    def _ensure_started(self) -> subprocess.Popen[bytes]:
        """The running child, started now if there is none (or it has exited)."""
        if self._process is not None and self._process.poll() is None:
            return self._process
        flags = 0
        if sys.platform == "win32":  # mypy knows this constant on Windows only
            flags = subprocess.CREATE_NO_WINDOW
        if getattr(sys, "frozen", False):  # a bundled app: its executable knows the flag
            command = [sys.executable, "--sympy-worker"]
        else:
            command = [sys.executable, "-I", "-c", _CHILD_START, *_child_path()]
        process = self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            creationflags=flags,
        )
        self._answers = queue.Queue()
        threading.Thread(target=self._reader, args=(process, self._answers), daemon=True,
                         name="chainrule-sympy-reader").start()
        return process

    @staticmethod
    def _reader(process: subprocess.Popen[bytes], answers: queue.Queue) -> None:
        while True:
            try:
                answers.put(_read(process.stdout))
            except (EOFError, OSError, pickle.UnpicklingError, ValueError):
                answers.put(("died", "the SymPy worker stopped unexpectedly"))
                return

    def start(self) -> None:
        """Start the child now (it imports SymPy, about a second) so the first call is quick."""
        with self._lock:
            self._ensure_started()

    def call(self, task: str, *args: Any, timeout: float = 5.0,
             cancelled: Callable[[], bool] | None = None) -> Any:
        """Run ``task`` in the child and return its answer.

        Raises :class:`SympyTimeout` past ``timeout`` seconds and, when ``cancelled`` is
        given and turns true while waiting (asked every ``CANCEL_POLL_S``),
        :class:`SympyCancelled`; either way the child is killed and the next call starts a
        fresh one."""
        with self._lock:
            process = self._ensure_started()
            try:
                _write(process.stdin, (task, args))
            except (BrokenPipeError, OSError):
                self._kill()
                raise SympyWorkFailed("the SymPy worker stopped unexpectedly") from None
            deadline = time.monotonic() + timeout
            while True:
                left = deadline - time.monotonic()
                try:
                    status, payload = self._answers.get(
                        timeout=max(0.0, left if cancelled is None else min(left, CANCEL_POLL_S)))
                    break
                except queue.Empty:
                    if time.monotonic() >= deadline:
                        self._kill()
                        raise SympyTimeout(f"{task} took longer than {timeout:g} s") from None
                    if cancelled is not None and cancelled():
                        self._kill()
                        raise SympyCancelled(f"{task} was no longer wanted") from None
            if status == "died":
                self._kill()
                raise SympyWorkFailed(payload)
            if status != "ok":
                raise SympyWorkFailed(payload)
            return payload

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            for stream in (self._process.stdin, self._process.stdout):
                if stream is None:  # never: both are pipes (Popen's types allow None)
                    continue
                try:
                    stream.close()
                except OSError:
                    pass
        self._process = None

    def terminate(self) -> None:
        """Kill the child now, even in the middle of a call (which then fails at once):
        for a program that is exiting and must not wait for a simplification."""
        process = self._process
        if process is not None and process.poll() is None:
            try:
                process.kill()
            except OSError:
                pass

    def close(self) -> None:
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                try:
                    _write(self._process.stdin, None)
                    self._process.wait(timeout=1)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            self._kill()


_workers: dict[str, SympyWorker] = {}
_workers_lock = threading.Lock()


def _shared(role: str) -> SympyWorker:
    with _workers_lock:
        worker = _workers.get(role)
        if worker is None:
            worker = _workers[role] = SympyWorker()
            atexit.register(worker.close)
        return worker


def default_worker() -> SympyWorker:
    """The child for simplification."""
    return _shared("simplify")


def derivative_worker() -> SympyWorker:
    """A second child for large derivatives: a simplification that runs to its time limit
    must not hold up the derivative of what is on screen (and neither runs on a thread of
    the GUI process, where it would take the GIL from drawing and could not be stopped)."""
    return _shared("diff")


def terminate_default_worker() -> None:
    """Stop the shared children, if started (see :meth:`SympyWorker.terminate`)."""
    for worker in list(_workers.values()):
        worker.terminate()


def simplify_bounded(expr, timeout: float = 5.0, cancelled: Callable[[], bool] | None = None):
    """``sympy.simplify(expr)`` or ``None`` if it takes longer than ``timeout`` seconds
    (:class:`SympyCancelled` once ``cancelled()`` turns true, see :meth:`SympyWorker.call`)."""
    try:
        return default_worker().call("simplify", expr, timeout=timeout, cancelled=cancelled)
    except (SympyTimeout, SympyWorkFailed):
        return None


if __name__ == "__main__":
    child_main()
