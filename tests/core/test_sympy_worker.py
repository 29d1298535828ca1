"""Slow SymPy work runs in a child process that is killed on a timeout and replaced."""

import time

import pytest
import sympy as sp

from chainrule_gui.core.calculus.sympy_worker import SympyTimeout, SympyWorker


@pytest.fixture
def worker():
    w = SympyWorker()
    yield w
    w.close()


def test_simplify_in_the_child(worker):
    x = sp.Symbol("x", real=True)
    assert worker.call("simplify", sp.sin(x) ** 2 + sp.cos(x) ** 2, timeout=30) == 1


def test_timeout_kills_and_the_next_call_works(worker):
    start = time.perf_counter()
    with pytest.raises(SympyTimeout):
        worker.call("sleep", 30, timeout=0.5)
    assert time.perf_counter() - start < 10
    assert worker.call("sleep", 0, timeout=30) == 0


def test_a_large_derivative_in_the_child_equals_sympys_own(worker):
    from chainrule_gui.core import build_chain_graph, parse_program
    from chainrule_gui.core.calculus.derivation import symbolic_derivative
    from chainrule_gui.core.examples import BY_KEY

    graph = build_chain_graph(parse_program(BY_KEY["deep-diamonds"].text))
    here, _ = symbolic_derivative(graph, "x10", "t")
    there, _ = symbolic_derivative(
        graph, "x10", "t", differentiate=lambda e, s, o: worker.call("diff", e, s, o, timeout=60))
    assert there == here  # same symbols (real=True survives the pickle), same tree
    t = graph.program.symbols["t"]
    assert float(there.subs(t, 0.3)) == pytest.approx(float(here.subs(t, 0.3)), rel=1e-12)


def test_a_call_no_longer_wanted_is_stopped_and_the_next_one_works(worker):
    from chainrule_gui.core.calculus.sympy_worker import SympyCancelled

    worker.start()
    wanted_until = time.monotonic() + 0.3
    start = time.perf_counter()
    with pytest.raises(SympyCancelled):
        worker.call("sleep", 30, timeout=60, cancelled=lambda: time.monotonic() > wanted_until)
    assert time.perf_counter() - start < 10  # not the 30 s the child was asked to sleep
    assert worker.call("sleep", 0, timeout=30, cancelled=lambda: False) == 0


def test_the_child_never_imports_code_from_the_working_directory(tmp_path, monkeypatch):
    """A ``sympy.py`` next to the user's files (the working directory) must not run in the
    child: it would run a stranger's code, and simplification would silently disappear."""
    canary = tmp_path / "canary"
    for name in ("sympy.py", "chainrule_gui.py"):
        (tmp_path / name).write_text(f"open({str(canary)!r}, 'w').write('ran')\nraise SystemExit(3)\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))  # as a parent started with ``python -m`` there has it
    w = SympyWorker()
    try:
        x = sp.Symbol("x", real=True)
        assert w.call("simplify", sp.sin(x) ** 2 + sp.cos(x) ** 2, timeout=60) == 1
    finally:
        w.close()
    assert not canary.exists()
