"""The Expression mode through its widgets' object names (the object names other tools rely on)."""

import math
import time

import pytest
from expression_helpers import path_rows, show
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QGraphicsView

SEED = "z = x^2 + sin(x*y)\nx = t^2\ny = e^t"


def test_seed_example_gives_two_paths_summing_to_the_derivative(qtbot, mode):
    snapshot = show(qtbot, mode, SEED)
    rows = path_rows(mode)
    assert [r[0] for r in rows] == ["z → x → t", "z → y → t"]
    products = [p.product for p in snapshot.derivation.paths]
    assert math.isclose(sum(products), snapshot.derivation.derivative, rel_tol=1e-12)
    assert [float(r[3]) for r in rows] == pytest.approx(products, rel=1e-5)


def test_three_path_example(qtbot, mode):
    show(qtbot, mode, "w = x*exp(y/z); x = t^2; y = 1 - t; z = 1 + 2*t")
    assert len(path_rows(mode)) == 3


def test_invalid_text_keeps_the_last_good_rows(qtbot, mode):
    show(qtbot, mode, SEED)
    good = path_rows(mode)
    mode.set_text("z = x^2 + sinn(x*y)\nx = t^2\ny = e^t")
    qtbot.waitUntil(lambda: "did you mean sin" in mode.error_strip.text(), timeout=10000)
    assert path_rows(mode) == good
    assert not mode.findChild(QGraphicsView, "treeDiagram").isEnabled()  # greyed, still shown
    assert mode.editor.extraSelections()  # the mistake is underlined in place


def test_selecting_a_row_highlights_its_edges(qtbot, mode):
    show(qtbot, mode, SEED)
    mode.path_list.view.selectRow(1)
    lit = {item.edge for item in mode.diagram.edges.values() if item.pen().widthF() > 2}
    assert lit == {("z", "y"), ("y", "t")}


def test_spin_box_moves_the_point(qtbot, mode):
    show(qtbot, mode, SEED)
    spin = mode.findChild(QDoubleSpinBox, "input_t")
    spin.setValue(0.5)
    qtbot.waitUntil(lambda: mode.snapshot.point["t"] == 0.5, timeout=3000)
    d = mode.snapshot.derivation
    expected = 4 * 0.5**3 + (0.25 * math.exp(0.5) + 2 * 0.5 * math.exp(0.5)) * math.cos(0.25 * math.exp(0.5))
    assert math.isclose(d.derivative, expected)


def test_choosers_are_filled_from_the_definitions(qtbot, mode):
    show(qtbot, mode, "f = x^2*y^3")
    of = mode.findChild(QComboBox, "ofSelector")
    wrt = mode.findChild(QComboBox, "wrtSelector")
    assert of.currentText() == "f"
    assert [wrt.itemText(i) for i in range(wrt.count())] == ["x", "y"]
    wrt.setCurrentText("y")
    qtbot.waitUntil(lambda: mode.snapshot.wrt == "y", timeout=10000)


def test_view_switching(qtbot, mode):
    show(qtbot, mode, SEED)
    assert len(mode.diagram.nodes) == 5  # tree: t appears once per path
    mode.diagram.set_view("graph")
    assert len(mode.diagram.nodes) == 4
    mode.diagram.set_view("operations")
    assert len(mode.diagram.nodes) > 8


def test_cutting_an_edge(qtbot, mode):
    show(qtbot, mode, SEED)
    mode.controller.toggle_cut(("z", "y"))
    qtbot.waitUntil(lambda: mode.snapshot.cut == {("z", "y")}, timeout=10000)
    assert [r[0] for r in path_rows(mode)] == ["z → x → t"]
    assert mode.snapshot.derivation.removed_path_count == 1


def test_a_large_composition_is_shown_before_sympy_has_differentiated_it(qtbot, mode):
    lines = ["x0 = t"]
    for i in range(1, 7):  # about 1,800 operations once substituted
        lines += [f"a{i} = sin(x{i-1})", f"b{i} = cos(x{i-1})", f"x{i} = a{i}*b{i} + a{i}"]
    text = "\n".join(lines)
    before = mode.snapshot.revision if mode.snapshot else 0
    mode.set_text(text)
    qtbot.waitUntil(lambda: mode.snapshot is not None and mode.snapshot.revision > before
                    and mode.snapshot.text == text, timeout=20000)
    first = mode.snapshot
    assert first.derivation is not None and first.derivation.agreement["reverse"]
    if first.symbolic_pending:  # SymPy's answer arrives in a later snapshot
        assert first.derivation.methods["symbolic"] is None
        qtbot.waitUntil(lambda: not mode.snapshot.symbolic_pending, timeout=60000)
    assert mode.snapshot.derivation.agreement["symbolic"] is True
    assert mode.snapshot.graph is first.graph  # numbers refreshed, structure kept


def test_a_stale_large_derivative_is_stopped_not_waited_behind(qtbot, mode, monkeypatch):
    """SymPy's child takes one derivative at a time.  When the text changes while it is still
    busy with the old one (here made to take 30 s), it is stopped after a second, and the
    new text's SymPy column does not wait for the old one's time limit (20 s)."""
    from chainrule_gui.core.calculus import sympy_worker

    real = sympy_worker.derivative_worker
    asked = []

    class FirstOneHangs:
        def call(self, task, *args, **kwargs):
            asked.append(task)
            if len(asked) == 1:  # the first text's derivative: the child sleeps instead
                return real().call("sleep", 30, **kwargs)
            return real().call(task, *args, **kwargs)

    monkeypatch.setattr(sympy_worker, "derivative_worker", FirstOneHangs)

    def large(first):
        lines = [f"x0 = {first}"]
        for i in range(1, 7):
            lines += [f"a{i} = sin(x{i-1})", f"b{i} = cos(x{i-1})", f"x{i} = a{i}*b{i} + a{i}"]
        return "\n".join(lines)

    stale, current = large("t"), large("2*t")
    mode.set_text(stale)
    qtbot.waitUntil(lambda: asked == ["diff"], timeout=20000)  # the child is busy with it
    started = time.perf_counter()
    show(qtbot, mode, current)
    qtbot.waitUntil(lambda: not mode.snapshot.symbolic_pending, timeout=15000)
    assert time.perf_counter() - started < 15
    assert mode.snapshot.text == current and mode.snapshot.derivation.agreement["symbolic"] is True
    assert asked == ["diff", "diff"]


def test_recolouring_new_names_is_not_an_edit(qtbot, mode):
    """rehighlight() emits textChanged; it must not rebuild or mark the work modified."""
    edits = []
    mode.edited.connect(lambda: edits.append(1))
    snapshot = show(qtbot, mode, "q = r^2 + s")
    mode.editor.highlighter.set_defined({"q", "other"})  # forces a rehighlight
    qtbot.wait(400)  # longer than the typing debounce
    assert mode.snapshot.graph is snapshot.graph
    assert edits == []


def test_a_derivative_sympy_cannot_finish_in_time_is_given_up_not_waited_for(qtbot, mode, monkeypatch):
    from chainrule_gui.gui.expression import controller as controller_module

    monkeypatch.setattr(controller_module, "DEFERRED_DIFF_TIMEOUT_S", 0.001)  # the child is killed
    lines = ["x0 = t"]
    for i in range(1, 7):
        lines += [f"a{i} = sin(x{i-1})", f"b{i} = cos(x{i-1})", f"x{i} = a{i}*b{i} + a{i}"]
    text = "\n".join(lines)
    mode.set_text(text)
    qtbot.waitUntil(lambda: mode.snapshot is not None and mode.snapshot.text == text
                    and not mode.snapshot.symbolic_pending, timeout=30000)
    d = mode.snapshot.derivation
    assert d.methods["symbolic"] is None and d.agreement["symbolic"] is None  # "not computed"
    assert all(d.agreement[m] for m in ("reverse", "forward", "finite_difference"))
    mode.controller.set_value("t", 0.25)  # numbers move on without asking SymPy again
    qtbot.waitUntil(lambda: mode.snapshot.point["t"] == 0.25, timeout=10000)
    assert mode.snapshot.derivation.methods["symbolic"] is None
    monkeypatch.setattr(controller_module, "DEFERRED_DIFF_TIMEOUT_S", 60.0)
    snapshot = show(qtbot, mode, "z = x^2 + sin(x*y)\nx = t^2\ny = e^t")  # small ones: inline as before
    assert snapshot.derivation.agreement["symbolic"] is True
