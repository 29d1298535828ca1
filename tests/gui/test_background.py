"""The one background mechanism: the newest request wins, stale answers never reach the
screen, stale SymPy children are killed, and a worker thread frees nothing of the GUI's."""

import gc
import threading

import pytest

from chainrule_gui.core.calculus.sympy_worker import SympyCancelled, SympyWorker
from chainrule_gui.gui.background import Background, after_grace


@pytest.fixture
def stream(qtbot):
    background = Background("test")
    answers = []
    background.finished.connect(answers.append)
    background.answers = answers
    yield background
    background.shutdown()


def blocked(gate: threading.Event, value, started: threading.Event | None = None):
    def work(cancelled):
        if started is not None:
            started.set()
        gate.wait(10)
        return value
    return work


def test_only_the_newest_answer_arrives(qtbot, stream):
    gate, started = threading.Event(), threading.Event()
    stream.submit("old", blocked(gate, "old answer", started))
    assert started.wait(5)
    stream.submit("new", lambda cancelled: "new answer")
    gate.set()
    qtbot.waitUntil(lambda: bool(stream.answers), timeout=5000)
    stream.wait_idle()
    qtbot.wait(50)  # the old answer, had it been sent, is in the event queue by now
    assert [(a.key, a.value) for a in stream.answers] == [("new", "new answer")]


def test_a_request_superseded_before_its_turn_never_runs(qtbot, stream):
    gate, started = threading.Event(), threading.Event()
    ran = []
    stream.submit(1, blocked(gate, 1, started))
    assert started.wait(5)
    stream.submit(2, lambda cancelled: ran.append(2))
    stream.submit(3, lambda cancelled: ran.append(3) or 3)
    gate.set()
    qtbot.waitUntil(lambda: bool(stream.answers), timeout=5000)
    assert ran == [3] and stream.answers[-1].value == 3


def test_cancel_drops_the_running_answer_and_tells_the_work(qtbot, stream):
    seen, started = threading.Event(), threading.Event()

    def work(cancelled):
        started.set()
        while not cancelled():
            threading.Event().wait(0.01)
        seen.set()
        return "stale"

    stream.submit("k", work)
    assert started.wait(5)
    stream.cancel()
    assert seen.wait(5)
    stream.wait_idle()
    qtbot.wait(50)
    assert stream.answers == []


def test_answers_arrive_on_the_gui_thread(qtbot, stream):
    threads = []
    stream.finished.connect(lambda _result: threads.append(threading.current_thread()))
    stream.submit("k", lambda cancelled: threading.current_thread())
    qtbot.waitUntil(lambda: bool(threads), timeout=5000)
    assert threads == [threading.main_thread()]
    assert stream.answers[0].value is not threading.main_thread()  # the work ran elsewhere


def test_a_stale_sympy_child_is_killed(qtbot, stream):
    worker = SympyWorker()
    worker.start()
    outcome, calling = [], threading.Event()

    def slow(cancelled):
        calling.set()
        try:
            return worker.call("sleep", 60, timeout=120, cancelled=cancelled)
        except SympyCancelled:
            outcome.append("cancelled")
            raise

    try:
        stream.submit("slow", slow)
        assert calling.wait(5)
        stream.submit("quick", lambda cancelled: "quick")
        qtbot.waitUntil(lambda: bool(stream.answers), timeout=10000)
        assert outcome == ["cancelled"] and worker._process is None  # killed, not left sleeping
        assert [a.key for a in stream.answers] == ["quick"]
    finally:
        worker.close()


def test_after_grace_waits_before_saying_cancelled():
    stale = after_grace(lambda: True, 0.05)
    assert not stale()
    threading.Event().wait(0.06)
    assert stale()
    assert not after_grace(lambda: False, 0.0)()


class Canary:
    """Records the thread that frees it (as a QObject would be deleted on it)."""

    def __init__(self, freed: list):
        self.freed = freed

    def __del__(self):
        self.freed.append(threading.current_thread())


@pytest.mark.parametrize("fate", ["shown", "superseded while running", "superseded before running",
                                  "shut down"])
def test_the_work_and_its_answer_are_freed_on_the_gui_thread(qtbot, fate):
    """A worker thread dropping the last reference to a QObject deletes it off its thread
    (that crashed the application once); the mechanism hands everything back first."""
    background = Background("canary")
    freed = []
    gate, started = threading.Event(), threading.Event()

    def submit(gated: bool):
        canary, answer = Canary(freed), Canary(freed)

        def work(cancelled):
            started.set()
            if gated:
                gate.wait(10)
            assert canary is not None
            return answer

        background.submit("k", work)

    submit(gated=fate != "shown")
    del_threads = freed
    if fate == "superseded while running":
        assert started.wait(5)
        background.submit("next", lambda cancelled: None)
    elif fate == "superseded before running":
        assert started.wait(5)
        started.clear()
        submit(gated=False)  # waits behind the first ...
        background.submit("next", lambda cancelled: None)  # ... and is replaced before it runs
    elif fate == "shut down":
        assert started.wait(5)
        background.shutdown()
    gate.set()
    background.wait_idle()
    qtbot.waitUntil(lambda: len(freed) >= (4 if fate == "superseded before running" else 2), timeout=5000)
    gc.collect()
    assert del_threads and set(del_threads) == {threading.main_thread()}
    background.shutdown()


def test_a_bug_in_the_work_comes_back_as_a_message(qtbot, stream):
    def broken(cancelled):
        raise KeyError("simulated")

    stream.submit("key", broken)
    qtbot.waitUntil(lambda: bool(stream.answers), timeout=5000)
    assert stream.answers[0].value is None and stream.answers[0].error.startswith("internal error (KeyError")


def test_threads_are_shared_and_few(qtbot):
    """Seven streams asking one after another start one thread at most, not seven."""
    from chainrule_gui.gui.background import _POOL

    before = _POOL._threads
    streams = [Background(f"s{i}") for i in range(7)]
    answers = []
    for s in streams:
        s.finished.connect(answers.append)
        s.submit("k", lambda cancelled: None)
        s.wait_idle()
    qtbot.waitUntil(lambda: len(answers) == 7, timeout=5000)
    assert _POOL._threads <= max(before, 1)
    for s in streams:
        s.shutdown()


def test_the_expression_tab_shows_the_newest_text_never_a_slower_older_one(qtbot, mode, monkeypatch):
    """Typing on while the previous text is still being built: its graphs arrive late and
    are dropped, never drawn over the newer text's."""
    from chainrule_gui.core.explorer import reading as reading_module  # where a text is read

    real, gate, building = reading_module.build_chain_graph, threading.Event(), threading.Event()

    def slow_for_the_old_text(program):
        if "old" in program.names:
            building.set()
            assert gate.wait(10)
        return real(program)

    monkeypatch.setattr(reading_module, "build_chain_graph", slow_for_the_old_text)
    texts = []
    mode.snapshot_shown.connect(lambda snapshot: texts.append(snapshot.text))
    mode.set_text("z = old^2")
    assert building.wait(5)
    mode.set_text("z = new^3")
    gate.set()
    qtbot.waitUntil(lambda: bool(texts) and texts[-1] == "z = new^3", timeout=10000)
    mode.controller.wait_idle()
    qtbot.wait(100)
    assert texts == ["z = new^3"] and mode.status.text() == ""


def test_numbers_first_then_merged_with_a_symbolic_part_computed_once(qtbot):
    from chainrule_gui.gui.background import NumbersThenSymbolic

    work = NumbersThenSymbolic("staged")
    shown, symbolic_calls, numbers_calls = [], [], []
    work.shown.connect(shown.append)
    gate = threading.Event()

    def symbolic(cancelled):
        symbolic_calls.append(1)
        assert gate.wait(10)
        return "S"

    def ask(point):
        work.request(("text", point), "text",
                     numbers=lambda cancelled: numbers_calls.append(point) or point,
                     symbolic=symbolic, merge=lambda value, part: (value, part))

    ask(1)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert shown[-1].value == 1 and shown[-1].symbolic_pending  # numbers at once
    gate.set()
    qtbot.waitUntil(lambda: shown[-1].value == (1, "S"), timeout=5000)
    assert not shown[-1].symbolic_pending
    ask(2)  # another point: the symbolic part is known, merged in the same request
    qtbot.waitUntil(lambda: shown[-1].value == (2, "S"), timeout=5000)
    count = len(shown)
    ask(2)  # the same again (a new theme): shown again, nothing computed
    assert len(shown) == count + 1 and shown[-1] == shown[-2]
    assert symbolic_calls == [1] and numbers_calls == [1, 2]
    work.shutdown()


def test_a_merged_answer_is_never_announced_before_it_is_merged(qtbot):
    """The symbolic part arriving while the numbers are computed: they are shown as still
    waiting for it, then merged."""
    from chainrule_gui.gui.background import NumbersThenSymbolic

    work = NumbersThenSymbolic("staged")
    shown = []
    work.shown.connect(shown.append)
    numbers_gate, symbolic_done = threading.Event(), threading.Event()

    def numbers(cancelled):
        assert numbers_gate.wait(10)
        return 1

    def symbolic(cancelled):
        symbolic_done.set()
        return "S"

    work.request("k", "s", numbers=numbers, symbolic=symbolic, merge=lambda value, part: (value, part))
    assert symbolic_done.wait(5)
    qtbot.wait(50)  # the part is in before the numbers
    numbers_gate.set()
    qtbot.waitUntil(lambda: bool(shown) and shown[-1].value == (1, "S"), timeout=5000)
    assert all(s.symbolic_pending for s in shown if s.value == 1)
    work.shutdown()
