"""Faults injected on purpose: a process killed while it saves, and a busy training thread
while the GUI must keep answering.  Shared by the tests (which assert) and
tests/benchmarks/reliability_report.py (which prints the figures)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

SAVERS = {
    # A session of 600 definitions (the most text a session holds) saved over and over, as fast as possible; the value
    # of t says which save it is.
    "session": ("session.json", textwrap.dedent("""
        import sys
        from chainrule_gui.core.files.session import Session, save_session
        path = sys.argv[1]
        big = "\\n".join(f"x{i} = x{i+1} + 1" for i in range(600)) + "\\nx600 = t"
        print("ready", flush=True)
        i = 0
        while True:
            save_session(Session(text=big, point={"t": float(i)}), path)
            i += 1
    """)),
    # Two different models of about 2 MB each, saved in turn; the step says which save.
    "model": ("model.npz", textwrap.dedent("""
        import sys
        from chainrule_gui.core.nn.model_file import save_model
        from chainrule_gui.core.nn.network import Network
        from chainrule_gui.core.nn.spec import spec_from_sizes
        path = sys.argv[1]
        nets = [Network.initialized(spec_from_sizes((64, 512, 512, 2), "tanh", "mse", seed=s)) for s in (1, 2)]
        print("ready", flush=True)
        i = 0
        while True:
            save_model(path, nets[i % 2], training={"lr": 0.1}, step=i)
            i += 1
    """)),
}


def _load(kind: str, path: Path):
    if kind == "session":
        from chainrule_gui.core.files.session import load_session

        return load_session(path).point["t"]
    from chainrule_gui.core.nn.model_file import load_model

    return load_model(path)[1]["step"]


def kill_during_save(kind: str, folder: Path, rounds: int = 8) -> dict:
    """Start a process that saves a ``kind`` file over and over, SIGKILL it at a different
    moment each round, and open the file after every kill.

    Returns ``{"rounds", "loaded", "versions", "errors", "leftovers", "bytes"}``: how many
    kills, how often the file opened afterwards, how many different saves the kills landed
    after, what failed to open, the temporaries left behind (before any cleanup) and the
    size of the file.
    """
    from chainrule_gui.core.errors import ChainRuleError

    name, script = SAVERS[kind]
    path = Path(folder) / name
    child = subprocess.Popen([sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    time.sleep(0.3)  # the first file is on disk
    child.kill()
    child.wait()
    loaded, versions, errors = 0, set(), []
    for attempt in range(rounds):
        child = subprocess.Popen([sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.05 + 0.037 * attempt)
        child.send_signal(signal.SIGKILL)
        child.wait()
        try:
            versions.add(_load(kind, path))
            loaded += 1
        except ChainRuleError as exc:
            errors.append(str(exc))
    leftovers = sorted(p.name for p in Path(folder).iterdir() if p.name != name)
    return {"rounds": rounds, "loaded": loaded, "versions": len(versions), "errors": errors,
            "leftovers": leftovers, "bytes": path.stat().st_size if path.exists() else 0}


class Heartbeat:
    """A 10 ms timer on the GUI thread that records how late each beat comes (ms).

    ``start()`` first collects what other windows left for the cycle collector: in the
    test process that is every earlier test's closed windows (pyqtgraph plots, diagrams),
    and freeing it all at once on the GUI thread took up to 0.4 s — a cost of closing
    windows, which these figures are not about.
    """

    INTERVAL_MS = 10

    def __init__(self):
        from PySide6.QtCore import QElapsedTimer, Qt, QTimer

        self.lateness: list[float] = []
        self._clock = QElapsedTimer()
        self._timer = QTimer(timerType=Qt.TimerType.PreciseTimer, interval=self.INTERVAL_MS)
        self._timer.timeout.connect(self._beat)
        self._last: float | None = None

    def _beat(self) -> None:
        now = self._clock.nsecsElapsed() / 1e6
        if self._last is not None:
            self.lateness.append(now - self._last - self.INTERVAL_MS)
        self._last = now

    def start(self) -> None:
        import gc

        gc.collect()
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def figures(self) -> dict:
        """p50, p95, p99 and max lateness and the number of beats."""
        late = sorted(self.lateness)

        def quantile(q):
            return late[min(len(late) - 1, int(q * len(late)))] if late else float("nan")

        return {"p50": quantile(0.5), "p95": quantile(0.95), "p99": quantile(0.99),
                "max": late[-1] if late else float("nan"), "beats": len(late)}


def training_latency(mode, wait, seconds: float = 3.0) -> dict:
    """Lateness (ms) of a 10 ms heartbeat timer in the GUI thread while ``mode`` (a
    NetworkMode) trains at full speed for ``seconds``; ``wait(ms)`` runs the event loop.

    Returns p50, p95, p99 and max lateness, the number of beats and the steps trained.
    """
    heartbeat = Heartbeat()
    start_step = mode.controller.latest.step if mode.controller.latest else 0
    mode.start_button.click()
    wait(300)
    heartbeat.start()
    wait(int(seconds * 1000))
    heartbeat.stop()
    mode.pause_button.click()
    wait(100)
    steps = (mode.controller.latest.step if mode.controller.latest else 0) - start_step
    return {**heartbeat.figures(), "steps": steps, "seconds": seconds}
