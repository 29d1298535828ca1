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
        from chainrule_gui.core.session import Session, save_session
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
        from chainrule_gui.core.session import load_session

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


def training_latency(mode, wait, seconds: float = 3.0) -> dict:
    """Lateness (ms) of a 10 ms heartbeat timer in the GUI thread while ``mode`` (a
    NetworkMode) trains at full speed for ``seconds``; ``wait(ms)`` runs the event loop.

    Returns p50, p95, p99 and max lateness, the number of beats and the steps trained.

    What other windows left for the cycle collector is collected first: in the test process
    that is every earlier test's closed windows (pyqtgraph plots, diagrams), and freeing it
    all at once on the GUI thread took up to 0.4 s — a cost of closing windows, which this
    figure is not about.
    """
    import gc

    from PySide6.QtCore import QElapsedTimer, Qt, QTimer

    gc.collect()

    lateness: list[float] = []
    clock = QElapsedTimer()
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(10)
    last = [None]

    def beat():
        now = clock.nsecsElapsed() / 1e6
        if last[0] is not None:
            lateness.append(now - last[0] - 10)
        last[0] = now

    timer.timeout.connect(beat)
    start_step = mode.controller.latest.step if mode.controller.latest else 0
    mode.start_button.click()
    wait(300)
    clock.start()
    timer.start()
    wait(int(seconds * 1000))
    timer.stop()
    mode.pause_button.click()
    wait(100)
    steps = (mode.controller.latest.step if mode.controller.latest else 0) - start_step
    lateness.sort()

    def quantile(q):
        return lateness[min(len(lateness) - 1, int(q * len(lateness)))] if lateness else float("nan")

    return {"p50": quantile(0.5), "p95": quantile(0.95), "p99": quantile(0.99),
            "max": lateness[-1] if lateness else float("nan"), "beats": len(lateness), "steps": steps,
            "seconds": seconds}
