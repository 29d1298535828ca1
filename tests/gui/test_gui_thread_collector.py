"""Cycles are collected on the GUI thread only (see chainrule_gui/gui/collector.py for the
deadlock a collection on a worker thread caused)."""

import gc
import threading
import weakref

import pytest

from chainrule_gui.gui.app import make_application
from chainrule_gui.gui.collector import installed


class Cycle:
    def __init__(self):
        self.me = self  # only the cycle collector can free it


def test_the_application_turns_automatic_collection_off(qapp):
    assert make_application() is qapp
    assert installed() is not None
    assert not gc.isenabled()


def test_a_worker_thread_never_collects_and_the_gui_thread_does(qtbot):
    where: list[str] = []

    def record(phase, info):
        if phase == "start":
            where.append(threading.current_thread().name)

    gc.callbacks.append(record)
    try:
        probe = weakref.ref(Cycle())
        assert probe() is not None

        def allocate():  # far past every generation's threshold
            garbage = [Cycle() for _ in range(50_000)]
            del garbage

        worker = threading.Thread(target=allocate, name="allocating-worker")
        worker.start()
        worker.join()
        assert "allocating-worker" not in where
        qtbot.waitUntil(lambda: probe() is None, timeout=5000)
        assert where and set(where) == {"MainThread"}
    finally:
        gc.callbacks.remove(record)


def test_after_start_up_what_exists_is_frozen_out_of_full_collections():
    from chainrule_gui.gui.collector import freeze_long_lived

    before = gc.get_freeze_count()  # the GUI tests' session fixture froze once already
    made_since = [Cycle() for _ in range(1000)]
    freeze_long_lived()
    assert gc.get_freeze_count() >= before + 1000
    assert installed().long_lived_total == 0 and installed().long_lived_pending == 0
    del made_since
    kept = Cycle()
    probe = weakref.ref(kept)
    del kept
    gc.collect()
    assert probe() is None  # what is made afterwards is still collected


def test_a_full_collection_waits_until_enough_has_grown_old(qtbot):
    """CPython's rule: walk the oldest generation only when what was promoted into it since
    the last full walk exceeds a quarter of what it held then (a full walk of this test
    process's heap takes about half a second on the GUI thread)."""
    collector = installed()
    saved = collector.long_lived_total, collector.long_lived_pending
    generations: list[int] = []

    def record(phase, info):
        if phase == "start":
            generations.append(info["generation"])

    gc.callbacks.append(record)
    try:
        for _ in range(collector.threshold[2] + 1):
            gc.collect(1)  # the oldest generation's count is past its threshold now
        collector.long_lived_total, collector.long_lived_pending = 1_000_000, 10
        generations.clear()
        collector.collect_if_due()
        assert 2 not in generations
        collector.long_lived_total, collector.long_lived_pending = 1_000, 300
        collector.collect_if_due()
        assert generations[-1] == 2
        assert collector.long_lived_pending == 0
        # recounted after the walk (other threads free a little meanwhile, hence ≈)
        assert collector.long_lived_total == pytest.approx(len(gc.get_objects(generation=2)), rel=0.01)
    finally:
        gc.callbacks.remove(record)
        collector.long_lived_total, collector.long_lived_pending = saved


def test_a_full_collection_made_elsewhere_restarts_the_count(qtbot):
    """gc.collect() from anywhere (freeze_long_lived, a test clearing what earlier tests
    left) walked the oldest generation just now: the next walk waits for new promotions."""
    collector = installed()
    saved = collector.long_lived_total, collector.long_lived_pending
    try:
        collector.long_lived_total, collector.long_lived_pending = 1_000, 300
        gc.collect(1)
        assert collector.long_lived_pending == 300  # a young collection changes nothing
        gc.collect()
        assert collector.long_lived_pending == 0 and collector.long_lived_total is None
    finally:
        collector.long_lived_total, collector.long_lived_pending = saved


def test_a_full_collection_waits_while_the_person_edits(qtbot):
    """A full walk (0.3–0.46 s once the caches fill) waits for a pause in editing, unless what
    waits for it has grown far past CPython's rule; an edit through the editor counts."""
    from chainrule_gui.gui import collector as module
    from chainrule_gui.gui.expression.mode import ExpressionMode

    collector = installed()
    saved = collector.long_lived_total, collector.long_lived_pending, collector.last_activity
    generations: list[int] = []

    def record(phase, info):
        if phase == "start":
            generations.append(info["generation"])

    mode = ExpressionMode()
    qtbot.addWidget(mode)
    gc.callbacks.append(record)
    try:
        for _ in range(collector.threshold[2] + 1):
            gc.collect(1)
        mode.editor.setPlainText("y = sin(x)")  # as typed: the mode reports an edit
        assert module.time.monotonic() - collector.last_activity < 0.5
        collector.long_lived_total, collector.long_lived_pending = 1_000, 300  # due by CPython's rule
        generations.clear()
        collector.collect_if_due()
        assert 2 not in generations  # ... but the person is editing
        collector.long_lived_pending = module.MIN_FULL_DEFERRAL_OBJECTS + 1  # waited long enough
        collector.collect_if_due()
        assert generations[-1] == 2
        for _ in range(collector.threshold[2] + 1):
            gc.collect(1)
        collector.long_lived_total, collector.long_lived_pending = 1_000, 300
        generations.clear()
        collector.last_activity -= module.IDLE_BEFORE_FULL_S  # a pause
        collector.collect_if_due()
        assert generations[-1] == 2 and collector.long_lived_pending == 0
    finally:
        gc.callbacks.remove(record)
        collector.long_lived_total, collector.long_lived_pending, collector.last_activity = saved
        mode.shutdown()
