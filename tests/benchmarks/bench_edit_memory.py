"""Memory and event-loop stalls over many distinct edits, through the real window.

    python tests/benchmarks/bench_edit_memory.py [--edits 3000] [--pause-ms 150]

A person edits the definitions again and again, each text new (so every cache keyed on
text, expression or label sees new keys), pausing between edits.  Every 100 edits the
script prints the process's resident memory and the longest event-loop stall since the last
line (a 10 ms heartbeat timer on the GUI thread: how late its beats came).  Memory should
level off — caches are bounded by size — and no stall should exceed 250 ms.
Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def resident_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the peak, where /proc is absent


def text_for(i: int) -> str:
    """A new problem each time: constants, functions and structure vary with ``i``."""
    functions = ("sin", "cos", "tanh", "exp", "sigmoid", "softplus", "log")
    f, g = functions[i % 7], functions[(i // 7) % 7]
    a, b = i % 13 + 2, i // 13 % 11 + 1
    extra = "" if i % 3 else f"\nw{i % 5} = {f}(t/{b})"
    use = f" + w{i % 5}" if extra else ""
    return (f"z = x^{a} + {f}(x*y/{b}){use}\nx = t^2 + {i}/1000\ny = {g}(t) + {b}" + extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=3000)
    parser.add_argument("--pause-ms", type=float, default=150.0, help="between an edit drawn and the next")
    parser.add_argument("--trace-stalls", type=float, metavar="MS",
                        help="sample every thread's stack while a beat is more than MS late; print the commonest")
    args = parser.parse_args()

    from PySide6.QtCore import QStandardPaths, QTimer

    from chainrule_gui.gui.app import make_application

    QStandardPaths.setTestModeEnabled(True)  # the user's settings and autosaves are not touched
    import tempfile

    os.environ.setdefault("CHAINRULE_GUI_DATA_DIR", tempfile.mkdtemp(prefix="chainrule-bench-"))
    app = make_application(sys.argv[:1])
    from chainrule_gui.gui.main_window import MainWindow

    window = MainWindow(offer_recovery=False)
    window.resize(1280, 800)
    window.show()
    mode = window.expression_mode
    latest = {"text": None}
    mode.snapshot_shown.connect(lambda s: latest.__setitem__("text", s.text))
    beat = {"last": time.perf_counter(), "worst": 0.0}

    def on_beat() -> None:
        now = time.perf_counter()
        beat["worst"] = max(beat["worst"], now - beat["last"] - 0.010)
        beat["last"] = now

    heartbeat = QTimer(interval=10)
    heartbeat.timeout.connect(on_beat)
    heartbeat.start()
    stalls = trace_stalls(beat, args.trace_stalls / 1000) if args.trace_stalls else None

    def run_for(seconds: float, until=None) -> None:
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline and not (until and until()):
            app.processEvents()
            time.sleep(0.001)

    run_for(3.0)  # start-up's deferred work
    print(f"load average {os.getloadavg()[0]:.2f}; {args.edits} distinct edits, {args.pause_ms:g} ms pauses")
    print(f"{'edits':>6} {'RSS MB':>8} {'worst stall ms':>15} {'s per 100':>10}")
    print(f"{0:>6} {resident_mb():>8.0f} {'':>15} {'':>10}", flush=True)
    beat["worst"] = 0.0
    started = time.perf_counter()
    for i in range(1, args.edits + 1):
        text = text_for(i)
        mode.editor.setPlainText(text)  # as typed or pasted: textChanged, the debounce, a build
        run_for(30.0, until=lambda: latest["text"] == text)
        run_for(args.pause_ms / 1000)
        if i % 100 == 0:
            print(f"{i:>6} {resident_mb():>8.0f} {beat['worst'] * 1000:>15.0f} "
                  f"{time.perf_counter() - started:>10.1f}", flush=True)
            beat["worst"], started = 0.0, time.perf_counter()
    window.document.mark_clean()
    window.close()
    if stalls is not None:
        print("\nWhere each thread was while the GUI thread's beat was late (samples every 5 ms):")
        for stack, count in stalls.most_common(15):
            print(f"{count:>6}  {stack}")


def trace_stalls(beat: dict, late_s: float):
    """A thread that, while the heartbeat is more than ``late_s`` late, counts each thread's
    innermost frames (the GUI thread's too): where a stall's time goes."""
    import collections
    import threading
    import traceback

    counts: collections.Counter = collections.Counter()
    me = []

    def watch() -> None:
        me.append(threading.get_ident())
        while True:
            time.sleep(0.005)
            if time.perf_counter() - beat["last"] < late_s:
                continue
            names = {t.ident: t.name for t in threading.enumerate()}
            for ident, frame in sys._current_frames().items():
                if ident in me:
                    continue
                frames = traceback.extract_stack(frame)[-6:]
                where = " < ".join(f"{os.path.basename(f.filename)}:{f.lineno} {f.name}" for f in reversed(frames))
                counts[f"{names.get(ident, '?')}: {where}"] += 1

    threading.Thread(target=watch, daemon=True, name="stall-tracer").start()
    return counts


if __name__ == "__main__":
    main()
