"""How long the result panel and the bottom views take per update (printed, not asserted).

Run:  .venv/bin/python tests/benchmarks/bench_views.py

For each example: the work a slider move causes in each view (the point moves, the
structure does not) and the first draw after the text changes, as median and 95th
percentile over repeated runs (for the Jacobian and second-order views, until the numbers
they compute off the GUI thread are drawn); for the implicit view the curve sampling and
one drag step.  Headless (offscreen Qt), so painting is included only where a view paints
synchronously.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtWidgets import QApplication  # noqa: E402

EXAMPLES = {
    "seed z(t)": ("z = x^2 + sin(x*y)\nx = t^2\ny = e^t", "t"),
    "three paths": ("w = x*exp(y/z); x = t^2; y = 1 - t; z = 1 + 2*t", "t"),
    "2x2 Jacobian": ("u = x*y; v = x + y; f1 = u^2 + v; f2 = sin(u)*v", "x"),
    "sigmoid neuron": ("z = w*x + b; a = sigmoid(z); L = (a - y)^2", "w"),
}
REPEATS = 30


def timed(fn, repeats=REPEATS) -> tuple[float, float]:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e3)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def wait_for(app, condition, timeout_s=20.0) -> None:
    end = time.time() + timeout_s
    while not condition() and time.time() < end:
        app.processEvents()
        time.sleep(0.002)


def main() -> None:
    app = QApplication.instance() or QApplication([])
    from chainrule_gui.core.calculus.curve import project_onto_curve
    from chainrule_gui.core.calculus.fd_study import error_study
    from chainrule_gui.gui.expression.implicit_view import _curve_job
    from chainrule_gui.gui.expression.mode import ExpressionMode

    mode = ExpressionMode()
    mode.resize(1280, 800)
    mode.show()
    views = {
        "result panel": mode.result_panel,
        "plot": mode.function_plot_panel,
        "plot + paths": mode.function_plot_panel,
        "jacobian": mode.jacobian_view,
        "second order": mode.second_order_view,
    }
    print(f"{'example':<16}{'view':<15}{'slider move ms (median / p95)':>32}{'new text ms':>14}")
    for name, (text, wrt) in EXAMPLES.items():
        mode.set_text(text)
        wait_for(app, lambda t=text: mode.snapshot is not None and mode.snapshot.text == t)
        snapshot = mode.snapshot
        for view_name, view in views.items():
            if view is not mode.result_panel:
                mode.bottom_tabs.setCurrentWidget(view)
            mode.function_plot_panel.plot.show_paths = view_name == "plot + paths"
            values = iter([snapshot.point[wrt] + 0.01 * k for k in range(10 * REPEATS)])

            def drawn(view=view):
                wait_for(app, lambda: not getattr(view, "computing", False))

            def move(view=view):
                moved = replace(snapshot, point={**snapshot.point, wrt: next(values)}, structure_changed=False)
                view.show_snapshot(moved)
                drawn()

            def rebuild(view=view):
                view.show_snapshot(replace(snapshot, structure_changed=True))
                drawn()

            med, p95 = timed(move)
            first, _ = timed(rebuild, repeats=5)
            print(f"{name:<16}{view_name:<15}{med:>20.1f} / {p95:<9.1f}{first:>14.1f}")
        med, p95 = timed(lambda: error_study(snapshot.graph, snapshot.derivation))
        print(f"{name:<16}{'(FD study)':<15}{med:>20.1f} / {p95:<9.1f}")
    mode.function_plot_panel.plot.show_paths = False

    for text in ("x^2 + y^2 = 1", "y^2 = x^3 - x", "x^2 + y^2 + z^2 = 2"):
        mode.set_text(text)
        wait_for(app, lambda t=text: mode.snapshot is not None and mode.snapshot.text == t)
        s = mode.snapshot
        med, p95 = timed(lambda: _curve_job(s.graph, s.wrt, s.of, dict(s.point), s.ranges[s.wrt], s.ranges[s.of]),
                         repeats=5)
        print(f"{text:<24} curve grid 121x121 + contour: {med:.0f} / {p95:.0f} ms (background thread)")
        med, p95 = timed(lambda: project_onto_curve(s.graph, s.wrt, s.of, {**s.point, s.wrt: 0.3, s.of: 1.1}))
        print(f"{text:<24} projection onto the curve:    {med:.2f} / {p95:.2f} ms")
        mode.bottom_tabs.setCurrentWidget(mode.implicit_view)
        angles = iter([0.2 + 0.01 * k for k in range(REPEATS)])

        def drag():
            import math

            a = next(angles)
            mode.implicit_view.drag_to(1.2 * math.cos(a), 1.2 * math.sin(a))  # moves every panel

        med, p95 = timed(drag)
        print(f"{text:<24} one drag step, all panels:    {med:.1f} / {p95:.1f} ms")
    mode.shutdown()


if __name__ == "__main__":
    main()
