"""How fast the tree diagram appears: first paint, fully typeset, and a slider step.

Run by hand (not collected by pytest):

    .venv/bin/python tests/benchmarks/bench_diagram.py

For each example and view it prints, in milliseconds (median of a few runs):

* **build** — model, measuring, layout and items (``show_snapshot`` for a new structure),
  with every cache empty (no expression printed or typeset before);
* **first paint** — build plus one synchronous repaint of the viewport, plain-text labels;
* **typeset (cold)** — from the snapshot until every label is typeset and, for small
  drawings, laid out again with the true sizes (empty label caches);
* **typeset (warm)** — the same with the labels cached (switching views, undo, …);
* **slider** — a new point on the same structure: numbers rewritten in place + repaint.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtWidgets import QApplication  # noqa: E402

from chainrule_gui.core.calculus.derivation import derive  # noqa: E402
from chainrule_gui.core.expressions.elide import full_text, short_form  # noqa: E402
from chainrule_gui.core.graph.chain_graph import build_chain_graph  # noqa: E402
from chainrule_gui.core.graph.choices import choose_output_input  # noqa: E402
from chainrule_gui.core.language.program import parse_program  # noqa: E402
from chainrule_gui.gui.expression.diagram import TreeDiagram  # noqa: E402
from chainrule_gui.gui.expression.snapshot import ExplorerSnapshot  # noqa: E402
from chainrule_gui.gui.typeset import latex_image  # noqa: E402


def big_text(terms: int = 30) -> str:
    body = " + ".join(f"sin({k}*x + y)*exp(-u/{k + 1})" for k in range(1, terms + 1))
    return f"z = {body}\nx = t^2\ny = e^t\nu = x*y + 1"


EXAMPLES = {
    "seed z(t)": "z = x^2 + sin(x*y)\nx = t^2\ny = e^t",
    "three paths w(t)": "w = x*exp(y/z)\nx = t^2\ny = 1 - t\nz = 1 + 2*t",
    "sigmoid neuron": "L = (a - y)^2\na = sigmoid(z)\nz = w*x + b",
    "2-2-1 network": ("L = (yhat - y)^2\nyhat = sigmoid(w5*h1 + w6*h2 + b2)\nh1 = relu(w1*x1 + w2*x2 + b1)\n"
                      "h2 = tanh(w3*x1 + w4*x2 + b1)\nx1 = 2*s\nx2 = s^2"),
    "300 operations": big_text(30),
}
VIEWS = ("tree", "graph", "operations")
REPEATS = 3


def snapshot_for(text: str, revision: int, point_shift: float = 0.0) -> ExplorerSnapshot:
    program = parse_program(text)
    graph = build_chain_graph(program)
    of, wrt = choose_output_input(graph, None, None)
    point = {name: 0.5 + 0.1 * i + point_shift for i, name in enumerate(graph.inputs)}
    derivation = derive(graph, of, wrt, point, symbolic=False)
    ranges = {n: (v - 3, v + 3) for n, v in point.items()}
    return ExplorerSnapshot(revision=revision, text=text, program=program, graph=graph, of=of, wrt=wrt,
                            point=point, ranges=ranges, derivation=derivation)


def wait_typeset(app, diagram, timeout=60.0) -> None:
    deadline = time.perf_counter() + timeout
    while (diagram.typesetter.pending or diagram.drawing.estimated) and time.perf_counter() < deadline:
        app.processEvents()
    app.processEvents()  # the idle re-layout
    diagram.viewport().repaint()


def cold_caches(diagram) -> None:
    """Forget every label seen before: typeset pixmaps and the short forms of expressions."""
    diagram.typesetter._cache.clear()
    latex_image.cache_clear()
    short_form.cache_clear()
    full_text.cache_clear()


def measure(app, text: str, view: str) -> dict[str, float]:
    results: dict[str, list[float]] = {k: [] for k in ("build", "first paint", "typeset (cold)",
                                                        "typeset (warm)", "slider")}
    counts = {}
    for _repeat in range(REPEATS):
        snapshot = snapshot_for(text, 1)
        for warm in (False, True):
            diagram = TreeDiagram()
            diagram.resize(1000, 700)
            diagram.show()
            diagram.set_view(view)
            app.processEvents()
            if not warm:
                cold_caches(diagram)
            started = time.perf_counter()
            diagram.show_snapshot(snapshot)
            built = time.perf_counter()
            diagram.viewport().repaint()
            painted = time.perf_counter()
            wait_typeset(app, diagram)
            done = time.perf_counter()
            if not warm:
                results["build"].append((built - started) * 1000)
                results["first paint"].append((painted - started) * 1000)
                results["typeset (cold)"].append((done - started) * 1000)
                counts = {"boxes": len(diagram.nodes), "labels": len(diagram.labels),
                          "typeset": diagram.typesetter.rendered}
            else:
                results["typeset (warm)"].append((done - started) * 1000)
                for step in range(1, 11):  # slider steps: same structure, new point
                    moved = snapshot_for(text, 1 + step, point_shift=0.01 * step)
                    moved = ExplorerSnapshot(**{**moved.__dict__, "structure_changed": False})
                    t0 = time.perf_counter()
                    diagram.show_snapshot(moved)
                    diagram.viewport().repaint()
                    results["slider"].append((time.perf_counter() - t0) * 1000)
            diagram.close()
            diagram.deleteLater()
            app.processEvents()
    summary = {k: statistics.median(v) for k, v in results.items()}
    summary["slider p95"] = sorted(results["slider"])[int(0.95 * (len(results["slider"]) - 1))]
    return summary | counts


def main() -> None:
    app = QApplication.instance() or QApplication([])
    # The first mathtext call loads fonts (a one-time cost, paid at start-up in the app).
    from chainrule_gui.gui.typeset import latex_pixmap

    t0 = time.perf_counter()
    latex_pixmap("x^2")
    print(f"mathtext warm-up (once per process): {(time.perf_counter() - t0) * 1000:.0f} ms\n")
    header = (f"{'example':18} {'view':10} {'boxes':>5} {'labels':>6} {'build':>7} {'1st paint':>9} "
              f"{'typeset cold':>12} {'typeset warm':>12} {'slider':>7} {'p95':>6}")
    print(header)
    print("-" * len(header))
    for name, text in EXAMPLES.items():
        for view in VIEWS:
            r = measure(app, text, view)
            print(f"{name:18} {view:10} {r['boxes']:>5} {r['labels']:>6} {r['build']:>7.1f} "
                  f"{r['first paint']:>9.1f} {r['typeset (cold)']:>12.1f} {r['typeset (warm)']:>12.1f} "
                  f"{r['slider']:>7.2f} {r['slider p95']:>6.2f}")
    print("\nAll times in ms (median of", REPEATS, "runs; slider: 10 steps per run).")


if __name__ == "__main__":
    main()
