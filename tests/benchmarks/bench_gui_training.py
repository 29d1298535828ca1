"""Training speed in the GUI against the same training headless (goal: ≥ 80 %).

    .venv/bin/python tests/benchmarks/bench_gui_training.py [--seconds 5]

Headless: the core's ``Trainer.steps()`` on one BLAS thread.  GUI: the Network mode at
1280×800 (offscreen) with every view live — loss and gradient plots, decision plot,
diagram — for the same presets, run through the Qt event loop.  Also prints how many
updates per second the views received and how long the GUI thread spent on each.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

PRESETS = ["xor-tanh", "spiral-relu", "sine-regression"]


def headless(name: str, seconds: float) -> float:
    from threadpoolctl import threadpool_limits

    from chainrule_gui.core.nn.presets import get_preset
    from chainrule_gui.core.nn.training import Trainer

    network, data, config = get_preset(name).build()
    trainer = Trainer(network, data, config)
    with threadpool_limits(1):
        steps = trainer.steps()
        for _ in range(200):
            next(steps)
        start, count = time.perf_counter(), 0
        while time.perf_counter() - start < seconds:
            for _ in range(100):
                next(steps)
            count += 100
        return count / (time.perf_counter() - start)


def in_gui(app, name: str, seconds: float) -> tuple[float, float, float]:
    from chainrule_gui.gui.network.mode import NetworkMode

    mode = NetworkMode()
    mode.resize(1280, 800)
    mode.show()
    index = mode.editor.preset.findData(name)
    mode.editor.preset.setCurrentIndex(index)
    mode.editor.preset.activated.emit(index)
    handled = []
    original = mode._on_update

    def timed(update):
        t = time.perf_counter()
        original(update)
        handled.append(time.perf_counter() - t)

    mode.controller.updated.disconnect(mode._on_update)
    mode.controller.updated.connect(timed)
    pump(app, 0.5)
    mode.controller.start()
    pump(app, 1.0)  # warm up
    first = mode.controller.latest.step
    handled.clear()
    start = time.perf_counter()
    pump(app, seconds)
    elapsed = time.perf_counter() - start
    steps = mode.controller.latest.step - first
    updates = len(handled)
    mode.controller.pause()
    pump(app, 0.2)
    mode.shutdown()
    mode.deleteLater()
    mean_ms = 1000 * sum(handled) / updates if updates else float("nan")
    return steps / elapsed, updates / elapsed, mean_ms


def pump(app, seconds: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=3,
                        help="alternate headless and GUI runs this often and keep the best of each "
                             "(the machine is shared; single runs vary by ±30 %%)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from chainrule_gui.gui.app import make_application

    app = make_application()
    print(f"{'preset':<18}{'headless':>14}{'GUI':>14}{'ratio':>8}{'updates/s':>11}{'GUI ms/update':>15}")
    print(f"best of {args.repeat} alternating runs of {args.seconds:g} s; load average "
          f"{os.getloadavg()[0]:.2f}")
    for name in PRESETS:
        alone, gui, rate, handling = 0.0, 0.0, 0.0, 0.0
        for _ in range(args.repeat):
            alone = max(alone, headless(name, args.seconds))
            result = in_gui(app, name, args.seconds)
            if result[0] > gui:
                gui, rate, handling = result
        print(f"{name:<18}{alone:>10,.0f} st/s{gui:>10,.0f} st/s{gui / alone:>8.0%}{rate:>11.1f}{handling:>15.1f}")
    print("\ngoal: the GUI trains at ≥ 80 % of the headless speed")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
    sys.exit(main())
