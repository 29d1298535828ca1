"""Print the README's "Reliability" table from real runs.

    python tests/benchmarks/reliability_report.py [--quick]

Runs, and counts, what the reliability tests run: the hostile corpus of typed text and
files (tests/reliability/corpus.py, in a child process with time and memory limits and a
canary file), the Hypothesis fuzzing of the parser and the file loaders, processes killed
while saving sessions and models, numeric faults at a point, training divergence, bugs
injected into slots, threads and workers, 10,000 signal emits, and the event loop's
latency while a network trains.  Prints a Markdown table and the worst cases; asserts
nothing (the tests do).  ``--quick`` runs fewer kill rounds and a shorter latency run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.reliability.corpus import (  # noqa: E402
    CASE_LIMIT_S,
    COSTLY_FILES,
    all_cases,
    canary_made,
    run_cases,
)
from tests.reliability.faults import kill_during_save  # noqa: E402

Row = tuple[str, str, str, str]  # what was tried, how many, what happened, worst case


def pytest_run(*targets: str, extra: tuple[str, ...] = ()) -> tuple[int, int, float, str]:
    """(passed, failed, seconds, output) of a pytest run in a child process."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, *targets],
                          capture_output=True, text=True, cwd=ROOT, timeout=1800)
    seconds = time.perf_counter() - started
    tail = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-300:]
    passed = int(m.group(1)) if (m := re.search(r"(\d+) passed", tail)) else 0
    failed = int(m.group(1)) if (m := re.search(r"(\d+) (failed|error)", tail)) else 0
    return passed, failed, seconds, done.stdout


def corpus_rows() -> list[Row]:
    cases = all_cases()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        results = run_cases(cases, Path(folder))
        total = time.perf_counter() - started
        canary = canary_made(Path(folder))
    rows: list[Row] = []
    groups = [
        ("Typed code-execution payloads (`__import__`, dunder chains, `exec`, lambdas, f-strings, …)",
         lambda c: c["group"] == "code"),
        ("Pathological typed input (`9**9**9`, SymPy's known hangs, 10,000 nested parentheses, "
         "1 MB of text, 2^40 paths, …)", lambda c: c["group"] == "heavy"),
        ("Session files, broken or malicious", lambda c: c["kind"] == "session"),
        ("Model files, broken or malicious (pickles, zip bomb, NaN weights, …)", lambda c: c["kind"] == "model"),
        ("CSV files, broken or malicious (formula cells, NUL, huge fields, …)", lambda c: c["kind"] == "csv"),
        ("…of them, small files that cost much before (a 440,000-entry cut: 30–76 s, 4.6 GB; 29,000 bad "
         "layers; an NPY header of 10¹² numbers; a 60,000-entry zip directory)", lambda c: c["name"] in COSTLY_FILES),
        ("…of them, not files: a named pipe (blocked for good before) or a link to /dev/zero (read 500 MB) "
         "as a session, model or CSV", lambda c: "special" in c),
    ]
    for title, chosen in groups:
        picked = [(c, r) for c, r in zip(cases, results) if chosen(c)]
        counts = {k: sum(1 for _, r in picked if r["outcome"] == k) for k in ("accepted", "refused", "crash")}
        slow = sum(1 for _, r in picked if r["seconds"] >= CASE_LIMIT_S)
        worst_case, worst = max(picked, key=lambda p: p[1]["seconds"])
        wrong = sum(1 for c, r in picked if c["expect"] != "either" and r["outcome"] != c["expect"])
        happened = (f"{counts['refused']} refused with a message, {counts['accepted']} opened/answered"
                    + (f", **{counts['crash']} crashed**" if counts["crash"] else ", 0 crashes")
                    + (f", **{wrong} not as expected**" if wrong else "")
                    + (f", **{slow} over {CASE_LIMIT_S:.0f} s**" if slow else ""))
        name = (" ".join(worst_case["name"].replace("`", "'").split())[:36]
                + ("…" if len(worst_case["name"]) > 36 else ""))
        rows.append((title, str(len(picked)), happened, f"{worst['seconds'] * 1000:.0f} ms (`{name}`)"))
    code_files = [(c, r) for c, r in zip(cases, results) if c["group"] == "code-file"]
    rows.append(("…of them, files whose content is code (session text, pickles, formula cells, script "
                 "members)", str(len(code_files)),
                 f"none ran: canary file {'**CREATED**' if canary else 'never created'}; "
                 f"{sum(r['outcome'] != 'crash' for _, r in code_files)} handled",
                 f"whole corpus {total:.1f} s"))
    return rows


def fuzz_rows() -> list[Row]:
    passed, failed, seconds, output = pytest_run("tests/core/test_fuzz.py", "tests/core/test_fuzz_files.py",
                                                 extra=("--hypothesis-show-statistics",))
    examples: dict[str, int] = {}
    current = None
    for line in output.splitlines():
        if "::" in line and line.rstrip().endswith(":"):
            current = line.split("::")[-1].rstrip(":")
        elif current and (m := re.search(r"(\d+) passing(?: examples)?, (\d+) failing", line)):
            examples[current] = examples.get(current, 0) + int(m.group(1)) + int(m.group(2))
    parser = sum(v for k, v in examples.items() if "session" not in k and "model" not in k and "csv" not in k)
    files = sum(examples.values()) - parser
    verdict = f"{passed} properties held, {failed} failed" if not failed else f"**{failed} properties failed**"
    return [("Hypothesis fuzzing of the parser (grammar-based, grammar + hostile tokens, random Unicode, "
             "token soup)", f"{parser:,}", f"only `ParseError` came out; {verdict}", f"all in {seconds:.0f} s"),
            ("Hypothesis fuzzing of the file loaders (any value anywhere in a session or model, random "
             "bytes, random CSV, a model's bytes overwritten, any NPY header, any zip; a session the app "
             "writes, with names of any length, opens again)", f"{files:,}",
             "only `FileFormatError` / `ModelError` came out",
             "(same run)")]


def kill_rows(rounds: int) -> list[Row]:
    rows = []
    for kind in ("session", "model"):
        with tempfile.TemporaryDirectory() as folder:
            result = kill_during_save(kind, Path(folder), rounds)
        rows.append((f"Process killed (SIGKILL) while saving a {kind} ({result['bytes'] / 1e3:,.0f} kB) "
                     "over and over", str(result["rounds"]),
                     f"the file opened, complete, after {result['loaded']} of {result['rounds']} kills "
                     f"(the kills landed after {result['versions']} different saves)",
                     f"{len(result['leftovers'])} hidden temporaries left, deleted by the next save 10 min on"))
    passed, failed, seconds, _ = pytest_run("tests/core/test_file_targets.py", "tests/cli/test_file_limits.py",
                                            extra=("-k", "save or link or permissions or umask or name or device "
                                                         "or non_file or folder"))
    rows.append(("Saving onto what is not a plain file: a symbolic link (dangling too), a hard link, a 0664 file, "
                 "a named pipe, a folder, a device, a 249–255-byte name, a missing folder, a full disk under a "
                 "hard link (session, and `train --save`)", f"{passed + failed} tests",
                 f"links written through, hard links and modes kept, pipes/folders/devices refused naming the "
                 f"person's path, long names saved ({passed} passed, {failed} failed)", f"{seconds:.1f} s"))
    return rows


NUMERIC_FAULTS = [
    ("z = log(x - 3) + y; x = t^2; y = sin(t)", {"t": 1.0}),
    ("z = 1/(t - 1)", {"t": 1.0}),
    ("z = sqrt(t) + 1", {"t": -4.0}),
    ("z = exp(w); w = 1000*t", {"t": 1.0}),
    ("z = asin(t)", {"t": 2.0}),
    ("z = t^0.5", {"t": -1.0}),
    ("z = log(t)", {"t": 0.0}),
    ("z = sqrt(x)*y; x = t^2; y = exp(t)", {"t": 0.0}),
    ("z = sqrt(t)", {"t": 0.0}),
    ("z = acos(x); x = sin(t)", {"t": math.pi / 2}),
    ("x^2 + log(y) = 1", {"x": 0.5, "y": -1.0}),
    ("L = -y*log(p) - (1 - y)*log(1 - p); p = sigmoid(w*x); y = 1", {"w": 800.0, "x": 1.0}),
]


def numeric_rows() -> list[Row]:
    from chainrule_gui.core.diagram.model import VIEWS, build_diagram, fault_marks
    from chainrule_gui.core.errors import NumericError
    from chainrule_gui.core.graph.chain_graph import build_chain_graph
    from chainrule_gui.core.language.program import parse_program

    located = marked = 0
    for text, point in NUMERIC_FAULTS:
        graph = build_chain_graph(parse_program(text))
        try:
            graph.evaluate(point)
        except NumericError as error:
            if error.evaluation is not None and error.owner is not None:
                located += 1
            root = graph.program.outputs[0] if graph.program.outputs else None
            wrt = graph.inputs[0]
            views = [build_diagram(graph, root, wrt, view) for view in VIEWS]
            if all(m is not None and (fault_marks(m, error).nodes or fault_marks(m, error).edges) for m in views):
                marked += 1
    return [("Numeric faults at the chosen point (log of a negative, division by zero, overflow, infinite "
             "slopes, outside asin/acos)", str(len(NUMERIC_FAULTS)),
             f"{located} reported with the failing operation and the values that could be computed; "
             f"{marked} marked at their node or edge in all three diagram views", "—")]


def divergence_rows() -> list[Row]:
    import numpy as np

    from chainrule_gui.core.nn.datasets import generate
    from chainrule_gui.core.nn.network import Network
    from chainrule_gui.core.nn.spec import spec_from_sizes
    from chainrule_gui.core.nn.training import TrainConfig, Trainer

    caught = finite = 0
    steps_to_catch = []
    runs = [(lr, optimizer, seed) for lr in (5.0, 50.0, 100.0, 1e4) for optimizer in ("sgd", "momentum")
            for seed in (0, 1)]
    for lr, optimizer, seed in runs:
        data = generate("sine", samples=64, noise=0.1, validation_fraction=0.0, seed=seed)
        data = type(data)(data.name, data.X, None, data.values * 10, data.train, data.validation,
                          data.feature_names)
        network = Network.initialized(spec_from_sizes((1, 16, 1), "relu", "mse", seed=seed))
        trainer = Trainer(network, data, TrainConfig(optimizer, lr, 16))
        with np.errstate(all="ignore"):
            snapshots = list(trainer.steps(200))
        if snapshots and snapshots[-1].fault is not None:
            caught += 1
            steps_to_catch.append(len(snapshots))
        finite += bool(np.all(np.isfinite(network.params)))
    passed, failed, seconds, _ = pytest_run("tests/gui/test_network_mode.py", extra=("-k", "divergence"))
    return [("Training divergence (learning rate 5 to 10,000, SGD and momentum), headless", str(len(runs)),
             f"{caught} paused with the last finite weights ({finite} of {len(runs)} weight sets finite)",
             f"caught within {max(steps_to_catch) if steps_to_catch else '—'} steps"),
            ("…and in the GUI at the largest learning rate (pytest-qt): pauses, says why, "
             "lower-rate and Reset both work", f"{passed + failed} tests", f"{passed} passed, {failed} failed",
             f"{seconds:.1f} s")]


def exception_rows() -> list[Row]:
    passed, failed, seconds, _ = pytest_run(
        "tests/gui/test_error_reporter.py", "tests/gui/test_worker_errors.py",
        "tests/gui/test_network_mode.py::test_a_bug_in_the_training_thread_is_reported_and_the_thread_lives_on")
    return [("Bugs injected: in a slot, a QThread, a Python thread, the expression builder, the simplifier, "
             "a view, a background job, the training thread", f"{passed + failed} tests",
             f"{passed} reported (log file + message on the GUI thread), app kept running; {failed} failed",
             f"{seconds:.1f} s")]


def start_and_recovery_rows() -> list[Row]:
    """Real app processes killed mid-edit, bad settings, unusable folders, a hostile working
    directory for the SymPy child, odd command-line values."""
    rows: list[Row] = []
    passed, failed, seconds, _ = pytest_run("tests/gui/test_crash_recovery.py",
                                            "tests/gui/test_network_work_kept.py::"
                                            "test_a_damaged_network_autosave_is_kept_aside_and_does_not_hide_the_session")
    rows.append(("App process killed (SIGKILL) mid-edit with a typing mistake in the text; a second copy "
                 "running meanwhile; a damaged autosave beside a good one", f"{passed + failed} tests",
                 f"{passed} passed, {failed} failed: the typed text offered back exactly, the second copy "
                 "neither offered nor deleted it, the damaged file kept aside and named", f"{seconds:.1f} s"))
    passed, failed, seconds, out = pytest_run("tests/gui/test_bad_settings.py")
    rows.append(("Settings file with a bad value (geometry, state, splitter, recent files, theme, …), "
                 "data or log folder that cannot be made", f"{passed + failed} tests",
                 f"the app started and showed its window every time, the bad value dropped and logged, "
                 f"'Autosave off' said ({passed} passed, {failed} failed)", f"{seconds:.1f} s"))
    passed, failed, seconds, _ = pytest_run("tests/core/test_sympy_worker.py", extra=("-k", "working_directory"))
    rows.append(("`sympy.py` and `chainrule_gui.py` planted in the working directory of the SymPy child",
                 f"{passed + failed} test", f"canary never created; simplification still answered "
                 f"({passed} passed, {failed} failed)", f"{seconds:.1f} s"))
    passed, failed, seconds, _ = pytest_run("tests/cli/test_cli_bad_options.py")
    rows.append(("Odd values in every option of `explain`, `train`, `gradcheck` (`²`, `-1`, `1e400`, "
                 "`nan`, empty, 20-digit numbers, …; Hypothesis, 150 draws, and the 9 that raised before)",
                 f"{passed + failed} tests", f"one `error:` line and exit 2, never a traceback "
                 f"({passed} passed, {failed} failed)", f"{seconds:.1f} s"))
    return rows


def emit_rows() -> list[Row]:
    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        fired = Signal(bool)

    emitter = Emitter()
    before = sys.getrefcount(True)
    for _ in range(10_000):
        emitter.fired.emit(True)
    drift = sys.getrefcount(True) - before
    import PySide6

    return [(f"Signal emits (PySide6 {PySide6.__version__}, Python {sys.version.split()[0]})", "10,000",
             f"refcount of True moved by {drift} (6.12.0 on 3.11 loses one per emit and aborts)", "—")]


LATENCY_CHILD = """
import json, os, sys
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, sys.argv[2])
from PySide6.QtCore import QEventLoop, QTimer
from chainrule_gui.gui.app import make_application
app = make_application([])  # as the app: theme, and cycles collected on the GUI thread only
from chainrule_gui.gui.network.mode import NetworkMode
from tests.reliability.faults import training_latency

def wait(ms):
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()

mode = NetworkMode()
mode.resize(1280, 800)
mode.show()
while mode.controller.latest is None:
    wait(20)
figures = training_latency(mode, wait, seconds=float(sys.argv[1]))
mode.shutdown()
print(json.dumps(figures))
"""


def latency_rows(seconds: float, runs: int) -> list[Row]:
    results = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", LATENCY_CHILD, str(seconds), str(ROOT)], capture_output=True,
                              text=True, timeout=120)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    p95 = max(r["p95"] for r in results)
    worst = max(r["max"] for r in results)
    steps = sum(r["steps"] for r in results) / sum(r["seconds"] for r in results)
    return [("Event loop while training at full speed (10 ms heartbeat timer, GUI thread; cycles collected there)",
             f"{runs} × {seconds:.0f} s, {sum(r['beats'] for r in results):,} beats",
             f"p50 {max(r['p50'] for r in results):.1f} ms, p95 {p95:.1f} ms late (limit 50); "
             f"training {steps:,.0f} steps/s", f"max {worst:.0f} ms late (limit 250)")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer kill rounds, one short latency run")
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])  # noqa: F841 - signals need an application
    sections = [("Inputs tried", corpus_rows() + fuzz_rows()),
                ("Faults injected", kill_rows(4 if args.quick else 10) + numeric_rows() + divergence_rows()
                 + exception_rows() + start_and_recovery_rows() + emit_rows() + latency_rows(2.0 if args.quick else 3.0,
                                                                 1 if args.quick else 3))]
    print("| What was tried | How many | What happened | Worst case |")
    print("|---|---|---|---|")
    for title, rows in sections:
        print(f"| **{title}** | | | |")
        for row in rows:
            print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")


if __name__ == "__main__":
    main()
