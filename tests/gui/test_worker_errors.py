"""Our own bugs in background work reach the GUI as messages and the log; the window lives on."""

import pytest
from expression_helpers import show

from chainrule_gui.core.explorer import reading as reading_module

SEED = "z = x^2 + sin(x*y)\nx = t^2\ny = e^t"


def test_a_bug_while_building_is_said_in_the_strip_and_logged(qtbot, mode, reporter, monkeypatch):
    show(qtbot, mode, SEED)

    def broken(program):
        raise RuntimeError("simulated builder bug")

    monkeypatch.setattr(reading_module, "build_chain_graph", broken)  # the text is read there
    mode.set_text("z = t^3")
    qtbot.waitUntil(lambda: "internal error" in mode.error_strip.text(), timeout=10000)
    assert "RuntimeError: simulated builder bug" in mode.error_strip.text()
    assert mode.status.text() == ""  # not "computing…" forever
    assert not mode.diagram.isEnabled()  # the last good drawing stays, greyed
    assert "simulated builder bug" in reporter.log_path.read_text()
    monkeypatch.undo()
    show(qtbot, mode, "z = t^4")  # the next text works again
    assert mode.diagram.isEnabled() and mode.error_strip.text() == ""


def test_a_bug_in_the_simplifier_never_leaves_simplifying_forever(qtbot, mode, monkeypatch):
    from chainrule_gui.core.calculus import sympy_worker

    def no_worker():
        raise OSError("cannot start a process")

    monkeypatch.setattr(sympy_worker, "default_worker", no_worker)
    show(qtbot, mode, SEED)
    status = mode.result_panel.simplify_status
    qtbot.waitUntil(lambda: status.text() == "could not simplify; showing the unsimplified form", timeout=10000)
    assert mode.result_panel.formula_view.latex.startswith(r"\frac{dz}{dt}")


@pytest.mark.qt_no_exception_capture
def test_a_bug_in_one_view_is_reported_and_the_others_still_update(qtbot, mode, reporter, monkeypatch):
    show(qtbot, mode, SEED)

    def broken(snapshot):
        raise ValueError("simulated view bug")

    monkeypatch.setattr(mode.path_list, "show_snapshot", broken)
    snapshot = show(qtbot, mode, "z = t^2 + 1")
    qtbot.waitUntil(lambda: reporter.last_error is not None, timeout=5000)
    assert "simulated view bug" in reporter.last_error[0]
    assert mode.result_panel.snapshot is snapshot  # the panels after it were still drawn
    assert mode.diagram.snapshot is snapshot
