"""How long the Expression mode takes to react, measured through the real widgets.

    python tests/benchmarks/bench_explorer.py [--repeats N]

For each example (and a 300-operation expression) the text is changed and the clock runs
until every panel has drawn the new snapshot (diagram, paths, results, plot): parse, build,
SymPy's derivative (background thread) and drawing (GUI thread).  Each repetition changes
the text (a trailing comment with a counter), so nothing is served from a cache keyed on
the text.  Also: moving a slider (numbers only).  Targets from the issue: median < 50 ms
and p95 < 100 ms for the examples, < 300 ms for the 300-operation expression.
Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def big_expression(operations: int = 300, salt: int = 0) -> str:
    """Definitions with about ``operations`` primitive operations in total (``salt`` changes
    every constant, so nothing can come from a cache)."""
    lines, ops, k = [], 0, 0
    while ops < operations:
        k += 1
        lines.append(f"u{k} = sin(x*y + {k + salt}) * exp(-t/{k + 1}) + cos(t*x)/{k}")  # 10 operations
        ops += 10
    lines.insert(0, "f = " + " + ".join(f"u{i}" for i in range(1, k + 1)))
    lines += ["x = t^2", "y = e^t"]
    return "\n".join(lines)


def percentile(values, q):
    values = sorted(values)
    index = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return values[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=25)
    args = parser.parse_args()

    from PySide6.QtCore import QStandardPaths
    from PySide6.QtWidgets import QApplication

    from chainrule_gui.core.examples import EXAMPLES
    from chainrule_gui.gui.expression.mode import ExpressionMode

    app = QApplication.instance() or QApplication(sys.argv[:1])
    QStandardPaths.setTestModeEnabled(True)
    mode = ExpressionMode()
    mode.resize(1280, 800)
    mode.show()
    mode.controller.simplify_enabled = False  # simplification arrives later by design
    shown = []
    mode.snapshot_shown.connect(lambda s: shown.append(time.perf_counter()))

    def wait_for(count: int, timeout: float = 30.0) -> None:
        deadline = time.perf_counter() + timeout
        while len(shown) < count:
            app.processEvents()
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no snapshot (have {len(shown)}, want {count}; busy={mode.status.text()!r}, error={mode.error_strip.text()!r})")

    def time_text(text: str) -> float:
        before = len(shown)
        start = time.perf_counter()
        mode.set_text(text, immediate=True)
        wait_for(before + 1)
        return (shown[-1] - start) * 1000

    # Warm up imports, mathtext and SymPy's caches once (cold start is the packaging issue's).
    time_text(EXAMPLES[0].text)
    rows = []
    cases = [(e.key, e.text) for e in EXAMPLES] + [("300 operations", big_expression())]
    for name, text in cases:
        times = [time_text(f"{text}\n# edit {i}") for i in range(args.repeats)]
        rows.append((name, statistics.median(times), percentile(times, 0.95), max(times)))
    # Typing in a big text: one definition changes per keystroke, the rest is unchanged.
    base = big_expression()
    times = [time_text(base.replace("sin(x*y + 1)", f"sin(x*y + 1.{i + 1})")) for i in range(args.repeats)]
    rows.append(("300 operations, one line edited", statistics.median(times), percentile(times, 0.95),
                 max(times)))
    # A text never seen before: every local derivative is new to SymPy.
    times = [time_text(big_expression(salt=1000 * (i + 1))) for i in range(max(3, args.repeats // 3))]
    rows.append(("300 operations, all new", statistics.median(times), percentile(times, 0.95), max(times)))
    slider = []
    mode.set_text(EXAMPLES[4].text, immediate=True)
    wait_for(len(shown) + 1)
    name = mode.snapshot.wrt
    for i in range(args.repeats * 4):
        before = len(shown)
        start = time.perf_counter()
        mode.controller.set_value(name, 0.2 + 0.01 * i)
        wait_for(before + 1)
        slider.append((shown[-1] - start) * 1000)

    print(f"{'text change → all panels drawn':<40}{'median ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for name, median, p95, worst in rows:
        print(f"{name:<40}{median:>10.1f}{p95:>10.1f}{worst:>10.1f}")
    examples = [r for r in rows if not r[0].startswith("300 operations")]
    print(f"{'all examples (median of medians)':<40}{statistics.median(r[1] for r in examples):>10.1f}"
          f"{max(r[2] for r in examples):>10.1f}")
    print(f"{'slider move → all panels drawn':<40}{statistics.median(slider):>10.1f}"
          f"{percentile(slider, 0.95):>10.1f}{max(slider):>10.1f}")
    mode.shutdown()


if __name__ == "__main__":
    main()
